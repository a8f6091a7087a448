"""core.preview: which part a preview reads, and how its bytes become a few lines of text."""

from __future__ import annotations

import base64
import email
import random
from email.message import Message

import pytest

from tests.support import mailcorpus
from trayapp.core.preview import (
    MAX_CHARS,
    PreviewPart,
    choose_parts,
    decode_transfer,
    html_to_text,
    part_text,
    preview_text,
    summarize,
)

# BODYSTRUCTURE as imapclient parses Dovecot's answers (multipart parts nested in a list).
PLAIN = (b"text", b"plain", (b"charset", b"ISO-2022-JP"), None, None, b"7bit", 232, 7, None, None)
HTML = (b"text", b"html", (b"charset", b"UTF-8"), None, None, b"quoted-printable", 900, 20)
PDF_ATTACHMENT = (
    b"application",
    b"pdf",
    (b"name", b"quote.pdf"),
    None,
    None,
    b"base64",
    5000,
    None,
    (b"attachment", (b"filename", b"quote.pdf")),
    None,
)
TEXT_ATTACHMENT = (
    b"text",
    b"plain",
    (b"charset", b"us-ascii", b"name", b"log.txt"),
    None,
    None,
    b"7bit",
    300,
    10,
    None,
    (b"attachment", (b"filename", b"log.txt")),
    None,
    None,
)


def alternative(*parts: object) -> tuple[object, ...]:
    return ([*parts], b"alternative", (b"boundary", b"b1"), None, None, None)


def mixed(*parts: object) -> tuple[object, ...]:
    return ([*parts], b"mixed", (b"boundary", b"b2"), None, None, None)


