"""The command line speaks the user's language: chosen from the locale like the tray app,
every help text and message of the commands has Japanese, and it reaches the terminal."""

from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from trayapp.cli import build_parser
from trayapp.cli_i18n import Catalog, _parsers, catalog_for, language_from_environ
from trayapp.cli_ja import JA

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{[a-z_]+(?:![rs])?\}|%\(\w+\)\w|%s")


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, "ja"),
        ({"LC_MESSAGES": "ja_JP.eucJP", "LANG": "C"}, "ja"),
        ({"LANGUAGE": "de:ja", "LANG": "de_DE.UTF-8"}, "ja"),  # the first one Ippo speaks
        ({"LANGUAGE": "ja", "LANG": "C"}, "en"),  # gettext ignores LANGUAGE in the C locale
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({}, "en"),
        ({"LANG": "ja_JP.UTF-8", "IPPO_LANGUAGE": "en"}, "en"),
    ],
)
def test_language_follows_the_locale(environ: dict[str, str], language: str) -> None:
    assert language_from_environ(environ) == language


def _parser_texts() -> list[str]:
    texts = []
    for parser in _parsers(build_parser()):
        texts += [parser.description or ""]
        texts += [group.title or "" for group in parser._action_groups]
        for action in parser._actions:
            texts.append(action.help or "")
            if isinstance(action, argparse._SubParsersAction):
                texts += [choice.help or "" for choice in action._choices_actions]
    return [t for t in texts if t and t is not argparse.SUPPRESS]


def _wrapped_messages() -> list[str]:
    found = []
    for path in [ROOT / "trayapp" / "cli.py", *(ROOT / "trayapp" / "commands").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
            ):
                assert node.args and isinstance(node.args[0], ast.Constant), (
                    f"{path.name}:{node.lineno}: _() takes a literal (format it afterwards)"
                )
                found.append(node.args[0].value)
    return found


def test_every_help_text_and_message_has_japanese() -> None:
    missing = [t for t in [*_parser_texts(), *_wrapped_messages()] if t not in JA]
    assert not missing, "add to trayapp/cli_ja.py:\n" + "\n".join(map(repr, missing))


def test_placeholders_survive_translation() -> None:
    for english, japanese in JA.items():
        assert sorted(PLACEHOLDER.findall(english)) == sorted(PLACEHOLDER.findall(japanese)), (
            english
        )
        assert not re.search(r"\d\.\d\d", japanese)


def test_unknown_messages_pass_through() -> None:
    assert catalog_for("ja")("something new") == "something new"
    assert Catalog("en", {})("Promised: {when}") == "Promised: {when}"


