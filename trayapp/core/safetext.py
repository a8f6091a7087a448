"""Mail text is data: what a sender's text may become before it reaches a header, a terminal
line or a label. Pure, never raises.

Two steps, each done once at its own boundary:
- `strip_controls` at decoding (core.headers): C0, DEL and C1 controls and the Unicode line and
  paragraph separators never survive into a value. Line breaks and tabs become a space, so an
  encoded word that decodes to "x\\r\\nBcc: evil@..." stays one line of text.
- `neutralise` for showing: bidi overrides, embeddings, isolates and marks and zero-width
  characters are dropped, so "Invoice\\u202egpj.exe" shows what it really is. `display_line`
  adds whitespace collapsing and a length cap: what the list, the dialog and `ippo pending` show.

Caps: a value is kept up to a generous length (the "full" value: a reply subject, a template's
quote take what they need from it) and shown shorter. Nothing keeps or sends a megabyte subject.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"

# C0 and C1 controls, DEL, and the separators Unicode (and Qt, and str.splitlines) treat as
# line breaks. Line-breaking ones become a space, the others go.
_BREAKS = re.compile("[\t\n\x0b\x0c\r\x1c-\x1f\x85\u2028\u2029]+")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# Bidi embeddings/overrides/isolates, bidi marks (LRM, RLM, ALM) and zero-width characters
# (ZWSP, ZWNJ, ZWJ, word joiner, BOM): invisible, and able to reorder or hide what is shown.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")

# The longest value kept at all (stored, quoted in a reply): far above any real subject.
MAX_KEPT = 1000
# What is shown: the list, the dialog, `ippo pending`.
SUBJECT_CHARS = 200
NAME_CHARS = 80
SENDER_CHARS = 160  # "Name <address>"
PREVIEW_CHARS = 300
# A reply's subject ("Re: " + the inquiry's) and a subject quoted in a reply's text.
REPLY_SUBJECT_CHARS = 200
QUOTED_SUBJECT_CHARS = 80


def strip_controls(text: str) -> str:
    """`text` without control characters; line breaks and tabs become one space."""
    if text.isprintable():
        return text
    return _CONTROLS.sub("", _BREAKS.sub(" ", text))


def neutralise(text: str) -> str:
    """`text` without controls and without bidi or zero-width characters."""
    return _INVISIBLE.sub("", strip_controls(text))


def cap(text: str, limit: int) -> str:
    """At most `limit` characters; a cut value ends in an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def display_line(text: str, limit: int) -> str:
    """One line to show: neutralised, whitespace collapsed, at most `limit` characters."""
    # Cut long input first: collapsing a megabyte costs more than showing 200 characters.
    head = text[: limit * 4 + 64]
    return cap(_WHITESPACE.sub(" ", neutralise(head)).strip(), limit)


def has_controls(text: str) -> bool:
    """Whether `text` holds a control character or anything a header, a terminal or a label
    would take as a new line (tabs included)."""
    return bool(_BREAKS.search(text)) or bool(_CONTROLS.search(text))
