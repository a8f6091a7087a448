"""Which account changes the watch service applies without a reconnect: only what is decided
about the mail already known (a schedule, a window, a signature), never what is fetched."""

from __future__ import annotations

import dataclasses

import pytest

from trayapp.core.model import AccountConfig
from trayapp.mail.service import DECISION_SETTINGS, watches_the_same

SHOP = AccountConfig(name="shop", email="info@shop.example.jp", imap_host="imap.example.jp")
DECIDED = {
    "window_hours": 9.0,
    "warning_hours": 2.0,
    "urgent_hours": 0.5,
    "timezone": "Asia/Tokyo",
    "working_hours": "mon-fri 09:00-18:00",
    "holidays": "jp",
    "days_off": ("2026-12-29..2027-01-03",),
    "display_name": "一報商店 鈴木",
    "signature": "--\n一報商店",
    "signature_ja": "--\n一報商店",
    "signature_en": "--\nIppo Shop",
    "reply_charset": "iso-2022-jp",
}
FETCHED = {
    "email": "other@shop.example.jp",
    "imap_host": "imap.other.example",
    "imap_port": 143,
    "imap_security": "starttls",
    "username": "someone",
    "ca_file": "/etc/ca.pem",
    "lookback_days": 14,
    "folders": ("INBOX", "Support"),
    "sent_folder": "Sent Items",
    "aliases": ("shop@example.jp",),
}


def test_every_decided_setting_is_listed() -> None:
    assert set(DECIDED) == set(DECISION_SETTINGS)


@pytest.mark.parametrize(("name", "value"), sorted(DECIDED.items()))
def test_a_decided_setting_keeps_the_watcher(name: str, value: object) -> None:
    assert watches_the_same(SHOP, dataclasses.replace(SHOP, **{name: value}))


@pytest.mark.parametrize(("name", "value"), sorted(FETCHED.items()))
def test_a_fetched_setting_restarts_it(name: str, value: object) -> None:
    changed = dataclasses.replace(SHOP, **{name: value})
    assert not watches_the_same(SHOP, changed)
    assert not watches_the_same(
        changed, dataclasses.replace(changed, **{name: getattr(SHOP, name)})
    )
