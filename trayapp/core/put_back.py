"""Which dismissals of earlier sessions can still be put back: those whose message the
inbox still holds. Pure: the watch service gives what its watcher knows and what the store
kept of each dismissal.

The watcher does not keep a dismissed INBOX message (bounded state), only its item id and
Message-ID while the server still has it ("set aside"); the store keeps the item as the
list showed it with the dismissal. A dismissed message the watcher does keep (another
folder, a copy sharing its Message-ID, a clock started at first sight) is listed as it is
now.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from trayapp.core.dismissed_ids import message_key
from trayapp.core.model import Inquiry


def still_dismissed(
    kept: Iterable[Inquiry],
    set_aside: Mapping[str, int],
    dismissals: Mapping[str, tuple[str, Inquiry | None]],
    replied_ids: Collection[str],
    ignored_senders: Collection[str],
) -> list[tuple[Inquiry, str]]:
    """The dismissed items a put back would list again, newest first.

    `kept`: what the account's last scan would list without the dismissals; `set_aside`:
    item id -> message_key of the Message-ID of the dismissed messages the watcher set aside
    (core.dismissed_ids; 0 without one); `dismissals`:
    item id -> (kind, the item as shown when dismissed, None when not kept). A set-aside
    message since answered from Sent, or from a sender ignored since, would not come back,
    so it is not offered."""
    found: dict[str, tuple[Inquiry, str]] = {}
    for item in kept:
        if item.id in dismissals:
            found[item.id] = (item, dismissals[item.id][0])
    ignored = {s.strip().lower() for s in ignored_senders}
    replied = {message_key(m) for m in replied_ids}
    for item_id, key in set_aside.items():
        kind, shown = dismissals.get(item_id, (None, None))
        if kind is None or shown is None or item_id in found:
            continue
        if key and key in replied:
            continue
        if shown.sender_addr.strip().lower() in ignored:
            continue
        found[item_id] = (shown, kind)
    return sorted(found.values(), key=lambda pair: (pair[0].received_at, pair[0].id), reverse=True)


__all__ = ["still_dismissed"]
