"""The loopback redirect listener of a native app's sign-in (RFC 8252 section 7.3).

It listens on 127.0.0.1 on a port the OS picks, for one sign-in only, and is bounded in every
way: only `GET /?...` on the exact host:port it handed out is looked at (another path is 404,
another Host header -- a web page rebinding a name to 127.0.0.1 -- is 400), a `state` that is
not this sign-in's is refused and the wait goes on, each connection gets a few seconds to
send its request, and the whole wait ends after `timeout` (5 minutes) or when `cancel` is set.
The page the browser lands on says, in the person's language, that the tab can be closed.
"""

from __future__ import annotations

import html
import logging
import socketserver
import threading
import time
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from trayapp.core.oauth import AuthorizationRequest, OAuthError, StateMismatch, authorization_code

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
PATH = "/"
WAIT_TIMEOUT = 300.0  # five minutes, then the sign-in is given up
CONNECTION_TIMEOUT = 5.0  # a browser sends its request at once; a silent socket is dropped
POLL = 0.25  # how often the wait looks at `cancel` and the deadline

PAGES = {
    "en": {
        "title": "Ippo",
        "done": "Signed in. You can close this tab and return to Ippo.",
        "failed": "Sign-in did not complete: {reason}. You can close this tab.",
        "stale": "This sign-in link is not the one Ippo is waiting for. Start the sign-in "
        "again from Ippo.",
    },
    "ja": {
        "title": "一報 (Ippo)",
        "done": "サインインしました。このタブを閉じて一報に戻ってください。",
        "failed": "サインインは完了しませんでした: {reason}。このタブは閉じてかまいません。",
        "stale": "このサインインのリンクは一報が待っているものではありません。"
        "一報からもう一度サインインしてください。",
    },
}


class SignInCancelled(OAuthError):
    """The person cancelled (Cancel, Ctrl-C) or the five minutes ran out."""


def _page(language: str, key: str, **values: str) -> bytes:
    texts = PAGES.get(language, PAGES["en"])
    message = html.escape(texts[key].format(**values))
    lang = "ja" if language == "ja" else "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(texts['title'])}</title></head>"
        f'<body style="font-family:sans-serif;margin:3em"><p>{message}</p></body></html>'
    ).encode()


class _Server(HTTPServer):
    allow_reuse_address = False
    request_queue_size = 4

    def __init__(self, listener: LoopbackListener) -> None:
        self.listener = listener
        super().__init__((HOST, 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer's own server_bind asks DNS for the host's name (getfqdn): not needed.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = HOST, self.server_address[1]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = CONNECTION_TIMEOUT
    server_version = "Ippo"
    sys_version = ""

    def do_GET(self) -> None:
        self.server.listener._handle(self)

    def do_POST(self) -> None:
        self._reply(405, b"")

    def log_message(self, format: str, *args: Any) -> None:
        # Never log the request line: it carries the authorization code.
        return

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


class LoopbackListener:
    """Listens from construction until `close()`; `wait(request)` returns the code."""

    def __init__(self, language: str = "en") -> None:
        self.language = language
        self._server = _Server(self)
        self.port: int = self._server.server_address[1]
        self._request: AuthorizationRequest | None = None
        self._issuer: str | None = None
        self._result: str | None = None
        self._error: OAuthError | None = None
        self.refused = 0  # requests turned away (tests)

    @property
    def redirect_uri(self) -> str:
        return f"http://{HOST}:{self.port}{PATH}"

    def close(self) -> None:
        self._server.server_close()

    def __enter__(self) -> LoopbackListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wait(
        self,
        request: AuthorizationRequest,
        *,
        issuer: str | None = None,
        cancel: threading.Event | None = None,
        timeout: float = WAIT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> str:
        """Serve until the redirect for `request` arrives; the authorization code.

        Raises SignInCancelled (cancel set, or `timeout` passed), OAuthError (the provider
        said no). A KeyboardInterrupt (Ctrl-C) passes through after the socket is closed."""
        self._request, self._issuer = request, issuer
        deadline = clock() + timeout
        try:
            while self._result is None and self._error is None:
                if cancel is not None and cancel.is_set():
                    raise SignInCancelled("sign-in cancelled")
                left = deadline - clock()
                if left <= 0:
                    raise SignInCancelled(
                        f"sign-in timed out: no answer from the browser within "
                        f"{int(timeout // 60) or 1} minutes"
                    )
                self._server.timeout = min(POLL, left)
                self._server.handle_request()
        finally:
            self.close()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    # ---- one request (on the waiting thread)

    def _handle(self, handler: _Handler) -> None:
        request = self._request
        expected_host = f"{HOST}:{self.port}"
        target = urllib.parse.urlsplit(handler.path)
        if handler.headers.get("Host", "") != expected_host or request is None:
            self.refused += 1
            handler._reply(400, _page(self.language, "stale"))
            return
        if target.path != PATH:
            self.refused += 1
            handler._reply(404, b"")
            return
        query = urllib.parse.parse_qs(target.query, keep_blank_values=True, max_num_fields=20)
        try:
            code = authorization_code(query, request, self._issuer)
        except StateMismatch:
            # A forged or stale redirect must not end the real sign-in: refuse it, keep waiting.
            self.refused += 1
            log.warning("sign-in: refused a redirect with a wrong state")
            handler._reply(400, _page(self.language, "stale"))
            return
        except OAuthError as error:
            self._error = error
            handler._reply(200, _page(self.language, "failed", reason=str(error)))
            return
        self._result = code
        handler._reply(200, _page(self.language, "done"))
