"""The hostile corpus (tests/hostile) in the pending list and the acknowledge dialog, as the
real scan of a real Dovecot delivers it: every row and label one clean line, every recipient
shown, many or strange recipients confirmed before Send works, and a confirmed reply sent for
real (SMTP) to exactly the shown address with exactly Ippo's headers. Screenshots of the
dialog and the list in English and Japanese land in artifacts/gui/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from tests import hostile
from tests.support.dovecot import DovecotServer
from tests.support.smtp_server import SmtpServer
from trayapp.core.model import AccountConfig, Inquiry, UnsentAck
from trayapp.core.reply import build_reply
from trayapp.desktop.secrets import KeyringSecretStore
from trayapp.mail.acknowledge import AcknowledgeService, load_templates, local_now
from trayapp.mail.imap import connect, logout
from trayapp.mail.scan import scan_account
from trayapp.store.db import StateStore
from trayapp.ui.ack_dialog import AckDialog
from trayapp.ui.i18n import LanguageSwitcher
from trayapp.ui.pending_window import PendingWindow
from trayapp.ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "gui"
UNCLEAN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\u2060\ufeff]"
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore(tmp_path) as s:
        yield s


@pytest.fixture
def scanned(
    dovecot: DovecotServer, smtp_server: SmtpServer, secret_env: object
) -> tuple[AccountConfig, dict[str, Inquiry]]:
    """Every hostile sample delivered and scanned for real: {sample name: inquiry}."""
    shop = dovecot.add_user()
    smtp_server.add_user(shop.username, shop.password)
    account = dovecot.account(shop, **smtp_server.account_fields())
    KeyringSecretStore().set_password(account.name, shop.password)
    for mail in hostile.load():
        dovecot.deliver(shop, mail.raw, sender="bounce@customer.example")
    client = connect(account, shop.password)
    try:
        waiting = scan_account(client, account, local_now()).waiting(account, local_now())
    finally:
        logout(client)
    by_name: dict[str, Inquiry] = {}
    for mail in hostile.load():
        for item in waiting:
            if item.message_id and f"<{item.message_id}>".encode() in mail.header_block:
                by_name.setdefault(mail.name, item)
    assert len(by_name) == len(hostile.load())  # (a shared Message-ID maps both to its item)
    return account, by_name


def record_long_ago(
    store: StateStore, account: AccountConfig, inquiry: Inquiry
) -> tuple[str, datetime]:
    """A journal entry recorded three hours ago and never sent (as a locked keyring or a
    crash leaves it): its Message-ID and when it was recorded."""
    long_ago = local_now() - timedelta(hours=3)
    reply = build_reply(account, inquiry, "Hello\n", long_ago)
    store.record_ack(
        item_id=inquiry.id,
        account=account.name,
        message_id=reply.message_id,
        recipients=reply.recipients,
        subject=reply.subject,
        raw=reply.message.as_bytes(),
        promise_due_at=long_ago + timedelta(days=1),
        inquiry_message_id=inquiry.message_id,
        now=long_ago,
    )
    return reply.message_id, long_ago


def shown_texts(widget: QWidget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel)]


def test_the_list_shows_every_hostile_item_as_clean_lines(
    qtbot: Any, scanned: tuple[AccountConfig, dict[str, Inquiry]]
) -> None:
    _account, items = scanned
    window = PendingWindow(clock=local_now)
    qtbot.addWidget(window)
    window.resize(720, 900)
    window.set_items(list(items.values()))
    rows = [r for r in window.model.rows() if r.item is not None]
    assert len(rows) == len(items)
    for row in rows:  # what the delegate draws, as is
        for text in (row.sender, row.subject, row.preview):
            assert not UNCLEAN.search(text), repr(text[:120])
            assert len(text) <= 1000
    for i in range(window.model.rowCount()):
        index = window.model.index(i)
        accessible = index.data(Qt.ItemDataRole.AccessibleTextRole) or ""
        assert not UNCLEAN.search(accessible), repr(accessible[:120])
    subjects = {r.item.message_id: r.subject for r in rows if r.item is not None}
    assert subjects["bidi@customer.example"] == "Invoice gpj.exe"
    assert subjects["crlf-subject-utf8@customer.example"] == "x Bcc: evil@attacker.example"


@pytest.mark.parametrize("mail", hostile.load(), ids=lambda m: m.name)
def test_the_dialog_shows_every_recipient_and_asks_when_it_must(
    tasks: TaskRunner,
    qtbot: Any,
    mail: hostile.HostileMail,
    scanned: tuple[AccountConfig, dict[str, Inquiry]],
    store: StateStore,
) -> None:
    account, items = scanned
    inquiry = items[mail.name]
    service = AcknowledgeService(store, KeyringSecretStore())
    box = AckDialog(account, inquiry, load_templates(), service, local_now, tasks=tasks)
    qtbot.addWidget(box)
    box.show()
    for text in shown_texts(box):
        assert not UNCLEAN.search(text), repr(text[:120])
    recipients = box.recipient_check.recipients
    if len(recipients) > 1:
        assert box.recipients_list.isVisible()
        assert box.recipients_list.toPlainText().split("\n") == list(recipients)
    else:
        assert box.recipients_label.isVisible() and box.recipients_label.text() == recipients[0]
    assert box.confirm_recipients.isVisible() == mail.needs_confirmation
    assert box.send_button.isEnabled() == (not mail.needs_confirmation)
    if mail.needs_confirmation:
        box.send()  # Enter or a script: nothing happens before the tick
        assert not box._tasks.busy()
        box.confirm_recipients.setChecked(True)
        assert box.send_button.isEnabled()
    if mail.name == "reply-to-300":
        assert len(recipients) == 300 and "300" in box.recipients_warning.text()
    if mail.name == "reply-to-other-domain":
        assert "collector@attacker.example" in box.recipients_warning.text()
    assert box.recipients_warning.isVisible() == mail.needs_confirmation
    # The template quotes a bounded subject and name.
    assert len(box.body.toPlainText()) < 2000


@pytest.mark.parametrize("charset", ["utf-8", "iso-2022-jp"])
def test_a_confirmed_reply_goes_to_the_shown_address_only(
    tasks: TaskRunner,
    qtbot: Any,
    charset: str,
    scanned: tuple[AccountConfig, dict[str, Inquiry]],
    store: StateStore,
    smtp_server: SmtpServer,
) -> None:
    account, items = scanned
    account = replace(account, reply_charset=charset)  # type: ignore[arg-type]
    service = AcknowledgeService(store, KeyringSecretStore())
    for name in ("reply-to-other-domain", "crlf-subject-iso2022jp", "crlf-body-forgery"):
        before = len(smtp_server.accepted)
        box = AckDialog(account, items[name], load_templates(), service, local_now, tasks=tasks)
        qtbot.addWidget(box)
        box.show()
        if box.recipient_check.needs_confirmation:
            qtbot.mouseClick(box.send_button, Qt.MouseButton.LeftButton)  # disabled: nothing
            assert len(smtp_server.accepted) == before
            box.confirm_recipients.setChecked(True)
        with qtbot.waitSignal(box.sent, timeout=30000):
            qtbot.mouseClick(box.send_button, Qt.MouseButton.LeftButton)
        sent = smtp_server.accepted[-1]
        assert len(smtp_server.accepted) == before + 1
        assert sent.rcpt_tos == list(box.recipient_check.recipients)
        assert hostile.only_our_headers(sent.data), (name, hostile.header_names(sent.data))


@pytest.mark.parametrize("language", ["en", "ja"])
def test_screenshots_of_confirmation_and_not_sent(
    tasks: TaskRunner,
    qtbot: Any,
    qapp: QApplication,
    language: str,
    scanned: tuple[AccountConfig, dict[str, Inquiry]],
    store: StateStore,
) -> None:
    account, items = scanned
    switcher = LanguageSwitcher(qapp)
    assert switcher.apply(language)
    try:
        service = AcknowledgeService(store, KeyringSecretStore())
        box = AckDialog(
            account, items["reply-to-300"], load_templates(), service, local_now, tasks=tasks
        )
        qtbot.addWidget(box)
        box.show()
        warning = box.recipients_warning.text()
        assert "300" in warning and box.confirm_recipients.text()
        assert ("宛先" in box.confirm_recipients.text()) == (language == "ja")
        assert not box.retry_button.isVisible()  # only after a failure
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        box.grab().save(str(ARTIFACTS / f"ack-dialog-300-recipients-{language}.png"))

        failed = UnsentAck("old@example.test", "keyring locked", False, local_now())
        item = replace(items["option-subject-wait"], unsent_ack=failed)
        window = PendingWindow(clock=lambda: local_now() + timedelta(minutes=1))
        qtbot.addWidget(window)
        window.resize(640, 480)
        window.set_items([item, items["bidi-subject-name"]])
        window.show()
        row = window.row(item.id)
        assert row is not None and row.unsent.endswith("(A)")
        assert ("未送信" in row.unsent) == (language == "ja")
        index = window.model.index(window.model.row_of(item.id))
        # The earlier failure's reason as a plain sentence in the UI language.
        said = "OSのキーリングが使えません" if language == "ja" else "keyring cannot be used"
        assert said in index.data(Qt.ItemDataRole.ToolTipRole)
        window.grab().save(str(ARTIFACTS / f"pending-not-sent-{language}.png"))

        notice = AckDialog(account, item, load_templates(), service, local_now, tasks=tasks)
        qtbot.addWidget(notice)
        notice.show()
        assert notice.unsent_notice.isVisible() and said in notice.unsent_notice.text()
        notice.grab().save(str(ARTIFACTS / f"ack-dialog-not-sent-{language}.png"))

        doubt = replace(item, unsent_ack=replace(failed, in_doubt=True))
        unsure = AckDialog(account, doubt, load_templates(), service, local_now, tasks=tasks)
        qtbot.addWidget(unsure)
        unsure.show()
        assert unsure.confirm_resend.isVisible() and not unsure.send_button.isEnabled()
        assert ("確認しました" in unsure.confirm_resend.text()) == (language == "ja")
        unsure.grab().save(str(ARTIFACTS / f"ack-dialog-in-doubt-{language}.png"))
    finally:
        switcher.apply("en")


@pytest.fixture
def apps() -> Iterator[list[Any]]:
    """Apps a test built, kept alive past the test's own events and shut down afterwards
    (as tests/gui/test_app.py's harness does: deleting one mid-events crashes Qt)."""
    built: list[Any] = []
    yield built
    for app in built:
        app.shutdown()


def test_the_app_at_start_sends_no_acknowledgement_that_failed(
    qtbot: Any,
    apps: list[Any],
    tmp_path: Path,
    dovecot: DovecotServer,
    smtp_server: SmtpServer,
    scanned: tuple[AccountConfig, dict[str, Inquiry]],
) -> None:
    """The issue's report: the keyring was locked when the user pressed Send (the entry stayed
    recorded, never handed to the server); the next start sent it with the old promise."""
    from tests.gui.test_app import FakeWatch
    from trayapp.app import build_app
    from trayapp.config import ConfigStore
    from trayapp.demo import MemorySecretStore
    from trayapp.desktop.autostart import XdgAutostart

    account, items = scanned
    inquiry = items["option-subject-wait"]
    config = ConfigStore(tmp_path / "config")
    config.save_accounts([account])
    secrets = MemorySecretStore()
    secrets.set_password(account.name, KeyringSecretStore().get_password(account.name) or "")
    with StateStore(config.directory) as store:
        record_long_ago(store, account, inquiry)
    app = build_app(
        config=config,
        secrets=secrets,
        languages=None,
        service=FakeWatch([account]),
        notification_backends=[],
        autostart=XdgAutostart(tmp_path / "xdg-config"),
    )
    apps.append(app)
    app.start()
    # The resume runs on the app's keyring/resume TaskRunner; its result has come back.
    qtbot.waitUntil(lambda: not app.slow_tasks.busy(), timeout=30000)
    assert smtp_server.accepted == []
    with StateStore(config.directory) as store:
        [record] = store.acks()
    assert record.state == "recorded" and record.attempted_at is None


def test_an_acknowledgement_in_doubt_is_sent_again_only_after_the_user_checked(
    tasks: TaskRunner,
    qtbot: Any,
    scanned: tuple[AccountConfig, dict[str, Inquiry]],
    store: StateStore,
    smtp_server: SmtpServer,
) -> None:
    """Interrupted while the server was accepting it and not found in Sent: it may have
    arrived. The dialog says so, and Send works only once the user ticked that they checked."""
    account, items = scanned
    inquiry = items["option-name-help"]
    message_id, long_ago = record_long_ago(store, account, inquiry)
    assert store.claim_ack_send(message_id, now=long_ago)
    doubt = UnsentAck(message_id, "interrupted", True, long_ago)
    service = AcknowledgeService(store, KeyringSecretStore())
    box = AckDialog(
        account,
        replace(inquiry, unsent_ack=doubt),
        load_templates(),
        service,
        local_now,
        tasks=tasks,
    )
    qtbot.addWidget(box)
    box.show()
    assert box.unsent_notice.isVisible() and "may have reached" in box.unsent_notice.text()
    assert box.confirm_resend.isVisible() and not box.send_button.isEnabled()
    box.send()  # Enter: nothing before the tick
    assert not box._tasks.busy() and smtp_server.accepted == []
    box.confirm_resend.setChecked(True)
    with qtbot.waitSignal(box.sent, timeout=30000):
        qtbot.mouseClick(box.send_button, Qt.MouseButton.LeftButton)
    assert len(smtp_server.accepted) == 1
    old, new = store.acks(item_id=inquiry.id)
    assert old.message_id == message_id and old.state == "failed"
    assert new.state == "filed" and new.message_id != old.message_id


def test_a_reply_that_cannot_be_written_safely_says_so(
    tasks: TaskRunner,
    qtbot: Any,
    scanned: tuple[AccountConfig, dict[str, Inquiry]],
    store: StateStore,
) -> None:
    """A Reply-To that is no plain address (it would need quoting in the header): nothing is
    recorded or sent, and the dialog says why in the user's words."""
    account, items = scanned
    inquiry = replace(items["reply-to-other-domain"], reply_to=('taro"bcc"@customer.example',))
    box = AckDialog(
        account,
        inquiry,
        load_templates(),
        AcknowledgeService(store, KeyringSecretStore()),
        local_now,
        tasks=tasks,
    )
    qtbot.addWidget(box)
    box.show()
    box.send()
    qtbot.waitUntil(lambda: box.error.isVisible(), timeout=10000)
    assert "could not write this reply safely" in box.error.text()
    assert 'taro"bcc"@customer.example' in box.error.text()
    assert store.acks() == []