def body_of(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[1]


def encoded_payload(raw: bytes, subtype: str) -> bytes:
    """The transfer-encoded bytes of the first text/<subtype> part, as BODY[n] returns them."""
    message = email.message_from_bytes(raw)
    for part in message.walk():
        if isinstance(part, Message) and part.get_content_type() == f"text/{subtype}":
            payload = part.get_payload(decode=False)
            assert isinstance(payload, str)
            return payload.encode("ascii", "surrogateescape")
    raise AssertionError(f"no text/{subtype} part")


# --------------------------------------------------------------------------- choose_parts


def test_single_part_message_reads_section_1() -> None:
    [part] = choose_parts(PLAIN)
    assert part == PreviewPart("1", "plain", "7bit", "iso-2022-jp", size=232)


def test_alternative_prefers_plain_then_offers_html() -> None:
    parts = choose_parts(alternative(HTML, PLAIN))
    assert [(p.section, p.subtype) for p in parts] == [("2", "plain"), ("1", "html")]
    assert parts[1].encoding == "quoted-printable"
    assert parts[1].charset == "utf-8"


def test_nested_sections_and_attachments_skipped() -> None:
    structure = mixed(TEXT_ATTACHMENT, alternative(PLAIN, HTML), PDF_ATTACHMENT)
    parts = choose_parts(structure)
    assert [p.section for p in parts] == ["2.1", "2.2"]


def test_html_only_and_raw_nested_tuples() -> None:
    # Inside message/rfc822 imapclient leaves a multipart as leading tuples, not a list.
    raw_multipart = (HTML, PDF_ATTACHMENT, b"mixed", (b"boundary", b"x"), None, None, None)
    assert [(p.section, p.subtype) for p in choose_parts(raw_multipart)] == [("1", "html")]


def test_attached_message_is_not_the_senders_text() -> None:
    forwarded = (
        b"message",
        b"rfc822",
        None,
        None,
        None,
        b"7bit",
        400,
        (None,) * 10,
        PLAIN,
        12,
        None,
        None,
    )
    assert choose_parts(mixed(forwarded, PDF_ATTACHMENT)) == []


def test_flowed_parameters_are_read() -> None:
    flowed = (
        b"text",
        b"plain",
        (b"charset", b"utf-8", b"format", b"flowed", b"delsp", b"yes"),
        None,
        None,
        b"8bit",
        10,
        1,
    )
    [part] = choose_parts(flowed)
    assert part.flowed and part.delsp


@pytest.mark.parametrize(
    "structure",
    [None, (), b"text", [None], (b"text",), ([], b"mixed"), ((None, None),), ([object()], b"x")],
)
def test_odd_structures_give_no_parts(structure: object) -> None:
    assert choose_parts(structure) == []


# --------------------------------------------------------------------------- transfer encodings


def test_base64_and_quoted_printable() -> None:
    data = "髙橋です".encode()
    encoded = base64.b64encode(data)
    assert decode_transfer(encoded[:8] + b"\r\n" + encoded[8:], "BASE64") == data
    assert decode_transfer(b"=E9=AB=99=\r\nabc", "quoted-printable") == "髙".encode() + b"abc"
    assert decode_transfer(b"plain", "8bit") == b"plain"
    assert decode_transfer(b"plain", "x-uuencode") == b"plain"


def test_cut_base64_and_qp_drop_the_partial_tail() -> None:
    encoded = base64.b64encode(b"hello world!")  # 16 characters
    assert decode_transfer(encoded[:14], "base64", truncated=True) == b"hello wor"
    # The half escape goes; a whole escape of a cut character is the charset step's to drop.
    cut = decode_transfer(b"caf=C3=A9 =E9=A", "quoted-printable", truncated=True)
    assert cut == "café ".encode() + b"\xe9"
    assert decode_transfer(b"abc=", "quoted-printable", truncated=True) == b"abc"


def test_broken_base64_never_raises() -> None:
    assert isinstance(decode_transfer(b"!!!*&^", "base64"), bytes)
    assert isinstance(decode_transfer(b"QUJD\x00\xff=", "base64"), bytes)


# --------------------------------------------------------------------------- charsets


def test_iso2022jp_body_with_cp932_extensions() -> None:
    raw = mailcorpus.japanese_iso2022jp_inquiry()
    part = PreviewPart("1", "plain", "7bit", "iso-2022-jp")
    preview = preview_text(body_of(raw), part)
    assert preview.splitlines() == [  # "ご担当者様" only greets: the list shows one line
        "いつもお世話になっております。㈱髙橋商店の髙橋です。",
        "①の商品（型番ＡＢ－１２３）の在庫はございますでしょうか。",
        "納期は３日～１週間程度を希望しております。",
    ]


def test_base64_shift_jis_body() -> None:
    raw = mailcorpus.base64_shift_jis_inquiry()
    part = PreviewPart("1", "plain", "base64", "shift_jis")
    preview = preview_text(encoded_payload(raw, "plain"), part)
    assert preview.splitlines()[:2] == [
        "お世話になっております。ｶﾀｶﾅ商事の田中です。",
        "②番の商品を１０個、見積もりをお願いできますでしょうか。",
    ]


def test_shift_jis_8bit_and_mislabelled_utf8() -> None:
    sjis = PreviewPart("1", "plain", "8bit", "shift_jis")
    assert preview_text(mailcorpus.SJIS_BODY.encode("cp932"), sjis).startswith("お世話に")
    # Labelled Shift_JIS, written in UTF-8: the bytes win.
    assert preview_text("見積もり".encode(), sjis) == "見積もり"


def test_cut_utf8_character_at_the_end_of_the_fetch() -> None:
    text = "あ" * 2000  # one long line: no line break to cut at
    data = text.encode()[:4096]  # 4096 = 3 * 1365 + 1: the last character is cut
    part = PreviewPart("1", "plain", "8bit", "utf-8")
    full = part_text(data, part, truncated=True)
    assert full == "あ" * 1365
    # Unlabelled too: the cut does not make the bytes look like another charset.
    assert part_text(data, PreviewPart("1", "plain", "8bit", ""), truncated=True) == full


def test_cut_shift_jis_and_iso2022jp_without_line_break() -> None:
    sjis = ("見積" * 1100).encode("cp932")[:4095]  # ends on a lead byte
    text = part_text(sjis, PreviewPart("1", "plain", "8bit", "shift_jis"), truncated=True)
    assert "\ufffd" not in text and text.startswith("見積見積")
    jis = mailcorpus.iso2022jp_cp932("①髙" * 1500)[:4000]
    text = part_text(jis, PreviewPart("1", "plain", "7bit", "iso-2022-jp"), truncated=True)
    assert text.startswith("①髙①髙") and "\ufffd" not in text


def test_cut_at_last_line_break() -> None:
    data = ("first line\r\n" * 300).encode()[:3000]
    text = part_text(data, PreviewPart("1", "plain", "7bit", "us-ascii"), truncated=True)
    assert text.endswith("first line\r\n")


@pytest.mark.parametrize("charset", ["x-no-such-charset", "base64", "utf-7", "", "utf-16", "zlib"])
def test_unknown_or_hostile_charsets_never_raise(charset: str) -> None:
    part = PreviewPart("1", "plain", "8bit", charset)
    assert "Hello" in preview_text(b"Hello \xff\xfe there", part) or charset == "utf-16"


def test_random_bytes_never_raise() -> None:
    rng = random.Random(4)
    for _ in range(300):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300)))
        charset = rng.choice(["iso-2022-jp", "shift_jis", "euc-jp", "utf-8", "", "koi8-r"])
        encoding = rng.choice(["base64", "quoted-printable", "7bit", "8bit"])
        subtype = rng.choice(["plain", "html"])
        part = PreviewPart("1", subtype, encoding, charset)
        result = preview_text(data, part, truncated=rng.random() < 0.5)
        assert isinstance(result, str) and len(result) <= MAX_CHARS


