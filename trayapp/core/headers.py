"""Header decoding as the sender meant it, Japanese first. Pure: bytes in, text out; never raises.

CPython's email package cannot read what Windows mailers send as ISO-2022-JP: they put CP932
extensions (①, ㈱ in JIS row 13; 髙 in rows 89-92) into the 7-bit JIS stream, which every
iso2022_jp codec of Python rejects -- and the email package then leaves the encoded word as is,
with no error. So ISO-2022-JP is decoded here by transcoding JIS to Shift_JIS and reading that
as CP932 (a superset with all those extensions). Adjacent encoded words of one charset are
joined as bytes before decoding, because mailers cut multibyte characters (and JIS escape
state) across words.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import functools
import re
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from email.utils import getaddresses, parsedate_to_datetime
from typing import TypeVar

from trayapp.core.classify import marks_a_message
from trayapp.core.model import NO_RAW, PARSED_FIELDS, MessageHeaders
from trayapp.core.safetext import MAX_KEPT, cap, neutralise

_T = TypeVar("_T")

# The fields the engine fetches for INBOX: what the model shows and what classify decides with.
HEADER_FIELDS: tuple[str, ...] = (
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "Precedence",
    "List-Id",
    "List-Unsubscribe",
    "List-Post",
    "X-Auto-Response-Suppress",
    "X-Autoreply",
    "X-Autorespond",
    "X-Campaign",
    "X-CampaignID",
    "Return-Path",
    "Content-Type",
)
# For Sent: only what says which messages a reply answers.
SENT_HEADER_FIELDS: tuple[str, ...] = ("Message-ID", "In-Reply-To", "References")

# Values longer than this are cut before the costlier parsing (addresses, ids): a header this
# long is broken or hostile, and the useful part is at its start.
_MAX_VALUE = 64 * 1024

# --- charsets --------------------------------------------------------------------------------

_JIS_LABELS = frozenset(
    {
        "iso-2022-jp",
        "iso2022-jp",
        "iso_2022_jp",
        "iso2022jp",
        "csiso2022jp",
        "iso-2022-jp-1",
        "iso-2022-jp-2",
        "iso-2022-jp-3",
        "iso-2022-jp-2004",
        "iso-2022-jp-ms",
        "iso-2022-jp-ext",
        "x-iso-2022-jp",
        "jis",
        "x-jis",
    }
)
_SJIS_LABELS = frozenset(
    {
        "shift_jis",
        "shift-jis",
        "shiftjis",
        "sjis",
        "x-sjis",
        "s-jis",
        "ms_kanji",
        "csshiftjis",
        "windows-31j",
        "cswindows31j",
        "cp932",
        "ms932",
        "x-ms-cp932",
        "ibm-943",
        "shift_jisx0213",
        "shift_jis-2004",
    }
)
_EUC_LABELS = frozenset(
    {
        "euc-jp",
        "euc_jp",
        "eucjp",
        "x-euc-jp",
        "x-euc",
        "ujis",
        "cseucpkdfmtjapanese",
        "euc-jis-2004",
        "eucjp-ms",
        "cp51932",
    }
)
_UTF8_LABELS = frozenset({"utf-8", "utf8", "x-utf8", "x-utf-8", "unicode-1-1-utf-8"})
_ASCII_LABELS = frozenset({"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us"})

_HALFWIDTH_KANA = re.compile("[\uff61-\uff9f]")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def _jis_to_sjis(j1: int, j2: int) -> bytes:
    s1 = ((j1 + 1) >> 1) + (0x70 if j1 <= 0x5E else 0xB0)
    s2 = j2 + 0x1F + (1 if j2 >= 0x60 else 0) if j1 & 1 else j2 + 0x7E
    return bytes((s1, s2))


def _decode_sjis_bytes(data: bytes, errors: str) -> str:
    return data.decode("cp932", errors)


# JIS escape sequences: the designation they make, and how to read the bytes that follow.
_ESCAPES: dict[bytes, str] = {
    b"\x1b(B": "ascii",
    b"\x1b(J": "ascii",  # JIS X 0201 Roman: mailers mean ASCII by it
    b"\x1b(H": "ascii",
    b"\x1b(I": "kana",
    b"\x1b$@": "jis",
    b"\x1b$B": "jis",
    b"\x1b$(B": "jis",
    b"\x1b$(@": "jis",
    b"\x1b$(Q": "jisx0213",
    b"\x1b$(O": "jisx0213",
    b"\x1b$(P": "jisx0213p2",
    b"\x1b$(D": "jisx0212",
    b"\x1b$A": "gb2312",
    b"\x1b$(C": "ksc5601",
    b"\x1b&@": "",  # JIS X 0208-1990 announcer: precedes ESC $ B, changes nothing
}
_ESCAPE_RE = re.compile(rb"\x1b(?:\(.|\$\(.|\$.|&@)", re.DOTALL)


def _decode_double_byte(mode: str, data: bytes) -> tuple[str, int]:
    """Decode a run of 7-bit double-byte JIS in `mode`; returns (text, error count)."""
    if len(data) % 2:
        data, dangling = data[:-1], 1
    else:
        dangling = 0
    if mode == "jis":
        sjis = b"".join(_jis_to_sjis(data[i], data[i + 1]) for i in range(0, len(data), 2))
        text, errors = _count_errors(sjis, "cp932")
    else:
        high = bytes(b | 0x80 for b in data)
        if mode == "jisx0212":
            high = b"".join(b"\x8f" + high[i : i + 2] for i in range(0, len(high), 2))
            text, errors = _count_errors(high, "euc_jp")
        elif mode == "jisx0213p2":
            high = b"".join(b"\x8f" + high[i : i + 2] for i in range(0, len(high), 2))
            text, errors = _count_errors(high, "euc_jis_2004")
        elif mode == "jisx0213":
            text, errors = _count_errors(high, "euc_jis_2004")
        elif mode == "gb2312":
            text, errors = _count_errors(high, "gb2312")
        else:
            text, errors = _count_errors(high, "euc_kr")
    if dangling:
        text += "\ufffd"
    return text, errors + dangling


def _count_errors(data: bytes, encoding: str) -> tuple[str, int]:
    text = data.decode(encoding, "replace")
    return text, text.count("\ufffd")


def _decode_jis(data: bytes) -> tuple[str, int]:
    """ISO-2022-JP (and its relatives) with CP932 extensions; returns (text, error count).
    Bytes outside the JIS designations (8-bit bytes, stray controls) are read as raw 8-bit."""
    out: list[str] = []
    errors = 0
    mode = "ascii"
    pos = 0
    for match in _ESCAPE_RE.finditer(data):
        segment = data[pos : match.start()]
        text, bad = _decode_segment(mode, segment)
        out.append(text)
        errors += bad
        designation = _ESCAPES.get(match.group())
        if designation is None:
            errors += 1  # unknown escape: drop it, keep the mode
        elif designation:
            mode = designation
        pos = match.end()
    text, bad = _decode_segment(mode, data[pos:])
    out.append(text)
    return "".join(out), errors + bad


def _decode_segment(mode: str, segment: bytes) -> tuple[str, int]:
    if not segment:
        return "", 0
    if mode == "ascii":
        return _decode_ascii_with_so_si(segment)
    if mode == "kana":
        kana = bytes(b | 0x80 if 0x21 <= b <= 0x5F else b for b in segment)
        return _count_errors(kana, "cp932")
    # Line breaks and spaces can sit inside a double-byte run in broken mail; keep them.
    parts = re.split(rb"([\x00-\x20\x80-\xff]+)", segment)
    out: list[str] = []
    errors = 0
    for index, part in enumerate(parts):
        if not part:
            continue
        if index % 2:
            text, bad = _decode_8bit(part, jis=False)
        else:
            text, bad = _decode_double_byte(mode, part)
        out.append(text)
        errors += bad
    return "".join(out), errors


def _decode_ascii_with_so_si(segment: bytes) -> tuple[str, int]:
    if b"\x0e" not in segment:
        return _decode_8bit(segment, jis=False)
    # SO ... SI: half-width katakana shifted into 7 bits (seen from some old mailers)
    out: list[str] = []
    errors = 0
    for index, part in enumerate(re.split(rb"\x0e|\x0f", segment)):
        if index % 2:
            text, bad = _decode_segment("kana", part)
        else:
            text, bad = _decode_8bit(part, jis=False)
        out.append(text)
        errors += bad
    return "".join(out), errors


def _decode_euc_jp(data: bytes) -> tuple[str, int]:
    """EUC-JP through the same JIS-to-CP932 path, so NEC extensions (①) decode here too."""
    out: list[str] = []
    errors = 0
    run = bytearray()  # pending Shift_JIS bytes
    i = 0
    n = len(data)

    def flush() -> None:
        nonlocal errors
        if run:
            text, bad = _count_errors(bytes(run), "cp932")
            out.append(text)
            errors += bad
            run.clear()

    while i < n:
        b = data[i]
        if b < 0x80:
            run.append(b)
            i += 1
        elif b == 0x8E and i + 1 < n and 0xA1 <= data[i + 1] <= 0xDF:
            run.append(data[i + 1])
            i += 2
        elif b == 0x8F and i + 2 < n:
            flush()
            text, bad = _count_errors(data[i : i + 3], "euc_jp")
            out.append(text)
            errors += bad
            i += 3
        elif 0xA1 <= b <= 0xFE and i + 1 < n and 0xA1 <= data[i + 1] <= 0xFE:
            run += _jis_to_sjis(b & 0x7F, data[i + 1] & 0x7F)
            i += 2
        else:
            flush()
            out.append("\ufffd")
            errors += 1
            i += 1
    flush()
    return "".join(out), errors


def _decode_8bit(data: bytes, last_resort: str = "latin-1", *, jis: bool = True) -> tuple[str, int]:
    """Unlabelled bytes: ASCII (JIS escapes read when `jis`), else UTF-8 (strict), else
    Japanese (CP932 or EUC-JP, whichever reads cleanly and more plausibly), else
    `last_resort` with replacement."""
    if data.isascii():
        if jis and b"\x1b" in data:
            return _decode_jis(data)
        return data.decode("ascii"), 0
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    with contextlib.suppress(UnicodeDecodeError):
        sjis_text = data.decode("cp932")
        # CP932's user-defined area (lead bytes 0xF0-0xF9) is what Latin-1 text reads as
        # ("Br\xf6ken"); real mail does not use it.
        if not _PRIVATE_USE.search(sjis_text):
            candidates.append(sjis_text)
    euc_text, euc_errors = _decode_euc_jp(data)
    if not euc_errors:
        candidates.append(euc_text)
    if candidates:
        # EUC-JP read as CP932 turns into half-width katakana soup; real text rarely has much.
        return min(candidates, key=lambda text: len(_HALFWIDTH_KANA.findall(text))), 0
    text, errors = _count_errors(data, last_resort)
    return text, errors


def _decode_charset(data: bytes, charset: str) -> str:
    """Bytes of an encoded word (or a run of them) in their labelled charset, best effort."""
    label = charset.strip().strip('"').lower()
    try:
        if label in _JIS_LABELS:
            if data.isascii():
                return _decode_jis(data)[0]
            return _decode_8bit(data)[0]  # mislabelled (usually Shift_JIS)
        if label in _SJIS_LABELS:
            return _first_clean(data, ("cp932", "utf-8"), fallback="cp932")
        if label in _EUC_LABELS:
            text, errors = _decode_euc_jp(data)
            return text if not errors else _decode_8bit(data, "utf-8")[0] or text
        if label in _UTF8_LABELS:
            return _decode_8bit(data, "utf-8")[0]
        if label in _ASCII_LABELS or not label:
            return _decode_8bit(data)[0]
        try:
            info = codecs.lookup(label)
        except LookupError:
            return _decode_8bit(data)[0]
        if not getattr(info, "_is_text_encoding", True):
            return _decode_8bit(data)[0]  # e.g. "base64", "zlib": not a charset
        try:
            return data.decode(info.name)
        except UnicodeDecodeError:
            text, errors = _decode_8bit(data, info.name)
            return text
    except Exception:  # a codec's own bug must not break a scan
        return data.decode("utf-8", "replace")


def decode_text(data: bytes, charset: str) -> str:
    """`data` in its labelled `charset` as the sender meant it, for message bodies as well as
    header words: ISO-2022-JP with CP932 extensions, Shift_JIS as CP932, EUC-JP, UTF-8; an
    unknown, broken or missing label is guessed from the bytes. Never raises."""
    return _decode_charset(data, charset)


def _first_clean(data: bytes, encodings: tuple[str, ...], fallback: str) -> str:
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode(fallback, "replace")


# --- RFC 2047 --------------------------------------------------------------------------------

# charset, optional RFC 2231 language, encoding, text. The text may hold spaces (left by
# broken mailers or by unfolding a folded B-word); '?' never occurs in valid encoded text.
_ENCODED_WORD = re.compile(r"=\?([^?*\s]+)(?:\*[^?\s]*)?\?([BbQq])\?([^?]*)\?=")
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_B64_JUNK = re.compile(r"[^A-Za-z0-9+/]")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_LINEBREAKS = re.compile(r"[\r\n]+")
_WSP = re.compile(r"[ \t]+")


def _b_decode(text: str) -> bytes:
    """Base64 that tolerates missing or wrong padding, stray characters and truncation."""
    clean = _B64_JUNK.sub("", text.split("=", 1)[0])
    if len(clean) % 4 == 1:
        clean = clean[:-1]  # a lone trailing sextet carries no whole byte
    clean += "=" * (-len(clean) % 4)
    try:
        return base64.b64decode(clean)
    except (binascii.Error, ValueError):
        return b""


def _q_decode(text: str) -> bytes:
    data = text.replace("_", " ").encode("latin-1", "replace")
    return _Q_ESCAPE.sub(lambda m: bytes((int(m.group(1), 16),)), data)


def _word_bytes(encoding: str, text: str) -> bytes:
    return _b_decode(text) if encoding in "Bb" else _q_decode(text)


def _decode_encoded_words(text: str) -> str:
    out: list[str] = []
    pos = 0
    group_charset: str | None = None
    group = bytearray()

    def flush_group() -> None:
        nonlocal group_charset
        if group_charset is not None:
            out.append(_decode_charset(bytes(group), group_charset))
            group.clear()
            group_charset = None

    for match in _ENCODED_WORD.finditer(text):
        between = text[pos : match.start()]
        # Whitespace between two encoded words is not text (RFC 2047 section 6.2).
        if between and not (group_charset is not None and between.isspace()):
            flush_group()
            out.append(between)
        charset = match.group(1).lower()
        if group_charset is not None and charset != group_charset:
            flush_group()
        group_charset = charset
        group.extend(_word_bytes(match.group(2), match.group(3)))
        pos = match.end()
    flush_group()
    out.append(text[pos:])
    return "".join(out)


def _text_of(raw: bytes | str) -> str:
    """The header value as text before RFC 2047: raw 8-bit and unlabelled JIS decoded."""
    if isinstance(raw, str):
        if raw.isascii() and "\x1b" not in raw:
            return raw
        try:
            data = raw.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return raw
        if "\x1b" not in raw and not any("\udc80" <= ch <= "\udcff" for ch in raw):
            return raw  # already decoded text
        if all(ord(ch) < 0x100 for ch in raw):
            data = raw.encode("latin-1")
    else:
        data = bytes(raw)
    if b"\x1b" in data:
        return _decode_jis(data)[0]
    return _decode_8bit(data)[0]


def decode_header_value(raw: bytes | str) -> str:
    """One header value as the sender meant it: unfolded, RFC 2047 words decoded (adjacent
    words of one charset joined first), ISO-2022-JP with CP932 extensions, Shift_JIS, EUC-JP,
    raw 8-bit UTF-8/CP932/EUC-JP/Latin-1, unlabelled JIS. Never raises; broken parts become
    the best text available (U+FFFD where nothing can be read)."""
    try:
        text = _text_of(raw[:_MAX_VALUE])
        text = _FOLD.sub("", text)
        text = _LINEBREAKS.sub("", text)
        if "=?" in text:
            text = _decode_encoded_words(text)
        # Encoded words can decode to CR/LF, ESC or bidi overrides: mail text is data, so
        # none of it survives this boundary (see core.safetext).
        return neutralise(text).strip()
    except Exception:  # the last guard: a header must never stop a scan
        if isinstance(raw, bytes):
            text = raw[:_MAX_VALUE].decode("utf-8", "replace")
        else:
            text = str(raw[:_MAX_VALUE]).encode("utf-8", "replace").decode("utf-8", "replace")
        return neutralise(text).strip()


# --- header block ----------------------------------------------------------------------------

_PRINTABLE_ASCII = re.compile(rb"[ -~]*")
_FIELD_NAME = re.compile(rb"^([!-9;-~]+)[ \t]*:")


def _split_fields(raw: bytes) -> list[tuple[str, bytes]]:
    """(lower-cased name, unfolded raw value) in order of appearance. The block ends at the
    first empty line. Lines that are neither a field nor a continuation are dropped."""
    entries: list[tuple[str, list[bytes]]] = []
    current: list[bytes] | None = None
    data = bytes(raw)
    if b"\x00" in data:
        data = data.replace(b"\x00", b"")
    for line in data.split(b"\n"):
        if b"\r" in line:
            line = line.replace(b"\r", b"")
        if not line:
            if entries:
                break  # the empty line that ends the header section
            continue
        if line[:1] in (b" ", b"\t"):
            if current is not None:
                current.append(line)
            continue
        match = _FIELD_NAME.match(line)
        if match is None:
            current = None  # not a field (an mbox "From " line, garbage): skip it
            continue
        current = [line[match.end() :]]
        # Interned: the same few names on every message, kept as the keys of each one's raw.
        entries.append((sys.intern(match.group(1).decode("ascii").lower()), current))
    return [(name, b"".join(lines).strip()) for name, lines in entries]


def split_header_block(raw: bytes) -> dict[str, list[str]]:
    """{lower-cased name: [unfolded value text, ...]}: 8-bit and JIS bytes read as text,
    RFC 2047 words left as they are (the classifier reads these)."""
    fields: dict[str, list[str]] = {}
    for name, value in _split_fields(raw):
        fields.setdefault(name, []).append(_safe_text(value))
    return fields


def _safe_text(value: bytes) -> str:
    if _PRINTABLE_ASCII.fullmatch(value):
        return value.decode("ascii")  # the common case, and nothing to decode
    try:
        return neutralise(_text_of(value)).strip()
    except Exception:
        return neutralise(value.decode("utf-8", "replace"))


# --- addresses, ids, dates -------------------------------------------------------------------

# Linear on any input: tokens first, then the ones that look like an address.
_ADDR_TOKEN = re.compile(r"[^\s<>,;:\"()\[\]]+")
_ID_TOKEN = re.compile(r"<([^<>]*)>|([^\s<>,;]+@[^\s<>,;]+)")
_ID_CHARS = re.compile(r"^[!-~]+$")
_SIMPLE_ID_LIST = re.compile(r"(?:[ \t,]*<[!-;=?-~]+>)+[ \t,]*")
_SIMPLE_ID = re.compile(r"<([!-;=?-~]+)>")
_NO_IDS: tuple[str, ...] = ()


def _guard(function: Callable[[], _T], default: _T) -> _T:
    """Run one field's parsing; a broken field gives its empty value, never an exception."""
    try:
        return function()
    except Exception:
        return default


