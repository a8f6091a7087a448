"""The quick-acknowledge dialog: the inquiry, a reply prefilled from a template in its language,
a promise picker that writes the promised time into the text, and one Send button.

Sending runs on a plain worker thread (never the GUI thread); its outcome comes back through a
queued signal. Errors stay in the dialog with their reason and a Retry button. Everything the
dialog needs is passed in: the account, the inquiry, the templates, the service, the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import QDateTime, QEvent, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trayapp.core.model import AccountConfig, Inquiry
from trayapp.core.promise import (
    Language,
    PromiseChoice,
    calendar_for,
    promise_due,
    promise_phrase,
)
from trayapp.core.recipients import MANY, OTHER_DOMAIN, check_recipients
from trayapp.core.safetext import NAME_CHARS, SENDER_CHARS, SUBJECT_CHARS, display_line
from trayapp.core.templates import (
    ReplyTemplate,
    detect_language,
    pick_template,
    template_names,
    template_values,
)
from trayapp.ui.i18n import plain_reason
from trayapp.ui.tasks import Task, TaskRunner

LANGUAGES: tuple[tuple[Language, str], ...] = (("ja", "日本語"), ("en", "English"))
EXCERPT_CHARS = 600


class AckSender(Protocol):
    """What the dialog needs of trayapp.mail.acknowledge.AcknowledgeService."""

    def acknowledge(
        self,
        account: AccountConfig,
        inquiry: Inquiry,
        body: str,
        promise_due_at: datetime | None,
        *,
        recipients: tuple[str, ...] | None = None,
        resend_in_doubt: bool = False,
    ) -> object: ...

    def resume(self, account: AccountConfig, message_id: str, *, force: bool = False) -> object: ...


def _plain(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)  # mail text is never HTML here
    return label


class AckDialog(QDialog):
    """Emits `sent(result)` once the acknowledgement went out; the caller refreshes the list."""

    sent = Signal(object)

    def __init__(
        self,
        account: AccountConfig,
        inquiry: Inquiry,
        templates: Sequence[ReplyTemplate],
        service: AckSender,
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner,
    ) -> None:
        """`tasks`: the app's runner for sending (the dialog owns the task, not the runner)."""
        super().__init__(parent)
        self.setObjectName("AckDialog")
        self.account = account
        self.inquiry = inquiry
        self._templates = list(templates)
        self._service = service
        self._clock = clock
        self._now = clock()
        self._phrase = ""  # the promised-time phrase currently in the text
        self._last_error: BaseException | None = None
        self._sent_text: tuple[str, datetime] | None = None
        # The send runs off the GUI thread; closing the dialog drops its result (owner).
        self._tasks = tasks
        self._sending: Task[object] | None = None

        self.sender_label = _plain(QLabel(display_line(inquiry.sender, SENDER_CHARS)))
        self.subject_label = _plain(QLabel(display_line(inquiry.subject, SUBJECT_CHARS)))
        self.subject_label.setWordWrap(True)
        # Who the reply goes to, every address of it; many or strange ones need a tick first.
        self.recipient_check = check_recipients(inquiry, account.own_addresses)
        recipients = [display_line(a, SENDER_CHARS) for a in self.recipient_check.recipients]
        self.recipients_label = _plain(QLabel(", ".join(recipients)))
        self.recipients_label.setObjectName("ackRecipients")
        self.recipients_label.setWordWrap(True)
        self.recipients_list = QPlainTextEdit("\n".join(recipients))
        self.recipients_list.setObjectName("ackRecipientList")
        self.recipients_list.setReadOnly(True)
        self.recipients_list.setMaximumHeight(80)
        many = len(recipients) > 1
        self.recipients_label.setVisible(not many)
        self.recipients_list.setVisible(many)
        self.recipients_warning = _plain(QLabel())
        self.recipients_warning.setObjectName("ackRecipientsWarning")
        self.recipients_warning.setWordWrap(True)
        self.recipients_warning.setStyleSheet("color: #B71C1C;")
        self.recipients_warning.setVisible(self.recipient_check.needs_confirmation)
        self.confirm_recipients = QCheckBox()
        self.confirm_recipients.setObjectName("ackConfirmRecipients")
        self.confirm_recipients.setVisible(self.recipient_check.needs_confirmation)
        self.confirm_recipients.toggled.connect(lambda _on: self._update_send_enabled())
        # An earlier acknowledgement that failed: the user sends anew, with a fresh promise.
        self.unsent_notice = _plain(QLabel())
        self.unsent_notice.setObjectName("ackUnsentNotice")
        self.unsent_notice.setWordWrap(True)
        self.unsent_notice.setStyleSheet("color: #B71C1C;")
        self.unsent_notice.setVisible(inquiry.unsent_ack is not None)
        # In doubt, it may have reached the customer: sending again needs the user's word.
        self.in_doubt = inquiry.unsent_ack is not None and inquiry.unsent_ack.in_doubt
        self.confirm_resend = QCheckBox()
        self.confirm_resend.setObjectName("ackConfirmResend")
        self.confirm_resend.setVisible(self.in_doubt)
        self.confirm_resend.toggled.connect(lambda _on: self._update_send_enabled())
        self.excerpt = QPlainTextEdit()
        self.excerpt.setReadOnly(True)
        self.excerpt.setPlainText(inquiry.preview[:EXCERPT_CHARS])
        self.excerpt.setMaximumHeight(110)
        self.excerpt.setObjectName("excerpt")

        self.language_box = QComboBox()
        for code, name in LANGUAGES:
            self.language_box.addItem(name, code)
        self.template_box = QComboBox()
        self.promise_box = QComboBox()
        for choice in (
            PromiseChoice.ONE_DAY,
            PromiseChoice.TWO_DAYS,
            PromiseChoice.NEXT_BUSINESS_DAY,
            PromiseChoice.CUSTOM,
        ):
            self.promise_box.addItem("", choice.value)  # plain str: Qt keeps it as is
        self.custom_time = QDateTimeEdit()
        self.custom_time.setCalendarPopup(True)
        self.custom_time.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.custom_time.setEnabled(False)
        self.body = QPlainTextEdit()
        self.body.setObjectName("ackBody")
        self.body.setTabChangesFocus(True)

        self.status = _plain(QLabel())
        self.status.setWordWrap(True)
        self.status.setObjectName("ackStatus")
        self.error = _plain(QLabel())
        self.error.setWordWrap(True)
        self.error.setObjectName("ackError")
        self.error.setStyleSheet("color: #B71C1C;")
        self.error.hide()
        self.send_button = QPushButton()
        self.send_button.setDefault(True)
        self.retry_button = QPushButton()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.retry_button.hide()  # after addButton, which shows it; only a failed send shows it
        self.buttons.rejected.connect(self.reject)
        self.send_button.clicked.connect(self.send)
        self.retry_button.clicked.connect(self.retry)

        self._form = QFormLayout()
        self._form_labels = [QLabel() for _ in range(6)]
        self._form.addRow(self._form_labels[0], self.sender_label)
        recipients_box = QVBoxLayout()
        recipients_box.addWidget(self.recipients_label)
        recipients_box.addWidget(self.recipients_list)
        recipients_box.addWidget(self.recipients_warning)
        recipients_box.addWidget(self.confirm_recipients)
        self._form.addRow(self._form_labels[5], recipients_box)
        self._form.addRow(self._form_labels[1], self.subject_label)
        self._form.addRow(self._form_labels[2], self.excerpt)
        pickers = QHBoxLayout()
        pickers.addWidget(self.language_box)
        pickers.addWidget(self.template_box, 1)
        self._form.addRow(self._form_labels[3], pickers)
        promise_row = QHBoxLayout()
        promise_row.addWidget(self.promise_box, 1)
        promise_row.addWidget(self.custom_time)
        self._form.addRow(self._form_labels[4], promise_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.unsent_notice)
        layout.addWidget(self.confirm_resend)
        layout.addLayout(self._form)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(620, 600)

        language = detect_language(inquiry.subject, inquiry.preview)
        self.language_box.setCurrentIndex(self.language_box.findData(language))
        self._fill_templates()
        default_choice = self.promise_box.findData(PromiseChoice.NEXT_BUSINESS_DAY.value)
        self.promise_box.setCurrentIndex(default_choice)
        self.custom_time.setDateTime(self._qt_time(self.promise_due_at()))
        self._retranslate()
        self._render()
        self.language_box.currentIndexChanged.connect(self._language_changed)
        self.template_box.currentIndexChanged.connect(lambda _i: self._render())
        self.promise_box.currentIndexChanged.connect(self._promise_changed)
        self.custom_time.dateTimeChanged.connect(lambda _t: self._update_promise_text())

    # -- state --

    @property
    def language(self) -> Language:
        code = self.language_box.currentData()
        return "ja" if code == "ja" else "en"

    @property
    def template(self) -> ReplyTemplate:
        return pick_template(self._templates, self.language, self.template_box.currentData())

    @property
    def promise_choice(self) -> PromiseChoice:
        try:
            return PromiseChoice(self.promise_box.currentData())
        except ValueError:
            return PromiseChoice.NEXT_BUSINESS_DAY

    def promise_due_at(self) -> datetime:
        choice = self.promise_choice
        closed = calendar_for(self.language, self._now)
        if choice is PromiseChoice.CUSTOM:
            chosen = self.custom_time.dateTime().toSecsSinceEpoch()
            custom = datetime.fromtimestamp(chosen, self._now.tzinfo)
            return promise_due(choice, self._now, custom=custom, closed=closed)
        return promise_due(choice, self._now, closed=closed)

    def _qt_time(self, moment: datetime) -> QDateTime:
        return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), QTimeZone.systemTimeZone())

    # -- filling --

    def _fill_templates(self) -> None:
        current = self.template_box.currentData()
        self.template_box.blockSignals(True)
        self.template_box.clear()
        for name in template_names(self._templates, self.language):
            title = next(
                t.title for t in self._templates if t.name == name and t.language == self.language
            )
            self.template_box.addItem(title, name)
        index = self.template_box.findData(current)
        self.template_box.setCurrentIndex(max(index, 0))
        self.template_box.blockSignals(False)

    def _render(self) -> None:
        """Fill the text from the template (replaces what is there: the user chose anew)."""
        due = self.promise_due_at()
        values = template_values(
            sender=self.inquiry.sender,
            subject=self.inquiry.subject,
            signature=self.account.signature_for(self.language),
            language=self.language,
            promised=due,
            now=self._now,
            overdue=self.inquiry.deadline <= self._now,
        )
        self._phrase = values["promised_time"]
        self.body.setPlainText(self.template.render(values))

    def _language_changed(self, _index: int) -> None:
        self._fill_templates()
        self._render()

    def _promise_changed(self, _index: int) -> None:
        self.custom_time.setEnabled(self.promise_choice is PromiseChoice.CUSTOM)
        self._update_promise_text()

    def _update_promise_text(self) -> None:
        """Swap the promised time in the text, keeping the user's other edits."""
        new = promise_phrase(self.promise_due_at(), self.language, self._now)
        text = self.body.toPlainText()
        if self._phrase and self._phrase in text:
            self.body.setPlainText(text.replace(self._phrase, new))
            self.status.clear()
        elif new not in text:
            self.status.setText(
                self.tr("The promised time is not in the text any more; add: %1").replace("%1", new)
            )
        self._phrase = new

    # -- sending --

    def send(self) -> None:
        if not self._confirmed():
            return  # the Send button is disabled until then; Enter must not get past it
        body = self.body.toPlainText()
        due = self.promise_due_at()
        self._sent_text = (body, due)
        # Confirmed (or never in question): exactly the addresses shown.
        recipients = self.recipient_check.recipients
        in_doubt = self.in_doubt  # (and confirmed: the user checked it did not arrive)
        self._start(
            lambda: self._service.acknowledge(
                self.account,
                self.inquiry,
                body,
                due,
                recipients=recipients,
                resend_in_doubt=in_doubt,
            )
        )

    def _confirmed(self) -> bool:
        """Every confirmation this reply needs is ticked (recipients, a send in doubt)."""
        recipients = (
            not self.recipient_check.needs_confirmation or self.confirm_recipients.isChecked()
        )
        return recipients and (not self.in_doubt or self.confirm_resend.isChecked())

    def _update_send_enabled(self) -> None:
        busy = self._tasks.busy()
        self.send_button.setEnabled(self._confirmed() and not busy)

    def retry(self) -> None:
        from trayapp.mail.acknowledge import InProgress, SendUncertain

        error = self._last_error
        message_id = getattr(error, "message_id", None)
        if isinstance(error, SendUncertain) and message_id:
            # The user saw "may or may not have gone out" and asked to send it again.
            self._start(lambda: self._service.resume(self.account, message_id, force=True))
        elif isinstance(error, InProgress) and message_id:
            self._start(lambda: self._service.resume(self.account, message_id))
        elif message_id and self._sent_text == (self.body.toPlainText(), self.promise_due_at()):
            # Unchanged: send the recorded message itself (same Message-ID), not a new one.
            self._start(lambda: self._service.resume(self.account, message_id))
        else:
            self.send()

    def _busy(self) -> bool:
        """This dialog's send is on its way (the runner may be busy with others' jobs)."""
        task = self._sending
        return task is not None and not task.finished and not task.cancelled

    def _start(self, job: Callable[[], object]) -> None:
        if self._busy():
            return  # one send at a time: a double click does nothing
        self._set_busy(True)
        self._sending = self._tasks.submit(
            job, on_done=self._on_sent, on_error=self._on_failed, owner=self
        )

    def _set_busy(self, busy: bool) -> None:
        for widget in (
            self.send_button,
            self.retry_button,
            self.body,
            self.template_box,
            self.language_box,
            self.promise_box,
            self.custom_time,
        ):
            widget.setEnabled(not busy)
        self.confirm_recipients.setEnabled(not busy)
        self.confirm_resend.setEnabled(not busy)
        if not busy:
            self.custom_time.setEnabled(self.promise_choice is PromiseChoice.CUSTOM)
            self._update_send_enabled()
        if busy:
            self.error.hide()
            self.status.setText(self.tr("Sending…"))

    def _on_sent(self, result: object) -> None:
        self._set_busy(False)
        self._last_error = None
        warning = getattr(result, "warning", "")
        note = getattr(result, "note", "")
        self.status.setText(" ".join(t for t in (self.tr("Sent."), note, warning) if t))
        self.sent.emit(result)
        self.accept()

    def _on_failed(self, error: object) -> None:
        self._set_busy(False)
        self._last_error = error if isinstance(error, BaseException) else None
        self.status.clear()
        self.error.setText(self.tr("Not sent: %1").replace("%1", self._failure_text(error)))
        self.error.show()
        self.retry_button.show()

    def _failure_text(self, error: object) -> str:
        """Why it was not sent, in the UI language: a server's failure in plain words, and
        Ippo's own cases said in the user's terms."""
        from trayapp.mail.acknowledge import (
            AlreadyAcknowledged,
            InProgress,
            NoPassword,
            ReplyNotBuilt,
            SendUncertain,
        )

        reason = str(error)  # never a Python class name
        if isinstance(error, SendUncertain):
            return self.tr(
                "It may or may not have gone out: the connection broke just as it was sent."
                " Look in Sent (or wait for the customer) before you press Retry."
            )
        if isinstance(error, InProgress):
            return self.tr(
                "It is being sent right now (from another window or command). Try again in a"
                " minute."
            )
        if isinstance(error, AlreadyAcknowledged):
            return self.tr("This inquiry was already acknowledged.")
        if isinstance(error, NoPassword):
            return self.tr("Ippo has no password for this inbox. Enter it again (tray menu: Fix).")
        if isinstance(error, ReplyNotBuilt):
            # An address or header that cannot be written safely (core.reply): nothing went out.
            cause = getattr(error, "__cause__", None)
            return self.tr(
                "Ippo could not write this reply safely (%1); nothing was sent. Answer it from "
                "your mail program (Open in mail)."
            ).replace("%1", display_line(str(cause or reason), SUBJECT_CHARS))
        # A server's failure, or Ippo's own (a full disk): a plain sentence, never a repr.
        return plain_reason(reason)

    # -- texts --

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Quick acknowledgement"))
        labels = (
            self.tr("From:"),
            self.tr("Subject:"),
            self.tr("Message:"),
            self.tr("Template:"),
            self.tr("Full answer by:"),
            self.tr("To:"),
        )
        for label, text in zip(self._form_labels, labels, strict=True):
            label.setText(text)
        promise_texts = {
            PromiseChoice.ONE_DAY: self.tr("+1 day"),
            PromiseChoice.TWO_DAYS: self.tr("+2 days"),
            PromiseChoice.NEXT_BUSINESS_DAY: self.tr("End of the next business day"),
            PromiseChoice.CUSTOM: self.tr("A chosen time"),
        }
        for index in range(self.promise_box.count()):
            choice = PromiseChoice(self.promise_box.itemData(index))
            self.promise_box.setItemText(index, promise_texts[choice])
        self.send_button.setText(self.tr("Send"))
        self.retry_button.setText(self.tr("Retry"))
        self.recipients_warning.setText(self._recipients_warning())
        self.confirm_recipients.setText(self.tr("Send to these recipients"))
        self.confirm_resend.setText(self.tr("I checked: the earlier one did not arrive"))
        unsent = self.inquiry.unsent_ack
        if unsent is not None:
            if unsent.in_doubt:
                notice = self.tr(
                    "An earlier acknowledgement was interrupted while the server was accepting "
                    "it and was not found in Sent: it may have reached the customer. Check with "
                    "the customer or your provider's sent log first; then Send sends a new one "
                    "with the promise below."
                )
            else:
                notice = self.tr(
                    "An earlier acknowledgement was not sent (%1). It will not go out on its "
                    "own: Send sends a new one with the promise below."
                ).replace("%1", plain_reason(unsent.reason))
            self.unsent_notice.setText(notice)
        self._update_send_enabled()

    def _recipients_warning(self) -> str:
        check = self.recipient_check
        texts = []
        if MANY in check.reasons:
            texts.append(
                self.tr(
                    "The reply would go to %1 addresses (Reply-To), not only to the sender."
                ).replace("%1", str(len(check.recipients)))
            )
        if OTHER_DOMAIN in check.reasons:
            strangers = ", ".join(check.strangers[:3]) + (" …" if len(check.strangers) > 3 else "")
            texts.append(
                self.tr("The Reply-To (%1) is on another domain than the sender (%2).")
                .replace("%1", display_line(strangers, SENDER_CHARS))
                .replace("%2", display_line(check.sender, NAME_CHARS))
            )
        return " ".join(texts)
