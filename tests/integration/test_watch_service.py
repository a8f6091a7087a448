"""WatchService and AccountWatcher in-process, against the real Dovecot (and a TCP proxy that
breaks the network on demand). `ippo watch` itself is tested in test_watch_cli.py."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.support import mailcorpus
from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.tcp_proxy import TcpProxy
from trayapp.core.model import AccountConfig, HealthState
from trayapp.mail.errors import MailError
from trayapp.mail.service import WatchService, WatchSnapshot
from trayapp.mail.watcher import AccountWatcher, MailboxChanged, WatchTimings, WorkerEvent
from trayapp.store.db import StateStore

pytestmark = pytest.mark.integration

FAST = WatchTimings(keepalive=2.0, response_timeout=1.5, sent_interval=2.0, backoff_cap=4.0)


@dataclass
class Recorder:
    """Collects the service's snapshots; lets a test wait for a condition on the latest one."""

    snapshots: list[WatchSnapshot] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, snapshot: WatchSnapshot) -> None:
        with self.cond:
            self.snapshots.append(snapshot)
            self.cond.notify_all()

    def wait_for(
        self, predicate: Callable[[WatchSnapshot], bool], timeout: float, what: str = ""
    ) -> WatchSnapshot:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                if self.snapshots and predicate(self.snapshots[-1]):
                    return self.snapshots[-1]
                left = deadline - time.monotonic()
                if left <= 0:
                    last = self.snapshots[-1] if self.snapshots else None
                    health = {k: v.describe() for k, v in last.health.items()} if last else {}
                    items = [i.subject for i in last.items] if last else []
                    raise AssertionError(f"timed out waiting for {what}: {health} {items}")
                self.cond.wait(left)

    def states(self, account: str) -> list[HealthState]:
        with self.cond:
            out: list[HealthState] = []
            for s in self.snapshots:
                state = s.health[account].state
                if not out or out[-1] is not state:
                    out.append(state)
            return out


def _password_of(user: DovecotUser) -> Callable[[AccountConfig], str]:
    return lambda account: user.password


@pytest.fixture
def service_for() -> Iterator[Callable[..., tuple[WatchService, Recorder]]]:
    started: list[WatchService] = []

    def make(
        accounts: list[AccountConfig],
        password: Callable[[AccountConfig], str],
        timings: WatchTimings = FAST,
        **kwargs: object,
    ) -> tuple[WatchService, Recorder]:
        service = WatchService(accounts, password, timings=timings, **kwargs)  # type: ignore[arg-type]
        recorder = Recorder()
        service.subscribe(recorder)
        service.start()
        started.append(service)
        return service, recorder

    yield make
    for service in started:
        assert service.stop(timeout=2.0), "service did not stop within 2 s"


def _subjects(snapshot: WatchSnapshot) -> list[str]:
    return [i.subject for i in snapshot.items]


@pytest.mark.parametrize(
    "timings",
    [
        FAST,  # IDLE, flags through CONDSTORE's CHANGEDSINCE
        replace(FAST, use_idle=False, use_condstore=False, poll_interval=1.0, keepalive=0.5),
    ],
    ids=["idle-condstore", "poll-plain-flags"],
)
def test_delivered_mail_appears_within_a_second_and_answers_remove_it(
    timings: WatchTimings,
    dovecot: DovecotServer,
    service_for: Callable[..., tuple[WatchService, Recorder]],
    tmp_path: Path,
) -> None:
    user = dovecot.add_user()
    account = dovecot.account(user)
    dovecot.append(user, "Sent", mailcorpus.our_reply(from_addr=user.email))  # Sent exists
    store = StateStore(tmp_path)
    _service, rec = service_for([account], _password_of(user), timings, store=store)
    rec.wait_for(lambda s: s.health[account.name].covered, 30, "connected")

    first_id = mailcorpus.new_message_id()
    started = time.monotonic()
    dovecot.deliver(user, mailcorpus.japanese_iso2022jp_inquiry(to=user.email, message_id=first_id))
    snap = rec.wait_for(lambda s: len(s.items) == 1, 5, "the delivered inquiry")
    delay = time.monotonic() - started
    assert snap.items[0].subject == mailcorpus.JA_SUBJECT
    assert snap.items[0].message_id == first_id
    # Dovecot itself pushes ~0.5 s after delivery (bench_watch measures the floor); the
    # bound leaves room for a loaded CI machine.
    assert delay < 2.0, f"push took {delay:.2f}s"

    # Automated mail never counts, even live.
    dovecot.deliver(user, mailcorpus.newsletter(to=user.email))
    dovecot.deliver(user, mailcorpus.gmail_vacation_reply(to=user.email))
    second_id = mailcorpus.new_message_id()
    dovecot.deliver(user, mailcorpus.english_inquiry(to=user.email, message_id=second_id))
    snap = rec.wait_for(lambda s: len(s.items) == 2, 5, "the second inquiry")
    assert sorted(_subjects(snap)) == sorted([mailcorpus.JA_SUBJECT, mailcorpus.EN_SUBJECT])

    # A reply appended to Sent by another device (only References names it) removes it.
    dovecot.append(
        user,
        "Sent",
        mailcorpus.our_reply_references_only(from_addr=user.email, references=[first_id]),
        flags=[b"\\Seen"],
    )
    snap = rec.wait_for(lambda s: len(s.items) == 1, 8, "the Sent reply to remove it")
    assert snap.items[0].message_id == second_id

    # \Answered set by another client removes the other one.
    with dovecot.session(user) as other:
        other.select_folder("INBOX")
        uid = other.search(["HEADER", "Message-ID", second_id])
        other.add_flags(uid, [b"\\Answered"])
    started = time.monotonic()
    rec.wait_for(lambda s: not s.items, 5, "\\Answered to remove it")
    assert time.monotonic() - started < 2.0

    # Looking never changed a flag: nothing is \Seen in INBOX that the test did not set.
    flags = dovecot.flags(user)
    assert all("\\Seen" not in f for f in flags.values()), flags

    # What the service saw is persisted: the (now empty) waiting set and the sync state.
    assert store.items(account.name) == []
    sync = store.sync_state(account.name, "INBOX")
    assert sync is not None and sync.uidnext is not None and sync.uidnext > 4
    assert sync.highestmodseq is not None  # Dovecot offers CONDSTORE
    store.close()


