"""Shared values for the GUI tests: inquiries shaped like the real thing."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from trayapp.core.model import Inquiry, ItemState
from trayapp.store.db import StateStore

NOW = datetime(2024, 6, 3, 9, 0, 30, tzinfo=UTC)


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """The UI in `language` ("en" or "ja") for the block, English again after it."""
    from PySide6.QtWidgets import QApplication

    from trayapp.ui.i18n import LanguageSwitcher

    switcher = LanguageSwitcher(QApplication.instance())  # type: ignore[arg-type]
    switcher.apply(language)
    try:
        yield
    finally:
        switcher.apply("en")


class Clock:
    """A settable clock for windows that take `clock=`."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def inquiry(
    ident: str,
    left: timedelta,
    sender: str = "田中 太郎 <tanaka@example.jp>",
    subject: str = "見積もりのお願い",
    *,
    preview: str = "",
    account: str = "shop",
    state: ItemState = ItemState.WAITING,
    promise_left: timedelta | None = None,
    uid: int = 1,
    now: datetime = NOW,
) -> Inquiry:
    due = now + left
    return Inquiry(
        id=ident,
        account=account,
        folder="INBOX",
        uidvalidity=7,
        uid=uid,
        message_id=f"{ident}@mail.example.jp",
        sender=sender,
        sender_addr=sender.rpartition("<")[2].rstrip(">").lower(),
        subject=subject,
        received_at=due - timedelta(hours=24),
        due_at=due,
        state=state,
        promise_due_at=now + promise_left if promise_left is not None else None,
        preview=preview,
    )


def record_filed_promise(store: StateStore, item_id: str, message_id: str) -> None:
    """An acknowledgement of `item_id` on "shop", delivered and filed: its promise is open."""
    store.record_ack(
        item_id=item_id,
        account="shop",
        message_id=message_id,
        recipients=["tanaka@example.jp"],
        subject="Re: 見積もりのお願い",
        raw=b"From: x\r\n\r\nbody\r\n",
        promise_due_at=NOW + timedelta(hours=20),
    )
    store.set_ack_state(message_id, "filed")


def sample_items(now: datetime = NOW) -> list[Inquiry]:
    return [
        inquiry(
            "calm",
            timedelta(hours=7, minutes=12),
            subject="見積もりのお願い（①髙橋様の件）",
            preview="いつもお世話になっております。\n先日ご相談した件について、お見積もりを…",
            uid=1,
            now=now,
        ),
        inquiry(
            "urgent",
            timedelta(minutes=42),
            "Alice Martin <alice@example.com>",
            "Order #4411 arrived damaged",
            preview="Hi, the parcel arrived today and the mug inside was broken.",
            uid=2,
            now=now,
        ),
        inquiry(
            "overdue",
            -timedelta(hours=2, minutes=5),
            "佐藤 花子 <hanako@example.jp>",
            "<b>返品について</b>",
            preview="<html><img src='http://tracker.example/x.png'>商品を返品したいのですが",
            uid=3,
            now=now,
        ),
        inquiry(
            "acked",
            -timedelta(hours=30),
            "鈴木 一郎 <ichiro@example.jp>",
            "打ち合わせ日程",
            state=ItemState.ACKNOWLEDGED,
            promise_left=timedelta(hours=26),
            account="support",
            uid=4,
            now=now,
        ),
    ]


@contextlib.contextmanager
def shown_scene(env: dict[str, str], module: str, *args: str) -> Iterator[list[str]]:
    """Run `python -m tests.gui.<module> ARGS` on a test desktop until it prints 'shown';
    yield the lines it printed up to then (the scene stays up to be screenshotted)."""
    root = Path(__file__).resolve().parents[2]
    scene = subprocess.Popen(
        [sys.executable, "-m", f"tests.gui.{module}", *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert scene.stdout is not None
        lines = []
        for line in scene.stdout:
            lines.append(line.strip())
            if line.strip() == "shown":
                break
        yield lines
    finally:
        scene.terminate()
        scene.wait(10)
