"""Logging: a rotating file in the config folder (user-only) and warnings on stderr.

Passwords are never passed to a logger in the first place; the RedactSecrets filter is defence
in depth for the day a library logs an IMAP/SMTP conversation or an exception carries one.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path

LOG_FILE = "ippo.log"
FILE_MODE = 0o600
MAX_BYTES = 1_000_000
BACKUPS = 3
REDACTED = "***"

_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"

# Each pattern keeps group 1 (the lead-in) and redacts the rest of its match.
_SECRET_PATTERNS: tuple[re.Pattern[str], ...] = (
    # IMAP: "a001 LOGIN user password" (atoms, quoted strings, or {n} literals). A user atom
    # never ends with ":", which keeps "LOGIN failed: [AUTHENTICATIONFAILED]" readable.
    re.compile(
        r'(\bLOGIN\s+(?:"(?:[^"\\]|\\.)*"|\{\d+\+?\}|[^\s"]*[^\s":])\s+)'
        r'(?:"(?:[^"\\]|\\.)*"|\S+)',
        re.IGNORECASE,
    ),
    # IMAP/SMTP SASL: "AUTHENTICATE PLAIN <base64>", "AUTH LOGIN <base64>", XOAUTH2 tokens
    re.compile(r"(\bAUTH(?:ENTICATE)?\s+[A-Z0-9_-]+\s+)\S+", re.IGNORECASE),
    # password=..., passwd: ..., "password": "...", secret=..., token=...
    re.compile(
        r"""((?:pass(?:word|wd)?|secret|token|api[_-]?key)["']?\s*[=:]\s*["']?)"""
        r"""[^\s"',;&}]+""",
        re.IGNORECASE,
    ),
)
# A SASL continuation line carries the credential alone; imaplib logs it as such.
_SASL_CONTINUATION = re.compile(r"^(\s*>\s*)[A-Za-z0-9+/]{16,}={0,2}\s*$")


def redact(text: str) -> str:
    """`text` with anything that looks like a password replaced by ***."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return _SASL_CONTINUATION.sub(lambda m: m.group(1) + REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrite each record's message (arguments applied) and any exception text with redact()."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw text, still redacted
            message = str(record.msg)
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file whose every generation is created 0600."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        if os.name == "posix":
            os.fchmod(fd, FILE_MODE)
        return io.TextIOWrapper(
            io.FileIO(fd, "a"), encoding=self.encoding or "utf-8", errors=self.errors
        )


def setup_logging(config_dir: Path, verbose: bool = False) -> Path:
    """Log to `<config_dir>/ippo.log` (rotating, 0600): INFO, or DEBUG when verbose; warnings
    and worse also to stderr (everything when verbose). Returns the log file's path.
    Calling it again replaces the handlers it added before."""
    config_dir = Path(config_dir)
    path = config_dir / LOG_FILE
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_ippo", False):
            root.removeHandler(handler)
            handler.close()

    redactor = RedactSecrets()
    handlers: list[logging.Handler] = []
    unwritable: OSError | None = None
    try:
        config_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        file_handler = _PrivateRotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError as error:  # a full disk or read-only folder: log to stderr only
        unwritable = error
    else:
        file_handler.setLevel(logging.DEBUG if verbose else logging.INFO)
        file_handler.setFormatter(logging.Formatter(_FORMAT))
        file_handler.addFilter(redactor)
        handlers.append(file_handler)

    stderr_handler = logging.StreamHandler(sys.stderr)
    stderr_handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    stderr_handler.setFormatter(logging.Formatter("ippo: %(levelname)s %(name)s: %(message)s"))
    stderr_handler.addFilter(redactor)

    for handler in (*handlers, stderr_handler):
        setattr(handler, "_ippo", True)  # noqa: B010 -- marks the handlers we own
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if unwritable is not None:
        from trayapp.disk import disk_problem

        logging.getLogger(__name__).warning(
            "cannot write the log file %s: %s", path, disk_problem(unwritable)
        )
    # imaplib-level chatter from imapclient is only useful when asked for.
    logging.getLogger("imapclient").setLevel(logging.DEBUG if verbose else logging.WARNING)
    return path