def test_dovecot_restart_goes_retrying_then_connected_and_loses_nothing(
    dovecot_factory: Callable[..., DovecotServer],
    service_for: Callable[..., tuple[WatchService, Recorder]],
) -> None:
    server = dovecot_factory()
    user = server.add_user()
    account = server.account(user)
    ids = [mailcorpus.new_message_id() for _ in range(3)]
    server.deliver(user, mailcorpus.english_inquiry(to=user.email, message_id=ids[0]))
    _service, rec = service_for([account], _password_of(user))
    rec.wait_for(lambda s: len(s.items) == 1 and s.covered, 30, "first scan")

    server.stop()
    rec.wait_for(lambda s: s.health[account.name].state is HealthState.RETRYING, 30, "retrying")
    retrying = rec.snapshots[-1].health[account.name]
    assert retrying.next_try_at is not None
    assert "retrying (next try at" in retrying.describe()
    # The last known list stays while the account is not covered.
    assert len(rec.snapshots[-1].items) == 1

    server.start()
    # Mail that arrived while the watcher was away is found by the reconnect's scan.
    server.deliver(user, mailcorpus.english_inquiry(to=user.email, message_id=ids[1]))
    rec.wait_for(lambda s: s.covered and len(s.items) == 2, 15, "reconnected with both")
    server.deliver(user, mailcorpus.shift_jis_inquiry(to=user.email, message_id=ids[2]))
    snap = rec.wait_for(lambda s: len(s.items) == 3, 5, "push after reconnect")
    assert sorted(i.message_id for i in snap.items) == sorted(ids)  # nothing lost or twice
    states = rec.states(account.name)
    assert states[-3:] == [HealthState.CONNECTED, HealthState.RETRYING, HealthState.CONNECTED] or (
        HealthState.RETRYING in states and states[-1] is HealthState.CONNECTED
    ), states


@pytest.mark.parametrize("how", ["drop", "freeze"])
def test_cut_connection_is_noticed_and_recovered(
    how: str,
    dovecot: DovecotServer,
    service_for: Callable[..., tuple[WatchService, Recorder]],
) -> None:
    user = dovecot.add_user()
    proxy = TcpProxy(dovecot.host, dovecot.imaps_port)
    try:
        account = dovecot.account(user, imap_host="127.0.0.1", imap_port=proxy.port)
        timings = WatchTimings(keepalive=2.0, response_timeout=1.0, backoff_cap=2.0)
        _service, rec = service_for([account], _password_of(user), timings)
        rec.wait_for(lambda s: s.covered, 30, "connected")
        assert proxy.open_connections == 1
        cut = time.monotonic()
        if how == "drop":
            proxy.drop()
        else:
            proxy.freeze()
        rec.wait_for(lambda s: not s.covered, timings.liveness_bound + 2, "noticing the cut")
        noticed = time.monotonic() - cut
        assert noticed <= timings.liveness_bound + 1.0, noticed
        if how == "freeze":
            proxy.drop()  # the frozen sockets are dead to the client anyway
            proxy.thaw()
        message_id = mailcorpus.new_message_id()
        dovecot.deliver(user, mailcorpus.english_inquiry(to=user.email, message_id=message_id))
        snap = rec.wait_for(lambda s: s.covered and len(s.items) == 1, 15, "recovered")
        assert snap.items[0].message_id == message_id
    finally:
        proxy.close()


