"""The quick-acknowledge dialog: template filling, language choice, the promise picker, and
sending for real (real SMTP into the test Dovecot) with errors shown and retried."""

from __future__ import annotations

import dataclasses
import email
import threading
from collections.abc import Iterator
from datetime import timedelta, timezone
from email import policy
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.support import mailcorpus
from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.smtp_server import SmtpServer
from trayapp.core.model import AccountConfig, Inquiry
from trayapp.core.promise import PromiseChoice, promise_phrase
from trayapp.core.templates import PLACEHOLDERS
from trayapp.desktop.secrets import KeyringSecretStore
from trayapp.mail.acknowledge import AcknowledgeService, load_templates, local_now
from trayapp.mail.imap import connect, logout
from trayapp.mail.scan import scan_account
from trayapp.store.db import StateStore
from trayapp.ui.ack_dialog import AckDialog
from trayapp.ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

JA_PREVIEW = "いつもお世話になっております。①の商品の在庫について教えてください。"
SIGNATURE = "--\n一報商店 鈴木"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore(tmp_path) as s:
        yield s


class RecordingService(AcknowledgeService):
    """The real service, noting which thread each send runs on."""

    threads: list[threading.Thread]

    def acknowledge(self, *args: Any, **kwargs: Any) -> Any:
        self.threads.append(threading.current_thread())
        return super().acknowledge(*args, **kwargs)


def offline_account() -> AccountConfig:
    return AccountConfig(
        name="shop", email="shop@example.test", imap_host="imap.invalid", signature=SIGNATURE
    )


def offline_inquiry(subject: str = mailcorpus.JA_SUBJECT, preview: str = JA_PREVIEW) -> Inquiry:
    now = local_now()
    return Inquiry(
        id="i1",
        account="shop",
        folder="INBOX",
        uidvalidity=1,
        uid=1,
        message_id="q@example.test",
        sender="髙橋 一郎 <taka@example.test>",
        sender_addr="taka@example.test",
        subject=subject,
        received_at=now,
        due_at=now + timedelta(hours=24),
        preview=preview,
    )


@pytest.fixture
def dialog(tasks: TaskRunner, qtbot: Any, store: StateStore) -> AckDialog:
    service = AcknowledgeService(store, KeyringSecretStore())
    box = AckDialog(
        offline_account(), offline_inquiry(), load_templates(), service, local_now, tasks=tasks
    )
    qtbot.addWidget(box)
    return box


def test_prefilled_from_the_japanese_template(dialog: AckDialog) -> None:
    text = dialog.body.toPlainText()
    assert dialog.language == "ja"
    assert dialog.language_box.currentText() == "日本語"
    assert text.startswith("髙橋 一郎様\n")
    assert promise_phrase(dialog.promise_due_at(), "ja", local_now()) in text
    assert f"「{mailcorpus.JA_SUBJECT}」" in text
    assert text.rstrip().endswith("一報商店 鈴木")
    assert not any(f"{{{p}}}" in text for p in PLACEHOLDERS)
    # the inquiry is shown as plain text
    assert dialog.sender_label.textFormat() == Qt.TextFormat.PlainText
    assert dialog.excerpt.toPlainText() == JA_PREVIEW
    assert dialog.template_box.currentData() == "received"
    assert dialog.template_box.currentText() == "受け付けました（標準）"


def test_english_inquiry_starts_in_english(
    tasks: TaskRunner, qtbot: Any, store: StateStore
) -> None:
    inquiry = offline_inquiry("Question about my order #4521", "Hi, where is my parcel?")
    service = AcknowledgeService(store, KeyringSecretStore())
    box = AckDialog(offline_account(), inquiry, load_templates(), service, local_now, tasks=tasks)
    qtbot.addWidget(box)
    assert box.language == "en"
    assert box.body.toPlainText().startswith("Hello 髙橋 一郎,\n")


def test_language_choice_switches_templates_and_phrases(dialog: AckDialog) -> None:
    dialog.language_box.setCurrentIndex(dialog.language_box.findData("en"))
    text = dialog.body.toPlainText()
    assert text.startswith("Hello 髙橋 一郎,")
    assert f"by {promise_phrase(dialog.promise_due_at(), 'en', local_now())}." in text
    assert dialog.template_box.currentText() == "Received (standard)"
    titles = [dialog.template_box.itemText(i) for i in range(dialog.template_box.count())]
    assert "Looking into it" in titles
    dialog.template_box.setCurrentIndex(dialog.template_box.findData("checking"))
    assert "I am checking the details" in dialog.body.toPlainText()


