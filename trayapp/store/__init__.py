"""SQLite state: accounts' sync state, the last known waiting set, dismissals, notifications sent
and the acknowledgements journal. See trayapp.store.db."""

from trayapp.core.promise import AckState
from trayapp.store.db import (
    ACK_STATES,
    STATE_FILE,
    AckExists,
    AckRecord,
    DismissKind,
    StateStore,
    StoreError,
    SyncState,
)

__all__ = [
    "ACK_STATES",
    "STATE_FILE",
    "AckExists",
    "AckRecord",
    "AckState",
    "DismissKind",
    "StateStore",
    "StoreError",
    "SyncState",
]
