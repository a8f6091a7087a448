"""`ippo watch [--json | --format waybar]`: stay connected, print one line per change.

A line is printed when the waiting set or an account's health changes, and at least once a
minute (countdowns move, and a status bar wants a heartbeat). Each line is flushed at once.

--json (default): one JSON object per line:
  {"at": ..., "pending": [<same objects as `ippo pending --json`>],
   "accounts": {name: {"state", "reason", "next_try_at", "text"}}, "next_due_at": ...,
   "covered": bool, "event": "start" | "change" | "tick"}
--format waybar: Waybar custom-module JSON per line: {"text": "3 · 2h14m" (waiting, then
  '+N' acknowledged: "3+1 · 2h14m"; '!' an inbox not covered, '…' one still connecting),
  "tooltip": ..., "class": "ok" | "warning" | "urgent" | "overdue" | "error" | "connecting"}
  (module: "return-type": "json"); the tooltip speaks the command line's language.

Exits 0 on SIGINT/SIGTERM after closing every connection. No Qt.
"""

from __future__ import annotations

import argparse
import json
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from types import FrameType
from typing import Any

from trayapp.cli_i18n import _, error_text, recovery_line
from trayapp.clock import now as clock_now
from trayapp.core.model import AccountConfig, AccountHealth, Inquiry

EXIT_OK = 0
EXIT_UNUSABLE = 2
HEARTBEAT = 60.0


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "watch",
        help="stay connected and print a line whenever what waits (or an inbox's health) changes",
        description="Keep every inbox connected (IMAP IDLE) and print one line per change of "
        "the waiting set or of an account's health, and once a minute. Stop with Ctrl-C.",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument(
        "--json",
        dest="format",
        action="store_const",
        const="json",
        help="one JSON object per line (the default)",
    )
    output.add_argument(
        "--format",
        dest="format",
        choices=("json", "waybar"),
        help="json (default) or waybar (Waybar custom-module JSON, one line per update)",
    )
    parser.set_defaults(format="json")
    tuning = parser.add_argument_group("network tuning (the defaults are what Ippo promises)")
    tuning.add_argument(
        "--keepalive",
        type=float,
        default=45.0,
        metavar="SECONDS",
        help="prove each connection alive this often (default 45)",
    )
    tuning.add_argument(
        "--timeout",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="a server silent for this long is gone (default 15; keepalive + timeout is the "
        "longest a dead connection can go unnoticed)",
    )
    tuning.add_argument(
        "--sent-interval",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="re-check the Sent folder at least this often (default 300)",
    )
    tuning.add_argument(
        "--heartbeat",
        type=float,
        default=HEARTBEAT,
        metavar="SECONDS",
        help="print a line at least this often even when nothing changed (default 60)",
    )
    parser.set_defaults(handler=run)


# --------------------------------------------------------------------------- rendering


def health_json(health: AccountHealth) -> dict[str, object]:
    return health.to_json()


def json_line(
    at: datetime,
    items: tuple[Inquiry, ...],
    health: dict[str, AccountHealth],
    event: str,
) -> dict[str, object]:
    next_due = min((i.deadline for i in items), default=None)
    return {
        "at": at.isoformat(timespec="seconds"),
        "event": event,
        "pending": [i.to_json() for i in items],
        "accounts": {name: health_json(h) for name, h in health.items()},
        "next_due_at": next_due.isoformat() if next_due else None,
        "covered": all(h.covered for h in health.values()),
    }


def waybar_line(
    at: datetime,
    items: tuple[Inquiry, ...],
    health: dict[str, AccountHealth],
    accounts: tuple[AccountConfig, ...],
    away_until: datetime | None = None,
) -> dict[str, str]:
    from trayapp.cli_i18n import describe_health, tooltip_texts
    from trayapp.core.summary import leads_by_account, summarize

    summary = summarize(items, health, at, leads_by_account(accounts), away_until=away_until)
    return summary.waybar(tooltip_texts(), describe_health)


# --------------------------------------------------------------------------- the command


