"""Undo is real (issue 11 item 3): what D, N and I wrote is removed from the store, and the
WatchService's next snapshot lists the inquiry again -- against the real Dovecot.

"Recently set aside" lists dismissals of earlier sessions while the message is still in the
inbox, also once the watcher no longer keeps the dismissed message (bounded state, issue 15
item 6): each test waits until the watcher has actually set it aside before asking."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.test_watch_service import FAST, Recorder
from tests.support import mailcorpus
from tests.support.dovecot import DovecotServer, DovecotUser
from trayapp.core.model import AccountConfig, Inquiry
from trayapp.mail.service import WatchService
from trayapp.store.db import StateStore
from trayapp.store.set_aside import SetAside, SetAsideKind, put_back, set_aside

pytestmark = pytest.mark.integration


def _until(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _as_listed(item: Inquiry) -> tuple[object, ...]:
    """What the "Recently set aside" list shows of an item and what a put back needs."""
    return (item.id, item.account, item.sender, item.sender_addr, item.subject, item.received_at)


def _started(
    account: AccountConfig, user: DovecotUser, store: StateStore
) -> tuple[WatchService, Recorder]:
    service = WatchService([account], lambda _a: user.password, store, timings=FAST)
    rec = Recorder()
    service.subscribe(rec)
    service.start()
    rec.wait_for(lambda s: s.health[account.name].covered, 30, "connected")
    return service, rec


@pytest.mark.parametrize("kind", ["answered", "not_inquiry", "ignore_sender"])
def test_set_aside_then_put_back_lists_the_inquiry_again(
    kind: SetAsideKind, dovecot: DovecotServer, tmp_path: Path
) -> None:
    user = dovecot.add_user()
    account = dovecot.account(user)
    dovecot.append(user, "Sent", mailcorpus.our_reply(from_addr=user.email))
    store = StateStore(tmp_path)
    service, rec = _started(account, user, store)
    try:
        dovecot.deliver(user, mailcorpus.english_inquiry(to=user.email))
        snap = rec.wait_for(lambda s: len(s.items) == 1, 10, "the inquiry")
        entry = SetAside(kind, snap.items[0])

        set_aside(store, entry)
        service.refresh()
        rec.wait_for(lambda s: not s.items, 10, "the inquiry set aside")
        # What "Recently set aside" lists of earlier sessions: the dismissed message as the
        # list showed it (an ignored sender is in the ignored-senders list instead).
        if kind == "ignore_sender":
            assert store.ignored_senders(account.name) == {entry.address}
            assert service.dismissed_items().result(timeout=10) == []
        else:
            assert store.dismissals(account.name) == {entry.item.id: kind}
            _until(
                lambda: entry.item.id in service.set_aside_ids(account.name),
                "the watcher to stop keeping the dismissed message",
            )
            earlier = service.dismissed_items().result(timeout=10)
            assert [(_as_listed(i), k) for i, k in earlier] == [(_as_listed(entry.item), kind)]

        put_back(store, entry)
        service.refresh()
        back = rec.wait_for(lambda s: len(s.items) == 1, 10, "the inquiry put back")
        assert back.items[0].id == entry.item.id
        assert store.dismissals(account.name) == {}
        assert store.ignored_senders(account.name) == set()
    finally:
        assert service.stop(timeout=2.0)
        store.close()


def test_a_dismissal_of_an_earlier_session_is_listed_and_put_back(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    """Dismissed in one run; the next run's watcher never keeps the message, yet the list of
    earlier dismissals shows it as it was, and putting it back lists it again."""
    user = dovecot.add_user()
    account = dovecot.account(user)
    dovecot.deliver(user, mailcorpus.english_inquiry(to=user.email, subject="Kept aside"))
    dovecot.deliver(user, mailcorpus.english_inquiry(to=user.email, subject="Still waiting"))
    store = StateStore(tmp_path)
    service, rec = _started(account, user, store)
    try:
        snap = rec.wait_for(lambda s: len(s.items) == 2, 10, "both inquiries")
        dismissed = next(i for i in snap.items if i.subject == "Kept aside")
        set_aside(store, SetAside("not_inquiry", dismissed))
        service.refresh()
        rec.wait_for(lambda s: len(s.items) == 1, 10, "the dismissal")
    finally:
        assert service.stop(timeout=2.0)
        store.close()

    store = StateStore(tmp_path)  # the next session
    service, rec = _started(account, user, store)
    try:
        rec.wait_for(lambda s: [i.subject for i in s.items] == ["Still waiting"], 10, "one")
        _until(
            lambda: dismissed.id in service.set_aside_ids(account.name),
            "the watcher to set the dismissed message aside",
        )
        earlier = service.dismissed_items().result(timeout=10)
        assert [(_as_listed(i), k) for i, k in earlier] == [(_as_listed(dismissed), "not_inquiry")]

        put_back(store, SetAside("not_inquiry", earlier[0][0]))  # as the GUI's list does
        service.refresh()
        back = rec.wait_for(lambda s: len(s.items) == 2, 10, "the dismissed inquiry back")
        assert dismissed.id in {i.id for i in back.items}
        assert store.dismissals(account.name) == {}
        assert service.dismissed_items().result(timeout=10) == []
    finally:
        assert service.stop(timeout=2.0)
        store.close()


@pytest.mark.parametrize("change", ["deleted", "answered elsewhere"])
def test_a_dismissal_whose_message_was_deleted_or_answered_is_not_listed(
    change: str, dovecot: DovecotServer, tmp_path: Path
) -> None:
    """Nothing to put back: the message is gone, or was answered from another mail program
    (\\Answered; put back, it would not be listed either)."""
    user = dovecot.add_user()
    account = dovecot.account(user)
    dovecot.deliver(user, mailcorpus.english_inquiry(to=user.email, subject="Changed later"))
    store = StateStore(tmp_path)
    service, rec = _started(account, user, store)
    try:
        snap = rec.wait_for(lambda s: len(s.items) == 1, 10, "the inquiry")
        item = snap.items[0]
        set_aside(store, SetAside("answered", item))
        service.refresh()
        rec.wait_for(lambda s: not s.items, 10, "the dismissal")
        _until(lambda: item.id in service.set_aside_ids(account.name), "the message set aside")
        assert [i.id for i, _k in service.dismissed_items().result(timeout=10)] == [item.id]

        with dovecot.session(user) as client:
            client.select_folder("INBOX")
            if change == "deleted":
                client.delete_messages([item.uid])
                client.expunge()
            else:
                client.add_flags([item.uid], [b"\\Answered"])
        _until(lambda: not service.set_aside_ids(account.name), f"the watcher to see it {change}")
        assert service.dismissed_items().result(timeout=10) == []
        assert store.dismissals(account.name) == {item.id: "answered"}  # pruned with time
    finally:
        assert service.stop(timeout=2.0)
        store.close()