def test_wrong_password_is_an_error_and_never_retried_until_asked(
    dovecot: DovecotServer, service_for: Callable[..., tuple[WatchService, Recorder]]
) -> None:
    user = dovecot.add_user()
    account = dovecot.account(user)
    wrong = {"password": "not-the-password"}
    service, rec = service_for([account], lambda a: wrong["password"])
    snap = rec.wait_for(
        lambda s: s.health[account.name].state is HealthState.ERROR, 30, "error state"
    )
    assert "login failed" in snap.health[account.name].reason
    time.sleep(3.0)  # > the whole backoff cap of FAST: a retrying watcher would have retried
    assert _auth_failures(dovecot, user) == 1
    assert rec.snapshots[-1].health[account.name].state is HealthState.ERROR

    wrong["password"] = user.password
    service.retry_now(account.name)
    rec.wait_for(lambda s: s.covered, 30, "connected after the user asked")
    assert _auth_failures(dovecot, user) == 1


def test_one_account_in_trouble_never_stalls_the_others(
    dovecot: DovecotServer, service_for: Callable[..., tuple[WatchService, Recorder]]
) -> None:
    good = dovecot.add_user()
    bad = dovecot.add_user()
    proxy = TcpProxy(dovecot.host, dovecot.imaps_port)
    try:
        proxy.freeze()  # the bad account's server never answers at all
        accounts = [
            dovecot.account(bad, imap_host="127.0.0.1", imap_port=proxy.port),
            dovecot.account(good),
        ]
        passwords = {bad.username: bad.password, good.username: good.password}
        _service, rec = service_for(accounts, lambda a: passwords[a.name])
        rec.wait_for(lambda s: s.health[good.username].covered, 30, "good account connected")
        dovecot.deliver(good, mailcorpus.english_inquiry(to=good.email))
        snap = rec.wait_for(lambda s: len(s.items) == 1, 5, "good account's mail")
        assert not snap.health[bad.username].covered
    finally:
        proxy.close()


def test_poll_mode_finds_mail_without_idle(
    dovecot: DovecotServer, service_for: Callable[..., tuple[WatchService, Recorder]]
) -> None:
    user = dovecot.add_user()
    account = dovecot.account(user)
    timings = WatchTimings(keepalive=1.0, response_timeout=2.0, poll_interval=1.0, use_idle=False)
    _service, rec = service_for([account], _password_of(user), timings)
    rec.wait_for(lambda s: s.covered, 30, "connected")
    dovecot.deliver(user, mailcorpus.english_inquiry(to=user.email))
    rec.wait_for(lambda s: len(s.items) == 1, 5, "polled mail")


def test_stop_joins_quickly_even_on_a_frozen_link(dovecot: DovecotServer) -> None:
    user = dovecot.add_user()
    proxy = TcpProxy(dovecot.host, dovecot.imaps_port)
    try:
        account = dovecot.account(user, imap_host="127.0.0.1", imap_port=proxy.port)
        service = WatchService([account], _password_of(user))  # product timings
        rec = Recorder()
        service.subscribe(rec)
        service.start()
        rec.wait_for(lambda s: s.covered, 30, "connected")
        proxy.freeze()
        started = time.monotonic()
        assert service.stop(timeout=2.0)
        assert time.monotonic() - started < 2.5
    finally:
        proxy.close()


def _auth_failures(server: DovecotServer, user: DovecotUser) -> int:
    """Login attempts Dovecot refused for this user, from its own log."""
    log = server.log_path.read_text(errors="replace")
    pattern = re.compile(
        rf"auth failed.*user=<{re.escape(user.username)}>|"
        rf"user=<{re.escape(user.username)}>.*auth failed",
        re.IGNORECASE,
    )
    return sum(1 for line in log.splitlines() if pattern.search(line))


def test_permanent_error_from_the_password_source_is_an_error(
    dovecot: DovecotServer, service_for: Callable[..., tuple[WatchService, Recorder]]
) -> None:
    user = dovecot.add_user()
    account = dovecot.account(user)

    def no_password(a: AccountConfig) -> str:
        raise MailError("no password in the keyring for this account", permanent=True)

    _service, rec = service_for([account], no_password)
    snap = rec.wait_for(lambda s: s.health[account.name].state is HealthState.ERROR, 5, "error")
    assert "keyring" in snap.health[account.name].reason


