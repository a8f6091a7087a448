"""Acknowledgements that failed: shown as "not sent -- send now?", never sent later on their own.

The journal (trayapp/store/db.py) keeps every acknowledgement from before it is sent. One that
failed -- the keyring was locked, the server refused it, the process died before or while
sending -- stays there. It is not sent at the next start: its promise date would be stale, and
the user may have answered another way meanwhile. Instead the item shows it, and the user sends
a new one (with a promise computed then) or leaves it.

"In doubt" is the dangerous half: the server was being asked to accept the message (the claim
was taken) when things broke, so it may have reached the customer. Those are checked against
the mailbox first and only ever sent again after the user said so. Pure: values in, values out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from trayapp.core.model import Inquiry, UnsentAck
from trayapp.core.promise import Acknowledgement, AckState, latest_acks

# A claim or a record younger than this may belong to a process still talking to the SMTP
# server (one send ends within ServerLimits.send_seconds, 120 s by default): until then it is
# "being sent", not "not sent".
IN_FLIGHT_GRACE = timedelta(seconds=120)

NEVER_SENT = "interrupted before it was sent"
MAYBE_SENT = "interrupted while the server was accepting it: it may have gone out"


def unsent(ack: Acknowledgement, now: datetime) -> UnsentAck | None:
    """What the user should be told about `ack`, or None when it went out, was closed, or may
    still be on its way."""
    if ack.state is AckState.FAILED:
        doubt = ack.attempted_at is not None
        reason = ack.error or (MAYBE_SENT if doubt else NEVER_SENT)
        return UnsentAck(ack.message_id, reason, doubt, ack.recorded_at)
    if ack.state is not AckState.RECORDED:
        return None
    started = ack.attempted_at or ack.recorded_at
    if now - started < IN_FLIGHT_GRACE:
        return None  # perhaps still being sent by another window or command
    if ack.attempted_at is None:
        return UnsentAck(ack.message_id, ack.error or NEVER_SENT, False, ack.recorded_at)
    return UnsentAck(ack.message_id, MAYBE_SENT, True, ack.recorded_at)


def mark_unsent(
    inquiries: Iterable[Inquiry], acks: Iterable[Acknowledgement], now: datetime
) -> list[Inquiry]:
    """`inquiries` (order kept) with `unsent_ack` set where the latest acknowledgement of the
    item did not reach the customer. Items that no longer wait are not brought back."""
    problems: dict[str, UnsentAck] = {}
    for key, ack in latest_acks(acks).items():
        problem = unsent(ack, now)
        if problem is not None:
            problems[key] = problem
    if not problems:
        return list(inquiries)
    return [
        replace(item, unsent_ack=problems.get(f"{item.account}\0{item.id}", item.unsent_ack))
        for item in inquiries
    ]