def _ippo(*args: str, language: str, config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "IPPO_"))}
    env.update(LANG=language, IPPO_CONFIG_DIR=str(config), PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-I", "-m", "trayapp", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_the_commands_speak_japanese_under_a_japanese_locale(tmp_path: Path) -> None:
    help_text = _ippo("pending", "--help", language="ja_JP.UTF-8", config=tmp_path)
    assert help_text.returncode == 0, help_text.stderr
    assert help_text.stdout.startswith("使い方: ippo pending")
    assert "返信待ちの問い合わせ" in help_text.stdout or "すべてのアカウントに接続し" in (
        help_text.stdout
    )
    assert "オプション" in help_text.stdout and "このヘルプを表示して終了します" in help_text.stdout
    nothing = _ippo("pending", language="ja_JP.UTF-8", config=tmp_path)
    assert nothing.stdout == "アカウントがまだありません。`ippo account add` で追加してください。\n"
    watch = _ippo("watch", language="ja_JP.UTF-8", config=tmp_path)
    assert watch.returncode == 2
    assert watch.stderr.endswith(
        "アカウントがまだありません。`ippo account add` で追加してください\n"
    )
    wrong = _ippo("ack", language="ja_JP.UTF-8", config=tmp_path)
    assert wrong.returncode == 2 and "エラー: 次の引数が必要です: ID" in wrong.stderr
    # and English stays English
    english = _ippo("pending", language="en_GB.UTF-8", config=tmp_path)
    assert english.stdout == "No accounts yet. Add one with `ippo account add`.\n"


def test_the_status_bar_speaks_japanese_too() -> None:
    from datetime import UTC, datetime

    from trayapp.cli_i18n import describe_health, tooltip_texts
    from trayapp.core.model import AccountHealth, HealthState
    from trayapp.core.summary import TooltipTexts, summarize

    english = TooltipTexts()
    for name in ("nothing_waits", "counts", "acknowledged", "next_due", "not_covered"):
        assert getattr(english, name) in JA
    ja = catalog_for("ja")
    failing = AccountHealth(
        HealthState.ERROR,
        reason="imap.x.jp:993: login failed (wrong user name or password?): "
        "b'[AUTHENTICATIONFAILED] Authentication failed.'",
    )
    summary = summarize([], {"shop": failing}, datetime(2025, 1, 6, tzinfo=UTC))
    bar = summary.waybar(tooltip_texts(ja), lambda h: describe_health(h, ja))
    assert bar["tooltip"].startswith(
        "見守れていません：shop — エラー：imap.x.jp にログインできません。"
    )
    assert "b'" not in bar["tooltip"] and bar["class"] == "error"


def test_pending_lines_say_time_the_japanese_way(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime, timedelta

    import trayapp.cli_i18n as cli_i18n
    from trayapp.commands.pending import format_line
    from trayapp.core.model import Inquiry

    now = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    late = Inquiry(
        id="a",
        account="shop",
        folder="INBOX",
        uidvalidity=1,
        uid=1,
        message_id=None,
        sender="佐藤 <s@example.jp>",
        sender_addr="s@example.jp",
        subject="",
        received_at=now - timedelta(hours=30),
        due_at=now - timedelta(hours=6, minutes=5),
    )
    monkeypatch.setattr(cli_i18n, "_current", catalog_for("ja"))
    assert format_line(late, now).startswith("6時間5分超過")
    assert format_line(late, now).endswith("（件名なし）")
    monkeypatch.setattr(cli_i18n, "_current", catalog_for("en"))
    assert format_line(late, now).startswith("overdue 6h 05m")


def test_the_language_chosen_in_the_settings_wins_over_the_locale(tmp_path: Path) -> None:
    from trayapp.config import ConfigStore

    ConfigStore(tmp_path).update_settings(language="ja")
    chosen = _ippo("pending", language="en_US.UTF-8", config=tmp_path)
    assert chosen.stdout.startswith("アカウントがまだありません。")
    empty = tmp_path / "nothing-here"
    _ippo("--help", language="en_US.UTF-8", config=empty)
    assert not empty.exists()  # looking for the setting creates nothing


def _said_templates(path: Path) -> list[str]:
    """The English templates of every Said(...) in `path` (their first argument, literal)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Said":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.IfExp):  # Said("a" if x else "b", ...)
                found += [first.body.value, first.orelse.value]  # type: ignore[attr-defined]
            elif isinstance(first, ast.Constant):  # not Said(text): fixed texts, listed below
                found.append(first.value)
    return found


def test_every_said_problem_has_japanese() -> None:
    """config.json's problems and the login entry's (core.said.Said) in the Japanese catalog."""
    config_said = _said_templates(ROOT / "trayapp" / "config.py")
    assert len(config_said) > 15
    for module in ("schedule.py", "calendars.py", "when.py", "quiet.py", "away.py"):
        config_said += _said_templates(ROOT / "trayapp" / "core" / module)
    from trayapp.desktop.autostart import AutostartError

    config_said += AutostartError.SAID.values()
    from trayapp.config import ConfigError

    plain = [  # ConfigError("fixed sentence") and disk.disk_problem's sentences
        "'accounts' must be a list of objects",
        "'settings' must be an object",
        "two accounts have the same name",
        "the disk is full; free some space and try again",
        "the folder is read-only or not yours; check its permissions",
        "the file cannot be opened; check the folder's permissions",
    ]
    missing = [t for t in [*config_said, *plain] if t not in JA]
    assert not missing, "add to trayapp/cli_ja.py:\n" + "\n".join(map(repr, missing))
    assert ConfigError(plain[0]).text(catalog_for("ja")) == JA[plain[0]]