def parse_addresses(text: str) -> list[tuple[str, str]]:
    """[(decoded display name, lower-cased address)] from an address-list field's text."""
    text = text[:_MAX_VALUE]
    pairs: list[tuple[str, str]] = []
    try:
        parsed = getaddresses([text])
    except Exception:
        parsed = []
    for name, addr in parsed:
        addr = addr.strip().strip("<>").strip()
        if not addr or any(ch.isspace() for ch in addr):
            continue
        pairs.append((decode_header_value(name), addr.lower()))
    if not pairs or not any("@" in addr for _, addr in pairs):
        found = [t for t in _ADDR_TOKEN.findall(text) if _looks_like_address(t)]
        if found:
            name = text.split("<", 1)[0] if "<" in text else ""
            pairs = [(decode_header_value(name.strip().strip('"')), found[0].lower())]
            pairs += [("", addr.lower()) for addr in found[1:]]
    return pairs


def _looks_like_address(token: str) -> bool:
    left, at, right = token.rpartition("@")
    return bool(at and left and right)


def _strip_comments_and_quotes(text: str) -> str:
    """Drop (comments) and "quoted text" outside <...>: old mailers write In-Reply-To as
    '<id@host> (John's message of "Mon, 1 Jan 2024")', where the comment may hold an '@'."""
    out: list[str] = []
    depth = 0
    quoted = False
    angle = False
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
            if depth or quoted:
                continue
        elif ch == "\\" and (depth or quoted):
            escaped = True
            continue
        elif angle:
            if ch == ">":
                angle = False
        elif quoted:
            if ch == '"':
                quoted = False
            continue
        elif depth:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            continue
        elif ch == "(":
            depth = 1
            out.append(" ")
            continue
        elif ch == '"':
            quoted = True
            out.append(" ")
            continue
        elif ch == "<":
            angle = True
        out.append(ch)
    return "".join(out)