# --------------------------------------------------------------------------- HTML


def test_html_only_mail_gives_text_without_markup_or_urls() -> None:
    raw = mailcorpus.html_only_inquiry()
    part = PreviewPart("1", "html", "8bit", "")  # the charset is only in a <meta>
    preview = preview_text(body_of(raw), part)
    assert preview.splitlines() == [
        mailcorpus.HTML_ONLY_TEXT,
        "お名前 中村 美咲",
        "内容 営業時間を教えてください。<土日>も営業していますか？",
    ]
    whole = part_text(body_of(raw), part)
    for unwanted in ("http", "tracker", "script text", "font-family", "not text", "<p>"):
        assert unwanted not in whole
    assert "お問い合わせフォーム" in whole  # a link's text stays, its address does not


def test_alternative_html_part_decodes_too() -> None:
    raw = mailcorpus.alternative_inquiry()
    part = PreviewPart("2", "html", "quoted-printable", "utf-8")
    preview = preview_text(encoded_payload(raw, "html"), part)
    assert preview.splitlines() == [
        "Could I change the delivery address for order #4521? We moved last week.",
        "Best regards,",
        "Jane",
    ]


def test_html_quotes_and_unbalanced_markup() -> None:
    html = (
        "<div>Yes, Tuesday works.</div>"
        '<div class="gmail_quote"><div>On Mon, 3 Jun 2024, Shop &lt;shop@example.test&gt; wrote:'
        "</div><blockquote><p>Would Tuesday work?</p></blockquote></div>"
    )
    assert summarize(html_to_text(html)) == "Yes, Tuesday works."
    assert "x" not in html_to_text("<style>x<p>hello</p>")  # an unclosed style hides the rest
    assert html_to_text("<p>a<script>b</style>c</script>d</p>").strip() == "ad"
    assert html_to_text("<p>A &amp; B &#x2460; &unknown;</p>").strip() == "A & B ① &unknown;"


def test_html_charset_from_meta_shift_jis() -> None:
    html = '<html><head><meta charset="Shift_JIS"></head><body><p>②番の件</p></body></html>'
    part = PreviewPart("1", "html", "8bit", "")
    assert preview_text(html.encode("cp932"), part) == "②番の件"


# --------------------------------------------------------------------------- summarize


