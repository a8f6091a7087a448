"""build_reply: headers, threading, Subject, and the ISO-2022-JP path with CP932 extensions."""

from __future__ import annotations

import base64
import email
import re
from datetime import datetime, timedelta, timezone
from email import policy
from email.utils import parsedate_to_datetime

import pytest

from tests.support.mailcorpus import jis_to_text
from trayapp.core.model import AccountConfig, Inquiry
from trayapp.core.reply import (
    MAX_REFERENCES,
    build_reply,
    decode_iso2022jp,
    encode_iso2022jp,
    new_message_id,
    reply_references,
    reply_subject,
)

JST = timezone(timedelta(hours=9))
NOW = datetime(2025, 11, 25, 10, 30, tzinfo=JST)


def account(charset: str = "utf-8") -> AccountConfig:
    return AccountConfig(
        name="shop",
        email="info@shop.example.jp",
        imap_host="imap.example.jp",
        reply_charset=charset,  # type: ignore[arg-type]
    )


def inquiry(**overrides: object) -> Inquiry:
    values: dict[str, object] = dict(
        id="abc123",
        account="shop",
        folder="INBOX",
        uidvalidity=7,
        uid=42,
        message_id="20251124.1234@mail.customer.example",
        sender="山田 太郎 <taro@customer.example>",
        sender_addr="taro@customer.example",
        subject="商品の在庫について",
        received_at=NOW,
        due_at=NOW + timedelta(hours=24),
        references=("root@customer.example",),
    )
    values.update(overrides)
    return Inquiry(**values)  # type: ignore[arg-type]


