"""A real headless browser for the sign-in tests: Debian's chromium, driven by Debian's
chromedriver over the W3C WebDriver HTTP API (plain urllib, no client library).

``headless_browser`` (function fixture) yields a :class:`Browser`; ``browser.sign_in(url,
login)`` goes through oidc-provider's own login and consent pages and returns the text of the
page the redirect landed on (Ippo's loopback page). Chromium runs as root here, so it gets
--no-sandbox; it has a fresh profile and no network beyond loopback.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # W3C WebDriver element key
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
DRIVER = "chromedriver"


class BrowserError(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    def __init__(self, workdir: Path) -> None:
        driver = shutil.which(DRIVER) or "/usr/bin/chromedriver"
        binary = next((c for c in CHROMIUM_CANDIDATES if Path(c).exists()), None)
        if not Path(driver).exists() or binary is None:
            raise BrowserError("chromium/chromedriver missing; tests/run.sh installs them")
        self.port = _free_port()
        self._log = workdir / "chromedriver.log"
        self._driver = subprocess.Popen(
            [driver, f"--port={self.port}", f"--log-path={self._log}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                self._call("GET", "/status")
                break
            except (OSError, BrowserError):
                if time.monotonic() > deadline:
                    self.close()
                    raise BrowserError("chromedriver did not start") from None
                time.sleep(0.1)
        profile = workdir / "chromium-profile"
        profile.mkdir()
        args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            f"--user-data-dir={profile}",
        ]
        answer = self._call(
            "POST",
            "/session",
            {
                "capabilities": {
                    "alwaysMatch": {
                        "browserName": "chrome",
                        "goog:chromeOptions": {"binary": binary, "args": args},
                    }
                }
            },
        )
        self.session = answer["sessionId"]

    # ---- W3C WebDriver

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self._base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=60) as response:
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:500]
            raise BrowserError(f"{method} {path}: HTTP {error.code} {detail}") from None
        return payload.get("value", payload)

    def _s(self, path: str) -> str:
        return f"/session/{self.session}{path}"

    def open(self, url: str) -> None:
        self._call("POST", self._s("/url"), {"url": url})

    @property
    def url(self) -> str:
        return str(self._call("GET", self._s("/url")))

    def text(self) -> str:
        found = self.find("body")
        return str(self._call("GET", self._s(f"/element/{found}/text")))

    def find(self, css: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self._call(
                    "POST", self._s("/element"), {"using": "css selector", "value": css}
                )
                return str(value[ELEMENT])
            except BrowserError:
                if time.monotonic() > deadline:
                    raise BrowserError(f"no {css!r} on {self.url}") from None
                time.sleep(0.1)

    def type(self, css: str, text: str) -> None:
        element = self.find(css)
        self._call("POST", self._s(f"/element/{element}/clear"), {})
        self._call("POST", self._s(f"/element/{element}/value"), {"text": text})

    def click(self, css: str) -> None:
        self._call("POST", self._s(f"/element/{self.find(css)}/click"), {})

    def wait_for_url(self, prefix: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            current = self.url
            if current.startswith(prefix):
                return current
            if time.monotonic() > deadline:
                raise BrowserError(f"still on {current}, waited for {prefix}")
            time.sleep(0.1)

    # ---- oidc-provider's pages

    def sign_in(self, url: str, login: str, password: str = "any password") -> str:
        """Open the authorization URL, sign in on the provider's login page, agree on its
        consent page; the text of the loopback page the browser is sent back to."""
        self.open(url)
        # A browser still signed in at the provider goes straight to the consent page.
        page = self.find("input[name=prompt]")
        prompt = self._call("GET", self._s(f"/element/{page}/property/value"))
        if prompt == "login":
            self.type("input[name=login]", login)
            self.type("input[name=password]", password)
            self.click("button[type=submit]")
        # The consent page (offline_access is asked with prompt=consent).
        self.find("input[name=prompt][value=consent]")
        self.click("button[type=submit]")
        self.wait_for_url("http://127.0.0.1:")
        time.sleep(0.2)
        return self.text()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if getattr(self, "session", None):
                self._call("DELETE", self._s(""))
        self._driver.terminate()
        try:
            self._driver.wait(10)
        except subprocess.TimeoutExpired:
            self._driver.kill()
            self._driver.wait(5)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._driver.pid, signal.SIGKILL)  # any chromium left behind


@pytest.fixture
def headless_browser() -> Iterator[Browser]:
    with tempfile.TemporaryDirectory(prefix="ippo-browser-") as tmp:
        browser = Browser(Path(tmp))
        try:
            yield browser
        finally:
            browser.close()