def test_first_three_lines_whitespace_collapsed() -> None:
    text = "\r\n\r\n  Hello   there\t friend \r\n\u3000\u3000インデント\r\n\r\nthree\r\nfour\r\n"
    assert summarize(text) == "Hello there friend\nインデント\nthree"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi Jane,\nCan you call me?", "Can you call me?"),
        ("Dear Sir or Madam,\n\nI would like a quote.", "I would like a quote."),
        ("Hello\nAre you open?", "Are you open?"),
        (
            "株式会社イッポ\nご担当者様\n\n見積もりをお願いします。",
            "株式会社イッポ\n見積もりをお願いします。",
        ),
        ("山田様\nお世話になっております。", "お世話になっております。"),
        ("Hi, is the shop open on Sunday?", "Hi, is the shop open on Sunday?"),
        ("Hello there friend", "Hello there friend"),
        ("ご担当者様", "ご担当者様"),  # nothing else: the greeting is better than nothing
    ],
)
def test_a_leading_salutation_gives_way_to_the_message(text: str, expected: str) -> None:
    assert summarize(text) == expected


def test_long_text_is_cut_with_an_ellipsis() -> None:
    preview = summarize("x" * 1000)
    assert len(preview) == MAX_CHARS and preview.endswith("…")


def test_controls_and_bidi_overrides_are_dropped() -> None:
    assert summarize("a\x00b\x1b[31mc\u202ed\u200be\ufeff") == "ab[31mcde"


def test_quoted_reply_with_japanese_gmail_attribution() -> None:
    raw = mailcorpus.quoted_reply_inquiry()
    part = PreviewPart("1", "plain", "8bit", "utf-8")
    assert preview_text(body_of(raw), part) == (
        "ありがとうございます。配送先の変更もお願いできますか？"
    )


@pytest.mark.parametrize(
    "attribution",
    [
        "On Mon, 3 Jun 2024 at 10:00, Ippo Shop <shop@example.test> wrote:",
        "On Mon, 3 Jun 2024 at 10:00, Ippo Shop <shop@example.test>\nwrote:",
        "2024/06/03 10:00、Ippo Shop <shop@example.test>のメール:",
        "2024/06/03 10:00 に Ippo Shop さんは書きました:",
        "2024年6月3日(月) 10:00 Ippo Shop <shop@example.test>:",
        "Am 03.06.2024 um 10:00 schrieb Ippo Shop <shop@example.test>:",
    ],
)
def test_attribution_lines_are_dropped(attribution: str) -> None:
    text = f"Thanks, that works.\n\n{attribution}\n> Would Tuesday work?\n>\n> Shop\n"
    assert summarize(text) == "Thanks, that works."


def test_outlook_original_below_a_header_block_is_dropped() -> None:
    text = (
        "Thanks, see my answer below.\r\n\r\n"
        "________________________________\r\n"
        "差出人: Ippo Shop <shop@example.test>\r\n"
        "送信日時: 2024年6月3日 10:00\r\n"
        "件名: RE: 見積もり\r\n"
    )
    assert summarize(text) == "Thanks, see my answer below."
    bare = "Sounds good.\r\nFrom: Shop <shop@example.test>\r\nSent: Monday\r\nTo: me\r\n"
    assert summarize(bare) == "Sounds good."
    # A "From:" line that starts no header block is the sender's text.
    assert summarize("From: the Osaka office\nwe need 3 more") == (
        "From: the Osaka office\nwe need 3 more"
    )


def test_signature_is_dropped_and_only_quotes_fall_back_to_the_quote() -> None:
    assert summarize("Call me.\r\n-- \r\nJane Miller\r\nCEO, Example\r\n") == "Call me."
    assert summarize("> just the quote\r\n> again\r\n") == "> just the quote\n> again"


def test_format_flowed_lines_are_joined() -> None:
    flowed = PreviewPart("1", "plain", "8bit", "utf-8", flowed=True)
    data = b"This is one long \r\nparagraph that was \r\nwrapped.\r\nSecond.\r\n"
    assert preview_text(data, flowed) == "This is one long paragraph that was wrapped.\nSecond."
    delsp = PreviewPart("1", "plain", "8bit", "utf-8", flowed=True, delsp=True)
    assert preview_text("日本語の \r\n文章".encode(), delsp) == "日本語の文章"
