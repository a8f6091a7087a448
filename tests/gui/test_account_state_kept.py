"""Nothing the user decided and no promise is lost when an inbox changes in the app: a
password changed on the server and then in the settings' "Server and sign-in…" editor, or
the inbox removed in the settings and added again (same address, another name) with the
"Add inbox" dialog. The real composition root with the real WatchService on the real Dovecot
(the state is put aside and given back by the service and the store, not by a stand-in)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.support.dovecot import DovecotServer, DovecotUser
from trayapp.app import IppoApp
from trayapp.core.model import AccountConfig, HealthState, ItemState
from trayapp.ui.account_editor import AccountEditor

from .test_account_editor import save_and_wait
from .test_app_schedule_change import TOKYO, start_app

pytestmark = [pytest.mark.gui, pytest.mark.integration]

ARRIVED = datetime(2026, 11, 30, 10, 0, tzinfo=TOKYO)
NOW = ARRIVED + timedelta(hours=2)
PROMISE = NOW + timedelta(days=2)
Decided = tuple[IppoApp, AccountConfig, DovecotUser, str]  # the app, the inbox, its item


def health(app: IppoApp, name: str) -> HealthState | None:
    found = app.bridge.health.get(name)
    return found.state if found is not None else None


def decisions(app: IppoApp, name: str) -> tuple[object, ...]:
    """What the user decided about inbox `name`, as the store keeps it."""
    store = app.store
    acks = [(a.item_id, a.state, a.promise_due_at) for a in store.acks(name)]
    return store.dismissals(name), store.ignored_senders(name), acks


@pytest.fixture
def decided(dovecot: DovecotServer, tmp_path: Path, qtbot: QtBot) -> Iterator[Decided]:
    """The app watching "shop", whose one inquiry the user acknowledged (a filed promise);
    the user also dismissed another message and ignored a sender."""
    app, account, user = start_app(dovecot, tmp_path, ARRIVED, NOW, name="shop")
    try:
        qtbot.waitUntil(lambda: health(app, "shop") is HealthState.CONNECTED, timeout=30_000)
        app.show_list()
        qtbot.waitUntil(lambda: len(app.pending.model.rows()) > 1, timeout=30_000)
        [item] = [r.item for r in app.pending.model.rows() if r.item is not None]
        store = app.store
        store.record_ack(
            item_id=item.id,
            account="shop",
            message_id="ack-kept@shop.example",
            recipients=[item.sender_addr],
            subject=f"Re: {item.subject}",
            raw=b"From: x\r\n\r\nbody\r\n",
            promise_due_at=PROMISE,
        )
        store.set_ack_state("ack-kept@shop.example", "filed")
        store.dismiss("shop", "another-item", "not_inquiry")
        store.ignore_sender("shop", "pest@example.org")
        app.service.refresh()
        qtbot.waitUntil(
            lambda: (
                (listed := app.pending.item(item.id)) is not None
                and listed.state is ItemState.ACKNOWLEDGED
            ),
            timeout=30_000,
        )
        yield app, account, user, item.id
    finally:
        app.shutdown()


def test_a_password_changed_on_the_server_then_in_the_settings_keeps_every_decision(
    decided: Decided, dovecot: DovecotServer, qtbot: QtBot
) -> None:
    app, _account, user, item_id = decided
    before = decisions(app, "shop")
    new_password = "changed on the server 4Tz"
    dovecot.set_password(user, new_password)

    app.open_settings()
    assert app.settings_dialog is not None
    app.settings_dialog.login_button.click()
    [editor] = [d for d in app.password_dialogs if isinstance(d, AccountEditor)]
    editor.password.setText(new_password)
    assert save_and_wait(editor, qtbot)
    assert app.secrets.get_password("shop") == new_password

    assert decisions(app, "shop") == before
    # The edited inbox is watched again (a new login); what the list shows stays.
    qtbot.waitUntil(lambda: health(app, "shop") is HealthState.CONNECTED, timeout=30_000)
    listed = app.pending.item(item_id)
    assert listed is not None and listed.state is ItemState.ACKNOWLEDGED
    assert listed.promise_due_at == PROMISE


def test_removed_in_the_settings_and_added_again_keeps_every_decision(
    decided: Decided, qtbot: QtBot
) -> None:
    app, account, user, item_id = decided
    before = decisions(app, "shop")
    app.forget_account("shop")  # what the settings' Remove does once the user says yes
    qtbot.waitUntil(lambda: decisions(app, "shop") == ({}, set(), []), timeout=30_000)

    app.open_add_inbox()
    dialog = app.add_dialog
    assert dialog is not None
    dialog.email.setText(user.email)
    dialog.password.setText(user.password)
    dialog.name.setText("お店")
    dialog.imap_host.setText(account.imap_host)
    dialog.imap_port.setValue(account.imap_port)
    dialog.username.setText(user.username)
    dialog.ca_file.setText(str(account.ca_file))
    dialog.start_test()
    qtbot.waitUntil(lambda: app.add_dialog is None, timeout=30_000)

    assert decisions(app, "お店") == before
    qtbot.waitUntil(lambda: health(app, "お店") is HealthState.CONNECTED, timeout=30_000)
    qtbot.waitUntil(lambda: app.pending.item(item_id) is not None, timeout=30_000)
    listed = app.pending.item(item_id)
    assert listed is not None and listed.account == "お店"
    assert listed.state is ItemState.ACKNOWLEDGED and listed.promise_due_at == PROMISE
