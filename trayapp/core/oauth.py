"""OAuth 2.0 for a native app, the pure parts: what is sent and how answers are read.

No I/O (randomness and the clock are passed in). The network, the loopback listener and the
keyring live in trayapp/oauth/. References:
- RFC 8252 (OAuth 2.0 for native apps): system browser, loopback redirect, `state`.
- RFC 7636 (PKCE): code_verifier of 43-128 unreserved characters, S256 challenge
  = BASE64URL(SHA256(ASCII(code_verifier))) without padding.
- RFC 6749 section 4.1 (authorization code grant) and 6 (refresh), 5.2 (error responses).
- RFC 9207 (`iss` in the authorization response) where the server sends it.
- SASL XOAUTH2 (Google's and Microsoft's mail servers) and OAUTHBEARER (RFC 7628).
"""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

ProviderKind = Literal["google", "microsoft", "oidc"]

# The scopes each provider's mail servers ask for.
GOOGLE_SCOPES: tuple[str, ...] = ("https://mail.google.com/",)
MICROSOFT_SCOPES: tuple[str, ...] = (
    "https://outlook.office.com/IMAP.AccessAsUser.All",
    "https://outlook.office.com/SMTP.Send",
    "offline_access",
)
OIDC_DEFAULT_SCOPES: tuple[str, ...] = ("openid", "email", "offline_access")

SIGN_IN_AGAIN = "sign in again"


@dataclass(frozen=True)
class Endpoints:
    """Where a provider signs people in and hands out tokens."""

    authorization: str
    token: str
    issuer: str | None = None  # the OpenID issuer, checked against an `iss` in the redirect
    revocation: str | None = None


GOOGLE = Endpoints(
    authorization="https://accounts.google.com/o/oauth2/v2/auth",
    token="https://oauth2.googleapis.com/token",
    revocation="https://oauth2.googleapis.com/revoke",
)
# `common`: personal Microsoft accounts (Outlook.com, Hotmail, Live) and work or school ones.
MICROSOFT = Endpoints(
    authorization="https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
    token="https://login.microsoftonline.com/common/oauth2/v2.0/token",
)


def default_scopes(provider: ProviderKind) -> tuple[str, ...]:
    if provider == "google":
        return GOOGLE_SCOPES
    if provider == "microsoft":
        return MICROSOFT_SCOPES
    return OIDC_DEFAULT_SCOPES


GOOGLE_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
MICROSOFT_DOMAINS = frozenset(
    {
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "outlook.jp",
        "hotmail.co.jp",
        "live.jp",
        "passport.com",
    }
)


def provider_for_email(email: str) -> Literal["google", "microsoft"] | None:
    """The sign-in an address needs, known by its domain: Gmail -> Google; Outlook.com,
    Hotmail, Live, MSN and Microsoft 365's own *.onmicrosoft.com -> Microsoft. A company's
    own domain may be either (or neither): the person picks."""
    domain = email.rpartition("@")[2].strip().lower()
    if domain in GOOGLE_DOMAINS:
        return "google"
    if domain in MICROSOFT_DOMAINS or domain.endswith(".onmicrosoft.com"):
        return "microsoft"
    return None


def fixed_endpoints(provider: ProviderKind) -> Endpoints | None:
    """Google's and Microsoft's endpoints; None for an OpenID provider (discovered)."""
    return {"google": GOOGLE, "microsoft": MICROSOFT}.get(provider)


# --------------------------------------------------------------------------- errors


class OAuthError(Exception):
    """Signing in or renewing a token failed. str() is one line for people; never a token."""


class SignInRequired(OAuthError):
    """The refresh token is gone, revoked or expired: only the person can fix it, by signing
    in again. Never retried on its own."""

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(SIGN_IN_AGAIN if not detail else f"{SIGN_IN_AGAIN} ({detail})")


class StateMismatch(OAuthError):
    """A redirect whose `state` is not the one this sign-in sent (a forged or stale link)."""


# --------------------------------------------------------------------------- issuer URL


def is_loopback_host(host: str) -> bool:
    import ipaddress  # only when an issuer URL is checked: not in every IMAP process

    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_issuer_url(url: str) -> str:
    """The issuer URL without a trailing slash; OAuthError unless it is https, or http on a
    loopback address (a server on this machine, as in the tests)."""
    parts = urllib.parse.urlsplit(url.strip())
    if not parts.hostname:
        raise OAuthError(f"not an issuer URL: {url!r}")
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback_host(parts.hostname)):
        if parts.query or parts.fragment:
            raise OAuthError(f"an issuer URL has no query or fragment: {url!r}")
        return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/")))
    raise OAuthError(f"the issuer URL must use https (http only on this machine): {url!r}")


