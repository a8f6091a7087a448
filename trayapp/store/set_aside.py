"""What the user set aside from the list (D answered, N not an inquiry, I ignore the sender),
written to the store, and put back exactly as it was.

No Qt: the GUI runs `set_aside` and `put_back` on its store TaskRunner, in order, so a put
back always follows its own write. Each is one store transaction: a failure (a full disk) or
a crash half-way leaves the item and its promise as they were, never dismissed with its
promise still open, nor listed again with the promise still kept. Each entry remembers what
its write changed (a promise closed, a sender who was already ignored), so putting it back
undoes that and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from trayapp.core.model import Inquiry, ItemState
from trayapp.core.promise import DELIVERED_STATES, AckState

if TYPE_CHECKING:
    from trayapp.store.db import StateStore

SetAsideKind = Literal["answered", "not_inquiry", "ignore_sender"]


@dataclass(eq=False)
class SetAside:
    """One action on one listed item. `item` is the row as it was (its subject and sender
    name the entry in the undo bar and the "recently set aside" list)."""

    kind: SetAsideKind
    item: Inquiry
    # Filled by set_aside (on the store's worker), read by put_back (same worker, later):
    kept_promises: dict[str, str] = field(default_factory=dict)  # ack message id -> old state
    already_ignored: bool = False
    undone: bool = False  # GUI thread: the user put it back

    @property
    def account(self) -> str:
        return self.item.account

    @property
    def address(self) -> str:
        return self.item.sender_addr.strip().lower()


def set_aside(store: StateStore, entry: SetAside) -> None:
    """Write the user's decision. "Answered" on an acknowledged item also keeps its promise
    (the acknowledgement is done: it is never counted again)."""
    item = entry.item
    kept: dict[str, str] = {}
    with store.transaction():  # the dismissal and the promise it keeps, together or not at all
        if entry.kind == "ignore_sender":
            already = entry.address in store.ignored_senders(item.account)
            store.ignore_sender(item.account, entry.address)
            entry.already_ignored = already
            return
        store.dismiss(item.account, item.id, entry.kind, shown=item)  # listed again later
        if entry.kind == "answered" and item.state is ItemState.ACKNOWLEDGED:
            for record in store.acks(item.account, item_id=item.id):
                if record.state in DELIVERED_STATES:
                    kept[record.message_id] = record.state
                    store.set_ack_state(record.message_id, AckState.DONE)
    entry.kept_promises.update(kept)  # only what was really written is undone later


def put_back(store: StateStore, entry: SetAside) -> None:
    """Undo `set_aside`: the dismissal or the ignored sender is removed, a promise it closed
    is open again. The next recompute lists the item again."""
    item = entry.item
    if entry.kind == "ignore_sender":
        if not entry.already_ignored:
            store.unignore_sender(item.account, entry.address)
        return
    with store.transaction():  # the promise open again and the item back, together
        for message_id, state in entry.kept_promises.items():
            store.set_ack_state(message_id, AckState(state))
        store.undismiss(item.account, item.id)
    entry.kept_promises.clear()


__all__ = ["SetAside", "SetAsideKind", "put_back", "set_aside"]
