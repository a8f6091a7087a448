"""Run under a real X display: shows the quick-acknowledgement dialog for an overdue inquiry
(from a company contact, account with a display name and signatures) or the settings with the
account editor, in the given language; prints 'shown', then waits to be screenshotted.

    python -m tests.gui.reply_scene ack|settings|password|banner LANG
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from trayapp.core.model import AccountConfig, Inquiry
from trayapp.mail.acknowledge import load_templates, local_now
from trayapp.ui.ack_dialog import AckDialog
from trayapp.ui.i18n import LanguageSwitcher
from trayapp.ui.login_check import SENDING, StepFailed
from trayapp.ui.password_dialog import NewPasswordDialog
from trayapp.ui.settings_dialog import SettingsDialog
from trayapp.ui.tasks import TaskRunner

SHOP = AccountConfig(
    name="shop",
    email="info@ippo-shop.example.jp",
    imap_host="imap.example.jp",
    display_name="一報商店 鈴木",
    signature_ja="--\n一報商店 鈴木 一郎\ninfo@ippo-shop.example.jp\n03-1234-5678",
    signature_en="--\nIppo Shop, Ichiro Suzuki\ninfo@ippo-shop.example.jp",
    warning_hours=4.5,
)


class NoSend:
    def acknowledge(self, *args: object, **kwargs: object) -> object:
        raise RuntimeError("screenshots send nothing")

    def resume(self, *args: object, **kwargs: object) -> object:
        raise RuntimeError("screenshots send nothing")


def overdue_inquiry(now: datetime) -> Inquiry:
    return Inquiry(
        id="late",
        account="shop",
        folder="INBOX",
        uidvalidity=1,
        uid=7,
        message_id="q7@sample.example.jp",
        sender="㈱サンプル 山田 太郎 <yamada@sample.example.jp>",
        sender_addr="yamada@sample.example.jp",
        subject="見積もりのお願い（①の件）",
        received_at=now - timedelta(hours=30),
        due_at=now - timedelta(hours=6),
        preview="いつもお世話になっております。先日ご相談した①の件について、お見積もりを"
        "いただけますでしょうか。",
    )


def main() -> int:
    scene, language = sys.argv[1], sys.argv[2]
    app = QApplication(sys.argv[:1])
    LanguageSwitcher(app).apply(language)
    widget: QWidget
    if scene == "ack":
        widget = AckDialog(
            SHOP,
            overdue_inquiry(local_now()),
            load_templates(),
            NoSend(),
            local_now,
            tasks=TaskRunner("scene-tasks"),
        )
        print("body-start=" + widget.body.toPlainText().split("\n")[3], flush=True)
    elif scene == "banner":
        from datetime import UTC

        from trayapp.core.model import AccountHealth, HealthState
        from trayapp.ui.pending_window import PendingWindow

        from .helpers import sample_items

        now = datetime.now(UTC)
        window = PendingWindow(clock=lambda: datetime.now(UTC))
        window.set_items(sample_items(now))
        window.set_health(
            {
                "shop": AccountHealth(HealthState.CONNECTED),
                "support": AccountHealth(
                    HealthState.ERROR,
                    "imap.example.jp:993: login failed (wrong user name or password?): "
                    "b'[AUTHENTICATIONFAILED] Authentication failed.'",
                ),
            }
        )
        widget = window
    elif scene == "password":
        widget = NewPasswordDialog(
            SHOP,
            "imap.example.jp:993: login failed (wrong user name or password?): "
            "b'[AUTHENTICATIONFAILED] Authentication failed.'",
            lambda account, password: None,
            lambda name, password: None,
            TaskRunner("scene-tasks"),
        )
    elif scene == "editor":
        from trayapp.ui.account_editor import AccountEditor

        settings = SettingsDialog([SHOP], language=language)
        settings.move(20, 20)
        settings.show()
        from dataclasses import replace

        shop = replace(SHOP, smtp_host="smtp.example.jp", smtp_port=465)
        widget = AccountEditor(
            shop, lambda old, new, password, smtp: None, TaskRunner("scene-tasks")
        )
        widget.password.setText("new password")
        # What a refused SMTP login shows ("Save anyway" beside it).
        failure = StepFailed(SENDING, "(535 5.7.8 Authentication failed)", plain=True)
        widget._check.report(failure)
        widget.move(700, 20)
        widget.show()
        QTimer.singleShot(1200, lambda: print("shown", flush=True))
        QTimer.singleShot(60_000, app.quit)
        return app.exec()
    else:
        widget = SettingsDialog([SHOP], language=language)
    widget.move(40, 40)
    widget.show()
    QTimer.singleShot(1200, lambda: print("shown", flush=True))
    QTimer.singleShot(60_000, app.quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
