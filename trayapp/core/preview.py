"""A plain-text preview of a message's first lines. Pure: IMAP structures and bytes in, text out;
never raises.

The caller (mail.preview) fetches BODYSTRUCTURE, asks `choose_parts` which part to read, fetches
the first few KB of that part with BODY.PEEK and hands the bytes to `preview_text`. HTML is
turned into text with the standard library's parser: nothing is rendered, no URL is kept or
loaded, script and style are dropped. Charsets go through core.headers.decode_text, so bodies
decode like headers do (ISO-2022-JP with CP932 extensions, Shift_JIS, broken labels).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from trayapp.core.headers import decode_text

MAX_LINES = 3
MAX_CHARS = 300
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class PreviewPart:
    """The body part a preview is made from, as BODYSTRUCTURE describes it."""

    section: str  # the IMAP body section: "1", "2.1", ...
    subtype: str  # "plain" or "html"
    encoding: str  # Content-Transfer-Encoding, lower-case ("base64", "quoted-printable", "7bit")
    charset: str  # lower-case label; "" when the part names none
    size: int = 0  # octets of the encoded part, as the server counted them (0: unknown)
    flowed: bool = False  # text/plain; format=flowed (soft line breaks end with a space)
    delsp: bool = False

    @property
    def is_html(self) -> bool:
        return self.subtype == "html"


# --------------------------------------------------------------------------- BODYSTRUCTURE


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace").strip().lower()
    if isinstance(value, str):
        return value.strip().lower()
    return ""


def _int(value: object) -> int:
    if isinstance(value, int):
        return max(0, value)
    if isinstance(value, bytes | str):
        try:
            return max(0, int(value))
        except ValueError:
            return 0
    return 0


def _params(value: object) -> dict[str, str]:
    """("charset", "UTF-8", "format", "flowed") -> {"charset": "utf-8", "format": "flowed"}"""
    if not isinstance(value, tuple | list):
        return {}
    out: dict[str, str] = {}
    for index in range(0, len(value) - 1, 2):
        key = _text(value[index])
        if key and key not in out:
            out[key] = _text(value[index + 1]).strip('"')
    return out


def _is_attachment(disposition: object) -> bool:
    if isinstance(disposition, tuple | list) and disposition:
        return _text(disposition[0]) == "attachment"
    return False


def _children(node: Sequence[object]) -> list[object] | None:
    """The parts of a multipart node, or None for a single part. imapclient nests a
    multipart's parts in a list; a raw parse (inside message/rfc822) leaves them as leading
    tuples, so both shapes are read."""
    if not node:
        return None
    first = node[0]
    if isinstance(first, list):
        return list(first)
    if isinstance(first, tuple):
        parts: list[object] = []
        for item in node:
            if not isinstance(item, tuple | list):
                break
            parts.append(item)
        return parts
    return None


def _text_parts(node: object, section: str, depth: int = 0) -> Iterator[PreviewPart]:
    """Every inline text/plain and text/html part, depth first, in order. Attachments and
    attached messages (message/rfc822: a forward's original) are not the sender's words."""
    if not isinstance(node, tuple | list) or depth > 20:
        return
    children = _children(node)
    if children is not None:
        prefix = f"{section}." if section else ""
        for index, child in enumerate(children, start=1):
            yield from _text_parts(child, f"{prefix}{index}", depth + 1)
        return
    if len(node) < 7 or _text(node[0]) != "text":
        return
    subtype = _text(node[1])
    if subtype not in ("plain", "html"):
        return
    if len(node) > 9 and _is_attachment(node[9]):
        return
    params = _params(node[2])
    yield PreviewPart(
        section=section or "1",  # a single-part message's body is section 1
        subtype=subtype,
        encoding=_text(node[5]),
        charset=params.get("charset", ""),
        size=_int(node[6]),
        flowed=params.get("format") == "flowed",
        delsp=params.get("delsp") == "yes",
    )


def choose_parts(structure: object) -> list[PreviewPart]:
    """The parts to try, best first: the first inline text/plain, then the first text/html
    (used when there is no plain part, or the plain part says nothing). Empty when the
    message has no readable text (an image, a calendar invitation, a broken structure)."""
    try:
        parts = list(_text_parts(structure, ""))
    except Exception:  # a server's odd structure must not break a scan
        return []
    plain = next((p for p in parts if p.subtype == "plain"), None)
    html = next((p for p in parts if p.subtype == "html"), None)
    return [p for p in (plain, html) if p is not None]


# --------------------------------------------------------------------------- bytes to text

_QP_TAIL = re.compile(rb"=[0-9A-Fa-f\r]?\Z")
_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")


def decode_transfer(data: bytes, encoding: str, *, truncated: bool = False) -> bytes:
    """Undo the Content-Transfer-Encoding. `truncated`: `data` is only the part's start, so a
    cut escape or base64 group at the end is dropped rather than decoded into garbage."""
    label = encoding.strip().lower()
    try:
        if label == "base64":
            clean = _B64_JUNK.sub(b"", data)
            if truncated:
                clean = clean[: len(clean) - len(clean) % 4]
            elif len(clean) % 4 == 1:
                clean = clean[:-1]  # one stray character cannot be a byte
            clean += b"=" * (-len(clean) % 4)
            return base64.b64decode(clean)
        if label == "quoted-printable":
            if truncated:
                data = _QP_TAIL.sub(b"", data)
            return binascii.a2b_qp(data)
    except (binascii.Error, ValueError):
        return data
    return data  # 7bit, 8bit, binary, or a label we do not know: the bytes as they are


def _utf8_complete(data: bytes) -> bytes:
    """Drop a UTF-8 sequence cut by the end of the fetch."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return data
        if byte >= 0xC0:  # a lead byte: is its sequence whole?
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return data if back >= need else data[:-back]
    return data


def _sjis_complete(data: bytes) -> bytes:
    index = 0
    end = len(data)
    while index < end:
        byte = data[index]
        step = 2 if 0x81 <= byte <= 0x9F or 0xE0 <= byte <= 0xFC else 1
        if index + step > end:
            return data[:index]
        index += step
    return data


_JIS_CHARSETS = ("iso-2022-jp", "iso2022", "jis")
_SJIS_CHARSETS = ("shift", "sjis", "cp932", "windows-31j", "ms932", "ms_kanji")


def _complete_prefix(data: bytes, charset: str) -> bytes:
    """The start of a part cut at a byte count, made decodable: up to its last line break when
    that is not too far back (line breaks never sit inside a character in the charsets mail
    uses), else without a character cut in half."""
    cut = data.rfind(b"\n")
    if cut >= len(data) // 2:
        return data[: cut + 1]
    if any(name in charset for name in _SJIS_CHARSETS):
        return _sjis_complete(data)
    if any(name in charset for name in _JIS_CHARSETS):
        escape = data.rfind(b"\x1b")
        return data[:escape] if escape >= len(data) - 3 else data
    return _utf8_complete(data)


_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)


