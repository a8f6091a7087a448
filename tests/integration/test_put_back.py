"""Undo is real (issue 11 item 3): what D, N and I wrote is removed from the store, and the
WatchService's next snapshot lists the inquiry again -- against the real Dovecot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_watch_service import FAST, Recorder
from tests.support import mailcorpus
from tests.support.dovecot import DovecotServer
from trayapp.mail.service import WatchService
from trayapp.store.db import StateStore
from trayapp.store.set_aside import SetAside, SetAsideKind, put_back, set_aside

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("kind", ["answered", "not_inquiry", "ignore_sender"])
def test_set_aside_then_put_back_lists_the_inquiry_again(
    kind: SetAsideKind, dovecot: DovecotServer, tmp_path: Path
) -> None:
    user = dovecot.add_user()
    account = dovecot.account(user)
    dovecot.append(user, "Sent", mailcorpus.our_reply(from_addr=user.email))
    store = StateStore(tmp_path)
    service = WatchService([account], lambda _a: user.password, store, timings=FAST)
    rec = Recorder()
    service.subscribe(rec)
    service.start()
    try:
        rec.wait_for(lambda s: s.health[account.name].covered, 30, "connected")
        dovecot.deliver(user, mailcorpus.english_inquiry(to=user.email))
        snap = rec.wait_for(lambda s: len(s.items) == 1, 10, "the inquiry")
        entry = SetAside(kind, snap.items[0])

        set_aside(store, entry)
        service.refresh()
        rec.wait_for(lambda s: not s.items, 10, "the inquiry set aside")
        # What "Recently set aside" lists of earlier sessions: the dismissed message as the
        # list showed it (an ignored sender is in the ignored-senders list instead).
        earlier = service.dismissed_items().result(timeout=10)
        if kind == "ignore_sender":
            assert store.ignored_senders(account.name) == {entry.address}
            assert earlier == []
        else:
            assert store.dismissals(account.name) == {entry.item.id: kind}
            assert earlier == [(entry.item, kind)]

        put_back(store, entry)
        service.refresh()
        back = rec.wait_for(lambda s: len(s.items) == 1, 10, "the inquiry put back")
        assert back.items[0].id == entry.item.id
        assert store.dismissals(account.name) == {}
        assert store.ignored_senders(account.name) == set()
    finally:
        assert service.stop(timeout=2.0)
        store.close()
