"""Who a reply may go to without asking (core.recipients), what a failed acknowledgement shows
(core.unsent), and retiring a failed journal entry atomically (store)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from trayapp.core.model import Inquiry
from trayapp.core.promise import Acknowledgement, AckState
from trayapp.core.recipients import (
    MANY,
    OTHER_DOMAIN,
    check_recipients,
    is_form_sender,
)
from trayapp.core.unsent import IN_FLIGHT_GRACE, MAYBE_SENT, NEVER_SENT, mark_unsent, unsent
from trayapp.store.db import AckReplaced, StateStore

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
OWN = frozenset({"shop@shop.example.jp"})


def inquiry(sender: str = "taro@customer.example", *reply_to: str) -> Inquiry:
    return Inquiry(
        id="item-1",
        account="shop",
        folder="INBOX",
        uidvalidity=1,
        uid=1,
        message_id="q@customer.example",
        sender=f"Taro <{sender}>",
        sender_addr=sender,
        subject="Question",
        received_at=NOW - timedelta(hours=2),
        due_at=NOW + timedelta(hours=22),
        reply_to=reply_to,
    )


@pytest.mark.parametrize(
    ("sender", "reply_to", "reasons"),
    [
        ("taro@customer.example", (), ()),  # From only
        ("taro@customer.example", ("taro.sales@customer.example",), ()),  # same domain
        ("taro@mail.customer.example", ("taro@customer.example",), ()),  # subdomain
        ("taro@customer.example", ("x@attacker.example",), (OTHER_DOMAIN,)),
        ("taro@customer.example", tuple(f"a{i}@customer.example" for i in range(4)), (MANY,)),
        ("taro@customer.example", tuple(f"a{i}@customer.example" for i in range(3)), ()),
        # Form senders hand over the customer in Reply-To.
        ("noreply@forms.example", ("visitor@gmail.example",), ()),
        ("notifications@shop-platform.example", ("visitor@gmail.example",), ()),
        ("wordpress@shop.example.jp", ("visitor@gmail.example",), ()),  # own site's form
        ("mailer@shopify.com", ("visitor@gmail.example",), ()),
        ("form-submission@squarespace.info", ("visitor@gmail.example",), ()),
        # ... but never to more than three without asking.
        ("noreply@forms.example", tuple(f"v{i}@x{i}.example" for i in range(300)), (MANY,)),
        # A look-alike of a form service is not one.
        ("mailer@shopify.com.evil.example", ("visitor@gmail.example",), (OTHER_DOMAIN,)),
    ],
)
def test_when_the_user_must_confirm(
    sender: str, reply_to: tuple[str, ...], reasons: tuple[str, ...]
) -> None:
    check = check_recipients(inquiry(sender, *reply_to), OWN)
    assert check.reasons == reasons
    assert check.needs_confirmation == bool(reasons)
    assert check.recipients == (reply_to or (sender,))
    assert check.allowed[-1] == sender  # --to may always name From
    if reasons:
        assert check.describe().startswith("the reply ")


def test_describe_names_the_strangers_and_the_count() -> None:
    many = check_recipients(inquiry("t@c.example", *(f"v{i}@x.example" for i in range(300))))
    assert "300 addresses" in many.describe()
    other = check_recipients(inquiry("t@c.example", "x@attacker.example"))
    assert "x@attacker.example" in other.describe() and "another domain" in other.describe()


def test_form_sender_rule() -> None:
    assert is_form_sender("no-reply@anything.example")
    assert is_form_sender("wordpress@www.shop.example.jp", OWN)
    assert not is_form_sender("taro@customer.example", OWN)
    assert not is_form_sender("")


def ack(state: AckState, **extra: object) -> Acknowledgement:
    fields: dict[str, object] = dict(
        account="shop",
        item_id="item-1",
        message_id="ack-1@shop.example.jp",
        state=state,
        recorded_at=NOW - timedelta(hours=1),
        promise_due_at=NOW + timedelta(days=1),
        inquiry=inquiry(),
        id=1,
    )
    fields.update(extra)
    return Acknowledgement(**fields)  # type: ignore[arg-type]


def test_what_counts_as_not_sent() -> None:
    old = NOW - IN_FLIGHT_GRACE - timedelta(seconds=1)
    young = NOW - timedelta(seconds=5)
    assert unsent(ack(AckState.SENT), NOW) is None
    assert unsent(ack(AckState.FILED), NOW) is None
    assert unsent(ack(AckState.DONE), NOW) is None
    # A failure before anything was handed over: certainly not sent.
    failed = unsent(ack(AckState.FAILED, error="login failed"), NOW)
    assert failed is not None and not failed.in_doubt and failed.reason == "login failed"
    # A failure while the server was accepting it: it may have gone out.
    doubt = unsent(ack(AckState.FAILED, attempted_at=old), NOW)
    assert doubt is not None and doubt.in_doubt and doubt.reason == MAYBE_SENT
    # Recorded: being sent right now, or left behind by a crash.
    assert unsent(ack(AckState.RECORDED, recorded_at=young), NOW) is None
    left = unsent(ack(AckState.RECORDED, recorded_at=old), NOW)
    assert left is not None and not left.in_doubt and left.reason == NEVER_SENT
    assert unsent(ack(AckState.RECORDED, recorded_at=old, attempted_at=young), NOW) is None
    claimed = unsent(ack(AckState.RECORDED, recorded_at=old, attempted_at=old), NOW)
    assert claimed is not None and claimed.in_doubt


def test_mark_unsent_uses_the_latest_entry_and_keeps_the_list() -> None:
    waiting = [inquiry(), replace(inquiry(), id="item-2", uid=2)]
    failed = ack(AckState.FAILED, error="keyring locked")
    marked = mark_unsent(waiting, [failed], NOW)
    assert [i.id for i in marked] == ["item-1", "item-2"]
    assert marked[0].unsent_ack is not None and marked[0].unsent_ack.reason == "keyring locked"
    assert marked[1].unsent_ack is None
    assert marked[0].to_json()["unsent_ack"] == {
        "message_id": "ack-1@shop.example.jp",
        "reason": "keyring locked",
        "in_doubt": False,
        "recorded_at": failed.recorded_at.isoformat(),
    }
    # A newer acknowledgement that went out supersedes the failed one.
    newer = ack(AckState.FILED, message_id="ack-2@shop.example.jp", recorded_at=NOW, id=2)
    assert mark_unsent(waiting, [failed, newer], NOW)[0].unsent_ack is None
    # An item that no longer waits is not brought back by its failure.
    assert mark_unsent(waiting[1:], [failed], NOW) == waiting[1:]


def test_replacing_an_entry_retires_it_in_the_same_transaction(tmp_path: Path) -> None:
    with StateStore(tmp_path) as store:

        def record(message_id: str, replaces: tuple[str, datetime | None] | None = None) -> None:
            store.record_ack(
                item_id="item-1",
                account="shop",
                message_id=message_id,
                recipients=["taro@customer.example"],
                subject="Re: Question",
                raw=b"raw",
                promise_due_at=None,
                now=NOW,
                replaces=replaces,
            )

        record("old@shop.example.jp")
        record("new@shop.example.jp", replaces=("old@shop.example.jp", None))
        old = store.ack("old@shop.example.jp")
        assert old is not None and old.state == "failed" and old.attempted_at is not None
        assert "replaced by <new@shop.example.jp>" in (old.error or "")
        # Retired: nobody can claim it for sending any more, not even after a forced retry's
        # reset of its claim (two windows retrying one entry at once).
        assert not store.claim_ack_send("old@shop.example.jp")
        store.reset_ack_claim("old@shop.example.jp")
        assert not store.claim_ack_send("old@shop.example.jp")
        # Claimed meanwhile by someone else: nothing is recorded, the caller is told.
        record("third@shop.example.jp")
        assert store.claim_ack_send("third@shop.example.jp")
        with pytest.raises(AckReplaced):
            record("fourth@shop.example.jp", replaces=("third@shop.example.jp", None))
        assert store.ack("fourth@shop.example.jp") is None
        third = store.ack("third@shop.example.jp")
        assert third is not None and third.state == "recorded"
        # An entry in doubt is replaced only as it was read (its claim time matches).
        record("fifth@shop.example.jp", replaces=("third@shop.example.jp", third.attempted_at))
        third = store.ack("third@shop.example.jp")
        assert third is not None and third.state == "failed"
