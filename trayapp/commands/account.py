"""`ippo account add | list | remove`: the accounts Ippo watches.

`add` tests the login before saving anything; then the password goes into the OS keyring FIRST
and the account into config.json after, so a crash in between leaves at worst an unused secret,
never an account without its password. Errors are one line on stderr (`ippo: ...`), exit 1.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from pathlib import Path
from typing import Any

from trayapp.cli_i18n import _, error_text, plain_reason
from trayapp.commands.account_set import (
    SMTP_FIELDS,
    add_schedule_options,
    describe_changes,
    describe_schedule,
    edited_account,
    login_changed,
    mirror_options,
    reply_look_changes,
    schedule_changes,
)
from trayapp.config import ConfigError, ConfigStore, account_to_dict, resolve_config_dir
from trayapp.core.model import AccountConfig
from trayapp.desktop.secrets import (
    KeyringSecretStore,
    KeyringUnavailable,
    SecretStore,
    forget_account,
)
from trayapp.logs import setup_logging

log = logging.getLogger(__name__)

DEFAULT_IMAP_PORTS = {"ssl": 993, "starttls": 143}
DEFAULT_SMTP_PORTS = {"ssl": 465, "starttls": 587}


class CommandError(Exception):
    """A one-line message for `ippo: <message>` on stderr."""


def register(subparsers: Any) -> None:
    """Add `account` and its subcommands to the root parser's subparsers."""
    from trayapp.commands.account_oauth import add_oauth_options, add_reauth_command

    account = subparsers.add_parser("account", help="add, list or remove watched inboxes")
    account.set_defaults(handler=_usage(account))
    commands = account.add_subparsers(
        dest="account_command", metavar="{add,set,list,remove,reauth}"
    )

    add = commands.add_parser(
        "add",
        help="add an inbox (tests the login first)",
        description="Add an inbox. The login is tested before anything is saved; the password "
        "goes only into the OS keyring.",
    )
    add.add_argument("--name", required=True, help="a short name for this inbox, e.g. shop")
    add.add_argument("--email", required=True, help="the address customers write to")
    add.add_argument("--imap-host", help="required unless --provider names the servers")
    add.add_argument("--imap-port", type=_port, help="default: 993 (ssl) or 143 (starttls)")
    add.add_argument("--imap-security", choices=("ssl", "starttls"), default="ssl")
    add.add_argument("--username", help="IMAP login name (default: the email address)")
    add.add_argument("--ca-file", help="an extra trusted CA certificate (PEM) for this server")
    add.add_argument(
        "--window-hours",
        type=_positive_float,
        default=24.0,
        help="the promised response window (default 24)",
    )
    add.add_argument(
        "--lookback-days",
        type=_positive_int,
        default=7,
        help="how far back to look for waiting mail (default 7)",
    )
    add.add_argument("--smtp-host", help="SMTP server for acknowledgements")
    add.add_argument("--smtp-port", type=_port, help="default: 465 (ssl) or 587 (starttls)")
    add.add_argument("--smtp-security", choices=("ssl", "starttls"), default="ssl")
    add.add_argument("--smtp-username", help="SMTP login name (default: the IMAP login)")
    add.add_argument(
        "--display-name",
        metavar="NAME",
        help="the name customers see in From, e.g. your shop's name ('' for the address only)",
    )
    add.add_argument(
        "--signature",
        metavar="TEXT",
        help="the signature under every reply, several lines as typed ('' for none)",
    )
    add.add_argument(
        "--signature-ja",
        metavar="TEXT",
        help="the signature under Japanese replies (default: --signature)",
    )
    add.add_argument(
        "--signature-en",
        metavar="TEXT",
        help="the signature under English replies (default: --signature)",
    )
    add.add_argument(
        "--skip-smtp-test",
        action="store_true",
        help="save without logging in to the SMTP server (it is tested by default)",
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (one line); required with --auth password",
    )
    add_schedule_options(add)
    _register_set(commands, add)  # `set` mirrors add's options so far: not the sign-in ones
    add_oauth_options(add)
    add.set_defaults(handler=run_add, parser=add)

    listing = commands.add_parser("list", help="list the inboxes")
    listing.add_argument("--json", action="store_true", help="a JSON array of account objects")
    listing.set_defaults(handler=run_list)

    remove = commands.add_parser("remove", help="remove an inbox and its keyring entry")
    remove.add_argument("name")
    remove.set_defaults(handler=run_remove)

    add_reauth_command(commands)


