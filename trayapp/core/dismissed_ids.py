"""What a watcher remembers of dismissed messages, kept as arrays of numbers.

A watcher remembers every dismissal its look-back can still show: the dismissed item ids,
and for each message it set aside its UID, item id and Message-ID. Kept as Python strings
and tuples, those are thousands of small objects made while a burst of mail is in memory;
they outlive the burst in the allocator's arenas it filled and keep them from being handed
back. Here each entry is a few numbers in one array (one allocation, whatever the count).

Item ids (core.pending.item_id) are 12 hex digits: one 48-bit number each. A Message-ID
is kept as its `message_key`, a 64-bit hash: the watcher only asks whether two messages
name the same Message-ID. Within one process the hash is stable; a collision (odds 2**-64)
only makes the watcher fetch a set-aside message again.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Collection, Iterable, Iterator, Mapping, Set

_ID_DIGITS = 12
_HEX = frozenset("0123456789abcdef")


def id_number(item_id: str) -> int | None:
    """The 48-bit number of an item id (12 lower-case hex digits), else None."""
    if len(item_id) != _ID_DIGITS or not _HEX.issuperset(item_id):
        return None
    return int(item_id, 16)


def id_text(number: int) -> str:
    return f"{number:012x}"


def message_key(message_id: str | None) -> int:
    """A Message-ID as a number for equality tests within this process; 0 without one."""
    return 0 if message_id is None else hash(message_id) or 1


def _sorted_numbers(numbers: Iterable[int]) -> array[int]:
    return array("Q", sorted(set(numbers)))


def _index(numbers: array[int], number: int) -> int | None:
    """Where `number` is in the sorted `numbers`, or None."""
    at = bisect_left(numbers, number)
    return at if at < len(numbers) and numbers[at] == number else None


def _sorted_pairs(keys: Mapping[int, int]) -> tuple[array[int], array[int]]:
    """Item numbers in order and the key of each, as two arrays."""
    numbers = sorted(keys)
    return array("Q", numbers), array("q", (keys[n] for n in numbers))


class ItemIds(Set[str]):
    """An immutable set of item ids. Ids that are not 12 hex digits (none Ippo makes; a
    state file could hold one) are kept as they are."""

    __slots__ = ("_numbers", "_others")

    def __init__(self, item_ids: Iterable[str] = ()) -> None:
        numbers: list[int] = []
        others: list[str] = []
        for item_id in item_ids:
            number = id_number(item_id)
            if number is None:
                others.append(item_id)
            else:
                numbers.append(number)
        self._numbers = _sorted_numbers(numbers)
        self._others = frozenset(others)

    def __contains__(self, item_id: object) -> bool:
        if not isinstance(item_id, str):
            return False
        number = id_number(item_id)
        if number is None:
            return item_id in self._others
        return _index(self._numbers, number) is not None

    def __iter__(self) -> Iterator[str]:
        yield from map(id_text, self._numbers)
        yield from self._others

    def __len__(self) -> int:
        return len(self._numbers) + len(self._others)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ItemIds):
            return self._numbers == other._numbers and self._others == other._others
        return super().__eq__(other)

    def __hash__(self) -> int:
        return hash((self._numbers.tobytes(), self._others))

    def __repr__(self) -> str:
        return f"ItemIds({sorted(self)!r})"


class SetAsideIds(Mapping[str, int]):
    """An immutable picture of the messages a watcher set aside: item id -> message_key of
    its Message-ID (0 without one)."""

    __slots__ = ("_ids", "_keys")

    def __init__(self, entries: Iterable[tuple[str, int]] = ()) -> None:
        numbered = {n: key for item, key in entries if (n := id_number(item)) is not None}
        self._ids, self._keys = _sorted_pairs(numbered)

    def __getitem__(self, item_id: str) -> int:
        number = id_number(item_id)
        at = _index(self._ids, number) if number is not None else None
        if at is None:
            raise KeyError(item_id)
        return self._keys[at]

    def __iter__(self) -> Iterator[str]:
        return map(id_text, self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def ids(self) -> ItemIds:
        return ItemIds(self)

    def __repr__(self) -> str:
        return f"SetAsideIds({dict(self.items())!r})"


class SetAsideTable:
    """The INBOX messages a watcher set aside (dismissed, on the server, not kept): UID ->
    (item id, message_key). Changed by its one watcher thread only."""

    __slots__ = ("_ids", "_keys", "_uids")

    def __init__(self) -> None:
        self._uids: array[int] = array("Q")
        self._ids: array[int] = array("Q")
        self._keys: array[int] = array("q")

    def __len__(self) -> int:
        return len(self._uids)

    def __bool__(self) -> bool:
        return bool(self._uids)

    def __contains__(self, uid: object) -> bool:
        return isinstance(uid, int) and uid >= 0 and uid in self._uids

    def uids(self) -> list[int]:
        return self._uids.tolist()

    def add(self, uid: int, item_id: str, message_id: str | None) -> None:
        """Set aside one message (its item id must be one Ippo makes: 12 hex digits)."""
        number = id_number(item_id)
        if number is None:
            raise ValueError(f"not an item id: {item_id!r}")
        if uid in self._uids:  # a scan in C; remove() rebuilds the arrays
            self.remove((uid,))
        self._uids.append(uid)
        self._ids.append(number)
        self._keys.append(message_key(message_id))

    def remove(self, uids: Collection[int]) -> None:
        if not uids or not self._uids:
            return
        kept = [at for at, uid in enumerate(self._uids) if uid not in uids]
        if len(kept) == len(self._uids):
            return
        self._uids = array("Q", (self._uids[at] for at in kept))
        self._ids = array("Q", (self._ids[at] for at in kept))
        self._keys = array("q", (self._keys[at] for at in kept))

    def clear(self) -> None:
        self._uids, self._ids, self._keys = array("Q"), array("Q"), array("q")

    def entries(self) -> Iterator[tuple[int, str, int]]:
        """(UID, item id, message_key) of each message set aside."""
        for uid, number, key in zip(self._uids, self._ids, self._keys, strict=True):
            yield uid, id_text(number), key

    def picture(self) -> SetAsideIds:
        picture = SetAsideIds()
        picture._ids, picture._keys = _sorted_pairs(dict(zip(self._ids, self._keys, strict=True)))
        return picture


__all__ = ["ItemIds", "SetAsideIds", "SetAsideTable", "id_number", "id_text", "message_key"]
