"""Which mail is not an inquiry: each rule alone, then the corpus as a whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.support import mailcorpus as corpus
from trayapp.core.classify import (
    RAW_FIELDS,
    is_automated,
    is_system_address,
    non_inquiry_reason,
)
from trayapp.core.headers import parse_headers
from trayapp.core.model import MessageHeaders

OWN = frozenset({"shop@example.test", "support@example.test"})


def headers_of(message: bytes) -> MessageHeaders:
    return parse_headers(corpus.header_block(message))


def plain(*extra: tuple[str, str], from_addr: str = "jane@example.test", **kw: object) -> bytes:
    return corpus.make_message(from_addr=from_addr, extra_headers=extra, **kw)  # type: ignore[arg-type]


def reason(message: bytes, own: frozenset[str] = OWN) -> str | None:
    return non_inquiry_reason(headers_of(message), own)


# --- the corpus -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(corpus.INQUIRY_SAMPLES))
def test_corpus_inquiries_count(name: str) -> None:
    assert reason(corpus.INQUIRY_SAMPLES[name]()) is None


@pytest.mark.parametrize("name", sorted(corpus.NON_INQUIRY_SAMPLES))
def test_corpus_non_inquiries_do_not_count(name: str) -> None:
    builder, expected = corpus.NON_INQUIRY_SAMPLES[name]
    assert reason(builder()) == expected


def test_our_replies_are_self_mail() -> None:
    assert reason(corpus.our_reply(in_reply_to="a@x")) == "self"
    assert reason(corpus.our_reply_references_only(references=["a@x"])) == "self"


# --- automated (RFC 3834 and relatives) --------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "auto-replied",
        "auto-generated",
        "Auto-Generated",
        "auto-notified",
        "auto-replied; owner-email=a@x",
    ],
)
def test_auto_submitted_other_than_no(value: str) -> None:
    assert reason(plain(("Auto-Submitted", value))) == "automated"


@pytest.mark.parametrize("value", ["no", "No", " no ", "no (a person wrote this)"])
def test_auto_submitted_no_is_a_person(value: str) -> None:
    assert reason(plain(("Auto-Submitted", value))) is None


@pytest.mark.parametrize("value", ["All", "OOF", "AutoReply", "DR, OOF, AutoReply", "oof"])
def test_x_auto_response_suppress(value: str) -> None:
    assert reason(plain(("X-Auto-Response-Suppress", value))) == "automated"


@pytest.mark.parametrize("value", ["DR", "RN, NRN", ""])
def test_x_auto_response_suppress_without_auto_reply_tokens(value: str) -> None:
    assert reason(plain(("X-Auto-Response-Suppress", value))) is None


def test_outlook_oof_is_caught_by_its_header_alone() -> None:
    """The 不在通知 with a subject that gives nothing away: only X-Auto-Response-Suppress."""
    message = corpus.outlook_out_of_office_ja(subject=corpus.OOF_NEUTRAL_SUBJECT)
    headers = headers_of(message)
    assert headers.get("auto-submitted") is None
    assert is_automated(headers)


@pytest.mark.parametrize("name", ["X-Autoreply", "X-Autorespond"])
def test_x_autoreply(name: str) -> None:
    assert reason(plain((name, "yes"))) == "automated"
    assert reason(plain((name, "no"))) is None


@pytest.mark.parametrize(
    "subject",
    [
        "自動応答: ご注文について",
        "自動返信：お問い合わせ",
        "Automatic reply: Order",
        "Out of Office: x",
    ],
)
def test_auto_reply_subject_prefixes(subject: str) -> None:
    assert reason(plain(subject=subject)) == "automated"


@pytest.mark.parametrize(
    "subject",
    [
        "不在の間の対応について",
        "Re: 自動応答: について教えてください",
        "Automatic replies are annoying",
    ],
)
def test_people_may_write_about_absence(subject: str) -> None:
    assert reason(plain(subject=subject)) is None


def test_read_receipt_is_automated() -> None:
    mdn = plain(content_type='multipart/report; report-type=disposition-notification; boundary="b"')
    assert reason(mdn) == "automated"


def test_precedence_auto_reply() -> None:
    assert reason(plain(("Precedence", "auto_reply"))) == "automated"


# --- list and bulk ----------------------------------------------------------------------------


def test_list_id_alone_marks_a_list() -> None:
    assert reason(plain(("List-Id", "<users.lists.example.test>"))) == "list"


def test_list_post_alone_marks_a_list() -> None:
    assert reason(plain(("List-Post", "<mailto:users@lists.example.test>"))) == "list"


def test_list_unsubscribe_alone_marks_bulk() -> None:
    assert reason(plain(("List-Unsubscribe", "<https://example.test/u>"))) == "bulk"


@pytest.mark.parametrize(
    ("value", "expected"), [("bulk", "bulk"), ("junk", "bulk"), ("list", "list"), ("Bulk", "bulk")]
)
def test_precedence(value: str, expected: str) -> None:
    assert reason(plain(("Precedence", value))) == expected


@pytest.mark.parametrize("value", ["first-class", "normal", ""])
def test_other_precedence_is_a_person(value: str) -> None:
    assert reason(plain(("Precedence", value))) is None


def test_campaign_headers_mark_bulk() -> None:
    assert reason(plain(("X-Campaign", "spring-sale"))) == "bulk"
    assert reason(plain(("X-CampaignID", "12345"))) == "bulk"


# --- bounces ----------------------------------------------------------------------------------


def test_null_return_path_is_a_bounce() -> None:
    assert reason(plain(("Return-Path", "<>"))) == "bounce"
    assert reason(plain(("Return-Path", "< >"))) == "bounce"


def test_normal_return_path_is_a_person() -> None:
    assert reason(plain(("Return-Path", "<jane@example.test>"))) is None


def test_delivery_status_report_from_a_normal_address_is_a_bounce() -> None:
    report = plain(content_type='multipart/report; report-type="delivery-status"; boundary="b"')
    assert reason(report) == "bounce"


@pytest.mark.parametrize(
    "sender", ["MAILER-DAEMON@mx.example.test", "mailer-daemon@example.test", "postmaster@x.test"]
)
def test_mail_system_senders_are_bounces(sender: str) -> None:
    assert reason(plain(from_addr=sender)) == "bounce"


def test_bounce_without_domain_in_from() -> None:
    headers = parse_headers(b"From: MAILER-DAEMON (Mail Delivery System)\r\nSubject: x\r\n\r\n")
    assert non_inquiry_reason(headers, OWN) == "bounce"


# --- system senders ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sender",
    [
        "noreply@example.test",
        "no-reply@example.test",
        "no_reply@example.test",
        "No.Reply@example.test",
        "donotreply@example.test",
        "do-not-reply@example.test",
        "do_not_reply@example.test",
        "noreply-jp@example.test",
        "no-reply+12345@example.test",
        "bounce@example.test",
        "bounces+abc=example.test@esp.example.test",
        "notifications@example.test",
        "notification@example.test",
    ],
)
def test_system_senders(sender: str) -> None:
    assert is_system_address(sender)
    assert reason(plain(from_addr=sender)) == "system-sender"


@pytest.mark.parametrize(
    "sender",
    [
        "info@example.test",
        "support@other.example.test",
        "sales@example.test",
        "contact@example.test",
        "norbert@example.test",
        "noreplyguy@example.test",
        "reply@example.test",
        "nobody@example.test",
        "notice-board@example.test",
    ],
)
def test_real_people_at_role_addresses_count(sender: str) -> None:
    assert not is_system_address(sender)
    assert reason(plain(from_addr=sender)) is None


def test_contact_form_from_noreply_with_customer_in_reply_to_counts() -> None:
    """Web forms send from no-reply with the customer in Reply-To: a real inquiry."""
    form = corpus.make_message(
        from_addr="noreply@shop.example.test",
        subject="【お問い合わせフォーム】在庫について",
        extra_headers=[("Reply-To", "customer@example.test")],
    )
    assert reason(form) is None


def test_noreply_with_noreply_reply_to_does_not_count() -> None:
    message = plain(("Reply-To", "no-reply@example.test"), from_addr="noreply@example.test")
    assert reason(message) == "system-sender"


# --- self -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sender", ["shop@example.test", "SHOP@Example.Test", "support@example.test"]
)
def test_mail_from_own_addresses_is_self(sender: str) -> None:
    assert reason(plain(from_addr=sender)) == "self"


def test_own_addresses_compared_case_insensitively_both_ways() -> None:
    assert reason(plain(from_addr="shop@example.test"), frozenset({"Shop@Example.TEST"})) == "self"


def test_others_at_our_domain_are_people() -> None:
    assert reason(plain(from_addr="colleague@example.test")) is None


def test_no_from_at_all_still_counts() -> None:
    """A message without any sender is strange, but it may be a person: it is listed."""
    assert non_inquiry_reason(parse_headers(b"Subject: hi\r\n\r\n"), OWN) is None


# --- which reason wins ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: corpus.bounce(), "bounce"),  # carries Auto-Submitted too: still a bounce
        (lambda: corpus.gmail_vacation_reply(from_addr="shop@example.test"), "self"),
        (lambda: plain(("Auto-Submitted", "auto-replied"), ("Return-Path", "<>")), "automated"),
        (lambda: plain(("List-Id", "<l.x>"), ("Precedence", "bulk")), "list"),
    ],
)
def test_reason_precedence(build: Callable[[], bytes], expected: str) -> None:
    assert reason(build()) == expected


# --- MessageHeaders keeps only the raw fields that can mark a message ------------------------

_FIELD_NAMES = sorted(RAW_FIELDS | {"x-custom", "sender", "mime-version"})
# Values that make rules fire, values that look close, and plain ones.
_FIELD_VALUES = (
    "",
    "no",
    "No (comment)",
    "auto-replied",
    "auto-generated; x=1",
    "bulk",
    "junk",
    "list",
    "auto_reply",
    "normal",
    "OOF, AutoReply",
    "All",
    "false",
    "0",
    "yes",
    "<>",
    "< >",
    " <> ",
    "<bounce@example.test>",
    "text/plain; charset=utf-8",
    "multipart/alternative; boundary=x",
    'multipart/report; report-type="delivery-status"; boundary=b',
    "Multipart/Report; report-type=disposition-notification",
    "multipart/report",
    "<news.example.test>",
)


@settings(max_examples=400)
@example({"return-path": ["< >"]}, "jane@example.test", "Question", ())
@example(
    {"content-type": ["Multipart/Report; report-type=disposition-notification"]},
    "jane@example.test",
    "Question",
    (),
)
@example(
    {"content-type": ['multipart/report; report-type="delivery-status"']},
    "jane@example.test",
    "Question",
    (),
)
@example(
    {"x-custom": ["bulk"], "precedence": ["normal", "bulk"]}, "jane@example.test", "Question", ()
)
@given(
    fields=st.dictionaries(
        st.sampled_from(_FIELD_NAMES),
        st.lists(st.sampled_from(_FIELD_VALUES), min_size=1, max_size=3),
        max_size=4,
    ),
    sender=st.sampled_from(
        ["jane@example.test", "noreply@shop.test", "mailer-daemon@mx.test", "me@example.test"]
    ),
    subject=st.sampled_from(["Question", "Automatic reply: away", "自動応答：不在", "Re: 件名"]),
    reply_to=st.sampled_from([(), ("jane@example.test",), ("me@example.test",)]),
)
def test_the_kept_raw_fields_classify_like_all_of_them(
    fields: dict[str, list[str]], sender: str, subject: str, reply_to: tuple[str, ...]
) -> None:
    """Whatever a message carries, the classifier says the same from the fields parse_headers
    keeps as from every field it fetched."""
    block = "".join(f"{name}: {value}\r\n" for name, values in fields.items() for value in values)
    reply = f"Reply-To: {', '.join(reply_to)}\r\n" if reply_to else ""
    raw = f"From: {sender}\r\nSubject: {subject}\r\n{reply}{block}\r\n".encode()
    kept = parse_headers(raw)
    every = replace(kept, raw={name: tuple(values) for name, values in fields.items()})
    own = frozenset({"me@example.test"})
    assert non_inquiry_reason(kept, own) == non_inquiry_reason(every, own)
    assert set(kept.raw) <= RAW_FIELDS


def test_an_ordinary_inquiry_keeps_no_raw_text() -> None:
    """A plain Content-Type and a Return-Path with an address can mark nothing: nothing raw is
    kept for the message while it waits (one shared empty mapping)."""
    headers = parse_headers(corpus.header_block(corpus.english_inquiry()))
    other = parse_headers(corpus.header_block(corpus.japanese_iso2022jp_inquiry()))
    assert headers.raw == {} and headers.raw is other.raw