def _usage(parser: argparse.ArgumentParser) -> Any:
    def show(args: argparse.Namespace) -> int:
        parser.print_usage(sys.stderr)
        print("ippo: " + _("choose add, set, list or remove"), file=sys.stderr)
        return 2

    return show


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(_("not a port number: {text}").format(text=text))
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(_("must be positive: {text}").format(text=text))
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not 0 < value < float("inf"):  # NaN, 1e400 and inf are not a number of hours
        raise argparse.ArgumentTypeError(_("must be positive: {text}").format(text=text))
    return value


def _fail(message: str) -> int:
    print(f"ippo: {message}", file=sys.stderr)
    return 1


def _open_config(args: argparse.Namespace) -> tuple[Path, ConfigStore]:
    config_dir = resolve_config_dir(getattr(args, "config_dir", None))
    setup_logging(config_dir, verbose=bool(getattr(args, "verbose", False)))
    return config_dir, ConfigStore(config_dir)


def read_password(stream: Any = None) -> str:
    """One line from stdin (only the line end is stripped: spaces can be part of a password);
    on a terminal, a prompt without echo."""
    stream = stream if stream is not None else sys.stdin
    if stream.isatty():
        password = getpass.getpass(_("Password: "))
    else:
        line = stream.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
    if not password:
        raise CommandError(_("no password on standard input"))
    return password


def account_from_args(args: argparse.Namespace) -> AccountConfig:
    name = args.name.strip()
    if not name or any(ord(c) < 32 for c in name):
        raise CommandError(_("--name must be a non-empty single-line name"))
    email = args.email.strip()
    if "@" not in email:
        raise CommandError(_("--email does not look like an address: {email}").format(email=email))
    ca_file: str | None = None
    if args.ca_file:
        ca_path = Path(args.ca_file).expanduser()
        if not ca_path.is_file():
            raise CommandError(_("--ca-file {path}: no such file").format(path=args.ca_file))
        ca_file = str(ca_path.resolve())
    try:
        schedule = schedule_changes(args)
    except ValueError as error:
        raise CommandError(str(error)) from None
    smtp_port = args.smtp_port
    if args.smtp_host and smtp_port is None:
        smtp_port = DEFAULT_SMTP_PORTS[args.smtp_security]
    return AccountConfig(
        name=name,
        email=email,
        imap_host=args.imap_host.strip(),
        imap_port=args.imap_port or DEFAULT_IMAP_PORTS[args.imap_security],
        imap_security=args.imap_security,
        username=args.username or None,
        ca_file=ca_file,
        window_hours=args.window_hours,
        lookback_days=args.lookback_days,
        smtp_host=args.smtp_host or None,
        smtp_port=smtp_port,
        smtp_security=args.smtp_security,
        smtp_username=args.smtp_username or None,
        **reply_look_changes(args),
        **schedule,
    )


class LoginRefused(CommandError):
    """The changed login does not work (the server's reason in `reason`); nothing was saved."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class SmtpTestFailed(CommandError):
    """The inbox logs in but the SMTP server refuses (or cannot be reached)."""

    def __init__(self, message: str, host: str, reason: str) -> None:
        super().__init__(message)
        self.host, self.reason = host, reason


def check_sending(account: AccountConfig, password: str) -> None:
    """Log in to the account's SMTP server; SmtpTestFailed with a plain sentence if not."""
    from trayapp.mail.errors import MailError
    from trayapp.mail.smtp import check_smtp_login

    try:
        check_smtp_login(account, password)
    except MailError as error:
        reason = plain_reason(str(error))
        host = account.smtp_host or ""
        raise SmtpTestFailed(
            _(
                "the inbox works, but sending through {host} does not: {reason}; nothing "
                "was saved (add --skip-smtp-test to save anyway)"
            ).format(host=host, reason=reason),
            host,
            reason,
        ) from None


def add_account(
    config: ConfigStore,
    secrets: SecretStore,
    account: AccountConfig,
    password: str,
    *,
    test_smtp: bool = True,
) -> None:
    """Test the login (and the SMTP login, when the account has an SMTP server and `test_smtp`),
    then save: keyring first, config second. Raises CommandError (and MailError /
    KeyringUnavailable are turned into one) -- nothing is saved on any error."""
    from trayapp.mail.errors import MailError
    from trayapp.mail.imap import check_login

    if config.get_account(account.name) is not None:
        raise CommandError(_("an account named {name!r} already exists").format(name=account.name))
    try:
        # Ask the keyring first: no point testing a login whose password cannot be kept.
        secrets.check_available()
        check_login(account, password)
    except KeyringUnavailable as error:
        raise CommandError(
            _("{reason}; nothing was saved").format(reason=plain_reason(str(error)))
        ) from None
    except MailError as error:
        raise CommandError(plain_reason(str(error))) from None
    if account.smtp_host and test_smtp:
        check_sending(account, password)
    try:
        secrets.set_password(account.name, password, "imap")
    except KeyringUnavailable as error:
        raise CommandError(
            _("{reason}; nothing was saved").format(reason=plain_reason(str(error)))
        ) from None
    try:
        config.add_account(account)
    except ConfigError as error:
        try:
            secrets.delete_password(account.name, "imap")
        except KeyringUnavailable:
            log.warning("could not take back the keyring entry of %s", account.name)
        raise CommandError(error_text(error)) from None