def _valid_id(candidate: str) -> str | None:
    ident = "".join(candidate.split())
    left, at, right = ident.rpartition("@")
    if not at or not left or not right or len(ident) > 998 or not _ID_CHARS.match(ident):
        return None
    return ident


def parse_message_ids(text: str) -> tuple[str, ...]:
    """Message ids in order, without angle brackets and without repeats. Tolerates missing
    brackets, commas, comments and folding. Anything without an '@' is not an id: a
    placeholder like '<>' or 'unknown' would otherwise make different messages look alike."""
    text = text[:_MAX_VALUE]
    if _SIMPLE_ID_LIST.fullmatch(text):  # the common case: "<a@b> <c@d>", nothing to clean
        simple = [m for m in _SIMPLE_ID.findall(text) if _looks_like_address(m)]
        return tuple(dict.fromkeys(simple))
    if "(" in text or '"' in text:
        text = _strip_comments_and_quotes(text)
    ids: list[str] = []
    seen: set[str] = set()
    for match in _ID_TOKEN.finditer(text):
        ident = _valid_id(match.group(1) if match.group(1) is not None else match.group(2))
        if ident is not None and ident not in seen:
            seen.add(ident)
            ids.append(ident)
    return tuple(ids)


def parse_date(text: str) -> datetime | None:
    """The Date header as an aware datetime (UTC when the zone is unknown), or None."""
    text = text.strip()[:200]
    if not text:
        return None
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    offset = value.utcoffset()
    return value.replace(tzinfo=fixed_zone(offset)) if offset is not None else value