def test_changed_settings_restart_the_account_and_clear_its_error(
    dovecot: DovecotServer,
    service_for: Callable[..., tuple[WatchService, Recorder]],
) -> None:
    user = dovecot.add_user()
    other = dovecot.add_user()
    dovecot.deliver(other, mailcorpus.english_inquiry(to=other.email))
    # Wrong user name at first: a login failure, so an error without retries.
    wrong = dovecot.account(user, username="nobody-" + user.username)
    passwords = {user.username: user.password, other.username: other.password}
    service, rec = service_for([wrong, dovecot.account(other)], lambda a: passwords[a.name])
    rec.wait_for(lambda s: s.health[user.username].state is HealthState.ERROR, 30, "error")
    rec.wait_for(lambda s: len(s.items) == 1, 30, "the other account's item")

    # The user fixes the settings (and drops the other account): watched again, no error.
    fixed = dovecot.account(user, window_hours=4.0)
    service.set_accounts([fixed])
    snap = rec.wait_for(
        lambda s: s.health.get(user.username, None) is not None and s.health[user.username].covered,
        10,
        "connected after the fix",
    )
    assert set(snap.health) == {user.username}
    assert snap.items == ()  # the removed account's items left with it
    dovecot.deliver(user, mailcorpus.english_inquiry(to=user.email))
    snap = rec.wait_for(lambda s: len(s.items) == 1, 5, "mail on the fixed account")
    item = snap.items[0]
    assert item.due_at - item.received_at == timedelta(hours=4)  # the new window applies


class Mailboxes:
    """The watcher's MailboxChanged events; a test waits for one that satisfies a check."""

    def __init__(self) -> None:
        self.events: list[MailboxChanged] = []
        self.cond = threading.Condition()

    def __call__(self, event: WorkerEvent) -> None:
        if isinstance(event, MailboxChanged):
            with self.cond:
                self.events.append(event)
                self.cond.notify_all()

    def wait_for(self, check: Callable[[MailboxChanged], bool], what: str) -> MailboxChanged:
        with self.cond:
            if not self.cond.wait_for(lambda: self.events and check(self.events[-1]), 20):
                last = self.events[-1] if self.events else None
                subjects = [f.headers.subject for f in last.inbox] if last else []
                raise AssertionError(f"timed out waiting for {what}: {subjects}")
            return self.events[-1]


def _subjects_of(event: MailboxChanged) -> set[str]:
    return {f.headers.subject for f in event.inbox}


def test_news_told_beside_another_answer_just_before_idle_is_not_left_waiting(
    dovecot: DovecotServer,
) -> None:
    """A delivery the server announces beside the answer to a round's last command sits in
    imaplib's untagged responses when the round ends; IDLE reports only what happens after it
    starts, so the watcher must take that news before idling (the burst bench lost 1-5 of
    1,000 deliveries to the next keepalive this way). Here the delivery lands between the
    first scan's publish and IDLE, told beside a NOOP's answer."""
    from trayapp.mail.imap import connect as imap_connect

    user = dovecot.add_user()
    clients: list[IMAPClient] = []
    seen = Mailboxes()

    def connect(acc: AccountConfig, password: str, *, timeout: float) -> IMAPClient:
        clients.append(imap_connect(acc, password, timeout=timeout))
        return clients[-1]

    def emit(event: WorkerEvent) -> None:
        if isinstance(event, MailboxChanged) and not seen.events:
            # The first scan's publish, on the worker's thread just before IDLE.
            dovecot.deliver(user, mailcorpus.english_inquiry(to=user.email))
            _text, responses = clients[-1].noop()  # the server tells of it here
            assert any(r[1] == b"EXISTS" for r in responses), responses
        seen(event)

    # Nothing but the fix looks again within the test: no keepalive, no Sent check.
    quiet = replace(FAST, keepalive=600.0, sent_interval=600.0, idle_max=600.0)
    watcher = AccountWatcher(
        dovecot.account(user), _password_of(user), emit, connect=connect, timings=quiet
    )
    watcher.start()
    try:
        seen.wait_for(lambda e: len(e.inbox) == 1, "the message told before IDLE")
        assert len(seen.events[0].inbox) == 0
        assert watcher.connects == 1  # found on the same connection, not by reconnecting
    finally:
        assert watcher.stop(2.0)


