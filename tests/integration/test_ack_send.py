"""Acknowledgements through a real SMTP server (aiosmtpd + TLS + AUTH) into a real Dovecot, read
back over IMAP: every header, the Japanese body, the Sent copy, \\Answered, exactly once."""

from __future__ import annotations

import email
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from email import policy
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from tests.support import mailcorpus
from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.smtp_server import SmtpServer, jis_to_text
from trayapp.core.headers import decode_header_value, parse_headers
from trayapp.core.model import AccountConfig, Inquiry, ItemState
from trayapp.core.promise import apply_acknowledgements
from trayapp.desktop.secrets import KeyringSecretStore
from trayapp.mail import smtp
from trayapp.mail.acknowledge import (
    AcknowledgeService,
    AlreadyAcknowledged,
    SendFailed,
    SendUncertain,
    journal_acknowledgements,
    load_templates,
    local_now,
    make_draft,
)
from trayapp.mail.errors import AuthenticationFailed, TLSFailure
from trayapp.mail.imap import connect, logout
from trayapp.mail.scan import scan_account
from trayapp.store.db import StateStore

pytestmark = pytest.mark.integration


@pytest.fixture
def shop(dovecot: DovecotServer) -> DovecotUser:
    return dovecot.add_user()


@pytest.fixture
def customer(dovecot: DovecotServer) -> DovecotUser:
    return dovecot.add_user()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore(tmp_path) as s:
        yield s


@pytest.fixture
def secrets(secret_env: object) -> KeyringSecretStore:
    return KeyringSecretStore()


def make_account(
    dovecot: DovecotServer, shop: DovecotUser, server: SmtpServer, **extra: object
) -> AccountConfig:
    server.add_user(shop.username, shop.password)
    return dovecot.account(
        shop, signature="--\n一報商店 鈴木\nshop@example.test", **server.account_fields(), **extra
    )


def scan_waiting(account: AccountConfig, password: str) -> tuple[list[Inquiry], list]:  # type: ignore[type-arg]
    client = connect(account, password)
    try:
        result = scan_account(client, account, local_now())
    finally:
        logout(client)
    return result.waiting(account, local_now()), result.sent


def messages(
    dovecot: DovecotServer, user: DovecotUser, folder: str
) -> list[tuple[bytes, set[str]]]:
    with dovecot.session(user) as c:
        if not c.folder_exists(folder):
            return []
        c.select_folder(folder, readonly=True)
        uids = c.search(["ALL"])
        if not uids:
            return []
        data = c.fetch(uids, ["BODY.PEEK[]", "FLAGS"])
    return [
        (d[b"BODY[]"], {f.decode() if isinstance(f, bytes) else f for f in d[b"FLAGS"]})
        for _, d in sorted(data.items())
    ]


def deliver_inquiry(
    dovecot: DovecotServer,
    shop: DovecotUser,
    customer: DovecotUser,
    raw_factory=mailcorpus.japanese_iso2022jp_inquiry,
) -> str:  # type: ignore[no-untyped-def]
    message_id = mailcorpus.new_message_id("mail.example.test")
    raw = raw_factory(from_addr=customer.email, to=shop.email, message_id=message_id)
    dovecot.deliver(shop, raw, sender=customer.email)
    return message_id


