"""A login tested, then saved, for a dialog: the add-inbox dialog, the account editor and the
new-password dialog share it.

The dialog writes its check as plain steps (worker thread, no widget touched):

    def job(stop):
        step("test", stop, lambda: test_login(account, password))
        step("save", stop, lambda: save(account, password))
        return account

and `LoginCheck.start(job, done)` runs it on the TaskRunner the app passes in; `done(result)`
or the dialog's `failed(StepFailed)` then runs on the GUI thread. One check at a time per
dialog; the dialog closing (or a newer check) drops the result and stops what has not begun:
a login tested just before Cancel is never saved after it. `failure_text` says what failed in the
user's language, and where only sending failed, the dialog offers "Save anyway".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton

from trayapp.ui.forms import on_language_change
from trayapp.ui.i18n import plain_reason
from trayapp.ui.tasks import Task, TaskRunner

T = TypeVar("T")

# The stages a check names when it fails.
SIGN_IN = "signin"  # the browser sign-in (OAuth)
LOGIN = "test"  # the IMAP login
SENDING = "sending"  # the SMTP login: the inbox itself works
SAVE = "save"  # the keyring or the config


class StepFailed(Exception):
    """A step of a check failed; `reason` is the error's own text. `kept`: what the steps
    before it established (the tested account and secret), for "Save anyway"."""

    def __init__(self, stage: str, reason: str, kept: object = None, plain: bool = False) -> None:
        super().__init__(f"{stage}: {reason}")
        self.stage, self.reason, self.kept = stage, reason, kept
        self.plain = plain  # `reason` is a sentence already (not a server's raw words)


class SendingFailed(Exception):
    """The inbox logs in, the SMTP server does not (raised by a save that tests it);
    `reason` is a plain sentence."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.host, self.reason = host, reason


class CheckStopped(Exception):
    """The dialog went away: the steps not begun are not taken."""


def describe(error: BaseException) -> str:
    # The error's own words, or a phrase core.failures understands: never a class name.
    from trayapp.mail.errors import describe as said

    return str(error).strip() or said(error)


def step(stage: str, stop: threading.Event, action: Callable[[], T], kept: object = None) -> T:
    """Worker thread: one stage of a check. A failure becomes StepFailed(stage, reason)."""
    if stop.is_set():
        raise CheckStopped
    try:
        return action()
    except SendingFailed as error:  # the save tested sending: said as sending
        raise StepFailed(SENDING, error.reason, kept, plain=True) from error
    except StepFailed:  # the action knew its stage better (a save that tests the login)
        raise
    except Exception as error:
        raise StepFailed(stage, describe(error), kept) from error


class LoginCheck(QObject):
    """One dialog's check, on the app's TaskRunner; its results only ever reach that dialog
    while it is open."""

    def __init__(
        self, tasks: TaskRunner, dialog: QDialog, failed: Callable[[StepFailed], None]
    ) -> None:
        super().__init__(dialog)
        self._tasks = tasks
        self._dialog = dialog
        self._failed = failed
        self._task: Task[Any] | None = None
        self.save_anyway: QPushButton | None = None
        dialog.finished.connect(lambda _result: self.cancel())  # closed: no longer busy

    def offer_save_anyway(self, buttons: QDialogButtonBox, save: Callable[[], None]) -> None:
        """A "Save anyway" button in `buttons`, shown only after a check in which the inbox
        worked and only sending failed (the person can fix SMTP later)."""
        button = QPushButton(self.tr("Save anyway"))
        button.setObjectName("saveAnyway")
        buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        button.setVisible(False)  # after adding: the box shows what it is given
        button.clicked.connect(save)
        on_language_change(button, lambda: button.setText(self.tr("Save anyway")))
        self.save_anyway = button

    def busy(self) -> bool:
        return self._task is not None

    def start(
        self,
        job: Callable[[threading.Event], T],
        done: Callable[[T], None],
    ) -> None:
        """Run `job(stop)`; `stop` is set when the dialog closes or a newer check starts."""
        self.cancel()
        if self.save_anyway is not None:
            self.save_anyway.setVisible(False)
        stop = threading.Event()

        def finished(result: T) -> None:
            self._task = None
            done(result)

        def went_wrong(error: BaseException) -> None:
            self._task = None
            self.report(error if isinstance(error, StepFailed) else StepFailed("", describe(error)))

        self._task = self._tasks.submit(
            lambda: job(stop), finished, went_wrong, owner=self._dialog, stop=stop
        )

    def report(self, failure: StepFailed) -> None:
        """A check failed: "Save anyway" where only sending did, and the dialog says why."""
        if self.save_anyway is not None:
            self.save_anyway.setVisible(failure.stage == SENDING)
        self._failed(failure)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def failure_text(self, failure: StepFailed, smtp_host: str = "") -> str:
        """What failed, as the dialog's status line says it."""
        stage, reason = failure.stage, failure.reason
        if stage == SIGN_IN:
            return self.tr("Sign-in did not complete: %1\nNothing was saved.").replace(
                "%1", plain_reason(reason)
            )
        if stage == LOGIN:
            return self.tr("Could not log in: %1\nNothing was saved.").replace(
                "%1", plain_reason(reason)
            )
        if stage == SENDING:
            return (
                self.tr(
                    "The inbox works, but sending through %1 does not: %2\nNothing was saved"
                    " yet. Correct the SMTP settings, or save anyway and fix sending later"
                    " in the settings."
                )
                .replace("%1", smtp_host)
                .replace("%2", reason if failure.plain else plain_reason(reason))
            )
        if stage == SAVE:
            return self.tr("The login works, but the password could not be stored: %1").replace(
                "%1", plain_reason(reason)
            )
        return reason

    def testing_text(self, host: str) -> str:
        return self.tr("Testing the connection to %1…").replace("%1", host)


__all__ = [
    "LOGIN",
    "SAVE",
    "SENDING",
    "SIGN_IN",
    "CheckStopped",
    "LoginCheck",
    "SendingFailed",
    "StepFailed",
    "describe",
    "step",
]