def run_add(args: argparse.Namespace, secrets: SecretStore | None = None) -> int:
    from trayapp.commands.account_oauth import fill_provider_servers, run_add_oauth

    oauth = getattr(args, "auth", "password") == "oauth2"
    parser = getattr(args, "parser", None)
    problem = _auth_usage_problem(args, oauth)
    if problem and parser is not None:
        parser.error(problem)  # exit 2 with the usage, like any other argument error
    if oauth:
        fill_provider_servers(args)
    if not args.imap_host and parser is not None:
        parser.error(_("the following arguments are required: --imap-host"))
    try:
        config_dir, config = _open_config(args)
        account = account_from_args(args)
        if oauth:
            return run_add_oauth(args, account, config, secrets)
        password = read_password()
        add_account(
            config,
            secrets or KeyringSecretStore(),
            account,
            password,
            test_smtp=not getattr(args, "skip_smtp_test", False),
        )
    except CommandError as error:
        return _fail(str(error))
    except ConfigError as error:
        return _fail(error_text(error))
    _restore_state(config_dir, account)
    log.info(
        "added account %s (%s on %s:%d)",
        account.name,
        account.email,
        account.imap_host,
        account.imap_port,
    )
    print(
        _("added {name} ({email}, {host}:{port})").format(
            name=account.name, email=account.email, host=account.imap_host, port=account.imap_port
        )
    )
    return 0


def _auth_usage_problem(args: argparse.Namespace, oauth: bool) -> str | None:
    if oauth and args.password_stdin:
        return _("--password-stdin and --auth oauth2 exclude each other")
    if not oauth and not args.password_stdin:
        return _("the following arguments are required: --password-stdin (or --auth oauth2)")
    oauth_only = ("provider", "oauth_issuer", "oauth_client_id", "oauth_scope")
    if not oauth and any(getattr(args, name, None) for name in oauth_only):
        return _(
            "--provider, --oauth-issuer, --oauth-client-id and --oauth-scope need --auth oauth2"
        )
    return None


def run_list(args: argparse.Namespace) -> int:
    try:
        _config_dir, config = _open_config(args)
        accounts = config.load_accounts()
    except ConfigError as error:
        return _fail(error_text(error))
    if args.json:
        print(json.dumps([account_to_dict(a) for a in accounts], indent=2, ensure_ascii=False))
        return 0
    if not accounts:
        print(
            _(
                "no accounts; add one with: ippo account add --name NAME --email ADDR "
                "--imap-host HOST --password-stdin"
            )
        )
        return 0
    width = max(len(a.name) for a in accounts)
    for a in accounts:
        signs_in = f"  oauth2 ({a.auth.provider})" if a.auth is not None else ""
        print(
            f"{a.name:<{width}}  {a.email}  {a.imap_host}:{a.imap_port} ({a.imap_security})"
            f"  {a.window_hours:g}h{describe_schedule(a)}{signs_in}"
        )
    return 0


def run_remove(args: argparse.Namespace, secrets: SecretStore | None = None) -> int:
    try:
        config_dir, config = _open_config(args)
        account = config.get_account(args.name)
        if account is None:
            return _fail(_("no account named {name!r}").format(name=args.name))
        # The secret first: if the keyring cannot be reached the account stays, so the
        # password is never left behind without anything pointing at it.
        forget_account(secrets or KeyringSecretStore(), args.name)
        config.remove_account(args.name)
    except KeyringUnavailable as error:
        return _fail(
            _("{reason}; the account was not removed").format(reason=plain_reason(str(error)))
        )
    except ConfigError as error:
        return _fail(error_text(error))
    _hold_state(config_dir, account)
    log.info("removed account %s", args.name)
    print(_("removed {name}").format(name=args.name))
    return 0


def _hold_state(config_dir: Path, account: AccountConfig) -> None:
    """Keep what the user decided about a removed inbox (store/held.py) for a while."""
    _with_state(config_dir, "keep", lambda store: store.hold_account(account.name, account.email))


