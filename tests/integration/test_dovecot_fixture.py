"""The Dovecot fixture: real TLS and LMTP, STARTTLS enforced, restart keeps data."""

from __future__ import annotations

import datetime as dt
import imaplib
import ssl

import pytest
from imapclient import IMAPClient

from tests.support.dovecot import BulkMessage, DovecotServer, DovecotUser, generate_ca

pytestmark = pytest.mark.integration

JST = dt.timezone(dt.timedelta(hours=9))


def _mail(subject: str, msgid: str) -> bytes:
    return (
        f"From: Customer <customer@shop.example>\r\nTo: shop@example.test\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{msgid}>\r\nDate: Mon, 1 Jan 2024 09:00:00 +0900\r\n"
        f"\r\nHello\r\n"
    ).encode()


def test_lmtp_delivery_sets_internaldate_to_now(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    dovecot.deliver(dovecot_user, _mail("delivered", "d1@shop.example"))
    with dovecot.session(dovecot_user) as c:
        c.select_folder("INBOX", readonly=True)
        uids = c.search(["ALL"])
        assert len(uids) == 1
        c.normalise_times = False
        data = c.fetch(uids, ["INTERNALDATE"])
    internaldate = data[uids[0]][b"INTERNALDATE"]
    assert internaldate.tzinfo is not None
    # The forged Date header (2024) does not matter; arrival is now.
    assert before - dt.timedelta(seconds=2) <= internaldate <= before + dt.timedelta(seconds=5)


def test_append_with_internaldate_and_japanese_folder(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    when = dt.datetime(2024, 3, 4, 10, 30, tzinfo=JST)
    uid = dovecot.append(
        dovecot_user,
        "送信済みアイテム",
        _mail("sent", "s1@example.test"),
        flags=[b"\\Seen"],
        internaldate=when,
    )
    assert uid == 1
    assert dovecot.flags(dovecot_user, "送信済みアイテム") == {1: frozenset({"\\Seen"})}
    with dovecot.session(dovecot_user) as c:
        names = [name for _flags, _sep, name in c.list_folders()]
        assert "送信済みアイテム" in names
        c.select_folder("送信済みアイテム", readonly=True)
        c.normalise_times = False
        got = c.fetch([1], ["INTERNALDATE"])[1][b"INTERNALDATE"]
    assert got == when


def test_special_use_sent(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    dovecot.create_folder(dovecot_user, "Outgoing")
    dovecot.create_folder(dovecot_user, "Sent Messages")
    with dovecot.session(dovecot_user) as c:
        flags = {name: set(f) for f, _sep, name in c.list_folders()}
    assert b"\\Sent" in flags["Outgoing"]
    assert b"\\Sent" not in flags["Sent Messages"]


def test_plain_port_requires_starttls(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    client = IMAPClient(dovecot.host, port=dovecot.imap_port, ssl=False, timeout=10)
    try:
        assert b"STARTTLS" in client.capabilities()
        with pytest.raises(imaplib.IMAP4.error):
            client.login(dovecot_user.username, dovecot_user.password)
    finally:
        client.shutdown()
    client = dovecot.client(dovecot_user, starttls=True)
    assert client.list_folders()
    client.logout()


def test_tls_is_verified_against_the_test_ca(dovecot: DovecotServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    other = generate_ca(tmp_path, "Some Other CA")
    context = ssl.create_default_context(cafile=str(other.cert_path))
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(dovecot.host, port=dovecot.imaps_port, ssl=True, ssl_context=context, timeout=10)


def test_login_attempts_are_logged(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    client = IMAPClient(dovecot.host, port=dovecot.imaps_port, ssl_context=dovecot.ssl_context())
    with pytest.raises(imaplib.IMAP4.error):
        client.login(dovecot_user.username, "wrong-password")
    client.shutdown()
    log = dovecot.log_path.read_text()
    assert f"{dovecot_user.username}" in log
    assert "wrong-password" not in log
    assert "Password mismatch" in log


def test_restart_keeps_ports_and_mail(dovecot_factory) -> None:  # type: ignore[no-untyped-def]
    server: DovecotServer = dovecot_factory()
    other: DovecotServer = dovecot_factory()
    assert set(server.ports.values()).isdisjoint(other.ports.values())
    assert server.base_dir != other.base_dir
    user = server.add_user()
    server.deliver(user, _mail("before restart", "r1@shop.example"))
    ports = dict(server.ports)
    server.stop()
    with pytest.raises(OSError):
        IMAPClient(server.host, port=server.imaps_port, ssl_context=server.ssl_context(), timeout=2)
    server.start()
    assert server.ports == ports
    assert list(server.flags(user)) == [1]


def test_server_without_tls(dovecot_factory) -> None:  # type: ignore[no-untyped-def]
    server: DovecotServer = dovecot_factory(ssl_enabled=False)
    client = IMAPClient(server.host, port=server.imap_port, ssl=False, timeout=10)
    assert b"STARTTLS" not in client.capabilities()
    client.shutdown()


def test_bulk_load_sets_internaldate(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    old = now - dt.timedelta(days=30)
    msgs = [
        BulkMessage(_mail(f"bulk {i}", f"b{i}@shop.example"), old + dt.timedelta(minutes=i))
        for i in range(20)
    ]
    msgs.append(BulkMessage(_mail("recent", "recent@shop.example"), now, seen=False))
    assert dovecot.bulk_load(dovecot_user, "INBOX", msgs) == 21
    assert dovecot.bulk_load(dovecot_user, "Sent", msgs[:5]) == 5
    dovecot.index(dovecot_user, ["INBOX", "Sent"])
    with dovecot.session(dovecot_user) as c:
        c.select_folder("INBOX", readonly=True)
        recent = c.search(["SINCE", (now - dt.timedelta(days=1)).date()])
        assert len(recent) == 1
        c.normalise_times = False
        data = c.fetch(recent, ["INTERNALDATE", "FLAGS"])
        assert data[recent[0]][b"INTERNALDATE"] == now
        assert c.select_folder("Sent", readonly=True)[b"EXISTS"] == 5