@functools.lru_cache(maxsize=64)
def fixed_zone(offset: timedelta) -> timezone:
    """The zone of a fixed UTC offset, one object per offset: a message's Date and arrival
    each came with a zone object of their own, kept as long as the message waits."""
    return timezone(offset)


def parse_headers(raw: bytes) -> MessageHeaders:
    """A header block (as IMAP returns for BODY.PEEK[HEADER.FIELDS (...)]) as MessageHeaders.
    Never raises: a broken field leaves its value empty and the rest stands."""
    no_fields: dict[str, list[str]] = {}
    fields = _guard(lambda: split_header_block(raw), no_fields)

    def first(name: str) -> str:
        values = fields.get(name)
        return values[0] if values else ""

    def every(name: str) -> str:
        return ", ".join(fields.get(name, ()))

    no_senders: list[tuple[str, str]] = []

    def ids(name: str, text: Callable[[str], str]) -> tuple[str, ...]:
        return _guard(lambda: parse_message_ids(text(name)), _NO_IDS) if name in fields else ()

    def addresses(name: str) -> tuple[str, ...]:
        return _guard(lambda: _addresses_only(every(name)), _NO_IDS) if name in fields else ()

    senders = _guard(lambda: parse_addresses(first("from")), no_senders) if "from" in fields else []
    from_name, from_addr = senders[0] if senders else ("", "")
    from_name = cap(from_name, MAX_KEPT)
    message_ids = ids("message-id", first)
    return MessageHeaders(
        message_id=message_ids[0] if message_ids else None,
        in_reply_to=ids("in-reply-to", every),
        references=ids("references", every),
        from_name=from_name,
        from_addr=from_addr,
        reply_to=addresses("reply-to"),
        to=addresses("to"),
        cc=addresses("cc"),
        subject=_guard(lambda: cap(decode_header_value(first("subject")), MAX_KEPT), "")
        if "subject" in fields
        else "",
        date=_guard(lambda: parse_date(first("date")), None) if "date" in fields else None,
        raw=_raw_that_marks(fields),
    )


def _raw_that_marks(fields: Mapping[str, list[str]]) -> Mapping[str, tuple[str, ...]]:
    """The raw fields the classifier could act on (core.classify.marks_a_message)."""
    kept = {
        name: tuple(values)
        for name, values in fields.items()
        if values and name not in PARSED_FIELDS and marks_a_message(name, values[0])
    }
    return kept or NO_RAW


def _addresses_only(text: str) -> tuple[str, ...]:
    if not text:
        return ()
    seen: dict[str, None] = {}
    for _, addr in parse_addresses(text):
        seen.setdefault(addr)
    return tuple(seen)
