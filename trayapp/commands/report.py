"""`ippo report [--weeks N | --since DATE] [--account NAME] [--json | --csv]`: the trust
record, week by week, from the mail itself.

Brings the stored history up to date first (every account: a reply from any of them
counts), building what is missing on a fresh configuration; on a terminal a progress bar
goes to stderr. Exit status: 0; 1 when an account could not be read (``ippo: account 'x':
<reason>``; the report then uses what was stored before); 2 when the configuration, the state
file or the arguments cannot be used.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import threading
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from trayapp.cli_i18n import _, current, error_text, plain_reason
from trayapp.commands.pending import _fail, _write_stdout
from trayapp.core.record import FIGURE_KEYS, Figures, Report, week_start
from trayapp.core.record_text import (
    Language,
    display_width,
    duration,
    pad,
    share_text,
    week_sentence,
)

if TYPE_CHECKING:
    from imapclient import IMAPClient

    from trayapp.core.model import AccountConfig

EXIT_OK = 0
EXIT_ACCOUNT_FAILED = 1
EXIT_UNUSABLE = 2
DEFAULT_WEEKS = 12


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report",
        help="how well the reply promise was kept, week by week",
        description="The trust record: per week (and month), per account and in total, how "
        "many inquiries came, how many were first answered within the window, the median "
        "and 90th-percentile first-reply time, the longest wait, how many went overdue, and "
        "the promises made and kept. Builds the history from INBOX and Sent on first use.",
    )
    span = parser.add_mutually_exclusive_group()
    span.add_argument(
        "--weeks", type=_positive, metavar="N", help=f"the last N weeks (default {DEFAULT_WEEKS})"
    )
    span.add_argument("--since", type=_day, metavar="DATE", help="from the week of DATE (ISO)")
    parser.add_argument("--account", metavar="NAME", help="only this account")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="a JSON object: total, weeks, months")
    output.add_argument("--csv", action="store_true", help="CSV rows for a spreadsheet")
    parser.set_defaults(handler=run)


class ProgressBar:
    """A one-line bar on stderr, redrawn in place; only on a terminal."""

    def __init__(self, label: str, stream: Any = None) -> None:
        self._stream = stream or sys.stderr
        self._label = label
        self._shown = False
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        width = 30
        filled = min(width, done * width // total)
        if filled == self._last and done < total:
            return
        self._last = filled
        bar = "#" * filled + "." * (width - filled)
        self._stream.write(f"\r{self._label} [{bar}] {done}/{total}")
        self._stream.flush()
        self._shown = True

    def finish(self) -> None:
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()


def report_start(now: datetime, zone: Any, weeks: int | None, since: date | None) -> date:
    if since is not None:
        return since - timedelta(days=since.weekday())
    return week_start(now, zone) - timedelta(weeks=(weeks or DEFAULT_WEEKS) - 1)


def _connector(timeout: float = 30.0) -> Any:
    """Connect and log in with the keyring's password (MailError when there is none). TLS is
    set up before the password is asked for, so the handshakes of all accounts overlap with
    the keyring lookups; those go one at a time (Secret Service sessions opened at once from
    several threads fail now and then)."""
    from trayapp.commands.pending import _secret_store
    from trayapp.desktop.secrets import KeyringUnavailable
    from trayapp.mail.errors import AuthenticationFailed
    from trayapp.mail.imap import login, logout, open_tls

    secrets: Any = None
    keyring_lock = threading.Lock()

    def password_for(account: AccountConfig) -> str:
        nonlocal secrets
        with keyring_lock:
            try:
                if secrets is None:
                    secrets = _secret_store()
                password: str | None = secrets.get_password(account.name)
            except KeyringUnavailable as error:
                raise AuthenticationFailed(str(error)) from None
        if password is None:
            raise AuthenticationFailed(
                _(
                    "no password in the OS keyring; add the account again with "
                    "`ippo account add ... --password-stdin`"
                )
            )
        return password

    def open_account(account: AccountConfig) -> IMAPClient:
        client = open_tls(account, timeout=timeout)
        try:
            password = password_for(account)
        except BaseException:
            logout(client)
            raise
        login(client, account, password)
        return client

    return open_account


def run(args: argparse.Namespace) -> int:
    from trayapp.clock import system_zone
    from trayapp.config import ConfigError, ConfigStore, resolve_config_dir
    from trayapp.core.history import history_days
    from trayapp.core.record import build_report
    from trayapp.mail.history import update_history
    from trayapp.policy import ClockPolicy
    from trayapp.store.db import StoreError
    from trayapp.store.history import HistoryStore

    zone = system_zone()
    now = datetime.now(zone)
    try:
        config_dir = resolve_config_dir(getattr(args, "config_dir", None))
        config = ConfigStore(config_dir)
        accounts = config.load_accounts()
        settings = config.settings
    except (ConfigError, OSError) as error:
        _fail(error_text(error))
        return EXIT_UNUSABLE
    language: Language = current().language
    names = [a.name for a in accounts]
    if args.account is not None and args.account not in names:
        _fail(_("no account named {name!r}").format(name=args.account))
        return EXIT_UNUSABLE
    start = report_start(now, zone, args.weeks, args.since)
    days = history_days(settings)
    start_moment = datetime.combine(start, datetime.min.time(), tzinfo=zone)
    history_since = min(start_moment, now - timedelta(days=days))

    status = EXIT_OK
    try:
        store = HistoryStore.open(config_dir)
    except (StoreError, OSError) as error:
        _fail(str(error))
        return EXIT_UNUSABLE
    with store:
        bar = None
        if sys.stderr.isatty():
            bar = ProgressBar(_("Reading history"))
        result = update_history(
            store,
            accounts,
            _connector(),
            since=history_since,
            now=now,
            progress=bar,
            schedule_for=ClockPolicy(config).schedule,
        )
        if bar is not None:
            bar.finish()
        for name, reason in sorted(result.errors.items()):
            _fail(f"account '{name}': {plain_reason(reason)}")
            status = EXIT_ACCOUNT_FAILED
        store.prune(now, zone)
        report = build_report(
            store.records(names),
            now,
            zone,
            since=start,
            accounts=names,
            account=args.account,
            zone_name=str(getattr(zone, "key", "") or zone),
            summarised=store.summarised_months(names),
        )
    if args.json:
        _write_stdout(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    elif args.csv:
        _write_stdout(to_csv(report))
    elif not accounts:
        _write_stdout(_("No accounts yet. Add one with `ippo account add`.") + "\n")
    else:
        windows = {a.window_hours for a in accounts if args.account in (None, a.name)}
        _write_stdout(to_table(report, language, windows.pop() if len(windows) == 1 else None))
    return status


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "start", "account", *FIGURE_KEYS])

    def rows(kind: str, start: str, total: Figures, accounts: dict[str, Figures]) -> None:
        writer.writerow([kind, start, "", *_csv_values(total)])
        for name, figures in accounts.items():
            writer.writerow([kind, start, name, *_csv_values(figures)])

    for week in report.weeks:
        rows("week", week.start.isoformat(), week.total, week.accounts)
    for month in report.months:
        rows("month", month.start.isoformat(), month.total, month.accounts)
    rows("total", report.since.isoformat(), report.total, report.accounts)
    return out.getvalue()


def _csv_values(figures: Figures) -> list[object]:
    data = figures.to_json()
    return ["" if data[k] is None else data[k] for k in FIGURE_KEYS]


def _headings(first: str) -> list[str]:
    return [
        first,
        _("Inquiries"),
        _("In window"),
        _("Share"),
        _("Median"),
        "90%",
        _("Longest"),
        _("Overdue"),
        _("Promises kept"),
    ]


def _cells(label: str, figures: Figures, language: Language) -> list[str]:
    promises = f"{figures.promises_kept}/{figures.promises_made}" if figures.promises_made else "—"
    return [
        label,
        str(figures.inquiries),
        str(figures.answered_within_window),
        share_text(figures.share_within_window),
        duration(figures.median_first_reply_seconds, language),
        duration(figures.p90_first_reply_seconds, language),
        duration(figures.longest_wait_seconds, language),
        str(figures.overdue),
        promises,
    ]


def to_table(report: Report, language: Language, window_hours: float | None) -> str:
    """A readable table: one line per week, the total (per account when there are several),
    then one line per month; this week in words at the end."""
    rows = [_headings(_("Week of"))]
    rows += [_cells(w.start.isoformat(), w.total, language) for w in report.weeks]
    rules = {0, len(rows) - 1}  # a rule under the headings and under the weeks
    rows.append(_cells(_("Total"), report.total, language))
    if len(report.accounts) > 1:
        for name, figures in report.accounts.items():
            rows.append(_cells(f"  {name}", figures, language))
    rows.append([""] * len(rows[0]))
    rows.append(_headings(_("Month")))
    rules.add(len(rows) - 1)
    for month in report.months:
        label = month.start.strftime("%Y-%m")
        if month.start < report.since:  # the report starts within this month
            day = f"{report.since.month}/{report.since.day}"
            label += _(" (from {day})").format(day=day)
        rows.append(_cells(label, month.total, language))
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [pad(c, widths[i], right=i > 0) for i, c in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if index in rules:
            lines.append("  ".join("-" * w for w in widths))
    this_week = report.weeks[-1].total if report.weeks else Figures()
    sentence = week_sentence(this_week, window_hours, language)
    lines.append("")
    lines.append(_("This week: {sentence}").format(sentence=sentence))
    return "\n".join(lines) + "\n"
