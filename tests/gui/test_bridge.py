"""The Qt bridge over the real WatchService (real Dovecot): signals arrive on the GUI thread,
typed, once per change; closing it stops delivery."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from tests.support import mailcorpus
from tests.support.dovecot import DovecotServer, DovecotUser
from trayapp.core.model import AccountHealth, HealthState, Inquiry
from trayapp.mail.service import WatchService
from trayapp.mail.watcher import WatchTimings
from trayapp.ui.bridge import WatchBridge

pytestmark = [pytest.mark.gui, pytest.mark.integration]


@pytest.fixture
def user(dovecot: DovecotServer) -> DovecotUser:
    return dovecot.add_user()


@pytest.fixture
def service(dovecot: DovecotServer, user: DovecotUser) -> Iterator[WatchService]:
    svc = WatchService(
        [dovecot.account(user)],
        lambda a: user.password,
        timings=WatchTimings(keepalive=2.0, response_timeout=2.0),
    )
    yield svc
    assert svc.stop(2.0)


def test_signals_arrive_on_the_gui_thread_typed_and_once_per_change(
    qtbot, dovecot: DovecotServer, user: DovecotUser, service: WatchService
) -> None:
    bridge = WatchBridge(service)
    gui_thread = QApplication.instance().thread()  # type: ignore[union-attr]
    health_seen: list[tuple[str, AccountHealth, bool]] = []
    items_seen: list[tuple[list[Inquiry], bool]] = []
    bridge.healthChanged.connect(
        lambda name, h: health_seen.append((name, h, QThread.currentThread() is gui_thread))
    )
    bridge.itemsChanged.connect(
        lambda items: items_seen.append((items, QThread.currentThread() is gui_thread))
    )
    service.start()
    qtbot.waitUntil(
        lambda: bool(health_seen) and health_seen[-1][1].state is HealthState.CONNECTED,
        timeout=30_000,
    )
    assert all(name == user.username and on_gui for name, _, on_gui in health_seen)
    assert all(isinstance(h, AccountHealth) for _, h, _ in health_seen)
    # One signal per change: no two consecutive equal healths.
    states = [h for _, h, _ in health_seen]
    assert all(a != b for a, b in itertools.pairwise(states))

    message_id = mailcorpus.new_message_id()
    with qtbot.waitSignal(bridge.itemsChanged, timeout=5_000) as blocker:
        threading.Thread(
            target=dovecot.deliver,
            args=(
                user,
                mailcorpus.japanese_iso2022jp_inquiry(to=user.email, message_id=message_id),
            ),
        ).start()
    items = blocker.args[0]
    assert [i.message_id for i in items] == [message_id]
    assert isinstance(items[0], Inquiry) and items[0].subject == mailcorpus.JA_SUBJECT
    assert all(on_gui for _, on_gui in items_seen)
    assert bridge.items == items
    assert bridge.health[user.username].covered
    assert bridge.snapshot is not None and bridge.snapshot.items[0].message_id == message_id

    # Closed: later news no longer reaches the GUI.
    bridge.close()
    before = len(items_seen)
    dovecot.deliver(user, mailcorpus.english_inquiry(to=user.email))
    qtbot.wait(1500)
    assert len(items_seen) == before


def test_retry_now_through_the_bridge_leaves_error(
    qtbot, dovecot: DovecotServer, user: DovecotUser
) -> None:
    password = {"value": "wrong"}
    svc = WatchService([dovecot.account(user)], lambda a: password["value"])
    bridge = WatchBridge(svc)
    states: list[HealthState] = []
    bridge.healthChanged.connect(lambda name, h: states.append(h.state))
    svc.start()
    try:
        qtbot.waitUntil(lambda: HealthState.ERROR in states, timeout=30_000)
        password["value"] = user.password
        bridge.retryNow(user.username)
        qtbot.waitUntil(lambda: states[-1] is HealthState.CONNECTED, timeout=30_000)
    finally:
        bridge.close()
        assert svc.stop(2.0)