def test_promise_picker_fills_the_time_and_keeps_other_edits(dialog: AckDialog) -> None:
    now = local_now()
    edited = "追伸：お電話もお待ちしております。\n" + dialog.body.toPlainText()
    dialog.body.setPlainText(edited)
    dialog.promise_box.setCurrentIndex(dialog.promise_box.findData(PromiseChoice.TWO_DAYS.value))
    due = dialog.promise_due_at()
    assert due - now >= timedelta(days=2) and due - now < timedelta(days=2, hours=1)
    text = dialog.body.toPlainText()
    assert promise_phrase(due, "ja", now) in text
    assert text.startswith("追伸：お電話もお待ちしております。\n")  # the user's edit stays

    dialog.promise_box.setCurrentIndex(dialog.promise_box.findData(PromiseChoice.CUSTOM.value))
    assert dialog.custom_time.isEnabled()
    chosen = (now + timedelta(days=3)).replace(hour=15, minute=30, second=0, microsecond=0)
    dialog.custom_time.setDateTime(dialog._qt_time(chosen))
    assert dialog.promise_due_at() == chosen
    assert promise_phrase(chosen, "ja", now) in dialog.body.toPlainText()
    # Japan's time: a Japanese reply written outside UTC+9 says 日本時間
    in_japan = chosen.astimezone(timezone(timedelta(hours=9)))
    assert f"{in_japan.hour}時30分まで" in dialog.body.toPlainText()


def test_promise_removed_from_text_is_pointed_out(dialog: AckDialog) -> None:
    dialog.body.setPlainText("髙橋様\nありがとうございます。\n")
    dialog.promise_box.setCurrentIndex(dialog.promise_box.findData(PromiseChoice.ONE_DAY.value))
    assert promise_phrase(dialog.promise_due_at(), "ja", local_now()) in dialog.status.text()


# --- sending for real --------------------------------------------------------------------------


@pytest.fixture
def live(
    dovecot: DovecotServer, smtp_server: SmtpServer, secret_env: object, store: StateStore
) -> tuple[AccountConfig, Inquiry, DovecotUser, RecordingService]:
    shop, customer = dovecot.add_user(), dovecot.add_user()
    smtp_server.add_user(shop.username, shop.password)
    account = dovecot.account(shop, signature=SIGNATURE, **smtp_server.account_fields())
    secrets = KeyringSecretStore()
    secrets.set_password(account.name, shop.password)
    dovecot.deliver(
        shop,
        mailcorpus.japanese_iso2022jp_inquiry(from_addr=customer.email, to=shop.email),
        sender=customer.email,
    )
    client = connect(account, shop.password)
    try:
        result = scan_account(client, account, local_now())
    finally:
        logout(client)
    [inquiry] = result.waiting(account, local_now())
    service = RecordingService(store, secrets)
    service.threads = []
    return account, inquiry, customer, service


def delivered_count(dovecot: DovecotServer, user: DovecotUser) -> int:
    with dovecot.session(user) as c:
        c.select_folder("INBOX", readonly=True)
        return len(c.search(["ALL"]))


