from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from trayapp.config import (
    CONFIG_ENV,
    ConfigError,
    ConfigStore,
    account_from_dict,
    account_to_dict,
    atomic_write,
    resolve_config_dir,
)
from trayapp.core.model import AccountConfig

SHOP = AccountConfig(
    name="shop",
    email="shop@example.jp",
    imap_host="imap.example.jp",
    imap_port=993,
    username="shop-login",
    window_hours=12.5,
    aliases=("info@example.jp",),
    smtp_host="smtp.example.jp",
    smtp_port=587,
    smtp_security="starttls",
    signature="株式会社サンプル 髙橋",
    display_name="サンプル商店 髙橋",
    signature_en="Sample Shop, Takahashi",
)
SUPPORT = AccountConfig(name="サポート", email="support@example.com", imap_host="mail.example.com")


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_resolve_prefers_cli_then_env_then_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "from-env"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert resolve_config_dir(str(tmp_path / "from-cli")) == tmp_path / "from-cli"
    assert resolve_config_dir(None) == tmp_path / "from-env"
    monkeypatch.delenv(CONFIG_ENV)
    assert resolve_config_dir(None) == tmp_path / "xdg" / "ippo"
    assert (tmp_path / "xdg" / "ippo").is_dir()


def test_resolve_creates_the_folder_private_even_with_a_loose_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = resolve_config_dir(str(tmp_path / "a" / "b"))
    finally:
        os.umask(old)
    assert mode_of(path) == 0o700