def _html_charset(data: bytes) -> str:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else ""


# --------------------------------------------------------------------------- HTML to text

_SKIP_TAGS = frozenset(
    {"script", "style", "title", "noscript", "template", "svg", "math", "object"}
)
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "center", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
        "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip


class _TextExtractor(HTMLParser):
    """Text content only: tags, attributes (so every URL) and script/style bodies are dropped.
    Text inside <blockquote> (how mailers quote in HTML) comes out as '> ' lines, so the
    plain-text quote rules apply to it too."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._skip: list[str] = []
        self._quote = 0

    def _break(self) -> None:
        text = "".join(self._line)
        self._line = []
        if text.strip():
            self.lines.append("> " + text if self._quote else text)
        else:
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip.append(tag)
            return
        if tag in _BLOCK_TAGS:
            self._break()
        elif tag in ("td", "th"):
            self._line.append(" ")  # cells of a row stay on its line, apart
        if tag == "blockquote":
            self._quote += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
            elif tag in self._skip:  # unbalanced markup: close up to the matching tag
                while self._skip and self._skip.pop() != tag:
                    pass
            return
        if tag in _BLOCK_TAGS:
            self._break()
        if tag == "blockquote" and self._quote:
            self._quote -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._line.append(data.replace("\r", " ").replace("\n", " "))

    def text(self) -> str:
        self._break()
        return "\n".join(self.lines)


def html_to_text(html: str) -> str:
    """The visible text of an HTML fragment, one line per block. Never raises."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient, but a preview must never fail a scan
        pass
    return parser.text()


# --------------------------------------------------------------------------- text to preview

# Controls, bidi overrides, isolates and marks, zero-width characters (as core.safetext).
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
_QUOTED = re.compile(r"^[ \t\u3000]*[>＞]")
# "On Mon, 3 Jun 2024 at 10:00, Jane <jane@example.test> wrote:", also wrapped over two lines,
# and the German/French/Spanish forms some customers' mailers write.
_ATTRIBUTION = re.compile(
    r"^(on\b.{0,200}\b(wrote|writes)\s*:"
    r"|am\b.{0,200}\bschrieb.{0,80}:"
    r"|le\b.{0,200}\ba écrit\s*:"
    r"|el\b.{0,200}\bescribió\s*:"
    r"|.{0,200}(のメール|のメッセージ|さんは書きました|は書きました|wrote)\s*[:：]"
    r"|\d{4}[年/.\-]\s?\d{1,2}[月/.\-]\s?\d{1,2}.{0,120}<[^<>@\s]+@[^<>\s]+>\s*[:：])\s*$",
    re.IGNORECASE,
)
# Where a forwarded or top-posted original begins (Outlook, Thunderbird, Apple Mail, Japanese
# mailers): nothing after it is the sender's new text.
_ORIGINAL = re.compile(
    r"^\s*(-{2,}\s*(original message|forwarded message|元のメッセージ|転送されたメッセージ|"
    r"original|オリジナル)\s*-{2,}|_{10,}|begin forwarded message:)",
    re.IGNORECASE,
)
_SIGNATURE = "-- "