def test_japanese_acknowledgement_arrives_with_every_header(
    dovecot: DovecotServer,
    shop: DovecotUser,
    customer: DovecotUser,
    smtp_server: SmtpServer,
    store: StateStore,
    secrets: KeyringSecretStore,
) -> None:
    account = make_account(dovecot, shop, smtp_server)
    secrets.set_password(account.name, shop.password)
    inquiry_id = deliver_inquiry(dovecot, shop, customer)
    waiting, _ = scan_waiting(account, shop.password)
    assert [i.message_id for i in waiting] == [inquiry_id]
    inquiry = waiting[0]

    now = local_now()
    due = (now + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    draft = make_draft(account, inquiry, load_templates(), due, now=now)
    assert draft.language == "ja"
    assert draft.body.startswith("髙橋 一郎様\n")
    service = AcknowledgeService(store, secrets)
    before = datetime.now().astimezone()
    result = service.acknowledge(account, inquiry, draft.body, due)
    assert result.state.value == "filed" and result.warning == ""

    # The customer's mailbox, read over IMAP.
    delivered = messages(dovecot, customer, "INBOX")
    assert len(delivered) == 1
    raw, _flags = delivered[0]
    parsed = email.message_from_bytes(raw, policy=policy.default)
    headers = parse_headers(raw)
    assert headers.from_addr == shop.email
    assert headers.to == (customer.email,)
    assert decode_header_value(parsed["To"]) == f"髙橋 一郎 <{customer.email}>"
    assert headers.subject == "Re: " + mailcorpus.JA_SUBJECT
    assert headers.message_id == result.message_id
    assert result.message_id.endswith("@example.test")
    assert headers.in_reply_to == (inquiry_id,)
    assert headers.references == (inquiry_id,)
    sent_at = parsedate_to_datetime(parsed["Date"])
    assert before - timedelta(seconds=2) <= sent_at <= datetime.now().astimezone()
    assert parsed.get_content_charset() == "utf-8"
    body = parsed.get_content().replace("\r\n", "\n")
    assert body == draft.body
    assert "①商品の在庫について" in body and "までに改めてご回答いたします" in body
    assert body.rstrip().endswith("一報商店 鈴木\nshop@example.test")

    # Submitted once, logged in as the shop, envelope from the shop.
    assert len(smtp_server.accepted) == 1
    assert smtp_server.accepted[0].login == shop.username
    assert smtp_server.accepted[0].mail_from == shop.email
    assert smtp_server.accepted[0].rcpt_tos == [customer.email]

    # The Sent copy: the exact bytes, \Seen.
    sent = messages(dovecot, shop, "Sent")
    assert len(sent) == 1
    assert parse_headers(sent[0][0]).message_id == result.message_id
    assert "\\Seen" in sent[0][1]
    # \Answered on the inquiry -- and nothing else changed (it was never \Seen).
    inbox = messages(dovecot, shop, "INBOX")
    assert len(inbox) == 1 and inbox[0][1] == {"\\Answered"}

    # The pending list now shows it acknowledged with its promise, not waiting.
    waiting, sent_headers = scan_waiting(account, shop.password)
    assert waiting == []  # the server says answered ...
    merged = apply_acknowledgements(
        waiting, journal_acknowledgements(store, account.name), sent_headers
    )
    assert [(i.id, i.state) for i in merged] == [(inquiry.id, ItemState.ACKNOWLEDGED)]
    assert merged[0].promise_due_at == due
    assert merged[0].subject == mailcorpus.JA_SUBJECT

    # A double click: nothing more is sent.
    with pytest.raises(AlreadyAcknowledged):
        service.acknowledge(account, inquiry, draft.body, due)
    assert len(smtp_server.accepted) == 1
    assert len(messages(dovecot, customer, "INBOX")) == 1

    # The full answer later, from the user's mail client: the promise is kept.
    full = mailcorpus.our_reply(
        from_addr=shop.email,
        to=customer.email,
        in_reply_to=inquiry_id,
        references=[inquiry_id, result.message_id],
        date=datetime.now().astimezone(),
    )
    dovecot.append(shop, "Sent", full)
    waiting, sent_headers = scan_waiting(account, shop.password)
    assert (
        apply_acknowledgements(waiting, journal_acknowledgements(store, account.name), sent_headers)
        == []
    )


def test_iso2022jp_acknowledgement_keeps_cp932_characters(
    dovecot: DovecotServer,
    shop: DovecotUser,
    customer: DovecotUser,
    smtp_server_factory,
    store: StateStore,
    secrets: KeyringSecretStore,  # type: ignore[no-untyped-def]
) -> None:
    server = smtp_server_factory("starttls")
    account = make_account(dovecot, shop, server, reply_charset="iso-2022-jp")
    secrets.set_password(account.name, shop.password)
    deliver_inquiry(dovecot, shop, customer)
    inquiry = scan_waiting(account, shop.password)[0][0]
    body = "髙橋 一郎様\n\n①の件、確かに承りました～。\n㈱髙橋商店様の在庫を確認いたします。\n"
    result = AcknowledgeService(store, secrets).acknowledge(
        account, inquiry, body, local_now() + timedelta(days=1)
    )
    assert result.charset == "iso-2022-jp" and result.note == ""
    raw = messages(dovecot, customer, "INBOX")[0][0]
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert raw.isascii()
    assert b'Content-Type: text/plain; charset="ISO-2022-JP"' in head
    assert b"Content-Transfer-Encoding: 7bit" in head
    assert jis_to_text(payload).replace("\r\n", "\n") == body
    headers = parse_headers(raw)
    assert headers.subject == "Re: " + mailcorpus.JA_SUBJECT
    assert headers.from_name == "" and headers.to == (customer.email,)
    assert b"=?ISO-2022-JP?B?" in head


def test_wrong_smtp_password_fails_with_reason_then_retry_sends_once(
    dovecot: DovecotServer,
    shop: DovecotUser,
    customer: DovecotUser,
    smtp_server: SmtpServer,
    store: StateStore,
    secrets: KeyringSecretStore,
) -> None:
    account = make_account(dovecot, shop, smtp_server)
    secrets.set_password(account.name, shop.password)
    secrets.set_password(account.name, "not-the-password", kind="smtp")
    deliver_inquiry(dovecot, shop, customer, mailcorpus.english_inquiry)
    inquiry = scan_waiting(account, shop.password)[0][0]
    service = AcknowledgeService(store, secrets)
    with pytest.raises(SendFailed) as failure:
        service.acknowledge(account, inquiry, "Hello\n", local_now() + timedelta(days=1))
    assert "login failed" in str(failure.value) and failure.value.retryable
    record = store.ack(failure.value.message_id or "")
    assert record is not None and record.state == "failed"
    assert "login failed" in (record.error or "")
    assert record.attempted_at is None  # certainly never handed over
    assert smtp_server.accepted == [] and messages(dovecot, customer, "INBOX") == []
    assert "not-the-password" not in (record.error or "")

    secrets.delete_password(account.name, kind="smtp")  # back to the IMAP password
    result = service.resume(account, record.message_id)
    assert result.state.value == "filed"
    assert len(smtp_server.accepted) == 1 and len(messages(dovecot, customer, "INBOX")) == 1


def test_temporary_refusal_is_recorded_and_retry_sends_exactly_once(
    dovecot: DovecotServer,
    shop: DovecotUser,
    customer: DovecotUser,
    smtp_server: SmtpServer,
    store: StateStore,
    secrets: KeyringSecretStore,
) -> None:
    account = make_account(dovecot, shop, smtp_server)
    secrets.set_password(account.name, shop.password)
    deliver_inquiry(dovecot, shop, customer, mailcorpus.english_inquiry)
    inquiry = scan_waiting(account, shop.password)[0][0]
    smtp_server.refuse_next_data = "451 4.3.0 Try again later"
    service = AcknowledgeService(store, secrets)
    with pytest.raises(SendFailed, match="451"):
        service.acknowledge(account, inquiry, "Hello\n", local_now() + timedelta(days=1))
    [record] = store.acks(account.name)
    assert record.state == "failed" and record.attempted_at is None  # the claim was released
    # Retry sends the SAME recorded message (same Message-ID), once.
    result = service.resume(account, record.message_id)
    assert result.message_id == record.message_id and result.state.value == "filed"
    assert len(smtp_server.accepted) == 1
    assert parse_headers(smtp_server.accepted[0].data).message_id == record.message_id
    assert len(messages(dovecot, customer, "INBOX")) == 1


def test_plaintext_and_untrusted_certificates_are_refused(
    dovecot: DovecotServer, shop: DovecotUser, smtp_server: SmtpServer
) -> None:
    account = make_account(dovecot, shop, smtp_server)
    with pytest.raises(TLSFailure, match="plaintext"):
        smtp.check_smtp_login(replace(account, smtp_security="none"), shop.password)  # type: ignore[arg-type]
    with pytest.raises(TLSFailure, match="not trusted"):
        smtp.check_smtp_login(replace(account, ca_file=None), shop.password)
    with pytest.raises(AuthenticationFailed):
        smtp.check_smtp_login(account, "wrong")
    smtp.check_smtp_login(account, shop.password)
    assert smtp_server.accepted == []


def _interrupted_entry(
    service: AcknowledgeService, store: StateStore, account: AccountConfig, inquiry: Inquiry
) -> str:
    """A journal entry as a crash leaves it between the claim and the server's answer."""
    reply = service.build(account, inquiry, "Hello\n")
    store.record_ack(
        item_id=inquiry.id,
        account=account.name,
        message_id=reply.message_id,
        recipients=reply.recipients,
        subject="Re: x",
        raw=reply.message.as_bytes(),
        promise_due_at=None,
        inquiry_message_id=inquiry.message_id,
    )
    assert store.claim_ack_send(reply.message_id, now=local_now() - timedelta(minutes=5))
    assert not store.claim_ack_send(reply.message_id)  # one claim only
    return reply.message_id


def test_interrupted_long_ago_and_not_in_sent_is_uncertain_until_the_user_retries(
    dovecot: DovecotServer,
    shop: DovecotUser,
    customer: DovecotUser,
    smtp_server: SmtpServer,
    store: StateStore,
    secrets: KeyringSecretStore,
) -> None:
    account = make_account(dovecot, shop, smtp_server)
    secrets.set_password(account.name, shop.password)
    deliver_inquiry(dovecot, shop, customer, mailcorpus.english_inquiry)
    inquiry = scan_waiting(account, shop.password)[0][0]
    service = AcknowledgeService(store, secrets)
    message_id = _interrupted_entry(service, store, account, inquiry)
    with pytest.raises(SendUncertain, match="may or may not have gone out"):
        service.resume(account, message_id)
    record = store.ack(message_id)
    assert (
        record is not None and record.state == "failed" and "may or may not" in (record.error or "")
    )
    assert smtp_server.accepted == []
    assert [r.state for r in service.resume_unfinished(account)] == []  # failures wait
    result = service.resume(account, message_id, force=True)
    assert result.state.value == "filed"
    assert len(smtp_server.accepted) == 1 and len(messages(dovecot, customer, "INBOX")) == 1


def test_interrupted_but_found_in_sent_is_not_sent_again(
    dovecot: DovecotServer,
    shop: DovecotUser,
    customer: DovecotUser,
    smtp_server: SmtpServer,
    store: StateStore,
    secrets: KeyringSecretStore,
) -> None:
    """Providers such as Gmail file what their SMTP server accepted in Sent: that copy is the
    proof that the interrupted acknowledgement went out."""
    account = make_account(dovecot, shop, smtp_server)
    secrets.set_password(account.name, shop.password)
    deliver_inquiry(dovecot, shop, customer, mailcorpus.english_inquiry)
    inquiry = scan_waiting(account, shop.password)[0][0]
    service = AcknowledgeService(store, secrets)
    message_id = _interrupted_entry(service, store, account, inquiry)
    record = store.ack(message_id)
    assert record is not None
    dovecot.append(shop, "Sent", record.raw, flags=["\\Seen"])  # what the provider filed
    [result] = service.resume_unfinished(account)
    assert not isinstance(result, Exception)
    assert result.state.value == "filed"
    assert smtp_server.accepted == []  # not sent again
    assert len(messages(dovecot, shop, "Sent")) == 1  # and not filed twice
    assert messages(dovecot, shop, "INBOX")[0][1] == {"\\Answered"}
