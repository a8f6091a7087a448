"""The engine against a real Dovecot: every rule of "what waits", TLS, and read-only looking."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support import mailcorpus as corpus
from tests.support.dovecot import DovecotServer, DovecotUser, free_port, generate_ca
from tests.support.tcp_proxy import TcpProxy
from trayapp.core.model import AccountConfig, Inquiry
from trayapp.mail.errors import AuthenticationFailed, ConnectionFailed, MailError, TLSFailure
from trayapp.mail.imap import check_login, connect, find_sent_folder, logout, tls_context
from trayapp.mail.scan import ScanResult, scan_account

pytestmark = pytest.mark.integration

JST = corpus.JST


def _account(dovecot: DovecotServer, user: DovecotUser, **overrides: object) -> AccountConfig:
    return dovecot.account(user, **overrides)


def _scan(
    dovecot: DovecotServer, user: DovecotUser, account: AccountConfig | None = None
) -> tuple[ScanResult, list[Inquiry]]:
    account = account or _account(dovecot, user)
    now = datetime.now(UTC)
    client = connect(account, user.password, timeout=10)
    try:
        result = scan_account(client, account, now)
    finally:
        logout(client)
    return result, result.waiting(account, now)


def _subjects(items: list[Inquiry]) -> set[str]:
    return {i.subject for i in items}


def _ids(items: list[Inquiry]) -> set[str | None]:
    return {i.message_id for i in items}


# --------------------------------------------------------------------------- the clock


def test_internaldate_not_the_date_header_starts_the_clock(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    user = dovecot_user
    now = datetime.now(UTC)
    # Delivered now, Date header forged two years old: it waits, from now.
    dovecot.deliver(
        user,
        corpus.english_inquiry(to=user.email, subject="old date", date=now - timedelta(days=730)),
    )
    # Arrived 30 hours ago (INTERNALDATE, in JST), Date header claims the future: overdue.
    arrived = (now - timedelta(hours=30)).astimezone(JST).replace(microsecond=0)
    dovecot.append(
        user,
        "INBOX",
        corpus.english_inquiry(to=user.email, subject="future date", date=now + timedelta(days=5)),
        internaldate=arrived,
    )
    # Arrived 10 days ago with a fresh Date header: outside the look-back, not listed.
    dovecot.append(
        user,
        "INBOX",
        corpus.english_inquiry(to=user.email, subject="fresh date, old arrival", date=now),
        internaldate=now - timedelta(days=10),
    )
    result, items = _scan(dovecot, user)
    by_subject = {i.subject: i for i in items}
    assert set(by_subject) == {"old date", "future date"}

    fresh = by_subject["old date"]
    assert fresh.received_at.tzinfo is not None
    assert abs(fresh.received_at - now) < timedelta(seconds=30)
    assert fresh.due_at == fresh.received_at + timedelta(hours=24)

    late = by_subject["future date"]
    assert late.received_at == arrived  # the same instant (maildir keeps no offset)
    assert late.due_at == arrived + timedelta(hours=24)
    assert late.due_at < now  # overdue
    # Most urgent first.
    assert items[0].subject == "future date"
    # The header's Date is kept for display, never for the clock.
    assert all(f.headers.date is not None for f in result.inbox)


def test_lookback_window(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    user = dovecot_user
    now = datetime.now(UTC)
    for label, age in [
        ("6d23h", timedelta(days=6, hours=23)),
        ("7d1h", timedelta(days=7, hours=1)),
        ("2d", timedelta(days=2)),
        ("40d", timedelta(days=40)),
    ]:
        dovecot.append(
            user,
            "INBOX",
            corpus.english_inquiry(to=user.email, subject=label),
            internaldate=now - age,
        )
    _result, items = _scan(dovecot, user)
    assert _subjects(items) == {"6d23h", "2d"}
    _result, items = _scan(dovecot, user, _account(dovecot, user, lookback_days=1))
    assert _subjects(items) == set()
    _result, items = _scan(dovecot, user, _account(dovecot, user, lookback_days=3))
    assert _subjects(items) == {"2d"}
    # The 40-day-old message was not even fetched (SEARCH SINCE, then FETCH of those UIDs).
    assert {f.headers.subject for f in _result.inbox} <= {"6d23h", "7d1h", "2d"}


# --------------------------------------------------------------------------- answered


def test_answered_flag_answers_and_reading_does_not(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    user = dovecot_user
    dovecot.append(
        user,
        "INBOX",
        corpus.english_inquiry(to=user.email, subject="answered"),
        flags=[b"\\Answered", b"\\Seen"],
    )
    dovecot.append(
        user, "INBOX", corpus.english_inquiry(to=user.email, subject="read"), flags=[b"\\Seen"]
    )
    dovecot.append(
        user,
        "INBOX",
        corpus.english_inquiry(to=user.email, subject="flagged"),
        flags=[b"\\Flagged"],
    )
    _result, items = _scan(dovecot, user)
    assert _subjects(items) == {"read", "flagged"}


def _inquiry_and_reply(
    dovecot: DovecotServer, user: DovecotUser, sent_folder: str, *, references_only: bool = False
) -> tuple[str, str]:
    answered_id = corpus.new_message_id("customer.example.test")
    open_id = corpus.new_message_id("customer.example.test")
    dovecot.deliver(
        user, corpus.english_inquiry(to=user.email, message_id=answered_id, subject="answered")
    )
    dovecot.deliver(user, corpus.shift_jis_inquiry(to=user.email, message_id=open_id))
    if references_only:
        reply = corpus.our_reply_references_only(from_addr=user.email, references=[answered_id])
    else:
        reply = corpus.our_reply(from_addr=user.email, in_reply_to=answered_id)
    dovecot.append(user, sent_folder, reply, flags=[b"\\Seen"])
    return answered_id, open_id


def test_reply_in_sent_via_in_reply_to(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    answered_id, open_id = _inquiry_and_reply(dovecot, dovecot_user, "Sent")
    result, items = _scan(dovecot, dovecot_user)
    assert result.sent_folder == "Sent"
    assert answered_id in result.replied_ids
    assert _ids(items) == {open_id}


def test_reply_in_sent_via_references_only(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    _answered, open_id = _inquiry_and_reply(dovecot, dovecot_user, "Sent", references_only=True)
    result, items = _scan(dovecot, dovecot_user)
    assert all(not h.in_reply_to for h in result.sent)
    assert _ids(items) == {open_id}


def test_sent_found_by_special_use_before_names(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    # "Outgoing" carries \Sent (SPECIAL-USE) but no common name; "Sent Messages" has a common
    # name but no flag and holds nothing. The flag wins.
    dovecot.create_folder(dovecot_user, "Sent Messages")
    _answered, open_id = _inquiry_and_reply(dovecot, dovecot_user, "Outgoing")
    result, items = _scan(dovecot, dovecot_user)
    assert result.sent_folder == "Outgoing"
    assert _ids(items) == {open_id}


@pytest.mark.parametrize(
    "folder", ["送信済みアイテム", "送信済みメール", "INBOX.Sent", "Sent Items"]
)
def test_sent_found_by_name(dovecot: DovecotServer, dovecot_user: DovecotUser, folder: str) -> None:
    dovecot.create_folder(dovecot_user, "Archive")
    _answered, open_id = _inquiry_and_reply(dovecot, dovecot_user, folder)
    client = connect(_account(dovecot, dovecot_user), dovecot_user.password)
    try:
        # No folder carries \Sent for this user: the name decides.
        assert all(b"\\Sent" not in flags for flags, _d, _n in client.list_folders())
        assert find_sent_folder(client) == folder
    finally:
        logout(client)
    result, items = _scan(dovecot, dovecot_user)
    assert result.sent_folder == folder
    assert _ids(items) == {open_id}


def test_configured_sent_folder_wins(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    answered_id, open_id = _inquiry_and_reply(dovecot, dovecot_user, "My Replies")
    result, items = _scan(dovecot, dovecot_user)
    assert result.sent_folder is None
    assert _ids(items) == {answered_id, open_id}
    account = _account(dovecot, dovecot_user, sent_folder="My Replies")
    result, items = _scan(dovecot, dovecot_user, account)
    assert result.sent_folder == "My Replies"
    assert _ids(items) == {open_id}


def test_follow_up_after_our_reply_waits_again(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    user = dovecot_user
    first_id = corpus.new_message_id("customer.example.test")
    reply_id = corpus.new_message_id("example.test")
    follow_id = corpus.new_message_id("customer.example.test")
    dovecot.deliver(user, corpus.english_inquiry(to=user.email, message_id=first_id))
    dovecot.append(
        user,
        "Sent",
        corpus.our_reply(
            from_addr=user.email,
            message_id=reply_id,
            in_reply_to=first_id,
            references=[first_id],
        ),
    )
    dovecot.deliver(
        user,
        corpus.customer_follow_up(
            to=user.email,
            message_id=follow_id,
            in_reply_to=reply_id,
            references=[first_id, reply_id],
        ),
    )
    _result, items = _scan(dovecot, user)
    assert _ids(items) == {follow_id}


# --------------------------------------------------------------------------- not inquiries


def test_automated_list_bulk_bounce_system_and_self_mail_never_wait(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    user = dovecot_user
    account = _account(dovecot, user)
    for name, (builder, _reason) in corpus.NON_INQUIRY_SAMPLES.items():
        if name == "message_from_self":
            raw = builder(from_addr=user.email, to=user.email)
        else:
            raw = builder(to=user.email)
        dovecot.deliver(user, raw)
    inquiry_id = corpus.new_message_id("customer.example.test")
    dovecot.deliver(user, corpus.english_inquiry(to=user.email, message_id=inquiry_id))
    result, items = _scan(dovecot, user, account)
    assert len(result.inbox) == len(corpus.NON_INQUIRY_SAMPLES) + 1
    assert _ids(items) == {inquiry_id}


def test_alias_counts_as_self(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    user = dovecot_user
    dovecot.deliver(user, corpus.message_from_self(from_addr="shop@example.test", to=user.email))
    _result, items = _scan(dovecot, user)
    assert len(items) == 1
    account = _account(dovecot, user, aliases=("Shop@Example.test",))
    _result, items = _scan(dovecot, user, account)
    assert items == []


# --------------------------------------------------------------------------- decoding


def test_japanese_headers_decoded_as_meant(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    user = dovecot_user
    dovecot.deliver(user, corpus.japanese_iso2022jp_inquiry(to=user.email))
    dovecot.deliver(user, corpus.shift_jis_inquiry(to=user.email))
    dovecot.deliver(user, corpus.raw_utf8_header_inquiry(to=user.email))
    dovecot.deliver(user, corpus.split_utf8_inquiry(to=user.email))
    _result, items = _scan(dovecot, user)
    assert _subjects(items) == {
        corpus.JA_SUBJECT,
        corpus.SJIS_SUBJECT,
        corpus.UTF8_SUBJECT,
        corpus.SPLIT_SUBJECT,
    }
    senders = {i.sender for i in items}
    assert f"{corpus.JA_CUSTOMER_NAME} <takahashi@example.test>" in senders
    assert f"{corpus.SJIS_CUSTOMER_NAME} <sato@example.test>" in senders
    assert "①" in corpus.JA_SUBJECT and "髙" in corpus.JA_SUBJECT


def test_broken_headers_do_not_crash_the_scan(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    user = dovecot_user
    dovecot.deliver(user, corpus.broken_headers_message(to=user.email))
    dovecot.deliver(user, corpus.english_inquiry(to=user.email, subject="fine"))
    # A header block cut short and a NUL in a header: still a message, still listed.
    dovecot.deliver(
        user,
        b"From: =?utf-8?B?5pel?= <odd@example.test\r\nSubject: =?iso-2022-jp?B?GyRCJDM?=\r\n"
        b"Message-ID: <<<>>>\r\nX-Null: a\x00b\r\n\r\nbody\r\n",
    )
    _result, items = _scan(dovecot, user)
    subjects = _subjects(items)
    assert corpus.BROKEN_SUBJECT_DECODED in subjects
    assert "fine" in subjects
    assert len(items) == 3


# --------------------------------------------------------------------------- read-only


def _modseq(dovecot: DovecotServer, user: DovecotUser, folder: str) -> int:
    with dovecot.session(user) as c:
        return int(c.folder_status(folder, ["HIGHESTMODSEQ"])[b"HIGHESTMODSEQ"])


def test_scanning_changes_no_flag_on_the_server(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    user = dovecot_user
    inquiry_id = corpus.new_message_id("customer.example.test")
    dovecot.deliver(user, corpus.english_inquiry(to=user.email, message_id=inquiry_id))  # unseen
    dovecot.deliver(user, corpus.japanese_iso2022jp_inquiry(to=user.email))
    dovecot.append(user, "INBOX", corpus.newsletter(to=user.email), flags=[b"\\Seen", b"$Label1"])
    dovecot.append(
        user, "INBOX", corpus.english_inquiry(to=user.email), flags=[b"\\Answered", b"\\Flagged"]
    )
    dovecot.append(user, "Sent", corpus.our_reply(from_addr=user.email, in_reply_to=inquiry_id))
    # A second client keeps INBOX open (as a mail program would) and watches for changes.
    watcher = dovecot.client(user)
    watcher.select_folder("INBOX", readonly=True)
    before = {f: dovecot.flags(user, f) for f in ("INBOX", "Sent")}
    modseq_before = {f: _modseq(dovecot, user, f) for f in ("INBOX", "Sent")}
    unseen_before = watcher.search(["UNSEEN"])
    assert len(unseen_before) == 3 and before["Sent"] == {1: frozenset()}

    for _ in range(2):
        _result, items = _scan(dovecot, user)
        assert len(items) == 1

    assert {f: dovecot.flags(user, f) for f in ("INBOX", "Sent")} == before
    assert {f: _modseq(dovecot, user, f) for f in ("INBOX", "Sent")} == modseq_before
    watcher.noop()
    assert watcher.search(["UNSEEN"]) == unseen_before
    watcher.logout()


def test_scan_reports_folder_state(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    dovecot.deliver(dovecot_user, corpus.english_inquiry(to=dovecot_user.email))
    dovecot.append(dovecot_user, "Sent", corpus.our_reply(from_addr=dovecot_user.email))
    result, _items = _scan(dovecot, dovecot_user)
    assert set(result.folders) == {"INBOX", "Sent"}
    assert result.uidnext == {"INBOX": 2, "Sent": 2}
    assert result.uidvalidity["INBOX"] > 0
    assert set(result.highestmodseq) == {"INBOX", "Sent"}  # Dovecot offers CONDSTORE


def test_several_watched_folders(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    user = dovecot_user
    dovecot.deliver(user, corpus.english_inquiry(to=user.email, subject="in inbox"))
    dovecot.append(user, "Support", corpus.shift_jis_inquiry(to=user.email))
    account = _account(dovecot, user, folders=("INBOX", "Support"))
    _result, items = _scan(dovecot, user, account)
    assert {(i.folder, i.subject) for i in items} == {
        ("INBOX", "in inbox"),
        ("Support", corpus.SJIS_SUBJECT),
    }


# --------------------------------------------------------------------------- TLS and errors


def test_starttls_path_works(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    dovecot.deliver(dovecot_user, corpus.english_inquiry(to=dovecot_user.email))
    account = _account(dovecot, dovecot_user, security="starttls")
    assert account.imap_port == dovecot.imap_port
    check_login(account, dovecot_user.password)
    _result, items = _scan(dovecot, dovecot_user, account)
    assert len(items) == 1


def test_login_with_email_address_works(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    check_login(_account(dovecot, dovecot_user, username=None), dovecot_user.password)


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_certificate_from_another_ca_is_refused(
    dovecot: DovecotServer,
    dovecot_user: DovecotUser,
    tmp_path,
    security: str,  # type: ignore[no-untyped-def]
) -> None:
    other = generate_ca(tmp_path, "Unrelated CA")
    account = _account(dovecot, dovecot_user, security=security, ca_file=str(other.cert_path))
    with pytest.raises(TLSFailure) as caught:
        check_login(account, dovecot_user.password)
    assert caught.value.permanent
    assert f"{dovecot.host}:{account.imap_port}" in str(caught.value)
    assert "certificate" in str(caught.value)
    # Without any extra CA the system store does not know the test CA either.
    with pytest.raises(TLSFailure):
        check_login(replace(account, ca_file=None), dovecot_user.password)


def test_wrong_password(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    account = _account(dovecot, dovecot_user)
    with pytest.raises(AuthenticationFailed) as caught:
        check_login(account, "not-the-password-42")
    error = caught.value
    assert error.permanent
    assert str(error).startswith(f"{dovecot.host}:{dovecot.imaps_port}: login failed")
    assert "not-the-password-42" not in str(error) and "\n" not in str(error)


def test_plaintext_is_refused(dovecot_factory, dovecot_user: DovecotUser) -> None:  # type: ignore[no-untyped-def]
    plain: DovecotServer = dovecot_factory(ssl_enabled=False)
    user = plain.add_user()
    account = AccountConfig(
        name="plain",
        email=user.email,
        imap_host=plain.host,
        imap_port=plain.imap_port,
        imap_security="starttls",
        username=user.username,
    )
    with pytest.raises(TLSFailure) as caught:
        check_login(account, user.password)
    assert "STARTTLS" in str(caught.value) and caught.value.permanent
    # Implicit TLS against a plaintext port fails in the handshake.
    with pytest.raises(TLSFailure):
        check_login(replace(account, imap_security="ssl"), user.password)
    # No configuration asks for plaintext.
    with pytest.raises(TLSFailure):
        check_login(replace(account, imap_security="plain"), user.password)  # type: ignore[arg-type]
    # The password never went over the wire: the server saw no login attempt.
    log = plain.log_path.read_text()
    assert "auth failed" not in log and "Login:" not in log and user.password not in log


def test_transient_connection_errors(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    base = _account(dovecot, dovecot_user)
    with pytest.raises(ConnectionFailed) as refused:
        check_login(replace(base, imap_port=free_port(dovecot.host)), "x")
    assert "refused" in str(refused.value) and not refused.value.permanent

    with pytest.raises(ConnectionFailed) as dns:
        check_login(replace(base, imap_host="imap.does-not-exist.invalid"), "x")
    assert "imap.does-not-exist.invalid" in str(dns.value) and not dns.value.permanent


def test_hang_up_mid_tls_handshake_is_transient(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    # A server (or a middlebox) that accepts and hangs up before TLS is up: SSLEOFError in
    # the handshake is the network's problem, worth retrying -- not a certificate problem
    # that would stop the account until the user acts.
    proxy = TcpProxy(dovecot.host, dovecot.imaps_port)
    try:
        proxy.refuse(True)
        account = replace(
            _account(dovecot, dovecot_user), imap_host="127.0.0.1", imap_port=proxy.port
        )
        with pytest.raises(ConnectionFailed) as caught:
            check_login(account, dovecot_user.password)
        assert not caught.value.permanent
        # The hang-up reaches the client as an EOF mid-handshake or, a moment later, as a
        # reset: both are the network's problem, named as a connection failure.
        assert "connection" in str(caught.value)
    finally:
        proxy.close()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts TCP connections and never says a word (a hung server)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(sock.getsockname()[1])
    stop.set()
    thread.join()
    for s in held:
        s.close()
    sock.close()


def test_timeout(silent_server: int, dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    account = replace(
        _account(dovecot, dovecot_user), imap_host="127.0.0.1", imap_port=silent_server
    )
    with pytest.raises(ConnectionFailed) as caught:
        check_login(account, "x", timeout=1.0)
    assert "timed out" in str(caught.value)
    assert isinstance(caught.value, MailError) and not caught.value.permanent


def test_system_trust_store_read_lazily(
    dovecot: DovecotServer,
    dovecot_user: DovecotUser,
    tmp_path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    # The test CA installed as a system CA (a hashed directory, as update-ca-certificates
    # makes it): trusted without --ca-file, and OpenSSL loads no CA until a handshake needs it.
    certs = tmp_path / "certs"
    certs.mkdir()
    shutil.copy(dovecot.ca_file, certs / "ippo-test-ca.pem")
    subprocess.run(["openssl", "rehash", str(certs)], check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_DIR", str(certs))
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    account = _account(dovecot, dovecot_user, ca_file=None)
    assert tls_context(account).cert_store_stats()["x509_ca"] == 0
    check_login(account, dovecot_user.password)
    # A directory without hashed names: the whole system bundle is loaded instead, and the
    # test CA is not in it.
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    assert tls_context(account).cert_store_stats()["x509_ca"] > 0
    with pytest.raises(TLSFailure):
        check_login(account, dovecot_user.password)


def test_tls_context_shared_per_ca_file(
    dovecot: DovecotServer, dovecot_user: DovecotUser, tmp_path: Path
) -> None:
    # One context for every connection with the same CA file (each one costs about 1 MB
    # while connections stay open); a CA file replaced on disk is read again.
    ca_file = tmp_path / "ca.pem"
    shutil.copy(dovecot.ca_file, ca_file)
    first = _account(dovecot, dovecot_user, ca_file=str(ca_file))
    second = replace(first, name="second", email="second@example.test")
    shared = tls_context(first)
    assert tls_context(second) is shared
    check_login(first, dovecot_user.password)
    check_login(second, dovecot_user.password)
    other = generate_ca(tmp_path / "other", "Another CA")
    shutil.copy(other.cert_path, ca_file)
    renewed = tls_context(first)
    assert renewed is not shared
    with pytest.raises(TLSFailure):  # the new file no longer trusts the server
        check_login(first, dovecot_user.password)


def test_the_accounts_own_ca_is_tried_before_the_system_store(
    dovecot: DovecotServer,
    dovecot_user: DovecotUser,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An account with its own CA file connects without the system's trust store being parsed
    (a tenth of a status bar's `ippo pending`); a server that CA does not vouch for is still
    checked against the system's CAs too, as always."""
    from trayapp.mail import tls

    ca_file = tmp_path / "own-ca.pem"
    shutil.copy(dovecot.ca_file, ca_file)
    own = _account(dovecot, dovecot_user, ca_file=str(ca_file))
    check_login(own, dovecot_user.password)
    built = [key for key in tls._contexts if key[0] == str(ca_file)]
    assert built and all(key[3] is True for key in built)  # no system store loaded

    # The system trusts the server's CA (SSL_CERT_FILE), the account names an unrelated one.
    unrelated = generate_ca(tmp_path / "unrelated", "Unrelated CA")
    monkeypatch.setenv("SSL_CERT_FILE", dovecot.ca_file)
    check_login(replace(own, ca_file=str(unrelated.cert_path)), dovecot_user.password)