def _unflow(lines: list[str], delsp: bool) -> list[str]:
    """RFC 3676: a line ending in a space continues on the next one."""
    out: list[str] = []
    pending = ""
    for line in lines:
        if line == _SIGNATURE:
            if pending:
                out.append(pending)
                pending = ""
            out.append(line)
            continue
        if line.endswith(" "):
            pending += line[:-1] if delsp else line
            continue
        out.append(pending + line)
        pending = ""
    if pending:
        out.append(pending)
    return out


_HEADER_FROM = re.compile(r"^\s*[*]?(from|差出人|送信者)[*]?\s*[:：]", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*[*]?(sent|date|to|subject|送信日時|日時|日付|宛先|件名)[*]?\s*[:：]", re.IGNORECASE
)


def _starts_original(lines: list[str], index: int) -> bool:
    line = lines[index]
    if line == _SIGNATURE or _ORIGINAL.match(line):
        return True
    # Outlook quotes below a header block ("From: ... / Sent: ..."), with no marker line.
    if _HEADER_FROM.match(line):
        return any(_HEADER_NEXT.match(next_line) for next_line in lines[index + 1 : index + 3])
    return False


def _new_text(lines: list[str]) -> list[str]:
    """The sender's own words: without quoted lines, the attribution before a quote, a
    forwarded or top-posted original or the signature."""
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _starts_original(lines, index):
            break
        if _QUOTED.match(line):
            continue
        if _ATTRIBUTION.match(line.strip()):
            continue
        if _is_wrapped_attribution(line, lines, index):
            continue
        kept.append(line)
    return kept


def _is_wrapped_attribution(line: str, lines: list[str], index: int) -> bool:
    """Gmail wraps a long "On ... <addr>\\nwrote:" over two lines; either half alone is not
    the sender's text."""
    stripped = line.strip()
    if index + 1 < len(lines) and stripped.lower().startswith("on "):
        return bool(_ATTRIBUTION.match(f"{stripped} {lines[index + 1].strip()}"))
    if index > 0 and stripped.lower() in ("wrote:", "writes:"):
        return bool(_ATTRIBUTION.match(f"{lines[index - 1].strip()} {stripped}"))
    return False


# A first line that only greets ("Hi Jane,", "ご担当者様", "株式会社ABC 営業部 御中"): the list
# has one line for the preview, better spent on what the mail is about.
_SALUTATION = re.compile(
    r"^((hi|hello|hey|dear|good (morning|afternoon|evening))\b[^.?!,:]{0,40}[,!:]|hi|hello"
    r"|.{0,30}(様|さま|殿|御中|ご担当者様|各位)[、,。]?)$",
    re.IGNORECASE,
)


def _without_salutation(lines: list[str]) -> list[str]:
    """Without greeting lines among the first two (a company line may precede "ご担当者様")."""
    kept = [line for i, line in enumerate(lines) if i >= 2 or not _SALUTATION.match(line)]
    return kept or lines


def summarize(text: str, *, max_lines: int = MAX_LINES, max_chars: int = MAX_CHARS) -> str:
    """The first `max_lines` non-empty lines of `text`, whitespace collapsed, quotes and
    signatures dropped where that leaves something, at most `max_chars` characters."""
    text = _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    # The signature marker is "-- " exactly, so lines are looked at before collapsing.
    raw = [line if line == _SIGNATURE else line.rstrip() for line in text.split("\n")]
    own = _collapsed(_new_text([line for line in raw if line.strip()]))
    chosen = _without_salutation(own or _collapsed(raw))[:max_lines]
    preview = "\n".join(chosen)
    if len(preview) > max_chars:
        preview = preview[: max_chars - 1].rstrip() + ELLIPSIS
    return preview


def _collapsed(lines: list[str]) -> list[str]:
    out = [" ".join(line.split()) for line in lines]
    return [line for line in out if line]


def part_text(data: bytes, part: PreviewPart, *, truncated: bool = False) -> str:
    """All the text of the (possibly cut) part: transfer encoding and charset undone, HTML
    turned into text, format=flowed joined. Never raises."""
    try:
        raw = decode_transfer(data, part.encoding, truncated=truncated)
        charset = part.charset
        if part.is_html and not charset:
            charset = _html_charset(raw)
        if truncated:
            raw = _complete_prefix(raw, charset)
        text = decode_text(raw, charset)
        if truncated:
            text = text.rstrip("\ufffd")
        if part.is_html:
            return html_to_text(text)
        if part.flowed:
            text = "\n".join(_unflow(text.replace("\r\n", "\n").split("\n"), part.delsp))
        return text
    except Exception:  # a preview must never fail a scan
        return ""


def preview_text(data: bytes, part: PreviewPart, *, truncated: bool = False) -> str:
    """The preview of a part from its first bytes (see `summarize`). Never raises."""
    try:
        return summarize(part_text(data, part, truncated=truncated))
    except Exception:
        return ""
