"""A proper reply to an inquiry, as an email message. Pure: values in, message out.

Threading follows RFC 5322 3.6.4 (In-Reply-To the parent, References the parent's References
plus the parent). Japanese: UTF-8 by default; ISO-2022-JP when the account asks for it, for
older Japanese mailers. Windows mailers write ISO-2022-JP with the CP932 extensions (①, 髙, ～),
which CPython's iso2022_jp codec cannot encode; we encode through CP932 and turn the Shift_JIS
bytes back into JIS, as those mailers do (CP50220-style), and fall back to UTF-8 for a message
only when a character has no JIS code at all (user-defined characters, emoji).
"""

from __future__ import annotations

import base64
import email
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any, Literal

from trayapp.core.headers import decode_header_value
from trayapp.core.model import AccountConfig, Inquiry
from trayapp.core.safetext import NAME_CHARS, REPLY_SUBJECT_CHARS, cap, has_controls, neutralise

ReplyCharset = Literal["utf-8", "iso-2022-jp"]

# "Re:" and its relatives in the languages these users meet, optionally counted ("Re[2]:",
# "Re(2):", "Re^2:"), in ASCII or full width, repeated any number of times.
_REPLY_PREFIX = re.compile(
    r"^(?:\s*(?:re|ｒｅ|aw|sv|vs|antw|返信|回复|答复|返|ＲＥ)\s*"
    r"(?:\[\d+\]|［\d+］|\(\d+\)|（\d+）|\^\d+)?\s*[:：]\s*)+",
    re.IGNORECASE,
)

MAX_REFERENCES = 20  # the first id plus the most recent ones; keeps the header well under 998


class CharsetFallback(Exception):
    """Raised inside the JIS encoder when a character has no JIS code (caught here)."""


class UnsafeReply(ValueError):
    """The reply could not be built so that every header is exactly what Ippo meant (an
    address that is not an address, a generated header that does not read back the same)."""


@dataclass(frozen=True)
class Reply:
    """A built reply, plus what the user should know about how it was built."""

    message: EmailMessage
    message_id: str  # without angle brackets
    recipients: tuple[str, ...]  # bare addresses, for the SMTP envelope
    charset: ReplyCharset  # what was really used
    note: str = ""  # e.g. why ISO-2022-JP fell back to UTF-8
    subject: str = ""  # the Subject as text (the header holds it encoded)


def reply_subject(subject: str) -> str:
    """'Re: ' + the subject without any stacked reply prefixes: one line of plain text (no
    controls, no bidi tricks, no encoded-word look-alikes), at most REPLY_SUBJECT_CHARS."""
    base = _REPLY_PREFIX.sub("", header_text(subject)).strip()
    return cap(f"Re: {base}", REPLY_SUBJECT_CHARS) if base else "Re:"


def header_text(value: str, limit: int = REPLY_SUBJECT_CHARS * 2) -> str:
    """Mail-derived text made fit for a header we write: controls and bidi characters gone,
    and encoded words (even nested ones, "=?utf-8?q?=3D=3F...") decoded until none is left,
    so no layer below can turn them back into a line break. A leftover "=?" that is not an
    encoded word is broken up, since the email package would try to read it as one."""
    text = neutralise(value[: limit * 8])
    for _ in range(4):
        if "=?" not in text:
            break
        text = decode_header_value(text)
    # Runs of spaces collapse: between encoded words they would not survive a reader's
    # decoding (RFC 2047 6.2), and the read-back check would refuse the reply.
    return cap(_SPACE_RUNS.sub(" ", text.replace("=?", "= ?")).strip(), limit)


_SPACE_RUNS = re.compile(r"[ \t]{2,}")


# An addr-spec as Ippo writes it: dot-atom local part and domain, nothing to quote or fold.
_ADDR_SPEC = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$"
)
_MSG_ID = re.compile(r"^[!-;=?-~]{1,250}@[!-;=?-~]{1,250}$")


def usable_address(address: str) -> bool:
    """Whether `address` is a plain addr-spec Ippo may put in a header and an envelope."""
    return len(address) <= 254 and bool(_ADDR_SPEC.match(address))


def _checked_addresses(addresses: tuple[str, ...]) -> tuple[str, ...]:
    for address in addresses:
        if not usable_address(address):
            shown = neutralise(address)[:80]
            raise UnsafeReply(f"not a usable address for a reply: {shown!r}")
    return addresses