def decode_words(value: str) -> str:
    parts = re.findall(r"=\?ISO-2022-JP\?B\?([A-Za-z0-9+/=]+)\?=", value, re.I)
    return "".join(jis_to_text(base64.b64decode(p)) for p in parts)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("商品の在庫について", "Re: 商品の在庫について"),
        ("Re: order 42", "Re: order 42"),
        ("RE: Re: re: order 42", "Re: order 42"),
        ("Re[2]: order 42", "Re: order 42"),
        ("Re(3): order 42", "Re: order 42"),
        ("Ｒｅ：在庫", "Re: 在庫"),
        ("ＲＥ： Re: 在庫", "Re: 在庫"),
        ("返信: Re: 在庫", "Re: 在庫"),
        ("AW: Anfrage", "Re: Anfrage"),
        ("Fwd: order", "Re: Fwd: order"),
        ("Regarding invoices", "Re: Regarding invoices"),
        ("", "Re:"),
    ],
)
def test_subject_never_stacks_reply_prefixes(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected


def test_references_are_parents_plus_parent_and_trimmed() -> None:
    assert reply_references(("a@x", "b@x"), "c@x") == ("a@x", "b@x", "c@x")
    assert reply_references(("<a@x>", "a@x"), "a@x") == ("a@x",)
    assert reply_references((), None) == ()
    long = tuple(f"m{i}@x" for i in range(40))
    trimmed = reply_references(long, "parent@x")
    assert len(trimmed) == MAX_REFERENCES
    assert trimmed[0] == "m0@x" and trimmed[-1] == "parent@x" and trimmed[-2] == "m39@x"


def test_message_id_is_fresh_and_on_the_accounts_domain() -> None:
    first = new_message_id("a@shop.example.jp", NOW)
    second = new_message_id("a@shop.example.jp", NOW)
    assert first != second
    assert first.endswith("@shop.example.jp")


def test_utf8_reply_has_every_header() -> None:
    reply = build_reply(
        account(),
        inquiry(),
        "山田様\n\nお問い合わせありがとうございます。\n",
        NOW,
        message_id="fixed@shop.example.jp",
    )
    raw = reply.message.as_bytes()
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["From"] == "info@shop.example.jp"
    assert parsed["To"] == "山田 太郎 <taro@customer.example>"
    assert parsed["Subject"] == "Re: 商品の在庫について"
    assert parsed["Message-ID"] == "<fixed@shop.example.jp>"
    assert parsed["In-Reply-To"] == "<20251124.1234@mail.customer.example>"
    assert parsed["References"].split() == [
        "<root@customer.example>",
        "<20251124.1234@mail.customer.example>",
    ]
    assert parsedate_to_datetime(parsed["Date"]) == NOW
    assert parsed.get_content_charset() == "utf-8"
    assert parsed.get_content() == "山田様\r\n\r\nお問い合わせありがとうございます。\r\n"
    assert reply.recipients == ("taro@customer.example",)
    assert reply.charset == "utf-8" and reply.note == ""
    assert all(len(line) <= 78 for line in raw.split(b"\r\n"))
    assert raw.isascii()  # no 8-bit octets: any SMTP server takes it


def test_reply_to_wins_over_from() -> None:
    reply = build_reply(account(), inquiry(reply_to=("support@customer.example",)), "x\n", NOW)
    assert reply.recipients == ("support@customer.example",)
    assert reply.message["To"] == "support@customer.example"


def test_without_parent_message_id_there_is_no_in_reply_to() -> None:
    reply = build_reply(account(), inquiry(message_id=None, references=()), "x\n", NOW)
    assert reply.message["In-Reply-To"] is None
    assert reply.message["References"] is None


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        build_reply(account(), inquiry(), "x", NOW.replace(tzinfo=None))


def test_iso2022jp_reply_keeps_cp932_characters() -> None:
    body = "髙橋様\n\n① 在庫～確認中です。〜 − ｶﾀｶﾅ\n"
    reply = build_reply(
        account("iso-2022-jp"),
        inquiry(
            sender="髙橋 ① <taka@customer.example>",
            sender_addr="taka@customer.example",
            subject="Ｒｅ：①の在庫について、とても長い件名で折り返しが必要になる場合の確認",
        ),
        body,
        NOW,
    )
    assert reply.charset == "iso-2022-jp" and reply.note == ""
    raw = reply.message.as_bytes()
    assert raw.isascii()
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert b'charset="ISO-2022-JP"' in head and b"Content-Transfer-Encoding: 7bit" in head
    text = jis_to_text(payload)
    assert text.replace("\r\n", "\n") == "髙橋様\n\n① 在庫～確認中です。～ － カタカナ\n"
    headers = email.message_from_bytes(raw, policy=policy.compat32)
    assert decode_words(headers["Subject"]) == (
        "Re: ①の在庫について、とても長い件名で折り返しが必要になる場合の確認"
    )
    assert decode_words(headers["To"]) == "髙橋 ①"
    assert headers["To"].endswith("<taka@customer.example>")
    for line in head.split(b"\r\n"):
        assert len(line) <= 78, line
    # every encoded word is a complete JIS run: it ends in ASCII mode
    for word in re.findall(rb"\?B\?([^?]+)\?=", head):
        assert base64.b64decode(word).endswith(b"\x1b(B")


def test_iso2022jp_falls_back_to_utf8_with_a_note_for_emoji() -> None:
    reply = build_reply(account("iso-2022-jp"), inquiry(), "ありがとうございます😀\n", NOW)
    assert reply.charset == "utf-8"
    assert "U+1F600" in reply.note and "UTF-8" in reply.note
    parsed = email.message_from_bytes(reply.message.as_bytes(), policy=policy.default)
    assert parsed.get_content_charset() == "utf-8"
    assert "😀" in parsed.get_content()


def test_ibm_extension_kanji_use_the_nec_selected_codes() -> None:
    # 髙 is 0xFBFC in CP932 (outside JIS's 94 rows); Windows writes it as JIS 0x7C62.
    assert encode_iso2022jp("髙") == b"\x1b$B|b\x1b(B"
    assert encode_iso2022jp("①") == b"\x1b$B-!\x1b(B"
    assert encode_iso2022jp("abc") == b"abc"


def test_decode_iso2022jp_reads_back_what_we_wrote() -> None:
    text = "髙橋様\r\n① ～ 在庫 abc\r\n"
    data = b"\r\n".join(encode_iso2022jp(line) for line in text.split("\r\n"))
    assert decode_iso2022jp(data) == text


@pytest.mark.parametrize("charset", ["utf-8", "iso-2022-jp"])
def test_from_carries_the_name_shown_to_customers(charset: str) -> None:
    shop = AccountConfig(
        name="shop",
        email="info@shop.example.jp",
        imap_host="imap.example.jp",
        reply_charset=charset,
        display_name="一報商店 髙橋",  # type: ignore[arg-type]
    )
    raw = build_reply(shop, inquiry(), "本文\n", NOW).message.as_bytes()
    parsed = email.message_from_bytes(raw, policy=policy.default)
    if charset == "iso-2022-jp":
        header = email.message_from_bytes(raw)["From"]
        assert "ISO-2022-JP" in header
        assert decode_words(header) == "一報商店 髙橋"
        assert header.endswith("<info@shop.example.jp>")
    else:
        assert parsed["From"] == "一報商店 髙橋 <info@shop.example.jp>"
    assert parsed["From"].addresses[0].addr_spec == "info@shop.example.jp"


def test_a_display_name_cannot_add_a_header() -> None:
    shop = AccountConfig(
        name="shop",
        email="info@shop.example.jp",
        imap_host="imap.example.jp",
        display_name="Shop\r\nBcc: victim@example.com\x00",
    )
    raw = build_reply(shop, inquiry(), "x\n", NOW).message.as_bytes()
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["Bcc"] is None
    assert parsed["From"].addresses[0].display_name == "Shop Bcc: victim@example.com"
    assert parsed["From"].addresses[0].addr_spec == "info@shop.example.jp"
