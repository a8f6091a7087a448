from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from trayapp.logs import LOG_FILE, redact, setup_logging

SECRET = "s3cr3t-P@ss"


@pytest.mark.parametrize(
    "line",
    [
        f'> b\'AAAB1 LOGIN "shop@example.jp" "{SECRET}"\'',
        f"a001 LOGIN shop@example.jp {SECRET}",
        f"a002 login shop {SECRET}",
        f"password={SECRET}",
        f'{{"password": "{SECRET}"}}',
        f"imap_passwd: {SECRET}",
        f"connect(host=x, password='{SECRET}', port=993)",
    ],
)
def test_redact_removes_the_secret(line: str) -> None:
    assert SECRET not in redact(line)
    assert "***" in redact(line)


@pytest.mark.parametrize(
    "line",
    [
        "c3 AUTHENTICATE PLAIN AHNob3BAZXhhbXBsZS5qcABzM2NyM3QtUEBzcw==",
        "AUTH LOGIN c2hvcEBleGFtcGxlLmpw",
        "> AHNob3BAZXhhbXBsZS5qcABzM2NyM3QtUEBzcw==",
    ],
)
def test_redact_removes_sasl_credentials(line: str) -> None:
    assert "AHNob3B" not in redact(line) and "c2hvcEBl" not in redact(line)


@pytest.mark.parametrize(
    "line",
    [
        "LOGIN failed: [AUTHENTICATIONFAILED] Authentication failed.",
        "the password was wrong for shop@example.jp",
        "a1 LOGIN {14}",
        "fetched 300 messages from INBOX in 0.4 s",
    ],
)
def test_redact_leaves_ordinary_text(line: str) -> None:
    assert redact(line) == line


@pytest.fixture
def restore_root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.mark.usefixtures("restore_root_logging")
def test_log_file_is_private_and_redacted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = setup_logging(tmp_path)
    assert path == tmp_path / LOG_FILE
    log = logging.getLogger("trayapp.test")
    log.info("sending %s", f"a1 LOGIN shop {SECRET}")
    log.warning("config had password=%s", SECRET)
    try:
        raise RuntimeError(f"login rejected for password={SECRET}")
    except RuntimeError:
        log.exception("scan failed")
    log.debug("debug is off by default")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text()
    assert "a1 LOGIN shop ***" in text and "scan failed" in text
    assert SECRET not in text
    assert "debug is off" not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    err = capsys.readouterr().err
    assert "config had password=***" in err  # warnings reach stderr, redacted
    assert SECRET not in err and "sending" not in err  # info does not


@pytest.mark.usefixtures("restore_root_logging")
def test_rotation_keeps_every_file_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("trayapp.logs.MAX_BYTES", 2000)
    path = setup_logging(tmp_path, verbose=True)
    setup_logging(tmp_path, verbose=True)  # twice: handlers replaced, not doubled
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_ippo", False)]
    assert len(ours) == 2
    for n in range(200):
        logging.getLogger("trayapp.test").debug("line %d %s", n, "x" * 50)
    files = sorted(tmp_path.glob(LOG_FILE + "*"))
    assert len(files) >= 2
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert path in files
