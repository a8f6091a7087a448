"""`ippo pending [--json]`: connect every account, print what waits, most urgent first.

Exit status: 0 when every account was checked (overdue items are not an error); 1 when any
account could not be checked (``ippo: account 'x': <reason>`` on stderr; the others are still
listed); 2 when the configuration or the state file cannot be used at all.

Kept light on purpose: status bars run this every minute, so it imports no Qt and nothing the
scan does not need.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from trayapp.cli_i18n import _, error_text, plain_reason, recovery_line
from trayapp.core.model import AccountConfig, Inquiry
from trayapp.core.pending import sort_by_urgency
from trayapp.core.safetext import NAME_CHARS, SENDER_CHARS, SUBJECT_CHARS, display_line

if TYPE_CHECKING:
    from imapclient import IMAPClient

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
    scan: Any = None  # trayapp.mail.scan.ScanResult when the scan worked
    error: str | None = None


class _Skipped(Exception):
    """The account has no usable password (already reported); just close the connection."""


@dataclass(frozen=True)
class _Link:
    """How every connection of this run is made: read timeout, limits, and where its guard
    goes so that Ctrl-C / SIGTERM can cut it from the main thread."""

    timeout: float
    limits: Any  # trayapp.mail.transport.ServerLimits
    register: Any  # Callable[[ConnectionGuard], None]


def _connect(account: AccountConfig, password: Future[str], link: _Link) -> IMAPClient | None:
    """TLS first, then wait for the password: the handshakes overlap with the keyring lookup
    in the main thread. None when the password will not come (already reported)."""
    from trayapp.mail.errors import MailError
    from trayapp.mail.imap import login, logout, open_tls

    try:
        client = open_tls(account, timeout=link.timeout, limits=link.limits, register=link.register)
    except MailError:
        try:
            password.result()
        except _Skipped:
            return None
        raise
    try:
        secret = password.result()
    except _Skipped:
        logout(client)
        return None
    login(client, account, secret)
    return client


def _scan(
    account: AccountConfig, password: Future[str], now: datetime, link: _Link
) -> AccountOutcome:
    """Two connections per account: INBOX on one, Sent on the other, searched at once by the
    server. If the second one cannot be had, one connection does both."""
    # Imported here: `ippo account list` and friends need none of the IMAP machinery.
    from trayapp.mail.errors import MailError
    from trayapp.mail.imap import logout
    from trayapp.mail.scan import scan_account

    with ThreadPoolExecutor(max_workers=1) as side:
        second = side.submit(_connect, account, password, link)
        try:
            client = _connect(account, password, link)
        except MailError as error:
            _close_later(second)
            return AccountOutcome(account, error=str(error))
        if client is None:
            _close_later(second)
            return AccountOutcome(account)
        try:
            sent_client = second.result()
        except MailError:
            sent_client = None
        try:
            result = scan_account(client, account, now, sent_client=sent_client)
        except MailError as error:
            return AccountOutcome(account, error=str(error))
        finally:
            logout(client)
            if sent_client is not None:
                logout(sent_client)
    return AccountOutcome(account, scan=result)


def _close_later(future: Future[IMAPClient | None]) -> None:
    from trayapp.mail.imap import logout

    def close(done: Future[IMAPClient | None]) -> None:
        try:
            client = done.result()
        except Exception:
            return
        if client is not None:
            logout(client)

    future.add_done_callback(close)


def _secret_store() -> Any:
    """The keyring (desktop/secrets.py finds Secret Service without keyring's discovery where
    that is what keyring would pick)."""
    from trayapp.desktop.secrets import KeyringSecretStore

    return KeyringSecretStore()


def _access_tokens(secrets: Any) -> Any:
    """OAuth accounts' access tokens, renewed from the keyring's refresh tokens."""
    from trayapp.oauth.tokens import TokenBroker

    return TokenBroker(secrets).access_token


def format_line(item: Inquiry, now: datetime) -> str:
    from trayapp.cli_i18n import current
    from trayapp.core.durations import WORDS, format_duration

    left = item.deadline - now
    amount = format_duration(left, WORDS[current().language], fine=True)
    late = left.total_seconds() < 0
    when = (_("overdue {left}") if late else _("due in {left}")).format(left=amount)
    # Mail text is data: one line each, no controls, no bidi tricks, a bounded length.
    sender = display_line(item.sender or item.sender_addr, SENDER_CHARS)
    subject = display_line(item.subject, SUBJECT_CHARS) or _("(no subject)")
    line = f"{when:<16} {display_line(item.account, NAME_CHARS)}  {sender}  {subject}"
    if item.unsent_ack is not None and item.unsent_ack.in_doubt:
        line += "  " + _("[may not have been sent: check, then `ippo ack {id} --retry`]").format(
            id=item.id
        )
    elif item.unsent_ack is not None:
        line += "  " + _("[not sent: send it with `ippo ack {id}`]").format(id=item.id)
    return line


def _write_stdout(text: str) -> None:
    # Bytes, so Japanese subjects survive a C/POSIX locale.
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8", "replace"))
    sys.stdout.buffer.flush()


def _fail(message: str) -> None:
    sys.stderr.write(f"ippo: {message}\n")
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    """Ctrl-C and SIGTERM end the run at once: every connection is cut under its blocked
    read (the worker threads then finish in moments) and the exit status is 130 / 143."""
    from trayapp.commands.interrupt import run_interruptible

    _warnings_to_stderr()
    return run_interruptible(lambda register: _run(args, register))


def _warnings_to_stderr() -> None:
    """A message skipped for hostile data, a date that fell back: one `ippo:` line each."""
    import logging

    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
        handler.setFormatter(logging.Formatter("ippo: %(message)s"))
        root.addHandler(handler)


def _run(args: argparse.Namespace, register: Any) -> int:
    from trayapp.clock import now as clock_now
    from trayapp.config import ConfigError, ConfigStore, resolve_config_dir
    from trayapp.desktop.secrets import KeyringUnavailable
    from trayapp.mail.errors import MailError
    from trayapp.policy import ClockPolicy
    from trayapp.store.db import StateStore, StoreError

    now = clock_now()
    try:
        config_dir = resolve_config_dir(getattr(args, "config_dir", None))
        config = ConfigStore(config_dir)
        accounts = config.load_accounts()
        link = _Link(args.timeout, config.server_limits(), register)
        policy = ClockPolicy(config)
    except (ConfigError, OSError) as error:
        _fail(error_text(error))
        return EXIT_UNUSABLE

    status = EXIT_OK
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(accounts)) + 1) as pool:
        # Opening (creating, migrating) the state file waits on fsync, the scans on the
        # network: both overlap with the keyring lookup below.
        store_future = pool.submit(
            StateStore, config_dir, on_recovery=lambda r: _fail(recovery_line(r))
        )
        passwords: dict[str, Future[str]] = {a.name: Future() for a in accounts}
        # One thread per account, so one slow server does not hold up the rest.
        scans = [
            pool.submit(_scan, account, passwords[account.name], now, link) for account in accounts
        ]
        try:
            secrets = _secret_store() if accounts else None
            access_token = _access_tokens(secrets) if any(a.auth for a in accounts) else None
            for account in accounts:
                try:
                    if account.auth is not None and access_token is not None:
                        password = access_token(account)
                    else:
                        password = secrets.get_password(account.name) if secrets else None
                    if password is None:
                        _fail(
                            f"account '{account.name}': "
                            + _(
                                "no password in the OS keyring; add the account again with "
                                "`ippo account add ... --password-stdin`"
                            )
                        )
                except KeyringUnavailable as error:
                    _fail(f"account '{account.name}': {plain_reason(str(error))}")
                    password = None
                except MailError as error:  # an OAuth sign-in that cannot be renewed
                    _fail(f"account '{account.name}': {plain_reason(str(error))}")
                    password = None
                if password is None:
                    status = EXIT_ACCOUNT_FAILED
                    passwords[account.name].set_exception(_Skipped())
                else:
                    passwords[account.name].set_result(password)
        finally:
            # Never leave a scan thread waiting for a password that will not come.
            for future in passwords.values():
                if not future.done():
                    future.set_exception(_Skipped())
        try:
            store = store_future.result()
        except (StoreError, OSError) as error:
            _fail(str(error))
            return EXIT_UNUSABLE
        outcomes = [f.result() for f in scans]

    waiting: list[Inquiry] = []
    # A reply in the Sent folder of any of the user's accounts answers an inquiry, whichever
    # account it came to.
    all_replied = frozenset().union(*(o.scan.replied_ids for o in outcomes if o.scan is not None))
    all_sent = [h for o in outcomes if o.scan is not None for h in o.scan.sent]
    with store:
        for outcome in outcomes:
            name = outcome.account.name
            if outcome.scan is None:
                if outcome.error is not None:
                    _fail(f"account '{name}': {plain_reason(outcome.error)}")
                status = EXIT_ACCOUNT_FAILED
                continue
            try:
                from trayapp.mail.scan import keep_first_seen

                scan = dataclasses.replace(
                    outcome.scan,
                    inbox=keep_first_seen(outcome.scan.inbox, store.items(name)),
                )
                inquiries = scan.waiting(
                    outcome.account,
                    now,
                    dismissed_ids=store.dismissed_ids(name),
                    ignored_senders=store.ignored_senders(name),
                    replied_ids=all_replied,
                    schedule=policy.schedule(outcome.account),
                )
                if store.acks(name):  # imported only when there is a journal: keeps startup lean
                    from trayapp.mail.acknowledge import with_acknowledgements

                    inquiries = with_acknowledgements(store, name, inquiries, all_sent)
                waiting.extend(inquiries)
                _record(store, name, outcome.scan, inquiries, now)
            except StoreError as error:
                _fail(str(error))
                status = max(status, EXIT_UNUSABLE)

    items = sort_by_urgency(waiting)
    if args.json:
        _write_stdout(json.dumps([i.to_json() for i in items], ensure_ascii=False, indent=2) + "\n")
    elif items:
        _write_stdout("".join(format_line(i, now) + "\n" for i in items))
    elif not accounts:
        _write_stdout(_("No accounts yet. Add one with `ippo account add`.") + "\n")
    elif status == EXIT_OK:
        checked = _("Nothing waits ({count} account(s) checked).").format(count=len(accounts))
        _write_stdout(checked + "\n")
    return status


def _record(store: Any, account: str, scan: Any, inquiries: list[Inquiry], now: datetime) -> None:
    """The waiting set and each folder's sync state, for the tray and the watcher."""
    from trayapp.store.db import SyncState

    store.record_scan(account, inquiries, now)
    for state in scan.folders.values():
        store.set_sync_state(
            SyncState(
                account=account,
                folder=state.folder,
                uidvalidity=state.uidvalidity,
                uidnext=state.uidnext,
                highestmodseq=state.highestmodseq,
                last_sync_at=now,
            )
        )