def _usable_id(ident: str | None) -> str | None:
    ident = (ident or "").strip().strip("<>")
    return ident if _MSG_ID.match(ident) else None


def reply_references(references: tuple[str, ...], parent_id: str | None) -> tuple[str, ...]:
    """The parent's References plus the parent, without repeats, trimmed to the thread's first
    id and the most recent ones (a long thread must not grow the header without end)."""
    ids: list[str] = []
    for candidate in (*references, *((parent_id,) if parent_id else ())):
        ident = _usable_id(candidate)
        if ident and ident not in ids:
            ids.append(ident)
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    return tuple(ids)


def new_message_id(address: str, now: datetime, token: str | None = None) -> str:
    """A fresh Message-ID (without brackets) on the account's own domain."""
    domain = address.rpartition("@")[2] or "localhost"
    token = token or secrets.token_hex(8)
    return f"ippo.{now.strftime('%Y%m%d%H%M%S')}.{token}@{domain}"


def reply_recipients(inquiry: Inquiry) -> tuple[str, ...]:
    """Reply-To when the inquiry has one, else its From."""
    if inquiry.reply_to:
        return tuple(a for a in inquiry.reply_to if a)
    return (inquiry.sender_addr,) if inquiry.sender_addr else ()


def build_reply(
    account: AccountConfig,
    inquiry: Inquiry,
    body: str,
    now: datetime,
    *,
    message_id: str | None = None,
    charset: ReplyCharset | None = None,
    recipients: tuple[str, ...] | None = None,
) -> Reply:
    """The acknowledgement as a message ready to send (and to file in Sent). `recipients`
    (chosen by the user, see core.recipients) replaces Reply-To/From as the addressees.

    Every header is checked after generation (UnsafeReply when one is not what was meant):
    Python 3.11's email policies do not verify generated headers themselves."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    chosen = tuple(a.strip().lower() for a in recipients) if recipients else None
    recipients = chosen or reply_recipients(inquiry)
    if not recipients:
        raise ValueError("the inquiry has neither Reply-To nor From: nobody to answer")
    _checked_addresses((*recipients, account.email))
    ident = (message_id or new_message_id(account.email, now)).strip("<>")
    if not _MSG_ID.match(ident):
        raise UnsafeReply(f"not a usable Message-ID: {neutralise(ident)[:80]!r}")
    refs = reply_references(inquiry.references, inquiry.message_id)
    subject = reply_subject(inquiry.subject)
    to_name = ""
    if not inquiry.reply_to and recipients == (inquiry.sender_addr.strip().lower(),):
        to_name = header_text(_display_name(inquiry), NAME_CHARS)
    from_name = header_text(sender_name(account), NAME_CHARS)
    wanted: ReplyCharset = charset or account.reply_charset
    body = _normalise_body(body)

    note = ""
    if wanted == "iso-2022-jp":
        try:
            message = _build_jis(account.email, from_name, recipients, to_name, subject, body)
        except CharsetFallback as exc:
            note = (
                f"sent as UTF-8: {exc} cannot be written in ISO-2022-JP "
                "(not even with the Windows extensions)"
            )
            wanted = "utf-8"
        else:
            _common_headers(message, now, ident, _usable_id(inquiry.message_id), refs)
            verify_reply(message, recipients, subject)
            return Reply(message, ident, recipients, "iso-2022-jp", note, subject)

    message = EmailMessage(policy=_STRICT_POLICY)
    message["From"] = _utf8_mailbox("From", from_name, account.email)
    if to_name:
        [address] = recipients  # a name only when the reply goes to the sender alone
        message["To"] = _utf8_mailbox("To", to_name, address)
    else:
        message["To"] = [Address(addr_spec=a) for a in recipients]
    message["Subject"] = _utf8_header("Subject", subject)
    _common_headers(message, now, ident, _usable_id(inquiry.message_id), refs)
    ascii_only = body.isascii()
    message.set_content(
        body,
        charset="utf-8" if not ascii_only else "us-ascii",
        cte="7bit"
        if ascii_only and _short_lines(body)
        else "base64"
        if not ascii_only
        else "quoted-printable",
    )
    verify_reply(message, recipients, subject)
    return Reply(message, ident, recipients, "utf-8", note, subject)


# The email package's SMTP policy, strict: a defect is an error, never silently mended.
_STRICT_POLICY = email_policy.SMTP.clone(raise_on_defect=True)
_PARSE_POLICY = email_policy.default.clone(raise_on_defect=True)
_FIELD_LINE = re.compile(rb"^([!-9;-~]+):")


def verify_reply(message: EmailMessage, recipients: tuple[str, ...], subject: str) -> None:
    """Check a built reply the way a receiving server will read it: the generated header
    block holds exactly the fields that were set (no injected Bcc, no second body), no value
    holds a control character, every line fits, and To and Subject read back as meant."""
    expected = [name.lower() for name in message]
    for name, value in message.items():
        text = str(value).replace("\r\n ", " ").replace("\n ", " ")
        if has_controls(text):
            raise UnsafeReply(f"the {name} header would hold a line break or control character")
    raw = message.as_bytes()
    head, separator, _body = raw.partition(b"\r\n\r\n")
    if not separator:
        raise UnsafeReply("the reply has no header/body separator")
    names: list[str] = []
    values: dict[str, bytes] = {}
    for line in head.split(b"\r\n"):
        if len(line) > 998 or b"\r" in line or b"\n" in line:
            raise UnsafeReply("a header line of the reply is malformed or too long")
        if line[:1] in (b" ", b"\t"):
            if names:
                values[names[-1]] += line
            continue
        match = _FIELD_LINE.match(line)
        if match is None:
            raise UnsafeReply("the reply's header block holds a line that is not a field")
        names.append(match.group(1).decode("ascii").lower())
        values[names[-1]] = line[match.end() :]
    if names != expected:
        raise UnsafeReply(f"the reply's headers would be {names}, not {expected}")
    try:
        parsed = email.message_from_bytes(raw, policy=_PARSE_POLICY)
        to_header = parsed["To"]
        read_back = tuple(a.addr_spec.lower() for a in to_header.addresses)
    except Exception as exc:
        raise UnsafeReply(f"the reply does not read back cleanly: {exc}") from None
    if read_back != recipients:
        raise UnsafeReply("the reply's To header does not read back as the chosen recipients")
    if decode_header_value(values.get("subject", b"")) != subject:
        raise UnsafeReply("the reply's Subject does not read back as written")


def _common_headers(
    message: EmailMessage,
    now: datetime,
    ident: str,
    parent: str | None,
    refs: tuple[str, ...],
) -> None:
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<{ident}>"
    if parent:
        message["In-Reply-To"] = f"<{parent.strip('<>')}>"
    if refs:
        # Pre-encoded messages are folded by us (one id per line); the default policy folds.
        sep = "\r\n " if isinstance(message.policy, _PreEncodedPolicy) else " "
        message["References"] = sep.join(f"<{r}>" for r in refs)
    message["Auto-Submitted"] = "no"  # a person sent this, on purpose (RFC 3834)
    message["X-Mailer"] = "Ippo"


def sender_name(account: AccountConfig) -> str:
    """The name customers see in From: the account's display name on one line, without
    control characters (it goes into a header)."""
    text = "".join(c if c.isprintable() else " " for c in account.display_name)
    return " ".join(text.split())


def _display_name(inquiry: Inquiry) -> str:
    name, addr = parseaddr(inquiry.sender)
    return name if addr and name and name != addr else ""


def _normalise_body(body: str) -> str:
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).rstrip("\n") + "\n"


def _short_lines(body: str) -> bool:
    return all(len(line) <= 76 for line in body.split("\n"))


# --- ISO-2022-JP with the CP932 extensions ----------------------------------------------------

_ESC_JIS = b"\x1b$B"
_ESC_ASCII = b"\x1b(B"


def _nec_selected_ibm() -> dict[str, bytes]:
    """CP932 encodes IBM extension kanji (髙, 﨑) at 0xFA40..0xFC4B, rows beyond JIS's 94; the
    same characters also sit in the NEC-selected rows 89-92 (0xED40..0xEEFC), which fit in JIS.
    Windows mailers use the NEC-selected codes in ISO-2022-JP, so do we."""
    table: dict[str, bytes] = {}
    for lead in (0xED, 0xEE):
        for trail in range(0x40, 0xFD):
            if trail == 0x7F:
                continue
            raw = bytes((lead, trail))
            try:
                char = raw.decode("cp932")
            except UnicodeDecodeError:
                continue
            table.setdefault(char, raw)
    return table


_NEC_SELECTED = _nec_selected_ibm()


def _sjis_to_jis(lead: int, trail: int) -> bytes:
    row = (lead - 0x70 if lead < 0xA0 else lead - 0xB0) * 2
    if trail < 0x9F:
        row -= 1
        cell = trail - (0x20 if trail > 0x7F else 0x1F)
    else:
        cell = trail - 0x7E
    return bytes((row, cell))


def encode_iso2022jp(text: str) -> bytes:
    """ISO-2022-JP bytes for one line (no line breaks), ending in ASCII mode.

    Raises CharsetFallback naming the first character that has no JIS code."""
    out = bytearray()
    in_jis = False
    for char in text:
        if char.isascii():
            if in_jis:
                out += _ESC_ASCII
                in_jis = False
            out += char.encode("ascii")
            continue
        code = _jis_code(char)
        if not in_jis:
            out += _ESC_JIS
            in_jis = True
        out += code
    if in_jis:
        out += _ESC_ASCII
    return bytes(out)


def _jis_code(char: str) -> bytes:
    try:
        # JIS X 0208 proper first: it knows the standard mappings (〜 U+301C, − U+2212) that
        # CP932 spells differently.
        standard = char.encode("iso2022_jp")
    except UnicodeEncodeError:
        pass
    else:
        if standard.startswith(_ESC_JIS) and len(standard) == 2 + len(_ESC_JIS) + 3:
            return standard[3:5]
    try:
        sjis = char.encode("cp932")
    except UnicodeEncodeError:
        raise CharsetFallback(f"{char!r} (U+{ord(char):04X})") from None
    if len(sjis) != 2:
        # Half-width katakana: legal in CP932, not in ISO-2022-JP (RFC 1468). Use the
        # full-width form, as mail software has always done.
        import unicodedata

        wide = unicodedata.normalize("NFKC", char)
        if wide != char and len(wide) == 1:
            return _jis_code(wide)
        raise CharsetFallback(f"{char!r} (U+{ord(char):04X})")
    if 0xFA <= sjis[0] <= 0xFC:
        nec = _NEC_SELECTED.get(char)
        if nec is None:
            # A few IBM characters (¬, ∵ and the like) have a JIS X 0208 twin.
            raise CharsetFallback(f"{char!r} (U+{ord(char):04X})")
        sjis = nec
    if 0xF0 <= sjis[0] <= 0xF9:  # user-defined characters: nobody else can read them
        raise CharsetFallback(f"{char!r} (U+{ord(char):04X})")
    return _sjis_to_jis(sjis[0], sjis[1])


def _encoded_words(text: str, max_len: int = 64, charset: str = "ISO-2022-JP") -> list[str]:
    """RFC 2047 B-encoded words for `text`, each complete in itself (an ISO-2022-JP run ends in
    ASCII mode) and at most `max_len` characters (so "Subject: " + a word fits a 78-character
    line), split between characters, never inside one. Spaces are inside the words: between
    words a reader drops them (RFC 2047 6.2)."""
    words: list[str] = []
    chunk = ""
    prefix, suffix = f"=?{charset}?B?", "?="
    for char in text:
        trial = chunk + char
        encoded = base64.b64encode(_charset_bytes(trial, charset)).decode("ascii")
        if chunk and len(prefix) + len(encoded) + len(suffix) > max_len:
            words.append(_b_word(chunk, charset))
            chunk = char
        else:
            chunk = trial
    if chunk:
        words.append(_b_word(chunk, charset))
    return words


def _charset_bytes(text: str, charset: str) -> bytes:
    return encode_iso2022jp(text) if charset == "ISO-2022-JP" else text.encode("utf-8")


def _b_word(text: str, charset: str = "ISO-2022-JP") -> str:
    data = base64.b64encode(_charset_bytes(text, charset)).decode("ascii")
    return f"=?{charset}?B?{data}?="


class _EncodedHeader(str):
    """A header value we encoded and folded ourselves, set on a message of the strict SMTP
    policy: the policy keeps a value that has a `name` as it is and folds it by calling its
    `fold`. CPython's own folder drops the space at a fold between two encoded words (about
    one Japanese subject in five would lose a space); ours keeps spaces inside the words.
    `str()` is the text, for checks and for reading it back."""

    name: str
    folded: str

    def __new__(cls, name: str, text: str, encoded: str) -> _EncodedHeader:
        if has_controls(text) or has_controls(encoded.replace("\r\n ", " ")):
            raise UnsafeReply(f"the {name} header would hold a line break")
        value = super().__new__(cls, text)
        value.name = name
        value.folded = f"{name}: {encoded}\r\n"
        return value

    def fold(self, *, policy: Any) -> str:
        return self.folded


def _utf8_mailbox(name: str, display: str, address: str) -> Address | _EncodedHeader:
    """One mailbox for the UTF-8 mode: the email package's own for an ASCII name, else the
    name in our words (see _EncodedHeader)."""
    if not display or display.isascii():
        return Address(display_name=display, addr_spec=address)
    words = " ".join(_encoded_words(display, 64, "UTF-8"))
    return _EncodedHeader(name, f"{display} <{address}>", f"{words} <{address}>")


def _utf8_header(name: str, text: str) -> str | _EncodedHeader:
    """An unstructured value for the UTF-8 mode: plain when short ASCII, else our words."""
    if text.isascii() and len(text) <= 64 and "=?" not in text:
        return text
    return _EncodedHeader(name, text, "\r\n ".join(_encoded_words(text, 64, "UTF-8")))


def _jis_header_text(text: str) -> str:
    """An unstructured header value: plain when short ASCII, else encoded words on folded
    lines (so no line grows past 78 characters and nothing in it is taken for syntax)."""
    if text.isascii() and len(text) <= 64 and "=?" not in text:
        return text
    return "\r\n ".join(_encoded_words(text))


class _PreEncodedPolicy(EmailPolicy):
    """Keeps header values exactly as given (we encoded and folded them ourselves), because the
    default policy would decode and re-encode them as UTF-8."""

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        if isinstance(value, str):
            # Only our own folding ("\r\n " between encoded words or addresses) may break a
            # line: anything else would start a new header (or the body) in the output.
            if has_controls(value.replace("\r\n ", " ")):
                raise UnsafeReply(f"the {name} header would hold a line break")
            return (name, value.replace("\r\n", "\n"))
        return super().header_store_parse(name, value)


# 998: the hard limit; our own folding already keeps lines under 78, and a lower limit here
# would make the generator refold (and re-encode as UTF-8) what we encoded.
_JIS_POLICY = _PreEncodedPolicy(linesep="\r\n", max_line_length=998)


def _jis_address(name: str, addr: str) -> str:
    if name and not name.isascii():
        return f"{' '.join(_encoded_words(name))} <{addr}>"
    return formataddr((name, addr)) if name else addr


def _build_jis(
    from_addr: str,
    from_name: str,
    recipients: tuple[str, ...],
    to_name: str,
    subject: str,
    body: str,
) -> EmailMessage:
    lines = [encode_iso2022jp(line).decode("ascii") for line in body.split("\n")]
    subject_value = _jis_header_text(subject)
    to_values = [_jis_address(to_name if i == 0 else "", addr) for i, addr in enumerate(recipients)]
    message = EmailMessage(policy=_JIS_POLICY)
    message["MIME-Version"] = "1.0"
    message["From"] = _jis_address(from_name, from_addr)
    message["To"] = ",\r\n ".join(to_values)
    message["Subject"] = subject_value
    message["Content-Type"] = 'text/plain; charset="ISO-2022-JP"'
    message["Content-Transfer-Encoding"] = "7bit"
    message.set_payload("\r\n".join(lines).rstrip("\r\n") + "\r\n")
    return message


def decode_iso2022jp(data: bytes) -> str:
    """Text of ISO-2022-JP bytes with the CP932 extensions (for showing what we sent)."""
    out: list[str] = []
    jis = False
    for chunk in re.split(rb"(\x1b\$[@B]|\x1b\([BJ])", data):
        if chunk.startswith(b"\x1b"):
            jis = chunk.startswith(b"\x1b$")
            continue
        if not jis:
            out.append(chunk.decode("ascii", "replace"))
            continue
        for line_index, line in enumerate(re.split(rb"(\r?\n)", chunk)):
            if line_index % 2:
                out.append(line.decode("ascii"))
                continue
            sjis = bytearray()
            for i in range(0, len(line) - 1, 2):
                row, cell = line[i], line[i + 1]
                lead = ((row + 1) >> 1) + (0x70 if row <= 0x5E else 0xB0)
                trail = cell + 0x1F + (1 if cell >= 0x60 else 0) if row & 1 else cell + 0x7E
                sjis += bytes((lead, trail))
            out.append(bytes(sjis).decode("cp932", "replace"))
    return "".join(out)
