"""The waiting rules (core/pending.py) and the countdown stages (core/stages.py).

Messages are the corpus's real-shaped mail run through the real header parser, so these tests
also prove that what parse_headers produces is what the rules need.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.support import mailcorpus as corpus
from trayapp.core.headers import parse_headers
from trayapp.core.model import (
    AccountConfig,
    Inquiry,
    ItemState,
    MessageFacts,
    MessageHeaders,
    Stage,
)
from trayapp.core.pending import (
    item_id,
    lookback_start,
    replied_message_ids,
    sort_by_urgency,
    waiting_inquiries,
)
from trayapp.core.stages import format_time_left, next_stage_change, stage_at, stage_starts

JST = timezone(timedelta(hours=9))
NOW = datetime(2024, 5, 8, 12, 0, tzinfo=JST)
SHOP = "shop@example.test"
ACCOUNT = AccountConfig(name="shop", email=SHOP, imap_host="imap.example.test")


def facts(
    message: bytes,
    uid: int,
    received_at: datetime,
    flags: Sequence[str] = (),
    *,
    uidvalidity: int = 1,
    folder: str = "INBOX",
) -> MessageFacts:
    return MessageFacts(
        folder=folder,
        uidvalidity=uidvalidity,
        uid=uid,
        received_at=received_at,
        flags=frozenset(flags),
        headers=parse_headers(corpus.header_block(message)),
    )


def sent(*messages: bytes) -> frozenset[str]:
    """What the engine would compute from Sent, fetching only SENT_HEADER_FIELDS."""
    return replied_message_ids(parse_headers(corpus.header_block(m)) for m in messages)


def waiting(
    inbox: Iterable[MessageFacts],
    replied: Iterable[str] = (),
    *,
    account: AccountConfig = ACCOUNT,
    now: datetime = NOW,
    **kwargs: object,
) -> list[Inquiry]:
    return waiting_inquiries(account, list(inbox), frozenset(replied), now, **kwargs)  # type: ignore[arg-type]


def ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


# --- what waits ----------------------------------------------------------------------------------


def test_an_inquiry_waits_with_its_clock_from_internaldate() -> None:
    # The Date header says a week earlier: the clock ignores it.
    message = corpus.english_inquiry(message_id="q1@example.test", date=NOW - timedelta(days=6))
    [item] = waiting([facts(message, 7, ago(3))])
    assert item.message_id == "q1@example.test"
    assert item.received_at == ago(3)
    assert item.due_at == ago(3) + timedelta(hours=24)
    assert item.state is ItemState.WAITING
    assert item.sender == f"{corpus.EN_CUSTOMER_NAME} <jane.miller@example.test>"
    assert item.subject == corpus.EN_SUBJECT
    assert (item.account, item.folder, item.uidvalidity, item.uid) == ("shop", "INBOX", 1, 7)


def test_japanese_inquiry_waits_with_decoded_sender_and_subject() -> None:
    [item] = waiting([facts(corpus.japanese_iso2022jp_inquiry(), 1, ago(1))])
    assert item.subject == corpus.JA_SUBJECT
    assert item.sender.startswith(corpus.JA_CUSTOMER_NAME)


def test_the_account_window_sets_the_due_time() -> None:
    account = AccountConfig(name="s", email=SHOP, imap_host="h", window_hours=4)
    [item] = waiting([facts(corpus.english_inquiry(), 1, ago(1))], account=account)
    assert item.due_at == ago(1) + timedelta(hours=4)


def test_lookback_excludes_older_mail_and_keeps_the_boundary() -> None:
    start = lookback_start(ACCOUNT, NOW)
    assert start == NOW - timedelta(days=7)
    inbox = [
        facts(corpus.english_inquiry(message_id="old@x.test"), 1, start - timedelta(seconds=1)),
        facts(corpus.english_inquiry(message_id="edge@x.test"), 2, start),
        facts(corpus.english_inquiry(message_id="new@x.test"), 3, ago(1)),
    ]
    assert [i.message_id for i in waiting(inbox)] == ["edge@x.test", "new@x.test"]
    short = AccountConfig(name="s", email=SHOP, imap_host="h", lookback_days=1)
    assert [i.message_id for i in waiting(inbox, account=short)] == ["new@x.test"]


def test_read_is_not_answered() -> None:
    inbox = [facts(corpus.english_inquiry(), 1, ago(1), ["\\Seen", "\\Flagged"])]
    assert len(waiting(inbox)) == 1


@pytest.mark.parametrize("flag", ["\\Answered", "\\ANSWERED", "\\answered"])
def test_answered_flag_means_answered(flag: str) -> None:
    inbox = [facts(corpus.english_inquiry(), 1, ago(1), ["\\Seen", flag])]
    assert waiting(inbox) == []


def test_replied_via_in_reply_to() -> None:
    inquiry = facts(corpus.english_inquiry(message_id="q1@example.test"), 1, ago(5))
    reply = corpus.our_reply(in_reply_to="q1@example.test", references=["other@example.test"])
    assert "q1@example.test" in sent(reply)
    assert waiting([inquiry], sent(reply)) == []


def test_replied_via_references_only() -> None:
    inquiry = facts(corpus.shift_jis_inquiry(message_id="q2@example.test"), 1, ago(5))
    reply = corpus.our_reply_references_only(references=["q2@example.test"])
    assert parse_headers(corpus.header_block(reply)).in_reply_to == ()
    assert waiting([inquiry], sent(reply)) == []


def test_a_reply_to_a_thread_answers_its_earlier_messages() -> None:
    first = facts(corpus.english_inquiry(message_id="q1@example.test"), 1, ago(9))
    second = facts(
        corpus.customer_follow_up(message_id="q2@example.test", in_reply_to="q1@example.test"),
        2,
        ago(8),
    )
    reply = corpus.our_reply(
        in_reply_to="q2@example.test", references=["q1@example.test", "q2@example.test"]
    )
    assert waiting([first, second], sent(reply)) == []


def test_a_follow_up_after_our_reply_waits_again() -> None:
    inquiry = facts(corpus.english_inquiry(message_id="q1@example.test"), 1, ago(30))
    reply = corpus.our_reply(message_id="r1@example.test", in_reply_to="q1@example.test")
    follow_up = facts(
        corpus.customer_follow_up(
            message_id="q2@example.test",
            in_reply_to="r1@example.test",
            references=["q1@example.test", "r1@example.test"],
        ),
        2,
        ago(2),
    )
    [item] = waiting([inquiry, follow_up], sent(reply))
    assert item.message_id == "q2@example.test"
    assert item.references == ("q1@example.test", "r1@example.test")
    assert item.due_at == ago(2) + timedelta(hours=24)


def test_an_unrelated_reply_answers_nothing() -> None:
    inquiry = facts(corpus.english_inquiry(message_id="q1@example.test"), 1, ago(1))
    reply = corpus.our_reply(in_reply_to="someone-else@example.test")
    assert len(waiting([inquiry], sent(reply))) == 1


def test_duplicates_count_once_with_the_first_arrival() -> None:
    """The same message delivered twice (to two of our aliases, say) is one inquiry."""
    message = corpus.english_inquiry(message_id="dup@example.test")
    inbox = [facts(message, 9, ago(1)), facts(message, 4, ago(3))]
    [item] = waiting(inbox)
    assert item.uid == 4
    assert item.received_at == ago(3)


def test_a_duplicate_whose_other_copy_is_flagged_answered_is_answered() -> None:
    message = corpus.english_inquiry(message_id="dup@example.test")
    inbox = [facts(message, 1, ago(3), ["\\Answered"]), facts(message, 2, ago(1))]
    assert waiting(inbox) == []


def test_messages_without_message_id_are_never_merged() -> None:
    first = corpus.broken_headers_message(from_addr="a@example.test")
    second = corpus.broken_headers_message(from_addr="b@example.test")
    items = waiting([facts(first, 1, ago(2)), facts(second, 2, ago(1))])
    assert [i.message_id for i in items] == [None, None]
    assert items[0].id != items[1].id


@pytest.mark.parametrize(
    "message",
    [
        corpus.message_from_self(),
        corpus.gmail_vacation_reply(),
        corpus.outlook_out_of_office_ja(),
        corpus.newsletter(),
        corpus.mailing_list_post(),
        corpus.bounce(),
        corpus.noreply_notification(),
    ],
    ids=["self", "vacation", "oof", "newsletter", "list", "bounce", "noreply"],
)
def test_non_inquiries_never_wait(message: bytes) -> None:
    assert waiting([facts(message, 1, ago(1))]) == []


def test_self_mail_from_an_alias_never_waits() -> None:
    account = AccountConfig(name="s", email=SHOP, imap_host="h", aliases=("Orders@Example.Test",))
    message = corpus.english_inquiry(from_addr="orders@example.test")
    assert waiting([facts(message, 1, ago(1))], account=account) == []


def test_ignored_senders_case_insensitive() -> None:
    inbox = [
        facts(corpus.english_inquiry(from_addr="pest@example.test"), 1, ago(1)),
        facts(corpus.english_inquiry(from_addr="friend@example.test"), 2, ago(1)),
    ]
    items = waiting(inbox, ignored_senders=["PEST@example.test"])
    assert [i.sender_addr for i in items] == ["friend@example.test"]


def test_dismissed_ids() -> None:
    inbox = [
        facts(corpus.english_inquiry(message_id="a@x.test"), 1, ago(2)),
        facts(corpus.english_inquiry(message_id="b@x.test"), 2, ago(1)),
    ]
    first = waiting(inbox)
    items = waiting(inbox, dismissed_ids={first[0].id})
    assert [i.message_id for i in items] == ["b@x.test"]


def test_most_urgent_first() -> None:
    inbox = [
        facts(corpus.english_inquiry(message_id="new@x.test"), 1, ago(1)),
        facts(corpus.english_inquiry(message_id="old@x.test"), 2, ago(20)),
        facts(corpus.english_inquiry(message_id="mid@x.test"), 3, ago(10)),
        facts(corpus.english_inquiry(message_id="overdue@x.test"), 4, ago(30)),
    ]
    order = [i.message_id for i in waiting(inbox)]
    assert order == ["overdue@x.test", "old@x.test", "mid@x.test", "new@x.test"]


def test_sort_by_urgency_across_accounts_and_promises() -> None:
    def inquiry(account: str, due: datetime, promise: datetime | None = None) -> Inquiry:
        return Inquiry(
            id=f"{account}-{due.isoformat()}",
            account=account,
            folder="INBOX",
            uidvalidity=1,
            uid=1,
            message_id=None,
            sender="x",
            sender_addr="x",
            subject="s",
            received_at=due - timedelta(hours=24),
            due_at=due,
            state=ItemState.ACKNOWLEDGED if promise else ItemState.WAITING,
            promise_due_at=promise,
        )

    soon = inquiry("b", NOW + timedelta(hours=1))
    later = inquiry("a", NOW + timedelta(hours=5))
    # Acknowledged: its window was due long ago, but the promise it made is what counts now.
    promised = inquiry("a", NOW - timedelta(hours=3), promise=NOW + timedelta(hours=3))
    assert sort_by_urgency([later, promised, soon]) == [soon, promised, later]


# --- ids -----------------------------------------------------------------------------------------


def test_item_id_is_stable_and_survives_uidvalidity_change() -> None:
    message = corpus.english_inquiry(message_id="q1@example.test")
    a = facts(message, 1, ago(1))
    b = facts(message, 999, ago(1), uidvalidity=2)
    assert item_id("shop", a) == item_id("shop", b)
    assert item_id("shop", a) != item_id("other", a)
    assert len(item_id("shop", a)) == 12


def test_item_id_without_message_id_uses_the_uid() -> None:
    message = corpus.broken_headers_message()
    assert item_id("shop", facts(message, 1, ago(1))) != item_id("shop", facts(message, 2, ago(1)))
    assert item_id("shop", facts(message, 1, ago(1))) == item_id("shop", facts(message, 1, ago(2)))


def test_to_json_has_the_promised_fields() -> None:
    [item] = waiting([facts(corpus.english_inquiry(message_id="q@x.test"), 5, ago(1))])
    data = item.to_json()
    for key in ("id", "account", "message_id", "sender", "subject", "received_at", "due_at"):
        assert key in data
    assert data["state"] == "waiting"
    assert data["received_at"] == ago(1).isoformat()
    assert datetime.fromisoformat(str(data["due_at"])).utcoffset() is not None


def test_replied_message_ids_collects_in_reply_to_and_references() -> None:
    headers = [
        MessageHeaders(in_reply_to=("a@x",), references=("r@x", "a@x")),
        MessageHeaders(references=("b@x",)),
        MessageHeaders(),
    ]
    assert replied_message_ids(headers) == frozenset({"a@x", "r@x", "b@x"})


# --- stages --------------------------------------------------------------------------------------

WARNING = timedelta(hours=4)
URGENT = timedelta(hours=1)
DEADLINE = datetime(2024, 5, 9, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("left", "stage"),
    [
        (timedelta(hours=10), Stage.CALM),
        (timedelta(hours=4, seconds=1), Stage.CALM),
        (timedelta(hours=4), Stage.WARNING),
        (timedelta(hours=1, seconds=1), Stage.WARNING),
        (timedelta(hours=1), Stage.URGENT),
        (timedelta(seconds=1), Stage.URGENT),
        (timedelta(0), Stage.OVERDUE),
        (timedelta(hours=-5), Stage.OVERDUE),
    ],
)
def test_stage_at(left: timedelta, stage: Stage) -> None:
    assert stage_at(DEADLINE, DEADLINE - left, WARNING, URGENT) is stage


def test_stage_ranks_are_ordered() -> None:
    ranks = [s.rank for s in (Stage.CALM, Stage.WARNING, Stage.URGENT, Stage.OVERDUE)]
    assert ranks == sorted(ranks) and len(set(ranks)) == 4


def test_stage_starts() -> None:
    assert stage_starts(DEADLINE, WARNING, URGENT) == {
        Stage.WARNING: DEADLINE - WARNING,
        Stage.URGENT: DEADLINE - URGENT,
        Stage.OVERDUE: DEADLINE,
    }


def test_next_stage_change_walks_every_boundary_then_stops() -> None:
    now = DEADLINE - timedelta(hours=10)
    seen = []
    while (change := next_stage_change(DEADLINE, now, WARNING, URGENT)) is not None:
        assert change > now
        seen.append((change, stage_at(DEADLINE, change, WARNING, URGENT)))
        now = change
    assert seen == [
        (DEADLINE - WARNING, Stage.WARNING),
        (DEADLINE - URGENT, Stage.URGENT),
        (DEADLINE, Stage.OVERDUE),
    ]


def test_next_stage_change_from_exactly_a_boundary_is_the_next_one() -> None:
    assert next_stage_change(DEADLINE, DEADLINE - WARNING, WARNING, URGENT) == DEADLINE - URGENT


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (timedelta(hours=3, minutes=59), "3h"),
        (timedelta(minutes=45), "45m"),
        (timedelta(seconds=30), "1m"),
        (timedelta(0), "0m"),
        (timedelta(hours=47, minutes=59), "47h"),
        (timedelta(hours=48), "2d"),
        (timedelta(days=3, hours=5), "3d"),
        (timedelta(hours=-3), "-3h"),
        (timedelta(minutes=-20), "-20m"),
        (timedelta(seconds=-30), "-1m"),
        (timedelta(days=-3), "-3d"),
    ],
)
def test_format_time_left(left: timedelta, text: str) -> None:
    assert format_time_left(left) == text


def test_a_shared_message_id_hides_no_second_inquiry() -> None:
    """Two different messages with one Message-ID are two inquiries; each id is stable
    whatever order the server lists them in; the first keeps the plain (pre-existing) id, so
    a dismissal recorded under it still applies to it, and only to it."""
    first = corpus.english_inquiry(message_id="same@example.test", subject="Order 1")
    second = corpus.english_inquiry(
        message_id="same@example.test", subject="Invoice", from_addr="evil@example.test"
    )
    inbox = [facts(first, 1, ago(3)), facts(second, 2, ago(2)), facts(first, 3, ago(1))]
    items = waiting(inbox)
    assert sorted(i.uid for i in items) == [1, 2]
    plain = item_id("shop", inbox[0])
    assert {i.uid: i.id for i in items}[1] == plain
    assert {i.id for i in waiting(list(reversed(inbox)))} == {i.id for i in items}
    [left] = waiting(inbox, dismissed_ids={plain})
    assert left.uid == 2
    # \Answered on the other message does not answer this one.
    flagged = [facts(first, 1, ago(3), ["\\Answered"]), facts(second, 2, ago(2))]
    assert [i.uid for i in waiting(flagged)] == [2]