def _restore_state(config_dir: Path, account: AccountConfig) -> None:
    """An inbox added again gets back what was kept when its address was removed."""

    def restore(store: Any) -> None:
        if store.restore_account(account.name, account.email):
            log.info("brought back what was kept of %s", account.email)

    _with_state(config_dir, "bring back", restore)


def _with_state(config_dir: Path, what: str, work: Any) -> None:
    """`work(store)` on the state database, if there is one; a failure is only logged (the
    account itself was added or removed)."""
    from trayapp.store.db import STATE_FILE, StateStore, StoreError

    path = config_dir / STATE_FILE
    if not path.exists():
        return
    try:
        with StateStore(path) as store:
            work(store)
    except StoreError as error:
        log.warning("could not %s the state: %s", what, error)


# --- `ippo account set` --------------------------------------------------------------------------


def _register_set(commands: Any, add: argparse.ArgumentParser) -> None:
    edit = commands.add_parser(
        "set",
        help="change an inbox's settings in place (keeps everything you decided)",
        description="Change any setting of an inbox, in place: what you dismissed, ignored and "
        "acknowledged stays. A changed login (server, port, security, user name, CA or "
        "password) is tested before anything is saved.",
    )
    edit.add_argument("name", help="the inbox to change")
    mirror_options(add, edit, skip={"--name", "-h", "--help"})
    edit.set_defaults(handler=run_set)


def set_account(
    config: ConfigStore,
    secrets: SecretStore,
    old: AccountConfig,
    new: AccountConfig,
    password: str | None,
    *,
    test_smtp: bool = True,
) -> None:
    """Save `new` over `old`. A changed login or a new password is tested first (and the
    SMTP login, when it or the password changed, unless not `test_smtp`); the new password
    goes into the keyring before the config changes. CommandError on any failure, and then
    nothing was saved."""
    from trayapp.mail.errors import MailError
    from trayapp.mail.imap import check_login

    smtp_changed = any(getattr(old, f) != getattr(new, f) for f in SMTP_FIELDS)
    test_smtp = test_smtp and bool(new.smtp_host) and (smtp_changed or password is not None)
    try:
        if password is not None or login_changed(old, new) or test_smtp:
            secrets.check_available()
            secret = password if password is not None else _stored_secret(secrets, old, new)
            if secret is None:
                raise CommandError(
                    _(
                        "no password for {name!r} in the OS keyring; give one with --password-stdin"
                    ).format(name=old.name)
                )
            if password is not None or login_changed(old, new):
                check_login(new, secret)
            if test_smtp:
                check_sending(new, secret)
            if password is not None:
                secrets.set_password(new.name, password, "imap")
    except KeyringUnavailable as error:
        raise CommandError(
            _("{reason}; nothing was saved").format(reason=plain_reason(str(error)))
        ) from None
    except MailError as error:
        raise LoginRefused(
            _("{reason}; nothing was saved").format(reason=plain_reason(str(error))), str(error)
        ) from None
    try:
        config.update_account(new)
    except ConfigError as error:
        raise CommandError(error_text(error)) from None


def _stored_secret(secrets: SecretStore, old: AccountConfig, new: AccountConfig) -> str | None:
    """What logs in `new` with what is kept: the password, or for an OAuth account an
    access token renewed from its refresh token."""
    if new.auth is None:
        return secrets.get_password(old.name)
    from trayapp.oauth.tokens import TokenBroker

    return TokenBroker(secrets).access_token(new)


def run_set(args: argparse.Namespace, secrets: SecretStore | None = None) -> int:
    try:
        _config_dir, config = _open_config(args)
        old = config.get_account(args.name)
        if old is None:
            return _fail(_("no account named {name!r}").format(name=args.name))
        try:
            new = edited_account(
                old, args, {"imap": DEFAULT_IMAP_PORTS, "smtp": DEFAULT_SMTP_PORTS}
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        password = read_password() if getattr(args, "password_stdin", False) else None
        if new == old and password is None:
            print(_("{name}: nothing to change").format(name=old.name))
            return 0
        set_account(
            config,
            secrets or KeyringSecretStore(),
            old,
            new,
            password,
            test_smtp=not getattr(args, "skip_smtp_test", False),
        )
    except CommandError as error:
        return _fail(str(error))
    except ConfigError as error:
        return _fail(error_text(error))
    changes = describe_changes(old, new) + (["password"] if password is not None else [])
    log.info("changed account %s: %s", new.name, "; ".join(changes))
    print(
        _("updated {name}: {changes}").format(
            name=new.name, changes=", ".join(c.split(":", 1)[0] for c in changes)
        )
    )
    return 0
