"""ConfigWatch (ui/config_watch.py) with a real ConfigStore on disk: a burst of writes is one
reload, a broken file keeps the accounts, a change that leaves the accounts alone asks the
inboxes that are not watched to try again."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from trayapp.config import ConfigStore
from trayapp.core.model import AccountConfig
from trayapp.ui.config_watch import ConfigWatch


def account(name: str) -> AccountConfig:
    return AccountConfig(name=name, email=f"{name}@example.jp", imap_host="imap.example.jp")


def test_changes_are_debounced_and_compared(tmp_path: Path, qtbot: QtBot) -> None:
    config = ConfigStore(tmp_path / "config")
    config.add_account(account("shop"))
    running = config.load_accounts()
    calls: list[str] = []

    def changed() -> None:
        calls.append("changed")
        running[:] = config.load_accounts()

    watch = ConfigWatch(
        config.path,
        load=config.load_accounts,
        current=lambda: running,
        accounts_changed=changed,
        same_accounts=lambda: calls.append("same"),
        debounce_ms=150,
    )
    watch.start()
    try:
        for name in ("a", "b", "c"):  # one burst (three replaces of the file)
            config.add_account(account(name))
        qtbot.waitUntil(lambda: calls == ["changed"], timeout=5000)
        qtbot.wait(400)
        assert calls == ["changed"]
        assert [a.name for a in running] == ["shop", "a", "b", "c"]

        config.update_settings(language="ja")  # the accounts stay as they are
        qtbot.waitUntil(lambda: calls == ["changed", "same"], timeout=5000)

        (config.path.parent / "ippo.log").write_text("a log line\n", encoding="utf-8")
        qtbot.wait(600)  # other files of the folder change all the time: nothing to do
        assert calls == ["changed", "same"]

        config.path.write_text("{ half written", encoding="utf-8")
        qtbot.wait(600)
        assert calls == ["changed", "same"] and len(running) == 4

        config.path.write_text('{"version": 1, "accounts": [], "settings": {}}', "utf-8")
        qtbot.waitUntil(lambda: calls[-1] == "changed", timeout=5000)
        assert running == []
    finally:
        watch.stop()
