"""UI language: Qt translations (.qm compiled from resources/translations/*.ts).

English is the source language (no file); Japanese comes from ippo_ja.qm. The language
follows the system locale unless the user picks one in the settings; switching installs a
new translator, Qt sends LanguageChange to every widget, and each window re-labels itself.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

import trayapp
from trayapp.core.durations import DurationWords
from trayapp.core.failures import explain_failure
from trayapp.core.model import AccountHealth, HealthState
from trayapp.core.notifications import NotificationTexts, defang
from trayapp.core.summary import TooltipTexts

__all__ = [
    "LanguageSwitcher",
    "defang",
    "describe_health",
    "duration_words",
    "notification_texts",
    "tooltip_texts",
]

SUPPORTED = ("en", "ja")
LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}  # each in its own language


def translations_dir() -> Path:
    """Installed (package data) first, then the source tree."""
    package = Path(trayapp.__file__).resolve().parent
    for candidate in (
        package / "resources" / "translations",
        package.parent / "resources" / "translations",
    ):
        if candidate.is_dir():
            return candidate
    return package.parent / "resources" / "translations"


def system_language(locale: QLocale | None = None) -> str:
    """'ja' when the system prefers Japanese anywhere in its UI languages before English."""
    for tag in (locale or QLocale.system()).uiLanguages():
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary in SUPPORTED:
            return primary
    return "en"


def resolve_language(setting: str | None) -> str:
    """A settings value ('', 'system', 'en', 'ja') to the language to show."""
    if setting in SUPPORTED:
        return setting
    return system_language()


class LanguageSwitcher:
    """Owns the installed translators of one application."""

    def __init__(self, app: QCoreApplication, directory: Path | None = None) -> None:
        self._app = app
        self._directory = directory or translations_dir()
        self._installed: list[QTranslator] = []
        self.language = "en"

    def apply(self, language: str) -> bool:
        """Switch to `language`; False if its translation could not be loaded (English stays)."""
        for translator in self._installed:
            self._app.removeTranslator(translator)
        self._installed = []
        self.language = "en"
        if language == "en":
            return True
        ours = QTranslator(self._app)
        if not ours.load(f"ippo_{language}", str(self._directory)):
            return False
        self._app.installTranslator(ours)
        self._installed.append(ours)
        # Qt's own strings (OK/Cancel in standard buttons) where the Qt build ships them.
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qtbase = QTranslator(self._app)
        if qtbase.load(f"qtbase_{language}", qt_dir):
            self._app.installTranslator(qtbase)
            self._installed.append(qtbase)
        self.language = language
        return True


def ui_language() -> str:
    """The language the UI speaks now: the installed catalog names its own language (its
    translation of 'en' is 'ja'); with no catalog it is English."""
    language = QCoreApplication.translate("Language", "en")
    return language if language in SUPPORTED else "en"


def plain_reason(reason: str) -> str:
    """A server's failure as a plain sentence in the UI language (no Python reprs)."""
    return explain_failure(reason, ui_language()).text


def error_sentence(error: BaseException) -> str:
    """Why something failed, for a dialog in the UI language: a config.json problem names
    its account and field (the command line's catalog holds those sentences); anything else
    is a plain sentence (core.failures), never an exception's class name or repr."""
    from trayapp.config import ConfigError
    from trayapp.core.said import SaidError

    if isinstance(error, SaidError):  # config.json's problems, the login entry's
        from trayapp.cli_i18n import catalog_for

        catalog = catalog_for("ja" if ui_language() == "ja" else "en")
        if isinstance(error, ConfigError):
            return error.text(catalog, lines=True)  # a problem a line: easier to fix them all
        return error.text(catalog)
    return plain_reason(str(error))


def describe_health(health: AccountHealth) -> str:
    """An account's health in the UI language, the reason as a plain sentence."""
    if health.state is HealthState.CONNECTED:
        return QCoreApplication.translate("Health", "connected")
    if health.state is HealthState.CONNECTING:
        return QCoreApplication.translate("Health", "connecting")
    if health.state is HealthState.RETRYING:
        if health.next_try_at is not None:
            at = health.next_try_at.astimezone().strftime("%H:%M:%S")
            text = QCoreApplication.translate("Health", "retrying at %1").replace("%1", at)
        else:
            text = QCoreApplication.translate("Health", "retrying")
    elif health.reason:
        reason = plain_reason(health.reason)
        return QCoreApplication.translate("Health", "error: %1").replace("%1", reason)
    else:
        return QCoreApplication.translate("Health", "error")
    return f"{text} — {plain_reason(health.reason)}" if health.reason else text


def duration_words() -> DurationWords:
    """'27h 17m' / '27時間17分': the duration formats of the UI language."""
    return DurationWords(
        days=QCoreApplication.translate("Duration", "{d}d"),
        hours=QCoreApplication.translate("Duration", "{h}h"),
        minutes=QCoreApplication.translate("Duration", "{m}m"),
        days_hours=QCoreApplication.translate("Duration", "{d}d {h}h"),
        hours_minutes=QCoreApplication.translate("Duration", "{h}h {m:02d}m"),
    )


def tooltip_texts() -> TooltipTexts:
    return TooltipTexts(
        nothing_waits=QCoreApplication.translate("Tooltip", "Nothing waits for a reply"),
        nothing_known=QCoreApplication.translate(
            "Tooltip", "Nothing known to wait — not every inbox is watched"
        ),
        no_inbox=QCoreApplication.translate(
            "Tooltip", "No inbox is watched yet: add one from this menu"
        ),
        counts=QCoreApplication.translate(
            "Tooltip",
            "{waiting} waiting: {overdue} overdue · {urgent} urgent · {warning} warning"
            " · {calm} calm",
        ),
        acknowledged=QCoreApplication.translate("Tooltip", "{count} acknowledged, promise pending"),
        acknowledged_late=QCoreApplication.translate(
            "Tooltip", "{count} acknowledged, {late} of them past the promised time"
        ),
        duration=duration_words(),
        next_due=QCoreApplication.translate("Tooltip", "Next: {sender} — {subject} ({left} left)"),
        next_overdue=QCoreApplication.translate(
            "Tooltip", "Overdue: {sender} — {subject} ({left} late)"
        ),
        not_covered=QCoreApplication.translate("Tooltip", "NOT covered: {account} — {health}"),
        no_subject=QCoreApplication.translate("Tooltip", "(no subject)"),
        away=QCoreApplication.translate(
            "Tooltip", "Away until {until}: deadlines paused, notifications held"
        ),
    )


def notification_texts() -> NotificationTexts:
    return NotificationTexts(
        single_due=QCoreApplication.translate("Notification", "Reply within {left}"),
        single_overdue=QCoreApplication.translate("Notification", "Reply overdue by {left}"),
        single_body=QCoreApplication.translate("Notification", "{sender}\n{subject}"),
        group_title=QCoreApplication.translate("Notification", "{count} inquiries need a reply"),
        line_due=QCoreApplication.translate("Notification", "{sender} — {left} left"),
        line_overdue=QCoreApplication.translate("Notification", "{sender} — {left} overdue"),
        more=QCoreApplication.translate("Notification", "…and {count} more"),
        no_subject=QCoreApplication.translate("Notification", "(no subject)"),
        duration=duration_words(),
        open_action=QCoreApplication.translate("Notification", "Open list"),
        ack_action=QCoreApplication.translate("Notification", "Send first word"),
        snooze_action=QCoreApplication.translate("Notification", "Snooze 1 h"),
        quiet_warning=QCoreApplication.translate(
            "Notification", "{count} inquiries will pass their deadline tonight"
        ),
    )
