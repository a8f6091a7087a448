"""core.dismissed_ids: the arrays behave like the set and dict they replace."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trayapp.core.dismissed_ids import (
    ItemIds,
    SetAsideIds,
    SetAsideTable,
    id_number,
    id_text,
    message_key,
)
from trayapp.core.pending import item_id_for_key

# Real item ids, plus ids an old or damaged state file could hold.
_real_ids = st.integers(0, 40).map(lambda n: item_id_for_key("shop", f"m{n}@example.jp"))
_odd_ids = st.sampled_from(["", "id0", "ABCDEF012345", "0123456789abc", "g23456789abc", "１２"])
_ids = st.one_of(_real_ids, _odd_ids)


@given(st.lists(_ids), _ids)
def test_item_ids_hold_what_a_frozenset_holds(ids: list[str], probe: str) -> None:
    compact = ItemIds(ids)
    plain = frozenset(ids)
    assert len(compact) == len(plain)
    assert set(compact) == plain
    assert (probe in compact) == (probe in plain)
    assert compact == plain and plain == compact
    assert compact == ItemIds(reversed(ids))
    assert hash(compact) == hash(ItemIds(reversed(ids)))


def test_item_ids_are_not_fooled_by_look_alikes() -> None:
    real = item_id_for_key("shop", "a@example.jp")
    ids = ItemIds([real])
    assert real in ids
    assert real.upper() not in ids  # int("ABC..", 16) would match without the digit check
    assert f" {real[1:]}" not in ids
    assert int(real, 16) not in ids
    assert ItemIds() != ids and not ItemIds()


@given(st.integers(0, 2**48 - 1))
def test_an_id_number_round_trips(number: int) -> None:
    assert id_number(id_text(number)) == number


def test_a_message_key_is_zero_only_without_a_message_id() -> None:
    assert message_key(None) == 0
    assert message_key("a@example.jp") == message_key("a@example.jp") != 0
    assert message_key("a@example.jp") != message_key("b@example.jp")


_uids = st.integers(1, 30)
_message_ids = st.one_of(st.none(), st.sampled_from(["a@x", "b@x", "c@x"]))
_steps = st.lists(
    st.one_of(
        st.tuples(st.just("add"), _uids, _real_ids, _message_ids),
        st.tuples(st.just("remove"), st.sets(_uids)),
        st.tuples(st.just("clear")),
    ),
    max_size=30,
)


@given(_steps)
def test_the_set_aside_table_behaves_like_a_dict(steps: list[tuple[object, ...]]) -> None:
    table = SetAsideTable()
    model: dict[int, tuple[str, str | None]] = {}
    for step in steps:
        match step:
            case ("add", int(uid), str(item), message_id):
                assert message_id is None or isinstance(message_id, str)
                table.add(uid, item, message_id)
                model[uid] = (item, message_id)
            case ("remove", set(uids)):
                table.remove(uids)
                for uid in uids:
                    model.pop(uid, None)
            case ("clear",):
                table.clear()
                model.clear()
        assert len(table) == len(model) and bool(table) == bool(model)
        assert sorted(table.uids()) == sorted(model)
        assert all(uid in table for uid in model) and 0 not in table and -1 not in table
        assert {uid: (item, key) for uid, item, key in table.entries()} == {
            uid: (item, message_key(mid)) for uid, (item, mid) in model.items()
        }
        # The published picture: item id -> key (an item id names one message; were it on
        # two, either key may be kept).
        picture = table.picture()
        keys: dict[str, set[int]] = {}
        for item, mid in model.values():
            keys.setdefault(item, set()).add(message_key(mid))
        assert all(picture[item] in keys[item] for item in keys)
        assert set(picture) == {item for item, _ in model.values()}
        assert picture.ids() == frozenset(item for item, _ in model.values())


def test_a_picture_answers_lookups_and_refuses_what_it_lacks() -> None:
    a = item_id_for_key("shop", "a@example.jp")
    b = item_id_for_key("shop", "b@example.jp")
    picture = SetAsideIds([(a, message_key("a@example.jp")), (b, 0)])
    assert picture[a] == message_key("a@example.jp") and picture[b] == 0
    for missing in (item_id_for_key("shop", "c@example.jp"), "id0", ""):
        with pytest.raises(KeyError):
            picture[missing]
    assert picture.get("nope", -1) == -1


def test_the_table_takes_only_ids_ippo_makes() -> None:
    with pytest.raises(ValueError):
        SetAsideTable().add(1, "id0", None)
