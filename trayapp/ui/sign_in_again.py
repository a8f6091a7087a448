"""Accounts whose OAuth sign-in was revoked or expired: `error (sign in again)`.

For each such account: one notification when it happens (not repeated while it stays so);
its "Fix" entry in the tray menu (IppoApp.fix_account) calls `start`: the browser sign-in on
the app's TaskRunner (the GUI thread never waits; `cancel_all` ends a browser wait at once),
the IMAP login tested with the new token, the refresh token into the keyring, and the
account's watcher retried at once: it resumes without restarting the app.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from trayapp.core.model import AccountConfig, AccountHealth, HealthState
from trayapp.core.oauth import SIGN_IN_AGAIN, BearerToken
from trayapp.ui.i18n import error_sentence
from trayapp.ui.tasks import Task, TaskRunner

if TYPE_CHECKING:  # the dialog's module is imported when the dialog first opens
    from trayapp.ui.first_run import LoginTest, OAuthSignIn

log = logging.getLogger(__name__)

REFRESH_KIND = "oauth2-refresh"  # trayapp.oauth.tokens.REFRESH_KIND (not imported: lighter)


def needs_sign_in(health: AccountHealth) -> bool:
    return health.state is HealthState.ERROR and health.reason == SIGN_IN_AGAIN


class SignInAgain(QObject):
    """`update(health)` after every health change; `start(name)` from the menu."""

    finished = Signal(str, str)  # account, error ('' when it worked); on the GUI thread

    def __init__(
        self,
        accounts: Callable[[], list[AccountConfig]],
        sign_in: OAuthSignIn,
        test_login: LoginTest,
        store_secret: Callable[[str, str, str], None],
        retry: Callable[[str], None],
        notify: Callable[[str, str, str], object],  # (account, title, message)
        tasks: TaskRunner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._accounts = accounts
        self._sign_in = sign_in
        self._test_login = test_login
        self._store_secret = store_secret
        self._retry = retry
        self._notify = notify
        self._needing: set[str] = set()
        self._running: dict[str, Task[None]] = {}

    @property
    def needing(self) -> list[str]:
        return sorted(self._needing)

    def update(self, health: Mapping[str, AccountHealth]) -> None:
        now = {name for name, h in health.items() if needs_sign_in(h)}
        for name in sorted(now - self._needing):
            log.info("%s: the sign-in was revoked or expired; asking to sign in again", name)
            self._notify(
                name,
                self.tr("Ippo: sign in again"),
                self.tr(
                    "%1 is not watched: its sign-in was revoked or has expired. Choose"
                    " Fix “%1” in Ippo's menu to sign in again."
                ).replace("%1", name),
            )
        self._needing = now

    def start(self, name: str) -> bool:
        """Run the browser sign-in for `name` on the TaskRunner; False when it cannot start."""
        account = next((a for a in self._accounts() if a.name == name), None)
        auth = account.auth if account is not None else None
        if account is None or auth is None or name in self._running:
            return False
        sign_in, test_login, store_secret = self._sign_in, self._test_login, self._store_secret
        stop = threading.Event()

        def work() -> None:
            # Worker thread: the browser wait (ends when `stop` is set), the login test, the
            # keyring.
            _auth, tokens = sign_in(auth.provider, auth.issuer, auth.client_id, account.email, stop)
            test_login(account, BearerToken(tokens.access_token))
            assert tokens.refresh_token is not None
            store_secret(account.name, tokens.refresh_token, REFRESH_KIND)

        self._running[name] = self._tasks.submit(
            work,
            on_done=lambda _none: self._on_done(name, ""),
            on_error=lambda error: self._on_done(name, error_sentence(error)),
            owner=self,
            stop=stop,
        )
        return True

    def cancel_all(self) -> None:
        for task in self._running.values():
            task.cancel()
        self._running.clear()

    def _on_done(self, name: str, error: str) -> None:
        self._running.pop(name, None)
        if not error:
            log.info("%s: signed in again", name)
            self._retry(name)
        else:
            log.warning("%s: signing in again failed: %s", name, error)
            self._notify(
                name,
                self.tr("Ippo: sign in again"),
                self.tr("Signing in to %1 did not complete: %2")
                .replace("%1", name)
                .replace("%2", error),
            )
        self.finished.emit(name, error)
