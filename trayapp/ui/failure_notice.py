"""An inbox that stops being watched is told once -- one notification per outage, not one per
retry -- in the UI language, with the plain sentence (core.failures) and one action that
fixes it (the app's fix_account: the new password, the settings, or a retry).

The notification tells no inquiry: it is tagged "account:NAME", so a later one for the same
inbox replaces it and a snapshot never withdraws it. Its action key names the inbox
("ippo-fix:NAME"; an account name is the user's own, never mail text).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from trayapp.core.failures import explain_failure
from trayapp.core.model import AccountHealth, HealthState
from trayapp.core.notifications import ACTION_OPEN, NotificationText
from trayapp.core.oauth import SIGN_IN_AGAIN

ACTION_FIX_PREFIX = "ippo-fix:"


def fix_action_account(key: str) -> str | None:
    """The inbox a notification action asks to fix, or None for any other action."""
    return key[len(ACTION_FIX_PREFIX) :] if key.startswith(ACTION_FIX_PREFIX) else None


def account_notice(name: str, title: str, message: str, fix_label: str) -> NotificationText:
    """A notice about inbox `name`: the list, and the one action that fixes it."""
    return NotificationText(
        title=title,
        message=message,
        actions=(
            (ACTION_OPEN, QCoreApplication.translate("FailureNotice", "Open list")),
            (ACTION_FIX_PREFIX + name, fix_label),
        ),
        tag=f"account:{name}",  # a later notice about the same inbox replaces this one
    )


def sign_in_again_notice(name: str, title: str, message: str) -> NotificationText:
    """The revoked-or-expired sign-in notice (worded by ui/sign_in_again.py), its action the
    browser sign-in, labelled as the list banner's button for it."""
    label = QCoreApplication.translate("NotCoveredBanner", "Sign in again…")
    return account_notice(name, title, message, label)


class FailureNotices:
    """Feed it every health change; it calls `notify` once when an inbox stops being watched
    for a reason worth the person's attention, and again only after it was watched again."""

    def __init__(
        self, notify: Callable[[NotificationText], object], language: Callable[[], str]
    ) -> None:
        self._notify = notify
        self._language = language
        self._told: set[str] = set()

    def health_changed(self, name: str, health: AccountHealth) -> NotificationText | None:
        if health.covered:
            self._told.discard(name)
            return None
        if name in self._told or not health.reason or health.state is HealthState.CONNECTING:
            return None
        if health.reason == SIGN_IN_AGAIN:
            return None  # a revoked OAuth sign-in is told by ui/sign_in_again.py
        failure = explain_failure(health.reason, self._language())
        if health.state is HealthState.RETRYING and failure.fix == "wait":
            return None  # passing trouble: Ippo retries on its own and the badge shows it
        self._told.add(name)
        if failure.fix == "password":
            label = QCoreApplication.translate("FailureNotice", "Enter the new password")
        elif failure.fix == "wait":
            label = QCoreApplication.translate("FailureNotice", "Try again now")
        else:
            label = QCoreApplication.translate("FailureNotice", "Check the settings")
        title = QCoreApplication.translate("FailureNotice", "“%1” is not watched")
        note = account_notice(name, title.replace("%1", name), failure.text, label)
        self._notify(note)
        return note

    def forget(self, name: str) -> None:
        """The inbox was removed or changed: a new outage is told again."""
        self._told.discard(name)
