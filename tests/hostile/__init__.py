"""The hostile corpus: mail shaped like real attacks, as .eml files (written by make_corpus.py).

Unit, CLI and GUI tests all run over it through `load()`:

- options as subjects and names (`--wait`, `-w`, `--help`)
- CR/LF in RFC 2047 encoded words, in UTF-8 and ISO-2022-JP (a Bcc header, a forged body)
- bidi overrides and isolates, zero-width, C1 controls, terminal escapes
- a 300-address Reply-To, a Reply-To on a stranger's domain, a real form sender
- a 1 MB subject, two different inquiries sharing one Message-ID
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

# What a reply to each sample must need before it goes out (core.recipients).
NEEDS_CONFIRMATION = frozenset({"reply-to-300", "reply-to-other-domain"})
# Samples whose decoded text an attacker filled with line breaks, escapes or invisible marks.
INJECTED_TEXT = frozenset(
    {
        "crlf-subject-utf8",
        "crlf-subject-iso2022jp",
        "crlf-name-utf8",
        "crlf-name-iso2022jp",
        "crlf-body-forgery",
        "bidi-subject-name",
        "zero-width",
        "c1-and-escapes",
    }
)
SHARED_MESSAGE_ID = ("shared-id-first", "shared-id-second")

# Every header an acknowledgement Ippo builds may carry: anything else in a reply is injected.
OUR_HEADERS = frozenset(
    {
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "in-reply-to",
        "references",
        "auto-submitted",
        "x-mailer",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
    }
)


def header_names(raw: bytes) -> list[str]:
    """The lower-cased field names of a message's header block, in order, as a receiving
    server reads them (a line that does not start with white space starts a field)."""
    head = raw.partition(b"\r\n\r\n")[0]
    return [
        line.split(b":", 1)[0].decode("ascii", "replace").lower()
        for line in head.split(b"\r\n")
        if line and line[:1] not in (b" ", b"\t")
    ]


def only_our_headers(raw: bytes) -> bool:
    """Whether `raw` carries only Ippo's own headers, each once."""
    names = header_names(raw)
    return set(names) <= OUR_HEADERS and len(names) == len(set(names))


@dataclass(frozen=True)
class HostileMail:
    name: str  # the file's stem
    raw: bytes

    @property
    def header_block(self) -> bytes:
        end = self.raw.find(b"\r\n\r\n")
        return self.raw if end < 0 else self.raw[: end + 4]

    @property
    def needs_confirmation(self) -> bool:
        return self.name in NEEDS_CONFIRMATION

    def __repr__(self) -> str:  # pytest ids and failure messages: never a megabyte
        return f"HostileMail({self.name!r}, {len(self.raw)} bytes)"


def load() -> list[HostileMail]:
    """Every sample, in name order."""
    return [HostileMail(p.stem, p.read_bytes()) for p in sorted(HERE.glob("*.eml"))]


def by_name(name: str) -> HostileMail:
    return HostileMail(name, (HERE / f"{name}.eml").read_bytes())


def names() -> list[str]:
    return [p.stem for p in sorted(HERE.glob("*.eml"))]
