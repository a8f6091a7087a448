"""Settings: per-account response window, warning lead times and look-back, working hours,
the name shown to customers and the signatures (Japanese and English replies); language;
start at login. The dialog edits copies and reports them as signals; the app persists them.

It fits a laptop screen (1366x768 with a panel: 600 px of height at most): the inbox's
settings sit in three tabs under the inbox picker and its buttons: "Deadlines" (the response
window, its leads, the look-back), "Working hours" (the working-hours clock with its one-line
preview) and "Replies" (name shown and signatures)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trayapp.core.model import AccountConfig
from trayapp.ui.forms import on_language_change, set_row_labels
from trayapp.ui.hours_spin import HoursSpinBox
from trayapp.ui.i18n import LANGUAGE_NAMES, resolve_language
from trayapp.ui.schedule_editor import ScheduleEditor


class SettingsDialog(QDialog):
    """Signals (emitted on OK/Apply, only for what changed):
    account_settings_changed(AccountConfig), language_changed(str: 'system'|'en'|'ja'),
    start_at_login_changed(bool), overdue_stays_changed(bool); add_inbox_requested and
    remove_account_requested(str name) at once when those buttons are used."""

    account_settings_changed = Signal(object)
    language_changed = Signal(str)
    quiet_hours_changed = Signal(object)  # "22:00-07:30" or None (core.quiet)
    start_at_login_changed = Signal(bool)
    overdue_stays_changed = Signal(bool)  # overdue notifications stay until acted on
    add_inbox_requested = Signal()
    remove_account_requested = Signal(str)
    edit_login_requested = Signal(str)  # "Server and sign-in…" (ui/account_editor.py)
    ignored_senders_requested = Signal()  # "Ignored senders…" (ui/ignored_senders.py)

    def __init__(
        self,
        accounts: Sequence[AccountConfig],
        language: str = "system",
        start_at_login: bool = True,
        parent: QWidget | None = None,
        quiet_hours: str | None = None,
        overdue_stays: bool = True,
    ) -> None:
        super().__init__(parent)
        self._quiet_hours = quiet_hours
        self.quiet_hours = QLineEdit(quiet_hours or "")  # notifications wait (core.quiet)
        self.quiet_hours.setObjectName("quiet_hours")
        self.quiet_hours.setPlaceholderText("22:00-07:30")
        self.setObjectName("SettingsDialog")
        self._accounts: list[AccountConfig] = list(accounts)
        self._edited: dict[str, AccountConfig] = {a.name: a for a in accounts}
        self._language = language
        self._start_at_login = start_at_login
        self._overdue_stays = overdue_stays

        self.account_box = QGroupBox()
        self.account = QComboBox()
        self.account.setObjectName("account")
        self.add_button = QPushButton()
        self.remove_button = QPushButton()
        self.login_button = QPushButton()
        self.login_button.setObjectName("editLogin")
        self.window_hours = HoursSpinBox()
        self.window_hours.setObjectName("window_hours")
        self.window_hours.setRange(1.0, 24.0 * 14)
        self.window_hours.setSingleStep(1.0)
        self.warning_hours = HoursSpinBox()
        self.warning_hours.setObjectName("warning_hours")
        self.warning_hours.setRange(0.25, 24.0 * 7)
        self.warning_hours.setSingleStep(0.5)
        self.urgent_hours = HoursSpinBox()
        self.urgent_hours.setObjectName("urgent_hours")
        self.urgent_hours.setRange(0.1, 24.0 * 7)
        self.urgent_hours.setSingleStep(0.25)
        self.lookback_days = QSpinBox()
        self.lookback_days.setObjectName("lookback_days")
        self.lookback_days.setRange(1, 90)
        self.display_name = QLineEdit()
        self.display_name.setObjectName("display_name")
        self.signature_ja = QPlainTextEdit()
        self.signature_ja.setObjectName("signature_ja")
        self.signature_en = QPlainTextEdit()
        self.signature_en.setObjectName("signature_en")
        for edit in (self.signature_ja, self.signature_en):
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 5 + 12)
        # The working-hours clock, a tab of its own (the tab names it: no title of its own).
        self.schedule = ScheduleEditor(resolve_language(language), titled=False)
        self.problem = QLabel()
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet("color: #B71C1C; font-weight: bold;")
        self.problem.setWordWrap(True)

        self.general_box = QGroupBox()
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.addItem("", "system")
        for code, name in LANGUAGE_NAMES.items():
            self.language.addItem(name, code)
        self.autostart = QCheckBox()
        self.autostart.setObjectName("autostart")
        self.autostart.setChecked(start_at_login)
        self.overdue_stays = QCheckBox()
        self.overdue_stays.setObjectName("overdueStays")
        self.overdue_stays.setChecked(overdue_stays)

        picker = QHBoxLayout()
        picker.addWidget(self.account, 1)
        picker.addWidget(self.add_button)
        picker.addWidget(self.remove_button)
        picker.addWidget(self.login_button)
        # Two tabs keep the dialog within a laptop's height (see the module's docstring).
        self.deadlines_tab = QWidget()
        self.account_form = QFormLayout()
        self.account_form.addRow(QLabel(), self.window_hours)
        self.account_form.addRow(QLabel(), self.warning_hours)
        self.account_form.addRow(QLabel(), self.urgent_hours)
        self.account_form.addRow(QLabel(), self.lookback_days)
        deadlines = QVBoxLayout(self.deadlines_tab)
        deadlines.addLayout(self.account_form)
        deadlines.addStretch(1)
        self.replies_tab = QWidget()
        self.replies_form = QFormLayout(self.replies_tab)
        self.replies_form.addRow(QLabel(), self.display_name)
        self.replies_form.addRow(QLabel(), self.signature_ja)
        self.replies_form.addRow(QLabel(), self.signature_en)
        self.account_tabs = QTabWidget()
        self.account_tabs.setObjectName("accountTabs")
        self.account_tabs.addTab(self.deadlines_tab, "")
        self.account_tabs.addTab(self.schedule, "")
        self.account_tabs.addTab(self.replies_tab, "")
        account_layout = QVBoxLayout(self.account_box)
        account_layout.addLayout(picker)
        account_layout.addWidget(self.account_tabs)
        account_layout.addWidget(self.problem)
        self.general_form = QFormLayout(self.general_box)
        self.general_form.addRow(QLabel(), self.language)
        self.general_form.addRow("", self.autostart)
        self.general_form.addRow("", self.overdue_stays)
        self.general_form.addRow(QLabel(), self.quiet_hours)
        self.ignored_button = QPushButton()  # the senders never counted (ui/ignored_senders)
        self.ignored_button.setObjectName("ignoredSenders")
        self.ignored_button.clicked.connect(self.ignored_senders_requested)
        self.general_form.addRow("", self.ignored_button)
        self.quiet_hours.textChanged.connect(lambda _t: self._validate())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.account_box)
        layout.addWidget(self.general_box)
        layout.addWidget(self.buttons)

        self.account.currentIndexChanged.connect(lambda _i: self._load_account())
        for spin in (self.window_hours, self.warning_hours, self.urgent_hours):
            spin.valueChanged.connect(lambda _v: self._store_account())
        self.lookback_days.valueChanged.connect(lambda _v: self._store_account())
        self.display_name.textChanged.connect(lambda _t: self._store_account())
        self.signature_ja.textChanged.connect(self._store_account)
        self.signature_en.textChanged.connect(self._store_account)
        self.schedule.changed.connect(self._store_account)
        self.add_button.clicked.connect(self.add_inbox_requested)
        self.remove_button.clicked.connect(self._remove_current)
        self.login_button.clicked.connect(self._edit_login)
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        apply = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        apply.clicked.connect(self.apply)
        self._loading = False
        self._retranslate()
        on_language_change(self, self._retranslate)
        self.set_accounts(accounts)
        index = self.language.findData(language if language in LANGUAGE_NAMES else "system")
        self.language.setCurrentIndex(max(index, 0))

    # -------------------------------------------------------------- accounts

    def set_accounts(self, accounts: Sequence[AccountConfig]) -> None:
        current = self.account.currentData()
        self._edited = {a.name: self._carry_edits(a) for a in accounts}
        self._accounts = list(accounts)
        self._loading = True
        self.account.clear()
        for a in accounts:
            self.account.addItem(f"{a.name} ({a.email})" if a.name != a.email else a.email, a.name)
        self._loading = False
        index = self.account.findData(current) if current is not None else 0
        self.account.setCurrentIndex(max(index, 0))
        enabled = bool(accounts)
        for widget in (
            self.account,
            self.remove_button,
            self.login_button,
            self.window_hours,
            self.warning_hours,
            self.urgent_hours,
            self.lookback_days,
            self.display_name,
            self.signature_ja,
            self.signature_en,
            self.schedule,
        ):
            widget.setEnabled(enabled)
        self._load_account()

    def _carry_edits(self, account: AccountConfig) -> AccountConfig:
        """`account` as saved now (say, a server changed from the command line or the
        sign-in editor) with what the user changed here and has not applied yet."""
        before = next((a for a in self._accounts if a.name == account.name), None)
        edited = self._edited.get(account.name)
        if before is None or edited is None:
            return account
        changes = {
            f.name: getattr(edited, f.name)
            for f in dataclasses.fields(AccountConfig)
            if getattr(edited, f.name) != getattr(before, f.name)
        }
        return dataclasses.replace(account, **changes)

    def _edit_login(self) -> None:
        name = self.account.currentData()
        if name is not None:
            self.edit_login_requested.emit(str(name))

    def select_account(self, name: str) -> None:
        """Show `name` in the account editor (the tray's and the list's "Fix" lead here)."""
        index = self.account.findData(name)
        if index >= 0:
            self.account.setCurrentIndex(index)

    def edited_account(self, name: str) -> AccountConfig | None:
        return self._edited.get(name)

    def _load_account(self) -> None:
        if self._loading:
            return
        name = self.account.currentData()
        account = self._edited.get(str(name)) if name is not None else None
        if account is None:
            return
        self._loading = True
        self.window_hours.setValue(account.window_hours)
        self.warning_hours.setValue(account.warning_hours)
        self.urgent_hours.setValue(account.urgent_hours)
        self.lookback_days.setValue(account.lookback_days)
        self.display_name.setText(account.display_name)
        # Each box shows what a reply in that language will carry (the common signature when
        # the language has none of its own).
        self.signature_ja.setPlainText(account.signature_for("ja"))
        self.signature_en.setPlainText(account.signature_for("en"))
        self.schedule.load(account)
        self._loading = False
        self._validate()

    def _store_account(self) -> None:
        if self._loading:
            return
        name = self.account.currentData()
        if name is None or str(name) not in self._edited:
            return
        account = self._edited[str(name)]

        def own_signature(text: str) -> str:
            # The common signature left as it was stays common (not copied per language).
            return "" if text == account.signature else text

        self._edited[str(name)] = dataclasses.replace(
            account,
            window_hours=self.window_hours.value(),
            warning_hours=self.warning_hours.value(),
            urgent_hours=self.urgent_hours.value(),
            lookback_days=self.lookback_days.value(),
            display_name=self.display_name.text().strip(),
            signature_ja=own_signature(self.signature_ja.toPlainText()),
            signature_en=own_signature(self.signature_en.toPlainText()),
        )
        self._edited[str(name)] = self.schedule.apply_to(self._edited[str(name)])
        self.schedule.set_window(self._edited[str(name)].window)
        self._validate()

    def _problems(self) -> list[str]:
        problems = []
        for account in self._edited.values():
            if not account.urgent_hours < account.warning_hours < account.window_hours:
                problems.append(
                    self.tr(
                        "%1: the urgent lead must be shorter than the warning lead, and both"
                        " shorter than the response window."
                    ).replace("%1", account.name)
                )
        schedule_problem = self.schedule.problem() if self._accounts else None
        if schedule_problem is not None:
            problems.append(schedule_problem)
        if self._chosen_quiet_hours() is False:
            problems.append(self.tr("Quiet hours: write a range like 22:00-07:30, or nothing."))
        return problems

    def _chosen_quiet_hours(self) -> str | bool | None:
        """The canonical quiet hours typed, None for none, False when they do not read."""
        from trayapp.core.quiet import format_quiet_hours, parse_quiet_hours

        text = self.quiet_hours.text().strip()
        if not text:
            return None
        try:
            return format_quiet_hours(parse_quiet_hours(text))
        except ValueError:
            return False

    def _validate(self) -> bool:
        problems = self._problems()
        self.problem.setText("\n".join(problems))
        self.problem.setVisible(bool(problems))
        for button in (QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Apply):
            self.buttons.button(button).setEnabled(not problems)
        return not problems

    def _remove_current(self) -> None:
        name = self.account.currentData()
        if name is not None:
            self.remove_account_requested.emit(str(name))

    # -------------------------------------------------------------- apply

    def apply(self) -> bool:
        if not self._validate():
            return False
        originals = {a.name: a for a in self._accounts}
        for name, edited in self._edited.items():
            if originals.get(name) != edited:
                self.account_settings_changed.emit(edited)
        self._accounts = [self._edited.get(a.name, a) for a in self._accounts]
        language = str(self.language.currentData())
        if language != self._language:
            self._language = language
            self.language_changed.emit(language)
        if self.autostart.isChecked() != self._start_at_login:
            self._start_at_login = self.autostart.isChecked()
            self.start_at_login_changed.emit(self._start_at_login)
        quiet = self._chosen_quiet_hours()
        if quiet is not False and quiet != self._quiet_hours:
            self._quiet_hours = quiet if isinstance(quiet, str) else None
            self.quiet_hours_changed.emit(self._quiet_hours)
        if self.overdue_stays.isChecked() != self._overdue_stays:
            self._overdue_stays = self.overdue_stays.isChecked()
            self.overdue_stays_changed.emit(self._overdue_stays)
        return True

    def _ok(self) -> None:
        if self.apply():
            self.accept()

    # -------------------------------------------------------------- text

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Ippo settings"))
        self.account_box.setTitle(self.tr("Inboxes"))
        self.general_box.setTitle(self.tr("General"))
        self.account_tabs.setTabText(0, self.tr("Deadlines"))
        self.account_tabs.setTabText(1, self.tr("Working hours"))
        self.account_tabs.setTabText(2, self.tr("Replies"))
        self.add_button.setText(self.tr("Add inbox…"))
        self.remove_button.setText(self.tr("Remove"))
        self.login_button.setText(self.tr("Server and sign-in…"))
        self.ignored_button.setText(self.tr("Ignored senders…"))
        # Each value reads as a phrase: "期限の4時間前" / "4h before the deadline".
        before = self.tr("%1 before the deadline")
        for spin, phrase in (
            (self.window_hours, self.tr("%1 after it arrives")),
            (self.warning_hours, before),
            (self.urgent_hours, before),
            (self.lookback_days, self.tr("the last %1 days")),
        ):
            prefix, _, suffix = phrase.partition("%1")
            spin.setPrefix(prefix)
            spin.setSuffix(suffix)
        set_row_labels(
            (
                (self.account_form, self.window_hours, self.tr("Reply within")),
                (self.account_form, self.warning_hours, self.tr("Warning")),
                (self.account_form, self.urgent_hours, self.tr("Urgent")),
                (self.account_form, self.lookback_days, self.tr("Look back")),
                (self.replies_form, self.display_name, self.tr("Name shown to customers")),
                (self.replies_form, self.signature_ja, self.tr("Signature (Japanese replies)")),
                (self.replies_form, self.signature_en, self.tr("Signature (English replies)")),
                (self.general_form, self.language, self.tr("Language")),
                (self.general_form, self.quiet_hours, self.tr("Quiet hours")),
            )
        )
        self.language.setItemText(0, self.tr("System default"))
        self.autostart.setText(self.tr("Start Ippo when I log in"))
        self.quiet_hours.setToolTip(
            self.tr(
                "Notifications wait during these hours and come as one summary when they end;"
                " empty: none"
            )
        )
        self.overdue_stays.setText(self.tr("Keep overdue notifications on screen until I act"))
        self.display_name.setPlaceholderText(self.tr("e.g. Sample Shop, Taro Suzuki"))
        self._validate()