def test_send_goes_out_off_the_gui_thread(
    tasks: TaskRunner,
    qtbot: Any,
    live: tuple[AccountConfig, Inquiry, DovecotUser, RecordingService],
    dovecot: DovecotServer,
    smtp_server: SmtpServer,
) -> None:
    account, inquiry, customer, service = live
    box = AckDialog(account, inquiry, load_templates(), service, local_now, tasks=tasks)
    qtbot.addWidget(box)
    text = box.body.toPlainText()
    with qtbot.waitSignal(box.sent, timeout=30000) as sent:
        qtbot.mouseClick(box.send_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(box.send_button, Qt.MouseButton.LeftButton)  # a double click
    assert sent.args[0].state.value == "filed"
    assert service.threads and all(t is not threading.main_thread() for t in service.threads)
    assert len(smtp_server.accepted) == 1 and delivered_count(dovecot, customer) == 1
    body = smtp_server.accepted[0].data
    assert b"Content-Transfer-Encoding: base64" in body
    parsed = email.message_from_bytes(body, policy=policy.default)
    assert parsed.get_content().replace("\r\n", "\n") == text


def test_error_is_shown_with_reason_and_retry_sends_once(
    tasks: TaskRunner,
    qtbot: Any,
    live: tuple[AccountConfig, Inquiry, DovecotUser, RecordingService],
    dovecot: DovecotServer,
    smtp_server: SmtpServer,
) -> None:
    account, inquiry, customer, service = live
    smtp_server.refuse_next_data = "451 4.3.0 Mailbox temporarily busy"
    box = AckDialog(account, inquiry, load_templates(), service, local_now, tasks=tasks)
    qtbot.addWidget(box)
    box.show()
    qtbot.mouseClick(box.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.error.isVisible(), timeout=30000)
    assert "451" in box.error.text() and "temporarily busy" in box.error.text()
    assert box.retry_button.isVisible() and box.send_button.isEnabled()
    assert box.isVisible()  # the dialog stays open with the text
    assert smtp_server.accepted == []

    with qtbot.waitSignal(box.sent, timeout=30000):
        qtbot.mouseClick(box.retry_button, Qt.MouseButton.LeftButton)
    assert len(smtp_server.accepted) == 1 and delivered_count(dovecot, customer) == 1
    # Retry sent the recorded message itself: one journal entry, filed.
    assert [r.state for r in service._store.acks(account.name)] == ["filed"]


def test_retry_is_not_offered_before_a_send_failed(dialog: AckDialog) -> None:
    dialog.show()
    assert dialog.send_button.isVisible()
    assert not dialog.retry_button.isVisible()
    dialog._on_failed(OSError("connection refused"))  # what a failed send reports
    assert dialog.retry_button.isVisible()


def test_an_overdue_inquiry_opens_with_an_apology(
    tasks: TaskRunner, qtbot: Any, store: StateStore
) -> None:
    now = local_now()
    late = dataclasses.replace(
        offline_inquiry(), received_at=now - timedelta(hours=30), due_at=now - timedelta(hours=6)
    )
    service = AcknowledgeService(store, KeyringSecretStore())
    box = AckDialog(offline_account(), late, load_templates(), service, local_now, tasks=tasks)
    qtbot.addWidget(box)
    assert box.body.toPlainText().split("\n")[:3] == [
        "髙橋 一郎様",
        "",
        "ご返信が遅くなり、大変申し訳ございません。",
    ]
    box.language_box.setCurrentIndex(box.language_box.findData("en"))
    assert box.body.toPlainText().split("\n")[2] == "I am sorry to have kept you waiting."
    # an inquiry still within its window gets no apology
    assert (
        "申し訳ございません"
        not in AckDialog(
            offline_account(), offline_inquiry(), load_templates(), service, local_now, tasks=tasks
        ).body.toPlainText()
    )


def test_signature_follows_the_reply_language(
    tasks: TaskRunner, qtbot: Any, store: StateStore
) -> None:
    account = dataclasses.replace(offline_account(), signature_en="--\nIppo Shop, Suzuki")
    service = AcknowledgeService(store, KeyringSecretStore())
    box = AckDialog(account, offline_inquiry(), load_templates(), service, local_now, tasks=tasks)
    qtbot.addWidget(box)
    assert box.body.toPlainText().rstrip().endswith("一報商店 鈴木")
    box.language_box.setCurrentIndex(box.language_box.findData("en"))
    assert box.body.toPlainText().rstrip().endswith("Ippo Shop, Suzuki")


def test_a_refused_login_is_said_plainly(dialog: AckDialog) -> None:
    from trayapp.mail.acknowledge import SendFailed
    from trayapp.mail.errors import AuthenticationFailed

    cause = AuthenticationFailed(
        "login failed (wrong user name or password?): 535 b'5.7.8 bad'", host="smtp.x", port=465
    )
    failure = SendFailed(str(cause), message_id="m@x")
    failure.__cause__ = cause
    dialog.show()
    dialog._on_failed(failure)
    assert dialog.error.text() == (
        "Not sent: The server smtp.x refused the user name or password. If you changed the"
        " password (or need an app password), enter the new one."
    )
    assert dialog.retry_button.isVisible()


def test_an_uncertain_send_is_explained_in_the_users_terms(dialog: AckDialog) -> None:
    from trayapp.mail.acknowledge import SendUncertain

    dialog.show()
    dialog._on_failed(SendUncertain("OutcomeUnknown: reset after DATA; Retry checks Sent first"))
    assert dialog.error.text().startswith("Not sent: It may or may not have gone out")
    assert "OutcomeUnknown" not in dialog.error.text()
    assert dialog.retry_button.isVisible()


def test_a_dripping_server_ends_at_the_deadline_said_plainly_in_japanese(
    tasks: TaskRunner, qtbot: Any, qapp: Any, store: StateStore, secret_env: object, tmp_path: Path
) -> None:
    """A server dripping one byte every 2 s after EHLO: the send ends at its deadline on the
    worker, the dialog stays usable, and the reason is a Japanese sentence -- not the
    engine's English, not a Python class name."""
    from tests.support.scripted_smtp import SmtpScript, scripted_smtp
    from trayapp.desktop.secrets import forget_account
    from trayapp.mail.transport import ServerLimits
    from trayapp.ui.i18n import LanguageSwitcher

    switcher = LanguageSwitcher(qapp)
    script = SmtpScript(drip_from="ehlo", drip_interval=2.0, lifetime=30)
    with scripted_smtp(tmp_path / "smtp", script) as server:
        account = dataclasses.replace(offline_account(), **server.account_fields())  # type: ignore[arg-type]
        secrets = KeyringSecretStore()
        secrets.set_password(account.name, "pw")
        service = AcknowledgeService(store, secrets, limits=ServerLimits(send_seconds=3))
        try:
            assert switcher.apply("ja")
            box = AckDialog(
                account, offline_inquiry(), load_templates(), service, local_now, tasks=tasks
            )
            qtbot.addWidget(box)
            box.show()
            qtbot.mouseClick(box.send_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: box.error.isVisible(), timeout=30000)
            text = box.error.text()
        finally:
            switcher.apply("en")
            forget_account(secrets, account.name)
        assert server.messages == 0
    assert "応答が遅すぎる" in text and "待つのをやめました" in text
    assert "within" not in text and "Error" not in text and "b'" not in text
    assert box.retry_button.isVisible() and box.send_button.isEnabled()
    [entry] = store.acks(account.name)
    assert entry.state == "failed" and entry.attempted_at is None  # certainly not sent


class GatedService(RecordingService):
    """The real service, whose send waits until the test lets it go."""

    entered: threading.Event
    release: threading.Event
    finished: threading.Event

    def acknowledge(self, *args: Any, **kwargs: Any) -> Any:
        self.entered.set()
        assert self.release.wait(20)
        try:
            return super().acknowledge(*args, **kwargs)
        finally:
            self.finished.set()


def test_on_the_apps_send_runner_a_dialog_closed_mid_send_gets_no_result(
    qtbot: Any,
    live: tuple[AccountConfig, Inquiry, DovecotUser, RecordingService],
    dovecot: DovecotServer,
    smtp_server: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    account, inquiry, customer, recording = live
    service = GatedService(recording._store, recording._passwords)
    service.threads = []
    service.entered, service.release, service.finished = (threading.Event() for _ in range(3))
    runner = TaskRunner("test-send")
    try:
        box = AckDialog(account, inquiry, load_templates(), service, local_now, tasks=runner)
        qtbot.addWidget(box)
        assert not box.findChildren(TaskRunner)  # no runner (and no thread) of its own
        got: list[object] = []
        box.sent.connect(got.append)
        box.show()
        qtbot.mouseClick(box.send_button, Qt.MouseButton.LeftButton)
        assert service.entered.wait(10)
        assert not box.send_button.isEnabled()  # this dialog's send is on its way
        box.reject()  # the user closes it while the send waits
        service.release.set()
        assert service.finished.wait(30)
        # The runner goes on: a later job is delivered, the closed dialog's result was not.
        later: list[str] = []
        runner.submit(lambda: "next", on_done=later.append)
        qtbot.waitUntil(lambda: later == ["next"], timeout=10000)
        assert got == [] and box.error.isHidden()
        assert len(smtp_server.accepted) == 1 and delivered_count(dovecot, customer) == 1
        assert "background job failed" not in caplog.text
    finally:
        runner.close()
