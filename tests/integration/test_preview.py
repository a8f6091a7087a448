"""Previews against the real Dovecot: the right part, the right charset, no markup, only the
first KB of a part fetched, and no flag ever changed by looking."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from tests.support import mailcorpus
from tests.support.dovecot import DovecotServer, DovecotUser
from trayapp.core.model import AccountConfig
from trayapp.mail.imap import connect, logout
from trayapp.mail.preview import HTML_OCTETS, TEXT_OCTETS, fetch_previews
from trayapp.mail.scan import examine
from trayapp.mail.service import WatchService, WatchSnapshot
from trayapp.mail.watcher import WatchTimings
from trayapp.store.db import StateStore

pytestmark = pytest.mark.integration

FAST = WatchTimings(keepalive=2.0, response_timeout=1.5, sent_interval=2.0, backoff_cap=4.0)
ATTACHMENT_BYTES = 2 * 1024 * 1024


class FetchSpy:
    """Records every FETCH item list a client sends (the real command still runs)."""

    def __init__(self, client: IMAPClient) -> None:
        self.items: list[tuple[tuple[int, ...], tuple[str, ...]]] = []
        self.lock = threading.Lock()
        real = client.fetch

        def fetch(messages: Any, data: Any, modifiers: Any = None) -> Any:
            with self.lock:
                self.items.append((tuple(messages), tuple(str(d) for d in data)))
            return real(messages, data, modifiers)

        client.fetch = fetch

    def uids_fetched_with(self, prefix: str) -> list[int]:
        with self.lock:
            return [u for uids, items in self.items if items[0].startswith(prefix) for u in uids]


def _mixed_with_attachment(to: str) -> bytes:
    """A quote request with a 2 MB attachment after a short text part."""
    boundary = "mixed-boundary-7f3a"
    blob = base64.encodebytes(bytes(range(256)) * (ATTACHMENT_BYTES // 256))
    body = (
        f"--{boundary}\r\n".encode()
        + b"Content-Type: application/pdf; name=spec.pdf\r\n"
        + b"Content-Disposition: attachment; filename=spec.pdf\r\n"
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + blob.replace(b"\n", b"\r\n")
        + f"--{boundary}\r\n".encode()
        + b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        + "添付の仕様書でお見積もりをお願いします。\r\n".encode()
        + f"--{boundary}--\r\n".encode()
    )
    return mailcorpus.make_message(
        to=to,
        subject="見積もり依頼（仕様書添付）",
        content_type=f'multipart/mixed; boundary="{boundary}"',
        body_bytes=body,
    )


def _image_only(to: str) -> bytes:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    return mailcorpus.make_message(
        to=to,
        subject="写真です",
        content_type="image/png",
        body_bytes=png + b"\r\n",
        extra_headers=[("Content-Transfer-Encoding", "base64")],
    )


def test_previews_of_real_shapes_and_flags_untouched(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    user = dovecot_user
    to = user.email
    samples = {
        "ja": (mailcorpus.japanese_iso2022jp_inquiry(to=to), ()),
        "alt": (mailcorpus.alternative_inquiry(to=to), (b"\\Flagged",)),
        "html": (mailcorpus.html_only_inquiry(to=to), ()),
        "sjis": (mailcorpus.base64_shift_jis_inquiry(to=to), (b"$Forwarded",)),
        "quoted": (mailcorpus.quoted_reply_inquiry(to=to), ()),
        "attachment": (_mixed_with_attachment(to), ()),
        "image": (_image_only(to), ()),
    }
    uids = {
        name: dovecot.append(user, "INBOX", raw, flags=flags)
        for name, (raw, flags) in samples.items()
    }
    assert all(isinstance(uid, int) for uid in uids.values())
    before = dovecot.flags(user)

    account = dovecot.account(user)
    client = connect(account, user.password, timeout=10)
    spy = FetchSpy(client)
    try:
        examine(client, "INBOX")
        previews = fetch_previews(client, [u for u in uids.values() if u is not None])
    finally:
        logout(client)
    by_name = {name: previews[uid] for name, uid in uids.items() if uid is not None}

    assert by_name["ja"].splitlines() == [
        "いつもお世話になっております。㈱髙橋商店の髙橋です。",
        "①の商品（型番ＡＢ－１２３）の在庫はございますでしょうか。",
        "納期は３日～１週間程度を希望しております。",
    ]
    # multipart/alternative: the text part (it writes bold as *...*), not the HTML one.
    assert "*delivery address*" in by_name["alt"]
    assert by_name["html"].startswith(mailcorpus.HTML_ONLY_TEXT)
    assert "<土日>" in by_name["html"]  # entities decoded, once
    for unwanted in ("<p", "<img", "<a", "<td", "http", "tracker", "script", "font-family"):
        assert unwanted not in by_name["html"]
    assert "②番の商品を１０個" in by_name["sjis"] and "ｶﾀｶﾅ商事" in by_name["sjis"]
    assert by_name["quoted"] == "ありがとうございます。配送先の変更もお願いできますか？"
    assert by_name["attachment"] == "添付の仕様書でお見積もりをお願いします。"
    assert by_name["image"] == ""

    # Looking changed nothing: the same flags as before, nothing \Seen.
    after = dovecot.flags(user)
    assert after == before
    assert all("\\Seen" not in f for f in after.values()), after

    # Cheap: one BODYSTRUCTURE round, then only the first KB of the chosen parts (the 2 MB
    # attachment is never asked for), and always with PEEK.
    requested = [items for _uids, items in spy.items]
    assert requested[0] == ("BODYSTRUCTURE",)
    for items in requested[1:]:
        assert len(items) == 1 and items[0].startswith("BODY.PEEK[")
        assert items[0].endswith((f"<0.{TEXT_OCTETS}>", f"<0.{HTML_OCTETS}>"))
    assert f"BODY.PEEK[2]<0.{TEXT_OCTETS}>" in {i[0] for i in requested}  # the attachment is 1


def test_peek_leaves_seen_unset_even_in_a_read_write_session(
    dovecot: DovecotServer, dovecot_user: DovecotUser
) -> None:
    """BODY.PEEK itself keeps \\Seen off, not only EXAMINE: a caller on a SELECTed folder
    (the acknowledgement path) cannot mark mail read by fetching a preview either."""
    user = dovecot_user
    uid = dovecot.append(user, "INBOX", mailcorpus.japanese_iso2022jp_inquiry(to=user.email))
    assert uid is not None
    with dovecot.session(user) as client:
        client.select_folder("INBOX", readonly=False)
        previews = fetch_previews(client, [uid, uid + 1000])  # the second does not exist
    assert "①" in previews[uid] and uid + 1000 not in previews
    assert dovecot.flags(user)[uid] == frozenset()


def test_long_body_is_cut_cleanly(dovecot: DovecotServer, dovecot_user: DovecotUser) -> None:
    """A 300 KB UTF-8 body in one line: 4 KB are fetched, cut inside a character, and the
    preview is the start of the text without a broken character."""
    user = dovecot_user
    text = "在庫の確認をお願いします。" * 8000
    raw = mailcorpus.make_message(to=user.email, subject="長文", body=text + "\r\n")
    uid = dovecot.append(user, "INBOX", raw)
    assert uid is not None
    with dovecot.session(user) as client:
        client.select_folder("INBOX", readonly=True)
        preview = fetch_previews(client, [uid])[uid]
    assert preview.startswith("在庫の確認をお願いします。在庫の")
    assert preview.endswith("…") and "\ufffd" not in preview


# --------------------------------------------------------------------------- the live service


@dataclass
class Recorder:
    snapshots: list[WatchSnapshot] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, snapshot: WatchSnapshot) -> None:
        with self.cond:
            self.snapshots.append(snapshot)
            self.cond.notify_all()

    def wait_for(self, predicate: Callable[[WatchSnapshot], bool], timeout: float) -> WatchSnapshot:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not (self.snapshots and predicate(self.snapshots[-1])):
                left = deadline - time.monotonic()
                if left <= 0:
                    last = self.snapshots[-1] if self.snapshots else None
                    shown = [(i.subject, i.preview) for i in last.items] if last else []
                    raise AssertionError(f"timed out; last items: {shown}")
                self.cond.wait(left)
            return self.snapshots[-1]


@pytest.fixture
def spied_service(
    dovecot: DovecotServer, tmp_path: Path
) -> Iterator[Callable[..., tuple[WatchService, Recorder, list[FetchSpy], StateStore]]]:
    services: list[WatchService] = []

    def make(
        user: DovecotUser, **overrides: object
    ) -> tuple[WatchService, Recorder, list[FetchSpy], StateStore]:
        spies: list[FetchSpy] = []

        def spied_connect(account: AccountConfig, password: str, *, timeout: float) -> IMAPClient:
            client = connect(account, password, timeout=timeout)
            spies.append(FetchSpy(client))
            return client

        store = StateStore(tmp_path)
        service = WatchService(
            [dovecot.account(user, **overrides)],
            lambda account: user.password,
            store,
            timings=FAST,
            connect=spied_connect,
        )
        recorder = Recorder()
        service.subscribe(recorder)
        service.start()
        services.append(service)
        return service, recorder, spies, store

    yield make
    for service in services:
        assert service.stop(timeout=2.0)


def test_watch_snapshots_carry_previews_fetched_once(
    dovecot: DovecotServer,
    dovecot_user: DovecotUser,
    spied_service: Callable[..., tuple[WatchService, Recorder, list[FetchSpy], StateStore]],
) -> None:
    user = dovecot_user
    dovecot.append(user, "Sent", mailcorpus.our_reply(from_addr=user.email))  # Sent exists
    dovecot.deliver(user, mailcorpus.japanese_iso2022jp_inquiry(to=user.email))
    dovecot.deliver(user, mailcorpus.newsletter(to=user.email))  # not waiting: no preview
    service, rec, spies, store = spied_service(user)
    account = user.username

    snap = rec.wait_for(lambda s: len(s.items) == 1 and s.health[account].covered, 30)
    assert "①の商品" in snap.items[0].preview and "髙橋です" in snap.items[0].preview

    # Live: a delivered HTML-only inquiry arrives with its preview in the same snapshot.
    dovecot.deliver(user, mailcorpus.html_only_inquiry(to=user.email))
    snap = rec.wait_for(lambda s: len(s.items) == 2, 10)
    html_item = next(i for i in snap.items if i.subject == "【お問い合わせ】営業時間について")
    assert html_item.preview.startswith(mailcorpus.HTML_ONLY_TEXT)
    assert "http" not in html_item.preview and "<img" not in html_item.preview

    # A third one, then the earlier two are not fetched again.
    dovecot.deliver(user, mailcorpus.base64_shift_jis_inquiry(to=user.email))
    snap = rec.wait_for(lambda s: len(s.items) == 3, 10)
    assert any("②番の商品" in i.preview for i in snap.items)

    # No snapshot ever showed a waiting item without its preview (fetched before emitting).
    with rec.cond:
        shown = [i for s in rec.snapshots for i in s.items]
    assert shown and all(i.preview for i in shown)
    # Each message's structure was fetched once in this run; the newsletter's never.
    fetched = [uid for spy in spies for uid in spy.uids_fetched_with("BODYSTRUCTURE")]
    assert sorted(fetched) == sorted({i.uid for i in snap.items})
    # The previews are saved with the waiting set (the next start shows them at once).
    assert {i.id: i.preview for i in store.items(account)} == {i.id: i.preview for i in snap.items}
    # And looking set no flag.
    assert all("\\Seen" not in f for f in dovecot.flags(user).values())
    assert service.snapshot().items == snap.items


def test_previews_in_another_watched_folder(
    dovecot: DovecotServer,
    dovecot_user: DovecotUser,
    spied_service: Callable[..., tuple[WatchService, Recorder, list[FetchSpy], StateStore]],
) -> None:
    """A folder watched besides INBOX (a filter's target): previews at the first scan and for
    mail that arrives there later (found on the Sent cadence), and INBOX is watched after."""
    user = dovecot_user
    dovecot.append(user, "Sent", mailcorpus.our_reply(from_addr=user.email))
    dovecot.append(user, "Support", mailcorpus.japanese_iso2022jp_inquiry(to=user.email))
    _service, rec, _spies, _store = spied_service(user, folders=("INBOX", "Support"))
    snap = rec.wait_for(lambda s: len(s.items) == 1 and s.health[user.username].covered, 30)
    assert snap.items[0].folder == "Support" and "①の商品" in snap.items[0].preview

    dovecot.append(user, "Support", mailcorpus.base64_shift_jis_inquiry(to=user.email))
    snap = rec.wait_for(lambda s: len(s.items) == 2, 10)
    assert all(i.preview for i in snap.items)
    dovecot.deliver(user, mailcorpus.alternative_inquiry(to=user.email))
    snap = rec.wait_for(lambda s: len(s.items) == 3, 10)
    inbox_item = next(i for i in snap.items if i.folder == "INBOX")
    assert "*delivery address*" in inbox_item.preview
    assert all("\\Seen" not in f for f in dovecot.flags(user, "Support").values())
