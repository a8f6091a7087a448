"""The loopback redirect listener on its own: bounded in time, cancellable, one sign-in only."""

from __future__ import annotations

import socket
import threading
import urllib.request

import pytest

from trayapp.core.oauth import AuthorizationRequest
from trayapp.oauth.loopback import LoopbackListener, SignInCancelled

pytestmark = pytest.mark.integration


def _request(listener: LoopbackListener) -> AuthorizationRequest:
    return AuthorizationRequest("https://x/auth", "s" * 32, "v", listener.redirect_uri)


def test_the_wait_ends_after_its_time_and_the_port_is_closed() -> None:
    ticks = iter(float(i) for i in range(1000))
    listener = LoopbackListener()
    port = listener.port
    with pytest.raises(SignInCancelled, match="timed out"):
        listener.wait(_request(listener), timeout=300, clock=lambda: next(ticks) * 100)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_cancel_ends_the_wait() -> None:
    cancel = threading.Event()
    listener = LoopbackListener()
    threading.Timer(0.3, cancel.set).start()
    with pytest.raises(SignInCancelled, match="cancelled"):
        listener.wait(_request(listener), cancel=cancel)


def test_a_silent_connection_does_not_hold_the_listener() -> None:
    listener = LoopbackListener(language="ja")
    request = _request(listener)
    silent = socket.create_connection(("127.0.0.1", listener.port))  # sends nothing
    result: dict[str, str] = {}

    def redirect() -> None:
        url = f"{listener.redirect_uri}?code=the-code&state={request.state}"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=20) as response:
            result["page"] = response.read().decode()

    browser = threading.Timer(0.2, redirect)
    browser.start()
    try:
        assert listener.wait(request, timeout=30) == "the-code"
    finally:
        silent.close()
    browser.join(20)
    assert "サインインしました" in result.get("page", "")