def _password_source() -> Callable[[AccountConfig], str]:
    from trayapp.desktop.secrets import KeyringSecretStore
    from trayapp.mail.service import password_source

    return password_source(
        KeyringSecretStore(),
        missing_hint=_("add the account again with `ippo account add ... --password-stdin`"),
    )


def _write(line: dict[str, object] | dict[str, str]) -> None:
    # Bytes, so Japanese subjects survive a C/POSIX locale; flushed, so pipes see it at once.
    text = json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
    sys.stdout.buffer.write(text.encode("utf-8", "replace"))
    sys.stdout.buffer.flush()


def _fail(message: str) -> None:
    sys.stderr.write(f"ippo: {message}\n")
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from trayapp.config import ConfigError, ConfigStore, resolve_config_dir
    from trayapp.mail.service import WatchService, WatchSnapshot
    from trayapp.mail.watcher import WatchTimings
    from trayapp.store.db import StateStore, StoreError

    try:
        config_dir = resolve_config_dir(getattr(args, "config_dir", None))
        config = ConfigStore(config_dir)
        accounts = config.load_accounts()
        limits = config.server_limits()
        store = StateStore(config_dir, on_recovery=lambda r: _fail(recovery_line(r)))
    except (ConfigError, StoreError, OSError) as error:
        _fail(error_text(error))
        return EXIT_UNUSABLE
    try:
        from trayapp.logs import setup_logging

        setup_logging(config_dir)  # health changes and reconnects go to ippo.log
    except OSError as error:
        _fail(_("cannot write the log file: {error}").format(error=error))
    if not accounts:
        _fail(_("no accounts yet; add one with `ippo account add`"))
        store.close()
        return EXIT_UNUSABLE

    timings = WatchTimings(
        keepalive=args.keepalive,
        response_timeout=args.timeout,
        sent_interval=args.sent_interval,
        limits=limits,
    )
    snapshots: queue.Queue[WatchSnapshot | None] = queue.Queue()
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()
        snapshots.put(None)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    from functools import partial

    from trayapp.desktop.secrets import KeyringSecretStore
    from trayapp.mail.acknowledge import with_acknowledgements
    from trayapp.mail.autoreply import AutoReplier
    from trayapp.policy import ClockPolicy

    service = WatchService(
        accounts,
        _password_source(),
        store,
        timings=timings,
        merge_acknowledgements=partial(with_acknowledgements, store),
        policy=ClockPolicy(config),
        auto_replier=AutoReplier(store, KeyringSecretStore(), clock_now),
    )
    service.subscribe(snapshots.put)
    service.start()
    last_key: object = None
    last_print = 0.0
    try:
        snapshot: WatchSnapshot = service.snapshot()
        event = "start"
        while not stop.is_set():
            key = _change_key(snapshot)
            if event in ("start", "tick") or key != last_key:
                _emit(args.format, snapshot, event)
                last_key, last_print = key, time.monotonic()
            try:
                received = snapshots.get(
                    timeout=max(0.0, last_print + args.heartbeat - time.monotonic())
                )
            except queue.Empty:
                # Nothing changed for a while: a tick (countdowns and stages still move).
                snapshot, event = service.snapshot(), "tick"
                continue
            if received is None:
                break
            snapshot, event = received, "change"
    except BrokenPipeError:
        pass  # the reader (a status bar) went away: just stop
    finally:
        service.stop(timeout=2.0)
        store.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK


def _change_key(snapshot: Any) -> object:
    """What makes a line worth printing: the waiting set (ids, states, deadlines) and every
    account's health. Not `at`: that moves on every snapshot."""
    items = tuple((i.id, i.state, i.deadline) for i in snapshot.items)
    health = tuple((n, h.state, h.reason, h.next_try_at) for n, h in snapshot.health.items())
    return (items, health)


def _emit(fmt: str, snapshot: Any, event: str) -> None:
    now = clock_now()
    health = dict(snapshot.health)
    if fmt == "waybar":
        away = snapshot.holds.away_until(now)  # the tooltip says so, as the tray's does
        _write(waybar_line(now, snapshot.items, health, snapshot.accounts, away))
    else:
        _write(json_line(now, snapshot.items, health, event))