def test_dismissed_messages_are_not_kept_and_come_back_when_undone(
    dovecot: DovecotServer,
) -> None:
    """Bounded state: the watcher stops keeping what the user dismissed (the message and its
    preview), fetches it again when the dismissal is undone, and when a later message shares
    its Message-ID (their ids depend on each other, so both must be known)."""
    from trayapp.core.pending import item_id, waiting_inquiries

    user = dovecot.add_user()
    account = dovecot.account(user)
    first_id = mailcorpus.new_message_id()
    for subject, message_id in (("A", first_id), ("B", None), ("C", None)):
        raw = mailcorpus.english_inquiry(to=user.email, subject=subject, message_id=message_id)
        dovecot.deliver(user, raw)
    seen = Mailboxes()
    watcher = AccountWatcher(account, _password_of(user), seen, timings=FAST)
    watcher.start()
    try:
        event = seen.wait_for(lambda e: len(e.previews) == 3, "three messages with previews")
        ids = {f.headers.subject: item_id(account.name, f) for f in event.inbox}

        watcher.set_dismissed({ids["A"], ids["B"]})
        event = seen.wait_for(lambda e: _subjects_of(e) == {"C"}, "A and B set aside")
        assert set(event.previews) == {ids["C"]}

        watcher.set_dismissed({ids["A"]})  # B's dismissal undone
        seen.wait_for(lambda e: _subjects_of(e) == {"B", "C"}, "B back")

        # Another message with A's Message-ID: A is needed again to tell the two apart.
        raw = mailcorpus.english_inquiry(to=user.email, subject="D", message_id=first_id)
        dovecot.deliver(user, raw)
        event = seen.wait_for(lambda e: _subjects_of(e) == {"A", "B", "C", "D"}, "A back")
        waiting = waiting_inquiries(
            account, event.inbox, frozenset(), event.at, dismissed_ids={ids["A"]}
        )
        assert sorted(i.subject for i in waiting) == ["B", "C", "D"]
        assert watcher.connects == 1
    finally:
        assert watcher.stop(2.0)


def test_the_service_tells_its_watchers_what_the_user_dismissed(
    dovecot: DovecotServer,
    service_for: Callable[..., tuple[WatchService, Recorder]],
    tmp_path: Path,
) -> None:
    user = dovecot.add_user()
    account = dovecot.account(user)
    for subject in ("keep", "dismiss"):
        dovecot.deliver(user, mailcorpus.english_inquiry(to=user.email, subject=subject))
    store = StateStore(tmp_path)
    service, rec = service_for([account], _password_of(user), store=store)
    snap = rec.wait_for(lambda s: len(s.items) == 2, 30, "both items")
    gone = next(i for i in snap.items if i.subject == "dismiss")
    store.dismiss(account.name, gone.id, "not_inquiry")
    service.refresh()
    rec.wait_for(lambda s: [i.subject for i in s.items] == ["keep"], 10, "the dismissal")
    deadline = time.monotonic() + 10
    while True:  # the watcher's next picture no longer holds the dismissed message
        mailbox = service._views[account.name].mailbox
        assert mailbox is not None
        if [f.headers.subject for f in mailbox.inbox] == ["keep"]:
            break
        assert time.monotonic() < deadline, [f.headers.subject for f in mailbox.inbox]
        time.sleep(0.1)


class CountingStore(StateStore):
    """The real store, counting how often the service reads the user's dismissals."""

    reads = 0

    def dismissed_ids(self, account: str) -> set[str]:
        self.reads += 1
        return super().dismissed_ids(account)


def test_refreshes_asked_while_one_is_queued_are_answered_by_it(
    dovecot: DovecotServer,
    service_for: Callable[..., tuple[WatchService, Recorder]],
    tmp_path: Path,
) -> None:
    """2,000 dismissals in a row ask 2,000 refreshes: those asked while one waits in the
    queue are answered by it (it reads the store when it runs), not each a recompute of every
    account with a snapshot of its own."""
    user = dovecot.add_user()
    account = dovecot.account(user)
    store = CountingStore(tmp_path)
    service, rec = service_for([account], _password_of(user), store=store)
    rec.wait_for(lambda s: s.health[account.name].covered, 30, "connected")
    entered, gate, done = threading.Event(), threading.Event(), threading.Event()

    def busy(_snapshot: WatchSnapshot) -> None:
        entered.set()
        gate.wait(10)

    unsubscribe = service.subscribe(busy)  # its first call holds the dispatcher
    assert entered.wait(10)
    unsubscribe()
    before = store.reads
    for _ in range(50):
        service.refresh()
    gate.set()
    service.subscribe(lambda _s: done.set())  # its first call runs after the refreshes
    assert done.wait(10)
    assert store.reads - before < 5, store.reads - before
