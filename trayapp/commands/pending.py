"""`ippo pending [--json]`: connect every account, print what waits, most urgent first.

Exit status: 0 when every account was checked (overdue items are not an error); 1 when any
account could not be checked (``ippo: account 'x': <reason>`` on stderr; the others are still
listed); 2 when the configuration or the state file cannot be used at all.

Kept light on purpose: status bars run this every minute, so it imports no Qt and nothing the
scan does not need.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from trayapp.core.model import AccountConfig, Inquiry
from trayapp.core.pending import sort_by_urgency

EXIT_OK = 0
EXIT_ACCOUNT_FAILED = 1
EXIT_UNUSABLE = 2
MAX_PARALLEL = 8


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "pending",
        help="list the inquiries that wait for a response, most urgent first",
        description="Connect every account and list the inquiries that still wait for a "
        "response, most urgent first. Exit 0 even when some are overdue; 1 when an account "
        "cannot be checked (the others are still listed).",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON array (id, account, message_id, sender, subject, received_at, "
        "due_at, state, ...)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="give up on a server that does not answer within this time (default 30)",
    )
    parser.set_defaults(handler=run)


@dataclass(frozen=True)
class AccountOutcome:
    account: AccountConfig
    inquiries: list[Inquiry] | None = None
    error: str | None = None
    scan: Any = None  # trayapp.mail.scan.ScanResult when the scan worked


def _scan(
    account: AccountConfig,
    password: str,
    now: datetime,
    timeout: float,
    dismissed: set[str],
    ignored: set[str],
) -> AccountOutcome:
    # Imported here: `ippo account list` and friends need none of the IMAP machinery.
    from trayapp.mail.errors import MailError
    from trayapp.mail.imap import connect, logout
    from trayapp.mail.scan import scan_account

    try:
        client = connect(account, password, timeout=timeout)
        try:
            result = scan_account(client, account, now)
        finally:
            logout(client)
    except MailError as error:
        return AccountOutcome(account, error=str(error))
    inquiries = result.waiting(account, now, dismissed_ids=dismissed, ignored_senders=ignored)
    return AccountOutcome(account, inquiries=inquiries, scan=result)


def _scan_all(
    jobs: Sequence[tuple[AccountConfig, str, set[str], set[str]]], now: datetime, timeout: float
) -> list[AccountOutcome]:
    """One thread per account, so one slow server does not hold up the rest."""
    if len(jobs) == 1:
        account, password, dismissed, ignored = jobs[0]
        return [_scan(account, password, now, timeout, dismissed, ignored)]
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(jobs))) as pool:
        futures = [
            pool.submit(_scan, account, password, now, timeout, dismissed, ignored)
            for account, password, dismissed, ignored in jobs
        ]
        return [f.result() for f in futures]


def _duration(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{mins:02d}m"
    return f"{mins}m"


def format_line(item: Inquiry, now: datetime) -> str:
    left = item.deadline - now
    when = f"overdue {_duration(left)}" if left.total_seconds() < 0 else f"due in {_duration(left)}"
    subject = item.subject or "(no subject)"
    return f"{when:<16} {item.account}  {item.sender}  {subject}"


def _write_stdout(text: str) -> None:
    # Bytes, so Japanese subjects survive a C/POSIX locale.
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8", "replace"))
    sys.stdout.buffer.flush()


def _fail(message: str) -> None:
    sys.stderr.write(f"ippo: {message}\n")
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from trayapp.config import ConfigError, ConfigStore, resolve_config_dir
    from trayapp.desktop.secrets import KeyringSecretStore, KeyringUnavailable
    from trayapp.store.db import StateStore, StoreError, SyncState

    now = datetime.now().astimezone()
    try:
        config_dir = resolve_config_dir(getattr(args, "config_dir", None))
        accounts = ConfigStore(config_dir).load_accounts()
    except (ConfigError, OSError) as error:
        _fail(str(error))
        return EXIT_UNUSABLE
    try:
        store = StateStore(config_dir)
    except StoreError as error:
        _fail(str(error))
        return EXIT_UNUSABLE

    status = EXIT_OK
    with store:
        secrets = KeyringSecretStore()
        jobs: list[tuple[AccountConfig, str, set[str], set[str]]] = []
        for account in accounts:
            try:
                password = secrets.get_password(account.name)
            except KeyringUnavailable as error:
                _fail(f"account '{account.name}': {error}")
                status = EXIT_ACCOUNT_FAILED
                continue
            if password is None:
                _fail(
                    f"account '{account.name}': no password in the OS keyring; add the account "
                    "again with `ippo account add ... --password-stdin`"
                )
                status = EXIT_ACCOUNT_FAILED
                continue
            jobs.append(
                (
                    account,
                    password,
                    store.dismissed_ids(account.name),
                    store.ignored_senders(account.name),
                )
            )

        outcomes = _scan_all(jobs, now, args.timeout) if jobs else []
        waiting: list[Inquiry] = []
        for outcome in outcomes:
            name = outcome.account.name
            if outcome.error is not None or outcome.inquiries is None:
                _fail(f"account '{name}': {outcome.error}")
                status = EXIT_ACCOUNT_FAILED
                continue
            waiting.extend(outcome.inquiries)
            try:
                store.record_scan(name, outcome.inquiries, now)
                for state in outcome.scan.folders.values():
                    store.set_sync_state(
                        SyncState(
                            account=name,
                            folder=state.folder,
                            uidvalidity=state.uidvalidity,
                            uidnext=state.uidnext,
                            highestmodseq=state.highestmodseq,
                            last_sync_at=now,
                        )
                    )
            except StoreError as error:
                _fail(str(error))
                status = max(status, EXIT_UNUSABLE)

    items = sort_by_urgency(waiting)
    if args.json:
        _write_stdout(json.dumps([i.to_json() for i in items], ensure_ascii=False, indent=2) + "\n")
    elif items:
        _write_stdout("".join(format_line(i, now) + "\n" for i in items))
    elif not accounts:
        _write_stdout("No accounts yet. Add one with `ippo account add`.\n")
    elif status == EXIT_OK:
        _write_stdout(f"Nothing waits ({len(accounts)} account(s) checked).\n")
    return status
