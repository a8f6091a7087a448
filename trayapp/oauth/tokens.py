"""Access tokens for OAuth accounts: in memory only, renewed from the refresh token in the keyring.

- A token is handed out as a `BearerToken`; it is renewed shortly before it expires (see
  core.oauth.refresh_margin), and once more when a server refuses it (`BearerToken.renew`).
- The refresh token is read from the keyring for every renewal (another process may have
  signed in again or rotated it) and a rotated one is written back at once.
- A refresh token the provider refuses (invalid_grant: revoked, expired) raises
  `SignInNeeded`, a permanent MailError whose text is "sign in again": the watcher stops in
  `error (sign in again)` and contacts nobody until the person signs in again. The same
  refused token is never sent twice: asking again without a new sign-in fails at once.
- No token is ever logged, put in an exception message or written anywhere but the keyring.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from trayapp.core.model import AccountConfig, OAuthSettings
from trayapp.core.oauth import (
    SIGN_IN_AGAIN,
    BearerToken,
    Endpoints,
    OAuthError,
    SignInRequired,
    TokenSet,
    check_issuer_url,
    endpoints_from_discovery,
    fixed_endpoints,
    needs_refresh,
    parse_token_response,
    refresh_form,
    renew_after,
)
from trayapp.desktop.secrets import KeyringUnavailable
from trayapp.file_lock import exclusive_lock
from trayapp.mail.errors import MailError
from trayapp.oauth.clients import client_for_account
from trayapp.oauth.http import ProviderUnreachable, get_json, post_form

log = logging.getLogger(__name__)

REFRESH_KIND = "oauth2-refresh"
DISCOVERY_PATH = "/.well-known/openid-configuration"


class SignInNeeded(MailError):
    """Only the person can fix this: sign in again. str() is exactly 'sign in again'."""

    permanent = True
    kind = "signin"

    def __init__(self) -> None:
        super().__init__(SIGN_IN_AGAIN)


class TokenSecrets(Protocol):
    def get_password(self, account: str, kind: str = "imap") -> str | None: ...

    def set_password(self, account: str, password: str, kind: str = "imap") -> None: ...


PostForm = Callable[[str, Mapping[str, str]], tuple[int, dict[str, Any]]]
GetJson = Callable[[str], dict[str, Any]]

# One refresh per account at a time in this process, whichever broker asks: providers that
# rotate refresh tokens (Microsoft, oidc-provider) revoke the grant when a used one comes back.
_ACCOUNT_LOCKS: dict[str, threading.Lock] = {}
_ACCOUNT_LOCKS_GUARD = threading.Lock()


def _account_lock(name: str) -> threading.Lock:
    with _ACCOUNT_LOCKS_GUARD:
        return _ACCOUNT_LOCKS.setdefault(name, threading.Lock())


@contextlib.contextmanager
def _refresh_lock(name: str) -> Iterator[None]:
    """The same across processes (the tray app, `ippo watch`, `ippo pending` and `ippo ack`
    share one keyring entry): an advisory lock file per account in the user's cache folder.
    Where there is no flock (Windows) the in-process lock is what there is."""
    import platformdirs

    folder = Path(platformdirs.user_cache_dir("ippo")) / "locks"
    with contextlib.ExitStack() as held:
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            held.enter_context(exclusive_lock(folder / f"oauth-{_fingerprint(name)[:16]}.lock"))
        except OSError as error:
            log.warning("no lock file for renewing sign-ins (%s); renewing without it", error)
        yield


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def discover(issuer: str, get: GetJson = get_json) -> Endpoints:
    """The endpoints of an OpenID provider (OpenID Connect Discovery 1.0)."""
    issuer = check_issuer_url(issuer)
    return endpoints_from_discovery(issuer, get(issuer + DISCOVERY_PATH))


def endpoints_for(auth: OAuthSettings, get: GetJson = get_json) -> Endpoints:
    fixed = fixed_endpoints(auth.provider)
    if fixed is not None:
        return fixed
    if not auth.issuer:
        raise OAuthError("an OpenID Connect sign-in needs the provider's issuer URL")
    return discover(auth.issuer, get)


class TokenBroker:
    """Access tokens for OAuth accounts, by account name. Thread-safe."""

    def __init__(
        self,
        secrets: TokenSecrets,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        post: PostForm | None = None,
        get: GetJson | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._secrets = secrets
        self._now = now
        self._post: PostForm = post or (lambda url, form: post_form(url, form))
        self._get: GetJson = get or (lambda url: get_json(url))
        self._environ = environ
        self._tokens: dict[str, TokenSet] = {}
        self._endpoints: dict[tuple[str, str | None], Endpoints] = {}
        self._refused: dict[str, str] = {}  # account -> fingerprint of a refused refresh token
        self.refreshes = 0  # token requests made (tests)

    # ---- what the login steps ask

    def access_token(self, account: AccountConfig) -> BearerToken:
        """A token valid for a while yet; renews it when it is close to expiry.
        Raises SignInNeeded, or a transient MailError (provider or keyring away)."""
        with _account_lock(account.name):
            tokens = self._tokens.get(account.name)
            if needs_refresh(tokens, self._now()):
                tokens = self._refresh(account)
            assert tokens is not None
            current = tokens.access_token
        return BearerToken(
            current, renew=lambda: self._renew(account, current), renew_after=renew_after(tokens)
        )

    def expires_at(self, account_name: str) -> datetime | None:
        tokens = self._tokens.get(account_name)
        return tokens.expires_at if tokens is not None else None

    def forget(self, account_name: str) -> None:
        """Drop the in-memory token (the account was removed or signed in again)."""
        with _account_lock(account_name):
            self._tokens.pop(account_name, None)
            self._refused.pop(account_name, None)

    def accept(self, account_name: str, tokens: TokenSet) -> None:
        """Tokens from a fresh sign-in: use its access token at once."""
        with _account_lock(account_name):
            self._tokens[account_name] = tokens
            self._refused.pop(account_name, None)

    # ---- internals

    def _renew(self, account: AccountConfig, refused: str) -> BearerToken:
        """The server refused `refused`: one fresh token (no further renewal)."""
        with _account_lock(account.name):
            tokens = self._tokens.get(account.name)
            if tokens is None or tokens.access_token == refused:
                log.info("%s: the server refused the access token; renewing it", account.name)
                self._tokens.pop(account.name, None)
                tokens = self._refresh(account)
            return BearerToken(tokens.access_token, renew_after=renew_after(tokens))

    def _refresh(self, account: AccountConfig) -> TokenSet:
        auth = account.auth
        if auth is None:
            raise MailError(f"account {account.name!r} does not sign in with OAuth", permanent=True)
        with _refresh_lock(account.name):
            # Read under the lock: another process may have just rotated it.
            try:
                refresh_token = self._secrets.get_password(account.name, REFRESH_KIND)
            except KeyringUnavailable as error:
                raise MailError(str(error), permanent=False) from error
            if refresh_token is None:
                raise SignInNeeded()
            if self._refused.get(account.name) == _fingerprint(refresh_token):
                raise SignInNeeded()  # refused before and not replaced since: do not ask again
            return self._refresh_with(account, auth, refresh_token)

    def _refresh_with(
        self, account: AccountConfig, auth: OAuthSettings, refresh_token: str
    ) -> TokenSet:
        try:
            endpoints = self._endpoints_for(auth)
            client = client_for_account(auth.provider, auth.client_id, self._environ)
            self.refreshes += 1
            status, body = self._post(endpoints.token, refresh_form(client, refresh_token))
            if status >= 500:
                raise ProviderUnreachable(f"the provider answered HTTP {status}")
            tokens = parse_token_response(status, body, self._now())
        except SignInRequired:
            log.info("%s: the provider refused the refresh token; sign in again", account.name)
            self._refused[account.name] = _fingerprint(refresh_token)
            self._tokens.pop(account.name, None)
            raise SignInNeeded() from None
        except ProviderUnreachable as error:
            raise MailError(f"cannot renew the sign-in: {error}", permanent=False) from None
        except OAuthError as error:
            raise MailError(f"cannot renew the sign-in: {error}", permanent=True) from None
        if tokens.refresh_token and tokens.refresh_token != refresh_token:
            try:  # rotated: the old one is void now, the new one must not be lost
                self._secrets.set_password(account.name, tokens.refresh_token, REFRESH_KIND)
            except KeyringUnavailable as error:
                log.error("%s: could not keep the renewed sign-in: %s", account.name, error)
                raise MailError(str(error), permanent=False) from error
        self._tokens[account.name] = tokens
        log.info(
            "%s: access token renewed (valid until %s)",
            account.name,
            tokens.expires_at.isoformat(timespec="seconds"),
        )
        return tokens

    def _endpoints_for(self, auth: OAuthSettings) -> Endpoints:
        key = (auth.provider, auth.issuer)
        found = self._endpoints.get(key)
        if found is None:
            found = endpoints_for(auth, self._get)
            self._endpoints[key] = found
        return found