def check_endpoint_url(url: object, what: str) -> str:
    """A discovered endpoint must be https too (or http on loopback)."""
    if not isinstance(url, str) or not url:
        raise OAuthError(f"the provider's configuration has no {what}")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname is not None and is_loopback_host(parts.hostname)
    ):
        return url
    raise OAuthError(f"the provider's {what} is not https: {url!r}")


def endpoints_from_discovery(issuer: str, document: Mapping[str, Any]) -> Endpoints:
    """Endpoints from an OpenID Provider Configuration document (OpenID Connect Discovery
    1.0 section 4.3: its `issuer` must be exactly the issuer asked for)."""
    if document.get("issuer") != issuer and str(document.get("issuer", "")).rstrip("/") != issuer:
        raise OAuthError("the provider's configuration names another issuer; refusing it")
    methods = document.get("code_challenge_methods_supported")
    if isinstance(methods, list) and methods and "S256" not in methods:
        raise OAuthError("the provider does not support PKCE with S256")
    revocation = document.get("revocation_endpoint")
    return Endpoints(
        authorization=check_endpoint_url(
            document.get("authorization_endpoint"), "authorization endpoint"
        ),
        token=check_endpoint_url(document.get("token_endpoint"), "token endpoint"),
        issuer=str(document["issuer"]),
        revocation=check_endpoint_url(revocation, "revocation endpoint") if revocation else None,
    )


# --------------------------------------------------------------------------- PKCE and state


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pkce_pair(random_bytes: Callable[[int], bytes]) -> tuple[str, str]:
    """(code_verifier, code_challenge) for S256: 32 random octets make a 43-character
    verifier (RFC 7636 section 4.1 recommends exactly this)."""
    verifier = _b64url(random_bytes(32))
    challenge = _b64url(hashlib.sha256(verifier.encode("ascii")).digest())
    return verifier, challenge


def new_state(random_bytes: Callable[[int], bytes]) -> str:
    return _b64url(random_bytes(24))


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Client:
    """The app as the provider knows it. `secret` only for Google's desktop clients, whose
    "secret" is not confidential (Google's own documentation says so for installed apps)."""

    client_id: str
    secret: str | None = None


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    verifier: str
    redirect_uri: str


def extra_authorization_params(
    provider: ProviderKind, scopes: Sequence[str], login_hint: str | None
) -> dict[str, str]:
    """What each provider needs beyond RFC 6749 to hand out a refresh token.

    Google: access_type=offline (a refresh token) and prompt=consent (a new one on every
    sign-in, not only the first). OpenID providers: offline_access is honoured only with
    prompt=consent (OpenID Connect Core 1.0 section 11). Microsoft: offline_access is enough.
    """
    params: dict[str, str] = {}
    if provider == "google":
        params["access_type"] = "offline"
        params["prompt"] = "consent"
    elif provider == "oidc" and "offline_access" in scopes:
        params["prompt"] = "consent"
    if login_hint:
        params["login_hint"] = login_hint
    return params


def authorization_request(
    provider: ProviderKind,
    endpoints: Endpoints,
    client: Client,
    scopes: Sequence[str],
    redirect_uri: str,
    random_bytes: Callable[[int], bytes],
    *,
    login_hint: str | None = None,
) -> AuthorizationRequest:
    """The URL the browser opens (RFC 6749 4.1.1 with PKCE S256 and `state`)."""
    verifier, challenge = pkce_pair(random_bytes)
    state = new_state(random_bytes)
    params = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra_authorization_params(provider, scopes, login_hint),
    }
    joiner = "&" if urllib.parse.urlsplit(endpoints.authorization).query else "?"
    url = endpoints.authorization + joiner + urllib.parse.urlencode(params)
    return AuthorizationRequest(url, state, verifier, redirect_uri)


