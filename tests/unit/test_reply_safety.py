"""The reply builder's own guards: what it refuses, and the after-generation check that would
catch a header the email package let through (Python 3.11 does not verify generated headers)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage

import pytest

from tests.unit.test_recipients_and_unsent import inquiry as taro_inquiry
from trayapp.core.model import AccountConfig, Inquiry
from trayapp.core.reply import (
    _JIS_POLICY,
    UnsafeReply,
    build_reply,
    header_text,
    reply_references,
    reply_subject,
    verify_reply,
)

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
ACCOUNT = AccountConfig(name="shop", email="shop@example.test", imap_host="imap.example.test")


def inquiry(**extra: object) -> Inquiry:
    """Taro's question (the recipient-rule tests' inquiry), with `extra` fields changed."""
    return replace(taro_inquiry(), **extra)  # type: ignore[arg-type]


def test_nested_encoded_words_are_decoded_until_none_is_left() -> None:
    # An encoded word whose text is itself an encoded word of "x\r\nBcc: evil".
    nested = "=?utf-8?q?=3D=3Futf-8=3Fb=3FeA0KQmNjOiBldmls=3F=3D?="
    assert reply_subject(nested) == "Re: x Bcc: evil"
    assert header_text("a =?bogus and ?= b") == "a = ?bogus and ?= b"
    assert reply_subject("Re: RE: Ｒｅ：  hello\u202e  world") == "Re: hello world"
    assert reply_subject("x" * 5000).endswith("…") and len(reply_subject("x" * 5000)) == 200


@pytest.mark.parametrize("charset", ["utf-8", "iso-2022-jp"])
@pytest.mark.parametrize(
    "recipients",
    [
        ("taro@customer.example\r\nBcc: evil@attacker.example",),
        ("taro@customer.example, evil@attacker.example",),
        ('"taro"@customer.example',),
        ("taro@customer.example>",),
    ],
)
def test_a_recipient_that_is_not_a_plain_address_is_refused(
    charset: str, recipients: tuple[str, ...]
) -> None:
    account = AccountConfig(
        name="shop",
        email="shop@example.test",
        imap_host="imap.example.test",
        reply_charset=charset,  # type: ignore[arg-type]
    )
    with pytest.raises(UnsafeReply, match="not a usable address"):
        build_reply(account, inquiry(), "Hello\n", NOW, recipients=recipients)
    with pytest.raises(UnsafeReply):
        build_reply(account, inquiry(reply_to=recipients), "Hello\n", NOW)


def test_unusable_ids_are_left_out_of_the_threading_headers() -> None:
    refs = reply_references(("ok@a.example", "bad id@a.example", "x\r\nBcc: e@f"), "p@b.example")
    assert refs == ("ok@a.example", "p@b.example")
    reply = build_reply(ACCOUNT, inquiry(message_id="a\nb@c"), "Hello\n", NOW)
    assert reply.message["In-Reply-To"] is None


def test_the_pre_encoded_policy_refuses_a_line_break_that_is_not_our_folding() -> None:
    message = EmailMessage(policy=_JIS_POLICY)
    message["Subject"] = "=?ISO-2022-JP?B?GyRCJCobKEI=?=\r\n =?ISO-2022-JP?B?GyRCJCobKEI=?="
    with pytest.raises(UnsafeReply):
        message["X-Note"] = "hello\r\nBcc: evil@attacker.example"
    with pytest.raises(UnsafeReply):
        message["To"] = "a@b.example\nBcc: evil@attacker.example"


def test_verification_catches_an_injected_header() -> None:
    # compat32 sets whatever it is given: what the check after generation is for.
    message = EmailMessage(policy=policy.compat32)
    message["To"] = "taro@customer.example"
    message["Subject"] = "Re: x\r\nBcc: evil@attacker.example"
    message.set_payload("Hello\r\n")
    with pytest.raises(UnsafeReply):
        verify_reply(message, ("taro@customer.example",), "Re: x")


def test_verification_catches_a_to_that_reads_back_otherwise() -> None:
    message = EmailMessage(policy=policy.SMTP)
    message["To"] = "taro@customer.example, evil@attacker.example"
    message["Subject"] = "Re: x"
    message.set_content("Hello\n")
    with pytest.raises(UnsafeReply, match="To header"):
        verify_reply(message, ("taro@customer.example",), "Re: x")
