"""Clear messages for the conditions the app cannot work around (instead of a crash)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QSystemTrayIcon, QWidget


def system_tray_available() -> bool:
    return QSystemTrayIcon.isSystemTrayAvailable()


def _problem_box(
    name: str, icon: QMessageBox.Icon, text: str, informative: str, parent: QWidget | None
) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName(name)
    box.setIcon(icon)
    box.setWindowTitle(QCoreApplication.translate("Messages", "Ippo"))
    box.setText(text)
    box.setInformativeText(informative)
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    return box


def no_tray_message(parent: QWidget | None = None) -> QMessageBox:
    return _problem_box(
        "noTrayMessage",
        QMessageBox.Icon.Warning,
        QCoreApplication.translate("Messages", "No system tray was found."),
        QCoreApplication.translate(
            "Messages",
            "Ippo lives in the system tray, and this desktop has none running. On GNOME,"
            " install the AppIndicator extension; elsewhere enable the panel's tray area."
            " Meanwhile `ippo watch` or `ippo pending` show what waits.",
        ),
        parent,
    )


def no_keyring_message(detail: str = "", parent: QWidget | None = None) -> QMessageBox:
    box = _problem_box(
        "noKeyringMessage",
        QMessageBox.Icon.Critical,
        QCoreApplication.translate("Messages", "No secure keyring is available."),
        QCoreApplication.translate(
            "Messages",
            "Ippo keeps mail passwords only in the system keyring and never in a file."
            " Unlock or install a keyring (GNOME Keyring, KWallet, Windows Credential"
            " Manager, macOS Keychain) and try again. Nothing was saved.",
        ),
        parent,
    )
    if detail:
        box.setDetailedText(detail)
    return box
