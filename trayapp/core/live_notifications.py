"""Which notifications are on screen, and what each new one replaces or withdraws. Pure.

A delivery backend (D-Bus, native toasts) keeps one `LiveNotifications` with its own ids
(the server's uint32, a toast's tag). The rules:

- Replace, don't stack: a notification replaces the live one with its key (the same
  inquiry's earlier stage, or the earlier group); failing that, the live one of the first
  inquiry it covers. Any other live notification whose inquiries it all covers is closed.
  So each inquiry is in at most one live notification.
- Withdraw: a live notification is stale once none of its inquiries still waits with the
  deadline it told (answered, acknowledged -- a new promise is a new deadline -- or
  dismissed, here, in another mail client or from the phone).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from trayapp.core.notifications import NotificationText

Id = TypeVar("Id", bound=Hashable)


@dataclass(frozen=True)
class Shown(Generic[Id]):
    id: Id
    key: str
    covers: tuple[tuple[str, datetime], ...]

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item_id for item_id, _deadline in self.covers)


class LiveNotifications(Generic[Id]):
    def __init__(self) -> None:
        self._shown: dict[Id, Shown[Id]] = {}

    def __len__(self) -> int:
        return len(self._shown)

    def get(self, notification_id: Id) -> Shown[Id] | None:
        return self._shown.get(notification_id)

    def ids(self) -> list[Id]:
        return list(self._shown)

    def replaces(self, note: NotificationText) -> Id | None:
        """The live notification `note` should replace, if any."""
        for shown in self._shown.values():
            if shown.key == note.key:
                return shown.id
        for item_id in note.item_ids:
            for shown in self._shown.values():
                if item_id in shown.item_ids:
                    return shown.id
        return None

    def shown(self, note: NotificationText, notification_id: Id) -> list[Id]:
        """`note` is on screen as `notification_id`; returns the other live notifications it
        makes redundant (all their inquiries are in `note`), forgotten here: close them."""
        covered = set(note.item_ids)
        redundant = [
            shown.id
            for shown in self._shown.values()
            if shown.id != notification_id and shown.covers and set(shown.item_ids) <= covered
        ]
        for old in redundant:
            del self._shown[old]
        self._shown[notification_id] = Shown(notification_id, note.key, note.covers)
        return redundant

    def closed(self, notification_id: Id) -> Shown[Id] | None:
        """The server closed it (expired, dismissed, acted on): forget it."""
        return self._shown.pop(notification_id, None)

    def stale(self, waiting: Mapping[str, datetime]) -> list[Id]:
        """Live notifications none of whose inquiries still waits with the told deadline;
        forgotten here: withdraw them."""
        gone = [
            shown.id
            for shown in self._shown.values()
            if shown.covers  # one about no inquiry (an inbox, say) is replaced by its tag
            and not any(waiting.get(item_id) == deadline for item_id, deadline in shown.covers)
        ]
        for old in gone:
            del self._shown[old]
        return gone

    def covering(self, item_ids: Iterable[str]) -> list[Id]:
        """Live notifications that tell any of `item_ids`, forgotten here (snoozed: close)."""
        wanted = set(item_ids)
        found = [s.id for s in self._shown.values() if wanted & set(s.item_ids)]
        for old in found:
            del self._shown[old]
        return found
