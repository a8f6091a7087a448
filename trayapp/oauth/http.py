"""The two HTTP requests OAuth needs: the provider's OpenID configuration (GET) and its token
endpoint (POST). Python's urllib over verified TLS; bounded in time and size.

Why not a library: authlib, oauthlib and requests-oauthlib either bring their own HTTP stack
(requests/httpx, with their own CA and proxy rules and ~5-10 MB resident in a tray app that is
up all day) or leave the HTTP to the caller anyway; what is left here is two form requests,
and the protocol rules themselves are in trayapp/core/oauth.py, unit-tested against the RFCs
and the providers' documentation.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from trayapp.core.oauth import OAuthError, is_loopback_host

TIMEOUT = 30.0
MAX_BODY = 1 << 20  # a token answer or a discovery document is a few kB


class ProviderUnreachable(OAuthError):
    """The provider could not be reached or answered garbage: worth trying again later."""


def _opener(url: str) -> urllib.request.OpenerDirector:
    host = urllib.parse.urlsplit(url).hostname or ""
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.HTTPSHandler(context=ssl.create_default_context())
    ]
    if is_loopback_host(host):
        handlers.append(urllib.request.ProxyHandler({}))  # a server on this machine: no proxy
    return urllib.request.build_opener(*handlers)


def _read_json(response: Any) -> dict[str, Any]:
    body = response.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise ProviderUnreachable("the provider's answer is too large")
    try:
        value = json.loads(body.decode("utf-8")) if body else {}
    except (UnicodeDecodeError, ValueError):
        raise ProviderUnreachable("the provider's answer is not JSON") from None
    if not isinstance(value, dict):
        raise ProviderUnreachable("the provider's answer is not a JSON object")
    return value


def _where(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.netloc


def get_json(url: str, *, timeout: float = TIMEOUT) -> dict[str, Any]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with _opener(url).open(request, timeout=timeout) as response:
            return _read_json(response)
    except urllib.error.HTTPError as error:
        raise ProviderUnreachable(f"{_where(url)} answered HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ProviderUnreachable(f"cannot reach {_where(url)} ({reason})") from None


def post_form(
    url: str, form: Mapping[str, str], *, timeout: float = TIMEOUT
) -> tuple[int, dict[str, Any]]:
    """POST an application/x-www-form-urlencoded body; (status, JSON answer). An HTTP error
    status with a JSON body is an answer (RFC 6749 5.2 errors come as 400/401)."""
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(form).encode("ascii"),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
        method="POST",
    )
    try:
        with _opener(url).open(request, timeout=timeout) as response:
            return int(response.status), _read_json(response)
    except urllib.error.HTTPError as error:
        with error:
            try:
                return int(error.code), _read_json(error)
            except ProviderUnreachable:
                raise ProviderUnreachable(f"{_where(url)} answered HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ProviderUnreachable(f"cannot reach {_where(url)} ({reason})") from None
