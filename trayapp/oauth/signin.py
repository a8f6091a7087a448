"""One sign-in in the system browser (RFC 8252): the listener, the URL, the code, the tokens.

Blocking: the CLI runs it on its main thread (Ctrl-C cancels), the GUI on a worker thread
(its Cancel button sets `cancel`). Nothing is saved here: the caller tests the IMAP login
with the access token first, then puts the refresh token in the keyring.
"""

from __future__ import annotations

import logging
import os
import threading
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from trayapp.core.model import OAuthSettings
from trayapp.core.oauth import (
    Client,
    Endpoints,
    OAuthError,
    ProviderKind,
    SignInRequired,
    TokenSet,
    authorization_request,
    code_exchange_form,
    default_scopes,
    parse_token_response,
)
from trayapp.oauth.clients import resolve_client
from trayapp.oauth.http import get_json, post_form
from trayapp.oauth.loopback import WAIT_TIMEOUT, LoopbackListener
from trayapp.oauth.tokens import endpoints_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignInPlan:
    """Everything a sign-in needs, worked out before the browser opens (so a missing client
    ID or an unreachable issuer is said at once, not after the person signed in)."""

    auth: OAuthSettings  # what the account keeps (client_id is the resolved one)
    endpoints: Endpoints
    client: Client
    scopes: tuple[str, ...]
    login_hint: str | None


def plan_sign_in(
    provider: ProviderKind,
    *,
    issuer: str | None = None,
    client_id: str | None = None,
    scopes: tuple[str, ...] = (),
    login_hint: str | None = None,
    settings: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    get: Callable[[str], dict[str, Any]] = get_json,
) -> SignInPlan:
    """Raises NoClientConfigured, OAuthError (bad issuer URL, bad discovery document) or
    ProviderUnreachable."""
    client = resolve_client(provider, client_id, settings, environ)
    auth = OAuthSettings(provider, client.client_id, issuer, tuple(scopes))
    endpoints = endpoints_for(auth, get)
    if endpoints.issuer is not None and issuer is not None:
        auth = OAuthSettings(provider, client.client_id, endpoints.issuer, tuple(scopes))
    return SignInPlan(
        auth, endpoints, client, tuple(scopes) or default_scopes(provider), login_hint
    )


def open_in_browser(url: str) -> bool:
    """The system browser (RFC 8252 section 8.12: never an embedded one)."""
    try:
        return bool(webbrowser.open(url, new=1))
    except webbrowser.Error:
        return False


def page_language(setting: str | None, environ: Mapping[str, str] | None = None) -> str:
    """'ja' or 'en' for the page the browser lands on: the app's setting, else the locale."""
    if setting in ("ja", "en"):
        return setting
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(name)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def sign_in(
    plan: SignInPlan,
    show_url: Callable[[str], None],
    *,
    language: str = "en",
    cancel: threading.Event | None = None,
    timeout: float = WAIT_TIMEOUT,
    random_bytes: Callable[[int], bytes] = os.urandom,
    post: Callable[[str, Mapping[str, str]], tuple[int, dict[str, Any]]] = post_form,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    listener: LoopbackListener | None = None,
) -> TokenSet:
    """Listen, show the URL (open the browser or print it), wait for the redirect, exchange
    the code. Raises SignInCancelled, OAuthError; KeyboardInterrupt passes through."""
    with listener or LoopbackListener(language) as loopback:
        request = authorization_request(
            plan.auth.provider,
            plan.endpoints,
            plan.client,
            plan.scopes,
            loopback.redirect_uri,
            random_bytes,
            login_hint=plan.login_hint,
        )
        show_url(request.url)
        code = loopback.wait(request, issuer=plan.endpoints.issuer, cancel=cancel, timeout=timeout)
    status, body = post(plan.endpoints.token, code_exchange_form(plan.client, code, request))
    try:
        tokens = parse_token_response(status, body, now())
    except SignInRequired:
        raise OAuthError("the provider refused the sign-in code; try again") from None
    if tokens.refresh_token is None:
        raise OAuthError(
            "the provider gave no refresh token, so Ippo could not stay signed in; check that "
            "the scopes include offline access"
        )
    log.info("signed in with %s", plan.auth.provider)
    return tokens


def browser_sign_in(
    provider: ProviderKind,
    show_url: Callable[[str], None],
    *,
    issuer: str | None = None,
    client_id: str | None = None,
    scopes: tuple[str, ...] = (),
    email: str | None = None,
    settings: Mapping[str, Any] | None = None,
    cancel: threading.Event | None = None,
) -> tuple[OAuthSettings, TokenSet]:
    """Plan and run one sign-in (what `ippo account add/reauth` and the dialogs do): the
    account's `auth` block and the tokens. Raises OAuthError (one line for people)."""
    settings = settings or {}
    plan = plan_sign_in(
        provider,
        issuer=issuer,
        client_id=client_id,
        scopes=scopes,
        login_hint=email,
        settings=settings,
    )
    language = page_language(settings.get("language"))
    return plan.auth, sign_in(plan, show_url, language=language, cancel=cancel)
