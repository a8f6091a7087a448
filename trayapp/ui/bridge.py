"""The thin Qt adapter over mail.service.WatchService: worker news as typed Qt signals.

The service calls its listeners on its own dispatcher thread. The bridge's listener only emits
an internal signal, connected with a queued connection to a slot of the bridge, which lives on
the GUI thread: so every public signal is emitted on the GUI thread, and no worker ever
touches a widget or reads GUI state.

Snapshots that arrive faster than the GUI takes them are coalesced: a burst of 200 deliveries
is one update to the GUI with the latest picture, not 200 queued ones.

Signals (all on the GUI thread):
- itemsChanged(list): every waiting/acknowledged Inquiry, most urgent first, when the set changed.
- healthChanged(str, object): account name and its new AccountHealth, once per change.
- snapshotChanged(object): the whole WatchSnapshot after every change (tray summary, tooltip).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from PySide6.QtCore import QObject, Qt, Signal, Slot

from trayapp.core.model import AccountConfig, AccountHealth, Inquiry
from trayapp.mail.service import WatchSnapshot


class WatchSource(Protocol):
    """What the bridge needs of mail.service.WatchService."""

    def subscribe(self, listener: Callable[[WatchSnapshot], None]) -> Callable[[], None]: ...

    def retry_now(self, account: str | None = None) -> None: ...

    def refresh(self) -> None: ...

    def set_accounts(
        self, accounts: Iterable[AccountConfig], *, forget: Iterable[str] = ()
    ) -> None: ...


class WatchBridge(QObject):
    itemsChanged = Signal(list)
    healthChanged = Signal(str, object)
    snapshotChanged = Signal(object)
    _delivered = Signal()  # from the service's thread; queued to the GUI thread

    def __init__(self, service: WatchSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._snapshot: WatchSnapshot | None = None
        self._items: list[Inquiry] = []
        self._health: dict[str, AccountHealth] = {}
        self._latest: WatchSnapshot | None = None  # delivered, not yet taken (guarded)
        self._latest_lock = threading.Lock()  # held for an assignment only, never across I/O
        self._delivered.connect(self._on_snapshot, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe: Callable[[], None] | None = service.subscribe(self._deliver)

    def _deliver(self, snapshot: WatchSnapshot) -> None:
        # Service thread: keep the latest; post one wake-up unless one is already on its way.
        with self._latest_lock:
            posted = self._latest is not None
            self._latest = snapshot
        if not posted:
            self._delivered.emit()

    # ---- state, as last delivered (GUI thread)

    @property
    def snapshot(self) -> WatchSnapshot | None:
        return self._snapshot

    @property
    def items(self) -> list[Inquiry]:
        return list(self._items)

    @property
    def health(self) -> Mapping[str, AccountHealth]:
        return dict(self._health)

    # ---- the user's requests, handed to the service

    @Slot()
    @Slot(str)
    def retryNow(self, account: str | None = None) -> None:
        self._service.retry_now(account or None)

    @Slot()
    def refresh(self) -> None:
        """After the user dismissed, ignored or acknowledged something."""
        self._service.refresh()

    def set_accounts(
        self, accounts: Iterable[AccountConfig], *, forget: Iterable[str] = ()
    ) -> None:
        """Watch these accounts; `forget` names removed accounts whose stored state goes."""
        self._service.set_accounts(accounts, forget=forget)

    def close(self) -> None:
        """Stop listening (the service itself is stopped by its owner)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # ---- GUI thread

    @Slot()
    def _on_snapshot(self) -> None:
        with self._latest_lock:
            snapshot, self._latest = self._latest, None
        if self._unsubscribe is None or snapshot is None:
            return  # closed; a snapshot was still queued
        # Queued delivery keeps the service's order, so the latest arrival is the latest state.
        previous = self._snapshot
        self._snapshot = snapshot
        items = list(snapshot.items)
        if previous is None or items != self._items:
            self._items = items
            self.itemsChanged.emit(list(items))
        for name, health in snapshot.health.items():
            if self._health.get(name) != health:
                self._health[name] = health
                self.healthChanged.emit(name, health)
        for name in [n for n in self._health if n not in snapshot.health]:
            del self._health[name]  # the account was removed
        self.snapshotChanged.emit(snapshot)
