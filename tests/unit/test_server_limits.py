"""settings.server_limits in config.json: sane defaults, and every bad value named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trayapp.config import ConfigError, ConfigStore
from trayapp.mail.transport import ServerLimits


def test_defaults_and_overrides(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    assert store.server_limits() == ServerLimits()
    store.update_settings(server_limits={"connect_seconds": 5, "max_literal_bytes": 1024.0})
    limits = store.server_limits()
    assert limits.connect_seconds == 5 and limits.max_literal_bytes == 1024
    assert isinstance(limits.max_literal_bytes, int)
    assert limits.scan_seconds == ServerLimits().scan_seconds


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ('{"connect_seconds": -1}', "server_limits.connect_seconds must be a positive number"),
        ('{"scan_seconds": NaN}', "server_limits.scan_seconds must be a positive number"),
        ('{"round_seconds": 1e400}', "server_limits.round_seconds must be a positive number"),
        ('{"max_response_lines": "many"}', "server_limits.max_response_lines must be"),
        ('{"max_lines": 5}', "server_limits.max_lines is not a known limit"),
        ("[1, 2]", "server_limits must be an object"),
    ],
)
def test_bad_limits_are_named(tmp_path: Path, raw: str, named: str) -> None:
    text = '{"version": 1, "accounts": [], "settings": {"server_limits": ' + raw + "}}"
    json.loads(text)  # valid JSON as Python reads it (NaN and 1e400 included)
    (tmp_path / "config.json").write_text(text)
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        ConfigStore(tmp_path).server_limits()