def test_sent_on_a_second_connection_gives_the_same_result(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    answered_id, open_id = _inquiry_and_reply(dovecot, dovecot_user, "Sent")
    account = _account(dovecot, dovecot_user)
    now = datetime.now(UTC)
    client = connect(account, dovecot_user.password)
    sent_client = connect(account, dovecot_user.password)
    try:
        parallel = scan_account(client, account, now, sent_client=sent_client)
        single = scan_account(client, account, now)
    finally:
        logout(client)
        logout(sent_client)
    assert parallel.replied_ids == single.replied_ids and answered_id in parallel.replied_ids
    assert parallel.sent_folder == single.sent_folder == "Sent"
    assert parallel.folders == single.folders
    assert [f.uid for f in parallel.inbox] == [f.uid for f in single.inbox]
    assert _ids(parallel.waiting(account, now)) == {open_id}


def test_two_messages_sharing_a_message_id_are_both_listed(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    """A reused Message-ID (a broken mailer, or an attacker hiding a second inquiry behind a
    first) does not hide anything; the same message delivered twice is still one item, and
    ids stay the same across runs."""
    import hashlib

    first = corpus.english_inquiry(message_id="shared@example.test", subject="Order 1")
    second = corpus.english_inquiry(
        message_id="shared@example.test", subject="Refund please", from_addr="b@example.test"
    )
    dovecot.deliver(dovecot_user, first)
    dovecot.deliver(dovecot_user, second)
    dovecot.deliver(dovecot_user, first)  # the first one again: a copy, not a third inquiry
    _, items = _scan(dovecot, dovecot_user)
    assert sorted(i.subject for i in items) == ["Order 1", "Refund please"]
    assert len({i.id for i in items}) == 2
    # The first keeps the id Ippo always gave it (so old dismissals and acks still apply).
    legacy = hashlib.sha256(f"{dovecot_user.username}\0shared@example.test".encode()).hexdigest()
    by_subject = {i.subject: i.id for i in items}
    assert by_subject["Order 1"] == legacy[:12]
    _, again = _scan(dovecot, dovecot_user)
    assert {i.subject: i.id for i in again} == by_subject