def test_resolve_leaves_an_existing_folder_alone(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    assert resolve_config_dir(str(tmp_path)) == tmp_path
    assert mode_of(tmp_path) == 0o755


def test_accounts_round_trip_in_a_readable_private_file(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    assert store.load_accounts() == []
    store.add_account(SHOP)
    store.add_account(SUPPORT)
    assert ConfigStore(tmp_path).load_accounts() == [SHOP, SUPPORT]
    assert store.get_account("サポート") == SUPPORT
    assert store.get_account("nobody") is None

    text = (tmp_path / "config.json").read_text(encoding="utf-8")
    assert mode_of(tmp_path / "config.json") == 0o600
    assert "サポート" in text and "髙橋" in text  # readable, not \\u-escaped
    assert text.startswith('{\n  "version": 1,\n  "accounts": [\n')
    data = json.loads(text)
    assert list(data["accounts"][0]) == list(account_to_dict(SHOP))  # stable field order
    # only the config file and its lock; no temp files left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == [".config.lock", "config.json"]


def test_saving_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    store.save_accounts([SHOP, SUPPORT])
    first = (tmp_path / "config.json").read_bytes()
    store.save_accounts(store.load_accounts())
    assert (tmp_path / "config.json").read_bytes() == first


def test_duplicate_name_is_refused(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    store.add_account(SHOP)
    with pytest.raises(ConfigError, match="already exists"):
        store.add_account(AccountConfig(name="shop", email="x@y.z", imap_host="h"))
    assert store.load_accounts() == [SHOP]


def test_remove_and_update(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    store.save_accounts([SHOP, SUPPORT])
    assert store.remove_account("shop") is True
    assert store.remove_account("shop") is False
    assert store.load_accounts() == [SUPPORT]
    changed = AccountConfig(name="サポート", email="support@example.com", imap_host="other")
    store.update_account(changed)
    assert store.load_accounts() == [changed]
    with pytest.raises(ConfigError):
        store.update_account(SHOP)


def test_unknown_keys_survive_and_password_keys_never_do(tmp_path: Path) -> None:
    raw = {
        "version": 1,
        "from_the_future": {"x": 1},
        "settings": {"language": "ja", "new_setting": True},
        "accounts": [
            {
                **account_to_dict(SHOP),
                "future_field": "kept",
                "password": "hunter2",
                "smtp_password": "hunter3",
            }
        ],
    }
    (tmp_path / "config.json").write_text(json.dumps(raw))
    store = ConfigStore(tmp_path)
    assert store.load_accounts() == [SHOP]
    assert store.settings["language"] == "ja"
    assert store.settings["autostart"] is None  # default filled in
    store.add_account(SUPPORT)
    data = json.loads((tmp_path / "config.json").read_text())
    assert data["from_the_future"] == {"x": 1}
    assert data["settings"]["new_setting"] is True
    assert data["accounts"][0]["future_field"] == "kept"
    text = (tmp_path / "config.json").read_text()
    assert "hunter" not in text and "password" not in text


def test_settings_update_and_refuse_secrets(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    store.update_settings(language="en", autostart=True)
    assert ConfigStore(tmp_path).settings == {
        "language": "en",
        "autostart": True,
        "confirm_quit": True,
    }
    with pytest.raises(ValueError):
        store.update_settings(imap_password="x")
    assert "imap_password" not in (tmp_path / "config.json").read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "JSON object"),
        ('{"version": 99, "accounts": []}', "newer Ippo"),
        ('{"version": 1, "accounts": {}}', "list of objects"),
        ('{"version": 1, "accounts": [{"name": "a", "email": "e"}]}', "imap_host"),
        (
            '{"version": 1, "accounts": [{"name": "a", "email": "e", "imap_host": "h",'
            ' "imap_port": "x"}]}',
            "imap_port",
        ),
        (
            '{"version": 1, "accounts": [{"name": "a", "email": "e", "imap_host": "h",'
            ' "imap_security": "plain"}]}',
            "imap_security",
        ),
    ],
)
def test_broken_files_give_one_line_errors(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "config.json").write_text(content)
    with pytest.raises(ConfigError, match=message) as caught:
        ConfigStore(tmp_path).load_accounts()
    assert "\n" not in str(caught.value)


def test_nulls_mean_defaults_and_optional_fields_accept_null() -> None:
    account = account_from_dict(
        {
            "name": "a",
            "email": "a@b.c",
            "imap_host": "h",
            "window_hours": None,
            "smtp_port": None,
            "username": None,
            "folders": ["INBOX", "Support"],
        }
    )
    assert account.window_hours == 24.0
    assert account.smtp_port is None
    assert account.folders == ("INBOX", "Support")


def test_atomic_write_replaces_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert mode_of(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.json"
    atomic_write(target, b"old")

    def boom(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


@pytest.mark.parametrize(
    ("account", "named"),
    [
        ({"window_hours": float("nan")}, "account 'a': window_hours must be a number above 0"),
        ({"window_hours": float("inf")}, "account 'a': window_hours must be a number above 0"),
        ({"window_hours": -5}, "account 'a': window_hours must be a number above 0"),
        ({"window_hours": 0}, "account 'a': window_hours must be a number above 0"),
        ({"warning_hours": -1}, "account 'a': warning_hours must be a number at least 0"),
        ({"lookback_days": float("inf")}, "account 'a': lookback_days must be a whole number"),
        ({"lookback_days": "7"}, "account 'a': lookback_days has a bad value"),
        ({"lookback_days": 0}, "account 'a': lookback_days must be a whole number from 1"),
        ({"lookback_days": 7.5}, "account 'a': lookback_days must be a whole number"),
        ({"imap_port": 70000}, "account 'a': imap_port must be a whole number from 1 to 65535"),
        ({"smtp_port": -1}, "account 'a': smtp_port must be a whole number"),
        ({"folders": []}, "account 'a': folders must list at least one folder"),
        ({"folders": [""]}, "account 'a': folders must list at least one folder"),
        ({"imap_host": " "}, "account 'a': imap_host must name the IMAP server"),
    ],
)
def test_hostile_values_are_named_with_account_and_field(
    tmp_path: Path, account: dict[str, object], named: str
) -> None:
    """NaN, 1e400 (infinity once parsed), negative windows, empty folder lists: each one is
    a one-line ConfigError naming the account and the field, never a traceback later."""
    raw = {"name": "a", "email": "a@example.jp", "imap_host": "imap.example.jp", **account}
    text = json.dumps({"version": 1, "accounts": [raw]}).replace("Infinity", "1e400")
    (tmp_path / "config.json").write_text(text)
    with pytest.raises(ConfigError) as caught:
        ConfigStore(tmp_path).load_accounts()
    assert named in str(caught.value)
    assert "\n" not in str(caught.value)


def test_every_problem_and_duplicate_names_are_reported_at_once(tmp_path: Path) -> None:
    raws = [
        {"name": "a", "email": "a@x", "imap_host": "h", "window_hours": -1, "folders": []},
        {"name": "b", "email": "b@x", "imap_host": "h"},
        {"name": "b", "email": "c@x", "imap_host": "h"},
    ]
    (tmp_path / "config.json").write_text(json.dumps({"version": 1, "accounts": raws}))
    with pytest.raises(ConfigError) as caught:
        ConfigStore(tmp_path).load_accounts()
    text = str(caught.value)
    assert "account 'a': window_hours" in text
    assert "account 'a': folders" in text
    assert "account 'b': the name is used twice" in text


def test_a_read_only_or_full_config_folder_is_a_sentence(tmp_path: Path) -> None:
    from tests.support.small_disk import fill, remount_read_only, small_disk

    account = AccountConfig(name="a", email="a@example.jp", imap_host="imap.example.jp")
    with small_disk(tmp_path / "disk") as folder:
        store = ConfigStore(folder)
        store.add_account(account)
        fill(folder)
        with pytest.raises(ConfigError, match="the disk is full") as caught:
            store.add_account(replace(account, name="b"))
        assert str(caught.value).startswith(f"cannot save {folder / 'config.json'}")
        assert [a.name for a in store.load_accounts()] == ["a"]  # the old file is intact
        remount_read_only(folder)
        with pytest.raises(ConfigError, match="read-only or not yours"):
            store.remove_account("a")


def test_app_settings_are_typed_and_a_broken_value_reads_as_its_default(tmp_path: Path) -> None:
    from trayapp.config import AppSettings, ConfigStore

    store = ConfigStore(tmp_path)
    assert store.app_settings() == AppSettings(language=None, autostart=None)
    store.update_settings(language="ja", autostart=True)
    assert store.app_settings() == AppSettings(language="ja", autostart=True)
    store.update_settings(language="--wait", autostart="yes")  # a hand edit gone wrong
    assert store.app_settings() == AppSettings(language=None, autostart=None)


def test_signature_per_language_falls_back_to_the_common_one() -> None:
    assert SHOP.signature_for("en") == "Sample Shop, Takahashi"
    assert SHOP.signature_for("ja") == "株式会社サンプル 髙橋"  # no Japanese one of its own
    assert SUPPORT.signature_for("ja") == ""


def test_display_name_and_signatures_survive_the_file(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    store.add_account(SHOP)
    assert store.get_account("shop") == SHOP
    raw = json.loads((tmp_path / "config.json").read_text(encoding="utf-8"))
    assert raw["accounts"][0]["display_name"] == "サンプル商店 髙橋"


JAPANESE_PROBLEMS = [
    (
        {"window_hours": float("nan")},
        "アカウント 'a' の window_hours は、0 より大きく 8784 以下の数",
    ),
    ({"window_hours": float("inf")}, "アカウント 'a' の window_hours は、0 より大きく"),
    ({"window_hours": -5}, "アカウント 'a' の window_hours は、0 より大きく 8784 以下の数にして"),
    (
        {"warning_hours": -1},
        "アカウント 'a' の warning_hours は、0 以上 8784 以下の数にしてください",
    ),
    (
        {"lookback_days": 0},
        "アカウント 'a' の lookback_days は、1 から 3650 までの整数にしてください",
    ),
    ({"lookback_days": "7"}, "アカウント 'a' の lookback_days の値が正しくありません"),
    ({"folders": []}, "アカウント 'a' の folders は、フォルダーを1つ以上、空でない名前で挙げて"),
    ({"imap_host": " "}, "アカウント 'a' の imap_host は、IMAPサーバーの名前を入れてください"),
    ({"imap_security": "plain"}, "アカウント 'a' の imap_security は 'ssl' か 'starttls' にして"),
    (
        {"working_hours": "mon-fri 9-17"},
        "アカウント 'a' の working_hours を読み取れません: 'mon-fri 9-17' の '9-17' は時間の範囲",
    ),
    (
        {"timezone": "Mars/Olympus"},
        "アカウント 'a' の timezone を読み取れません: 'Mars/Olympus' というタイムゾーンは",
    ),
    (
        {"holidays": "zz"},
        "アカウント 'a' の holidays を読み取れません: 'zz' の祝日は分かりません",
    ),
]


@pytest.mark.parametrize(("account", "said"), JAPANESE_PROBLEMS)
def test_each_problem_reads_in_japanese_naming_account_and_field(
    tmp_path: Path, account: dict[str, object], said: str
) -> None:
    """The same problems through the command line's Japanese catalog: a sentence that names
    the account and the field, in Japanese (the English words of the rule are gone)."""
    from trayapp.cli_i18n import catalog_for

    raw = {"name": "a", "email": "a@example.jp", "imap_host": "imap.example.jp", **account}
    text = json.dumps({"version": 1, "accounts": [raw]}).replace("Infinity", "1e400")
    (tmp_path / "config.json").write_text(text)
    with pytest.raises(ConfigError) as caught:
        ConfigStore(tmp_path).load_accounts()
    japanese = caught.value.text(catalog_for("ja"))
    assert said in japanese
    assert japanese.startswith(f"{tmp_path / 'config.json'}: ")
    for english in ("account", "must", "bad value", " or "):
        assert english not in japanese
    assert caught.value.text(catalog_for("en")) == str(caught.value)  # English as before


def test_every_problem_at_once_in_japanese(tmp_path: Path) -> None:
    from trayapp.cli_i18n import catalog_for

    raws = [
        {"name": "a", "email": "a@x", "imap_host": "h", "window_hours": -1, "folders": []},
        {"name": "b", "email": "b@x", "imap_host": "h"},
        {"name": "b", "email": "c@x", "imap_host": "h"},
        {"email": "d@x", "imap_host": "h"},
    ]
    (tmp_path / "config.json").write_text(json.dumps({"version": 1, "accounts": raws}))
    with pytest.raises(ConfigError) as caught:
        ConfigStore(tmp_path).load_accounts()
    japanese = caught.value.text(catalog_for("ja"))
    assert "アカウント 'a' の window_hours は" in japanese
    assert "アカウント 'a' の folders は" in japanese
    assert "アカウント名 'b' が2回使われています" in japanese
    assert "設定ファイルに名前（name）のないアカウントがあります" in japanese


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("{not json", "はJSONとして読めません（1 行目）"),
        ("[]", "の中身がJSONのオブジェクトではありません"),
        ('{"version": 99, "accounts": []}', "は新しい Ippo で書かれています（バージョン 99）"),
        ('{"version": 1, "accounts": {}}', "accounts はオブジェクトのリストにしてください"),
    ],
)
def test_a_broken_file_reads_in_japanese(tmp_path: Path, content: str, said: str) -> None:
    from trayapp.cli_i18n import catalog_for

    (tmp_path / "config.json").write_text(content)
    with pytest.raises(ConfigError) as caught:
        ConfigStore(tmp_path).load_accounts()
    assert said in caught.value.text(catalog_for("ja"))
