"""Templates: language, the customer's name, placeholders, and the shipped files."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from trayapp.core.templates import (
    PLACEHOLDERS,
    ReplyTemplate,
    customer_name,
    detect_language,
    parse_template,
    pick_template,
    render,
    template_names,
    template_values,
)

JST = timezone(timedelta(hours=9))
DUE = datetime(2025, 11, 26, 12, 0, tzinfo=JST)
SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "templates"


@pytest.mark.parametrize(
    ("texts", "language"),
    [
        (("商品について", ""), "ja"),
        (("Order 42", "先日注文した商品がまだ届きません"), "ja"),
        (("ｶﾀｶﾅ only",), "ja"),
        (("Question about my order", "Hello, where is it?"), "en"),
        (("", ""), "en"),
        (("Café — déjà vu",), "en"),
    ],
)
def test_detect_language(texts: tuple[str, ...], language: str) -> None:
    assert detect_language(*texts) == language


@pytest.mark.parametrize(
    ("sender", "language", "name"),
    [
        ("山田 太郎 <taro@example.jp>", "ja", "山田 太郎様"),
        ('"山田　花子" <hanako@example.jp>', "ja", "山田 花子様"),
        ("佐藤様 <sato@example.jp>", "ja", "佐藤様"),
        ("株式会社サンプル <info@sample.co.jp>", "ja", "株式会社サンプル 御中"),
        # the company on its own line, then the person (the README's greeting rules)
        ("株式会社サンプル 山田 太郎 <t@sample.co.jp>", "ja", "株式会社サンプル\n山田 太郎様"),
        ("㈱サンプル 山田 <t@sample.co.jp>", "ja", "株式会社サンプル\n山田様"),
        ("(株)ABC 営業部 佐藤 <s@abc.co.jp>", "ja", "株式会社ABC 営業部\n佐藤様"),
        ("ABC（株） 山田 <y@abc.co.jp>", "ja", "ABC株式会社\n山田様"),
        ("山田太郎（有限会社やまだ） <t@yamada.jp>", "ja", "有限会社やまだ\n山田太郎様"),
        ("佐藤／サンプル 株式会社 <s@sample.co.jp>", "ja", "サンプル株式会社\n佐藤様"),
        ("株式会社 サンプル <info@sample.co.jp>", "ja", "株式会社サンプル 御中"),
        ("一般社団法人ほげ協会 事務局 <j@hoge.or.jp>", "ja", "一般社団法人ほげ協会 事務局 御中"),
        ("サポートセンター <c@example.jp>", "ja", "サポートセンター 御中"),
        ("阿部 <abe@example.jp>", "ja", "阿部様"),  # a name ending in 部 is a person
        ("株式会社サンプル 山田様 <t@sample.co.jp>", "ja", "株式会社サンプル 山田様"),
        ("taro@example.jp", "ja", "お客様"),
        ("<taro@example.jp>", "ja", "お客様"),
        ("Ann Lee <ann@example.com>", "en", "Ann Lee"),
        ("ann@example.com", "en", "there"),
        ("Ann Lee <ann@example.com>", "ja", "Ann Lee様"),
    ],
)
def test_customer_name(sender: str, language: str, name: str) -> None:
    assert customer_name(sender, language) == name  # type: ignore[arg-type]


def test_render_replaces_only_known_placeholders_and_drops_empty_signature() -> None:
    text = "Hi {customer_name},\nby {promised_time} {unknown} {{x}}\n\n{signature}\n"
    out = render(text, {"customer_name": "Ann", "promised_time": "noon", "signature": ""})
    assert out == "Hi Ann,\nby noon {unknown} {{x}}\n"


def test_a_line_of_empty_placeholders_is_dropped_and_the_apology_fills_it() -> None:
    text = "Hi {customer_name},\n\n{apology}\nThanks.\n"
    assert render(text, {"customer_name": "Ann", "apology": ""}) == "Hi Ann,\n\nThanks.\n"
    assert render(text, {"customer_name": "Ann", "apology": "Sorry."}) == (
        "Hi Ann,\n\nSorry.\nThanks.\n"
    )


def test_parse_template_title() -> None:
    template = parse_template("short", "en", "# Short one\n# (for busy days)\nHi {customer_name}\n")
    assert template.title == "Short one (for busy days)"
    assert template.text == "Hi {customer_name}\n"
    assert parse_template("plain", "ja", "本文\n").title == "plain"


def test_pick_template_falls_back_by_language_and_refuses_unknown_names() -> None:
    ja = ReplyTemplate("received", "ja", "標準", "ja")
    en = ReplyTemplate("received", "en", "Standard", "en")
    en_only = ReplyTemplate("away", "en", "Away", "away")
    all_ = [ja, en, en_only]
    assert pick_template(all_, "ja") is ja
    assert pick_template(all_, "en") is en
    assert pick_template(all_, "ja", "away") is en_only
    with pytest.raises(LookupError, match="nope"):
        pick_template(all_, "ja", "nope")
    with pytest.raises(LookupError):
        pick_template([], "ja")
    assert template_names(all_, "en") == ["received", "away"]


def load_shipped() -> list[ReplyTemplate]:
    return [
        parse_template(path.stem, path.parent.name, path.read_text(encoding="utf-8"))  # type: ignore[arg-type]
        for path in sorted(SHIPPED.glob("*/*.txt"))
    ]


def test_shipped_templates_exist_in_both_languages_with_placeholders() -> None:
    templates = load_shipped()
    ja = {t.name for t in templates if t.language == "ja"}
    en = {t.name for t in templates if t.language == "en"}
    assert "received" in ja and ja == en
    for template in templates:
        assert "{customer_name}" in template.text, template
        assert "{promised_time}" in template.text, template
        assert "{signature}" in template.text, template
        assert "{apology}" in template.text, template
        assert template.title != template.name  # a real title for the picker


def test_shipped_japanese_template_reads_naturally() -> None:
    template = pick_template(load_shipped(), "ja")
    values = template_values(
        sender="山田 太郎 <taro@example.jp>",
        subject="Re: 在庫について",
        signature="--\n一報商店 鈴木",
        language="ja",
        promised=DUE,
    )
    text = template.render(values)
    assert text.startswith("山田 太郎様\n")
    assert "11月26日（水）12時までに" in text
    assert "「在庫について」" in text
    assert text.endswith("--\n一報商店 鈴木\n")
    assert not any(f"{{{p}}}" in text for p in PLACEHOLDERS)


def test_shipped_english_template_reads_naturally() -> None:
    template = pick_template(load_shipped(), "en")
    values = template_values(
        sender="ann@example.com", subject="Order 42", signature="", language="en", promised=DUE
    )
    text = template.render(values)
    assert text.startswith("Hello there,\n")
    assert "by Wednesday, 26 November, 12:00 JST." in text
    assert not text.endswith("\n\n")


@pytest.mark.parametrize("name", ["received", "checking", "away"])
@pytest.mark.parametrize(
    ("language", "apology"),
    [
        ("ja", "ご返信が遅くなり、大変申し訳ございません。"),
        ("en", "I am sorry to have kept you waiting."),
    ],
)
def test_an_overdue_reply_opens_with_an_apology(name: str, language: str, apology: str) -> None:
    template = pick_template(load_shipped(), language, name)  # type: ignore[arg-type]
    common = dict(
        sender="山田 太郎 <taro@example.jp>",
        subject="在庫",
        signature="鈴木",
        language=language,
        promised=DUE,
    )
    late = template.render(template_values(**common, overdue=True))  # type: ignore[arg-type]
    on_time = template.render(template_values(**common))  # type: ignore[arg-type]
    greeting, blank, first = late.split("\n")[:3]
    assert "山田" in greeting and blank == "" and first == apology
    assert apology not in on_time
    assert on_time.split("\n")[2] == late.split("\n")[3]  # the rest is unchanged


def test_the_company_keeps_its_own_line_in_the_rendered_reply() -> None:
    template = pick_template(load_shipped(), "ja")
    values = template_values(
        sender="㈱サンプル 山田 太郎\r\nBcc: x <taro@example.jp>",
        subject="在庫",
        signature="鈴木",
        language="ja",
        promised=DUE,
        overdue=True,
    )
    lines = template.render(values).split("\n")
    assert lines[:4] == [
        "株式会社サンプル",
        "山田 太郎 Bcc: x様",
        "",
        "ご返信が遅くなり、大変申し訳ございません。",
    ]
