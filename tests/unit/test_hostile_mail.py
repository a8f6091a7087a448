"""The hostile corpus (tests/hostile) through the pure parts: header decoding, what is shown,
who a reply goes to, and the reply itself in both charset modes."""

from __future__ import annotations

import email
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import policy

import pytest

from tests import hostile
from tests.support.mailcorpus import jis_to_text
from trayapp.commands.pending import format_line
from trayapp.core.headers import decode_header_value, parse_headers
from trayapp.core.model import AccountConfig, Inquiry, MessageFacts, Stage, UnsentAck
from trayapp.core.notifications import ENGLISH_NOTIFICATIONS, StageAlert, compose
from trayapp.core.pending import waiting_inquiries
from trayapp.core.recipients import check_recipients
from trayapp.core.reply import build_reply
from trayapp.core.safetext import MAX_KEPT, QUOTED_SUBJECT_CHARS, has_controls
from trayapp.core.summary import summarize
from trayapp.core.templates import template_values

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
ACCOUNT = AccountConfig(name="shop", email="shop@example.test", imap_host="imap.example.test")
INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\u2060\ufeff]")
CORPUS = hostile.load()


def inquiry_of(mail: hostile.HostileMail, uid: int = 1) -> Inquiry:
    facts = MessageFacts(
        folder="INBOX",
        uidvalidity=1,
        uid=uid,
        received_at=NOW - timedelta(hours=1),
        flags=frozenset(),
        headers=parse_headers(mail.header_block),
    )
    [inquiry] = waiting_inquiries(ACCOUNT, [facts], (), NOW)
    return inquiry


def clean(text: str) -> bool:
    return not has_controls(text) and not INVISIBLE.search(text)


@pytest.mark.parametrize("mail", CORPUS, ids=lambda m: m.name)
def test_decoded_header_values_are_one_clean_bounded_line(mail: hostile.HostileMail) -> None:
    headers = parse_headers(mail.header_block)
    for value in (headers.subject, headers.from_name, headers.sender, *headers.reply_to):
        assert clean(value), repr(value[:200])
        assert len(value) <= MAX_KEPT + 100
    assert headers.from_addr.endswith(".example") or headers.from_addr.endswith(".run")


def test_the_attacks_read_as_plain_text() -> None:
    def subject(name: str) -> str:
        return parse_headers(hostile.by_name(name).header_block).subject

    def name(sample: str) -> str:
        return parse_headers(hostile.by_name(sample).header_block).from_name

    assert subject("crlf-subject-utf8") == "x Bcc: evil@attacker.example"
    assert subject("crlf-subject-iso2022jp") == (
        "お問い合わせ Bcc: evil@attacker.example X-Injected: yes"
    )
    assert subject("crlf-body-forgery") == "Refund Forged body: wire the money"
    assert name("crlf-name-utf8") == "Taro Bcc: evil@attacker.example"
    assert name("crlf-name-iso2022jp") == "山田 Bcc: evil@attacker.example"
    # The override is gone, so the real order shows: "gpj.exe", not "exe.jpg".
    assert subject("bidi-subject-name") == "Invoice gpj.exe"
    assert name("bidi-subject-name") == "BAND Support"
    assert subject("zero-width") == "Payment due now"
    assert subject("c1-and-escapes") == "Status 31m[2J]0;owned report"
    assert subject("option-subject-wait") == "--wait"  # data, shown as it is
    big = subject("subject-1mb")
    assert len(big) == MAX_KEPT and big.startswith("Order AAAA") and big.endswith("…")


@pytest.mark.parametrize("mail", CORPUS, ids=lambda m: m.name)
def test_pending_prints_one_line_per_item(mail: hostile.HostileMail) -> None:
    line = format_line(inquiry_of(mail), NOW)
    assert "\n" not in line and "\r" not in line and clean(line)
    assert len(line) < 420


@pytest.mark.parametrize("mail", CORPUS, ids=lambda m: m.name)
def test_who_must_confirm_the_recipients(mail: hostile.HostileMail) -> None:
    check = check_recipients(inquiry_of(mail), ACCOUNT.own_addresses)
    assert check.needs_confirmation == mail.needs_confirmation, check
    if mail.name == "reply-to-300":
        assert len(check.recipients) == 300 and check.reasons[0] == "many"
    if mail.name == "reply-to-form-sender":
        assert check.recipients == ("visitor@visitor.example",)


@pytest.mark.parametrize("charset", ["utf-8", "iso-2022-jp"])
@pytest.mark.parametrize("mail", CORPUS, ids=lambda m: m.name)
def test_a_reply_carries_exactly_our_headers(mail: hostile.HostileMail, charset: str) -> None:
    inquiry = inquiry_of(mail)
    check = check_recipients(inquiry, ACCOUNT.own_addresses)
    account = AccountConfig(
        name="shop",
        email="shop@example.test",
        imap_host="imap.example.test",
        reply_charset=charset,  # type: ignore[arg-type]
    )
    values = template_values(
        sender=inquiry.sender, subject=inquiry.subject, signature="", language="en", promised=NOW
    )
    assert len(values["subject"]) <= QUOTED_SUBJECT_CHARS and clean(values["customer_name"])
    body = f'Hello {values["customer_name"]},\nabout "{values["subject"]}".\n'
    reply = build_reply(account, inquiry, body, NOW, recipients=check.recipients)
    raw = reply.message.as_bytes()
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert hostile.only_our_headers(raw), hostile.header_names(raw)
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))
    # The body is ours, whole: nothing the subject or name carried started a new one.
    if charset == "iso-2022-jp" and reply.charset == "iso-2022-jp":
        text = jis_to_text(payload)
    else:
        text = email.message_from_bytes(raw, policy=policy.default).get_content()
    assert text.replace("\r\n", "\n") == body
    assert reply.recipients == check.recipients
    subject = decode_header_value(head.split(b"\r\nSubject: ", 1)[1].split(b"\r\n", 1)[0])
    assert subject.startswith("Re:") and clean(subject) and len(subject) <= 200


@pytest.mark.parametrize("mail", CORPUS, ids=lambda m: m.name)
def test_tooltip_and_notification_texts_are_clean_and_bounded(mail: hostile.HostileMail) -> None:
    item = inquiry_of(mail)
    lines = summarize([item], {}, NOW).tooltip_lines()
    assert all(clean(line) and len(line) < 300 for line in lines), lines
    alert = StageAlert(item, Stage.URGENT, item.due_at, timedelta(minutes=30))
    text = compose([alert])
    # The body's line breaks are the template's (sender, then subject), never the sender's.
    parts = [text.title, *text.message.split("\n")]
    assert len(parts) == 1 + ENGLISH_NOTIFICATIONS.single_body.count("\n") + 1
    for part in parts:
        assert clean(part) and len(part) < 400, repr(part[:100])


def test_pending_line_says_how_to_send_what_did_not_go_out() -> None:
    item = inquiry_of(hostile.by_name("option-subject-wait"))
    failed = UnsentAck("a@shop.example.test", "keyring locked", False, NOW)
    line = format_line(replace(item, unsent_ack=failed), NOW)
    assert line.endswith(f"[not sent: send it with `ippo ack {item.id}`]")
    doubt = replace(failed, in_doubt=True)
    line = format_line(replace(item, unsent_ack=doubt), NOW)
    assert line.endswith(f"check, then `ippo ack {item.id} --retry`]")
