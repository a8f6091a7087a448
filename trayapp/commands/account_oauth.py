"""`ippo account add --auth oauth2 ...` and `ippo account reauth NAME`: signing in with OAuth.

The contract (scripts and the tests depend on it):

    ippo account add --name N --email E --auth oauth2
        [--provider google|microsoft | --oauth-issuer URL] [--oauth-client-id ID]
        [--oauth-scope "S ..."] [--no-browser]  + the server options of a password account

It opens the system browser; with --no-browser it prints exactly one line
`Open this URL to sign in: <url>` on stderr and waits for the redirect (5 minutes at most;
Ctrl-C cancels, exit 130, nothing saved). The IMAP login is tested with the new access token
before anything is saved; then the refresh token goes into the keyring FIRST and the account
into config.json after (as with passwords).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from trayapp.cli_i18n import _, error_text, plain_reason
from trayapp.config import ConfigError, ConfigStore
from trayapp.core.model import AccountConfig
from trayapp.desktop.secrets import KeyringSecretStore, KeyringUnavailable, SecretStore

if TYPE_CHECKING:
    from trayapp.core.oauth import ProviderKind

log = logging.getLogger(__name__)

EXIT_CANCELLED = 130
URL_LINE = "Open this URL to sign in: {url}"

# Server settings when --provider is given and --imap-host is not (the providers' documented
# IMAP and SMTP submission hosts).
PROVIDER_SERVERS: dict[str, dict[str, Any]] = {
    "google": {
        "imap_host": "imap.gmail.com",
        "imap_port": 993,
        "smtp_host": "smtp.gmail.com",
        "smtp_port": 465,
        "smtp_security": "ssl",
    },
    "microsoft": {
        "imap_host": "outlook.office365.com",
        "imap_port": 993,
        "smtp_host": "smtp.office365.com",
        "smtp_port": 587,
        "smtp_security": "starttls",
    },
}


def add_oauth_options(add: argparse.ArgumentParser) -> None:
    """The OAuth options of `account add`, in their own group."""
    group = add.add_argument_group(
        "signing in with OAuth 2.0 (Gmail, Outlook.com, Microsoft 365, OpenID Connect)"
    )
    group.add_argument(
        "--auth",
        choices=("password", "oauth2"),
        default="password",
        help="password (with --password-stdin, the default) or oauth2 (a browser sign-in)",
    )
    which = group.add_mutually_exclusive_group()
    which.add_argument(
        "--provider",
        choices=("google", "microsoft"),
        help="google (Gmail, Google Workspace) or microsoft (Outlook.com, Hotmail, Microsoft 365)",
    )
    which.add_argument(
        "--oauth-issuer",
        metavar="URL",
        help="an OpenID Connect provider's issuer URL (https; http only on this machine)",
    )
    group.add_argument("--oauth-client-id", metavar="ID", help="this account's own client ID")
    group.add_argument(
        "--oauth-scope",
        metavar='"S ..."',
        help="scopes, space-separated (default: the provider's mail scopes; "
        "'openid email offline_access' for an issuer)",
    )
    group.add_argument(
        "--no-browser",
        action="store_true",
        help="print the sign-in URL on stderr instead of opening the browser",
    )


def add_reauth_command(commands: Any) -> None:
    reauth = commands.add_parser(
        "reauth",
        help="sign in again (an OAuth account in 'error (sign in again)')",
        description="Sign in again in the browser; the new sign-in replaces the old one in "
        "the OS keyring after the IMAP login works.",
    )
    reauth.add_argument("name")
    reauth.add_argument(
        "--no-browser",
        action="store_true",
        help="print the sign-in URL on stderr instead of opening the browser",
    )
    reauth.set_defaults(handler=run_reauth)


def fill_provider_servers(args: argparse.Namespace) -> None:
    """Neither --provider nor --oauth-issuer: the provider the address belongs to (Gmail ->
    google, Outlook.com/Hotmail/Live/*.onmicrosoft.com -> microsoft). --provider without
    --imap-host: the provider's own servers."""
    if not args.provider and not args.oauth_issuer:
        from trayapp.core.oauth import provider_for_email

        args.provider = provider_for_email(args.email or "")
    servers = PROVIDER_SERVERS.get(args.provider or "")
    if servers is None or args.imap_host:
        return
    args.imap_host = servers["imap_host"]
    args.imap_port = args.imap_port or servers["imap_port"]
    args.imap_security = "ssl"
    if not args.smtp_host:
        args.smtp_host = servers["smtp_host"]
        args.smtp_port = args.smtp_port or servers["smtp_port"]
        args.smtp_security = servers["smtp_security"]


def _show_url(no_browser: bool) -> Callable[[str], None]:
    def show(url: str) -> None:
        from trayapp.oauth.signin import open_in_browser

        if no_browser or not open_in_browser(url):
            print(URL_LINE.format(url=url), file=sys.stderr, flush=True)

    return show


def _sign_in_and_keep(
    store: SecretStore,
    account: AccountConfig,
    provider: ProviderKind,
    *,
    issuer: str | None,
    client_id: str | None,
    scopes: tuple[str, ...],
    no_browser: bool,
    settings: Mapping[str, Any],
) -> AccountConfig:
    """The keyring checked, the browser sign-in, the IMAP login tested with the new token,
    then the refresh token into the keyring: the account with its `auth` block. Raises
    KeyringUnavailable, OAuthError, MailError; KeyboardInterrupt passes through."""
    from trayapp.core.oauth import BearerToken
    from trayapp.mail.imap import check_login
    from trayapp.oauth.signin import browser_sign_in
    from trayapp.oauth.tokens import REFRESH_KIND

    store.check_available()  # no sign-in whose result cannot be kept
    auth, tokens = browser_sign_in(
        provider,
        _show_url(no_browser),
        issuer=issuer,
        client_id=client_id,
        scopes=scopes,
        email=account.email,
        settings=settings,
    )
    account = replace(account, auth=auth)
    check_login(account, BearerToken(tokens.access_token))
    assert tokens.refresh_token is not None
    store.set_password(account.name, tokens.refresh_token, REFRESH_KIND)
    return account


def run_add_oauth(
    args: argparse.Namespace,
    account: AccountConfig,
    config: ConfigStore,
    secrets: SecretStore | None = None,
) -> int:
    """The rest of `account add` for --auth oauth2 (the arguments are parsed and checked)."""
    from trayapp.core.oauth import OAuthError
    from trayapp.mail.errors import MailError
    from trayapp.oauth.tokens import REFRESH_KIND

    store = secrets or KeyringSecretStore()
    provider: ProviderKind = args.provider or "oidc"
    if provider == "oidc" and not args.oauth_issuer:
        return _fail(_("--auth oauth2 needs --provider google|microsoft or --oauth-issuer URL"))
    scopes = tuple(args.oauth_scope.split()) if args.oauth_scope else ()
    if config.get_account(account.name) is not None:
        return _fail(_("an account named {name!r} already exists").format(name=account.name))
    try:
        account = _sign_in_and_keep(
            store,
            account,
            provider,
            issuer=args.oauth_issuer,
            client_id=args.oauth_client_id,
            scopes=scopes,
            no_browser=args.no_browser,
            settings=config.settings,
        )
    except KeyboardInterrupt:
        return _cancelled()
    except KeyringUnavailable as error:
        return _fail(_("{reason}; nothing was saved").format(reason=plain_reason(str(error))))
    except OAuthError as error:
        return _fail(_("{reason}; nothing was saved").format(reason=error))
    except MailError as error:
        return _fail(_("{reason}; nothing was saved").format(reason=plain_reason(str(error))))
    try:
        config.add_account(account)
    except ConfigError as error:
        try:
            store.delete_password(account.name, REFRESH_KIND)
        except KeyringUnavailable:
            log.warning("could not take back the keyring entry of %s", account.name)
        return _fail(error_text(error))
    from trayapp.commands.account import _restore_state

    _restore_state(config.directory, account)  # what a remove of this address kept
    log.info("added account %s (%s, signed in with %s)", account.name, account.email, provider)
    print(
        _("added {name} ({email}, {host}:{port}, signed in with {provider})").format(
            name=account.name,
            email=account.email,
            host=account.imap_host,
            port=account.imap_port,
            provider=_provider_name(provider),
        )
    )
    return 0


def run_reauth(args: argparse.Namespace, secrets: SecretStore | None = None) -> int:
    from trayapp.commands.account import _open_config
    from trayapp.core.oauth import OAuthError
    from trayapp.mail.errors import MailError

    try:
        _config_dir, config = _open_config(args)
        account = config.get_account(args.name)
    except ConfigError as error:
        return _fail(error_text(error))
    if account is None:
        return _fail(_("no account named {name!r}").format(name=args.name))
    auth = account.auth
    if auth is None:
        return _fail(
            _(
                "account {name!r} signs in with a password; to change it, remove the account "
                "and add it again"
            ).format(name=account.name)
        )
    store = secrets or KeyringSecretStore()
    try:
        _sign_in_and_keep(
            store,
            account,
            auth.provider,
            issuer=auth.issuer,
            client_id=auth.client_id,
            scopes=auth.scopes,
            no_browser=args.no_browser,
            settings=config.settings,
        )
    except KeyboardInterrupt:
        return _cancelled()
    except KeyringUnavailable as error:
        return _fail(
            _("{reason}; the old sign-in was kept").format(reason=plain_reason(str(error)))
        )
    except OAuthError as error:
        return _fail(_("{reason}; the old sign-in was kept").format(reason=error))
    except MailError as error:
        return _fail(
            _("{reason}; the old sign-in was kept").format(reason=plain_reason(str(error)))
        )
    log.info("signed in again: %s", account.name)
    print(_("signed in again: {name}").format(name=account.name))
    return 0


def _provider_name(provider: str) -> str:
    return {"google": "Google", "microsoft": "Microsoft"}.get(provider, "OpenID Connect")


def _fail(message: str) -> int:
    print(f"ippo: {message}", file=sys.stderr)
    return 1


def _cancelled() -> int:
    print("ippo: " + _("sign-in cancelled; nothing was saved"), file=sys.stderr)
    return EXIT_CANCELLED
