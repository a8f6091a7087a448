"""Health reasons the watcher writes are what people read: never a Python class name."""

from __future__ import annotations

import imaplib

import pytest

from trayapp.mail.watcher import _describe


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (ConnectionResetError(), "connection reset"),
        (ConnectionResetError(104, "Connection reset by peer"), "Connection reset by peer"),
        (BrokenPipeError(), "broken pipe"),
        (EOFError(), "connection closed"),
        (TimeoutError(), "no answer from the server (timed out)"),
        (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
        (imaplib.IMAP4.abort("socket error: EOF"), "connection closed by the server"),
        (ValueError("bad literal size"), "bad literal size"),
        (RuntimeError(), "no details"),
    ],
)
def test_watcher_reasons_name_no_python_class(error: BaseException, said: str) -> None:
    text = _describe(error)
    assert text == said
    assert type(error).__name__ not in text