def code_exchange_form(client: Client, code: str, request: AuthorizationRequest) -> dict[str, str]:
    """The token request for the code (RFC 6749 4.1.3 + RFC 7636 4.5)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": request.redirect_uri,
        "client_id": client.client_id,
        "code_verifier": request.verifier,
    }
    if client.secret:
        form["client_secret"] = client.secret
    return form


def refresh_form(client: Client, refresh_token: str) -> dict[str, str]:
    """The refresh request (RFC 6749 section 6); the scope stays the one granted."""
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": client.client_id,
    }
    if client.secret:
        form["client_secret"] = client.secret
    return form


# --------------------------------------------------------------------------- answers


def _clean(text: object, limit: int = 200) -> str:
    """Server text made safe for one line of a message: printable ASCII only, bounded."""
    value = "".join(c if 32 <= ord(c) < 127 else " " for c in str(text))
    return " ".join(value.split())[:limit]


def authorization_code(
    query: Mapping[str, Sequence[str]], request: AuthorizationRequest, issuer: str | None
) -> str:
    """The code from the redirect's query, after checking `state` (and `iss` when sent).

    StateMismatch for a wrong or missing state; OAuthError when the provider reports an error
    (the person said no, or the request was refused)."""

    def one(name: str) -> str | None:
        values = query.get(name)
        return values[0] if values and len(values) == 1 else None

    if one("state") != request.state:
        raise StateMismatch("the sign-in answer does not belong to this sign-in")
    iss = one("iss")
    if iss is not None and issuer is not None and iss.rstrip("/") != issuer.rstrip("/"):
        raise OAuthError("the sign-in answer came from another provider; refusing it")
    error = one("error")
    if error is not None:
        if error == "access_denied":
            raise OAuthError("sign-in was cancelled or access was not granted")
        description = one("error_description")
        detail = f": {_clean(description)}" if description else ""
        raise OAuthError(f"the provider refused the sign-in ({_clean(error, 60)}){detail}")
    code = one("code")
    if not code:
        raise OAuthError("the sign-in answer carries no authorization code")
    return code


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    expires_at: datetime
    issued_at: datetime
    refresh_token: str | None = field(default=None, repr=False)
    scope: str | None = None

    @property
    def lifetime(self) -> timedelta:
        return self.expires_at - self.issued_at


DEFAULT_LIFETIME = 3600  # seconds, when the server does not say (RFC 6749 leaves it optional)


def parse_token_response(status: int, body: Mapping[str, Any], now: datetime) -> TokenSet:
    """A token endpoint's answer (RFC 6749 5.1 and 5.2).

    SignInRequired for invalid_grant (the refresh token or code is revoked, expired or used):
    only a new sign-in helps. Other errors are OAuthError (the caller decides whether trying
    later may help)."""
    error = body.get("error")
    if status >= 400 or error is not None:
        code = _clean(error or f"HTTP {status}", 60)
        if error == "invalid_grant":
            raise SignInRequired()
        description = body.get("error_description")
        detail = f": {_clean(description)}" if description else ""
        raise OAuthError(f"the provider refused the token request ({code}){detail}")
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise OAuthError("the provider's answer carries no access token")
    token_type = str(body.get("token_type", "Bearer"))
    if token_type.lower() != "bearer":
        raise OAuthError(f"the provider issued a {_clean(token_type, 30)} token, not Bearer")
    try:
        lifetime = int(body.get("expires_in", DEFAULT_LIFETIME))
    except (TypeError, ValueError):
        lifetime = DEFAULT_LIFETIME
    lifetime = max(1, lifetime)
    refresh = body.get("refresh_token")
    scope = body.get("scope")
    return TokenSet(
        access_token=access,
        expires_at=now + timedelta(seconds=lifetime),
        issued_at=now,
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        scope=scope if isinstance(scope, str) else None,
    )


def refresh_margin(lifetime: timedelta) -> timedelta:
    """How long before expiry a token is renewed: a fifth of its life, at most 5 minutes
    (an hour's token: at 55 min; a 30-second test token: at 24 s)."""
    return min(timedelta(minutes=5), lifetime / 5)


def renew_after(tokens: TokenSet) -> datetime:
    return tokens.expires_at - refresh_margin(tokens.lifetime)


def needs_refresh(tokens: TokenSet | None, now: datetime) -> bool:
    return tokens is None or now >= renew_after(tokens)


# --------------------------------------------------------------------------- SASL


def xoauth2(user: str, token: str) -> bytes:
    """SASL XOAUTH2's initial response (before base64): user, then the bearer token."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()


def _gs2_name(user: str) -> str:
    # RFC 5801 section 4: "," and "=" in the authzid are escaped as =2C and =3D.
    return user.replace("=", "=3D").replace(",", "=2C")


def oauthbearer(user: str, token: str, host: str, port: int) -> bytes:
    """SASL OAUTHBEARER's initial client response (RFC 7628 section 3.1), before base64."""
    return (
        f"n,a={_gs2_name(user)},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01"
    ).encode()


class BearerToken(str):
    """An OAuth access token where a password would go (IMAP and SMTP logins take a str).

    Its type tells the login step to authenticate with SASL XOAUTH2/OAUTHBEARER instead of
    LOGIN; `renew()` gives a fresh token after the server refused this one (or raises
    SignInRequired). repr() never shows the token."""

    renew: Callable[[], BearerToken] | None
    renew_after: datetime | None  # a session logged in with it should be renewed by then

    def __new__(
        cls,
        token: str,
        renew: Callable[[], BearerToken] | None = None,
        renew_after: datetime | None = None,
    ) -> BearerToken:
        self = super().__new__(cls, token)
        self.renew = renew
        self.renew_after = renew_after
        return self

    def __repr__(self) -> str:
        return "BearerToken(<hidden>)"
