"""Which mail is not an inquiry: automated, list, bulk, bounces, system senders, our own.

Pure functions over MessageHeaders. A missed inquiry costs the user far more than one extra
item in the list, so every rule here looks for a positive mark of automation; a plain mail
from a person (info@, support@, sales@ included) always counts.
"""

from __future__ import annotations

import re

from trayapp.core.model import MessageHeaders

AUTOMATED = "automated"
LIST = "list"
BULK = "bulk"
BOUNCE = "bounce"
SYSTEM_SENDER = "system-sender"
SELF = "self"

# Local parts that no person reads. Matched whole or with a tag after a separator
# ("noreply-jp", "no-reply+1234", "bounces+abc"): "info", "support", "sales" are people.
_NOREPLY_LOCAL = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply|bounces?|notifications?)"
    r"(?:[-_.+].*)?$"
)
_BOUNCE_LOCAL = re.compile(r"^(?:mailer[-_.]?daemon|postmaster)(?:[-_.+].*)?$")

# Outlook/Exchange mark their out-of-office and auto replies with this header only, no
# Auto-Submitted (the Japanese 不在通知 among them).
_SUPPRESS_AUTOMATED = frozenset({"all", "oof", "autoreply"})
_PRECEDENCE_BULK = frozenset({"bulk", "junk"})
_PRECEDENCE_AUTOMATED = frozenset({"auto_reply", "auto-reply"})

# Subject prefixes Exchange, Outlook and Gmail put on automatic replies (all languages the
# users write in). Only prefixes a person would never type themselves.
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|autoreply|auto-reply|out of office(?: autoreply)?|"
    r"自動応答|自動返信|不在通知)\s*[:：]",
    re.IGNORECASE,
)


# The raw fields the rules below read (the others, From, Subject, Reply-To, are parsed).
RAW_FIELDS = frozenset(
    {
        "auto-submitted",
        "x-autoreply",
        "x-autorespond",
        "x-auto-response-suppress",
        "precedence",
        "content-type",
        "return-path",
        "list-id",
        "list-post",
        "list-unsubscribe",
        "x-campaign",
        "x-campaignid",
    }
)


def marks_a_message(name: str, first_value: str) -> bool:
    """Whether a raw field whose first value is `first_value` can make a rule below say
    "not an inquiry" (the rules read only a field's first value). Nearly every inquiry has a
    plain Content-Type and a Return-Path with an address, and neither can: MessageHeaders
    keeps only the fields that can (core.headers), so a waiting message usually keeps no
    raw text at all. The unit tests check that the rules say the same either way."""
    if name == "content-type":
        return _token(first_value.lower()) == "multipart/report"
    if name == "return-path":
        return first_value.replace(" ", "") == "<>"
    return name in RAW_FIELDS


def _token(value: str | None) -> str:
    """The first word of a structured value, lower-cased, without comments or parameters."""
    if not value:
        return ""
    value = re.sub(r"\([^)]*\)", " ", value)
    return value.split(";", 1)[0].strip().strip('"').lower()


def local_part(address: str) -> str:
    return address.rpartition("@")[0].lower() if "@" in address else address.lower()


def is_bounce_address(address: str) -> bool:
    return bool(_BOUNCE_LOCAL.match(local_part(address)))


def is_system_address(address: str) -> bool:
    """A sender no person answers at: no-reply, do-not-reply, bounce, notification(s), and the
    mail system's own mailer-daemon/postmaster."""
    local = local_part(address)
    return bool(_NOREPLY_LOCAL.match(local) or _BOUNCE_LOCAL.match(local))


def automated_reason(headers: MessageHeaders) -> str | None:
    """'automated' when the message says a program sent it (RFC 3834 and its relatives)."""
    auto_submitted = headers.get("auto-submitted")
    if auto_submitted is not None and _token(auto_submitted) not in ("", "no"):
        return AUTOMATED
    for name in ("x-autoreply", "x-autorespond"):
        value = headers.get(name)
        if value and _token(value) not in ("", "no", "false", "0"):
            return AUTOMATED
    suppress = headers.get("x-auto-response-suppress")
    if suppress:
        tokens = {t.lower() for t in re.split(r"[\s,;]+", suppress) if t}
        if tokens & _SUPPRESS_AUTOMATED:
            return AUTOMATED
    if _token(headers.get("precedence")) in _PRECEDENCE_AUTOMATED:
        return AUTOMATED
    content_type = (headers.get("content-type") or "").lower()
    if _token(content_type) == "multipart/report" and "disposition-notification" in content_type:
        return AUTOMATED  # a read receipt (MDN)
    if _AUTO_REPLY_SUBJECT.match(headers.subject):
        return AUTOMATED
    return None


def is_automated(headers: MessageHeaders) -> bool:
    return automated_reason(headers) is not None


def _is_delivery_report(headers: MessageHeaders) -> bool:
    content_type = (headers.get("content-type") or "").lower()
    return _token(content_type) == "multipart/report" and "delivery-status" in content_type


def _null_return_path(headers: MessageHeaders) -> bool:
    value = headers.get("return-path")
    return value is not None and value.replace(" ", "") == "<>"


def list_or_bulk_reason(headers: MessageHeaders) -> str | None:
    if headers.get("list-id") is not None or headers.get("list-post") is not None:
        return LIST
    precedence = _token(headers.get("precedence"))
    if precedence == "list":
        return LIST
    if headers.get("list-unsubscribe") is not None or precedence in _PRECEDENCE_BULK:
        return BULK
    if headers.get("x-campaign") is not None or headers.get("x-campaignid") is not None:
        return BULK
    return None


def _has_personal_reply_to(headers: MessageHeaders, own: frozenset[str]) -> bool:
    """A web form's mail comes from a no-reply address with the customer in Reply-To: that is
    an inquiry."""
    return any(addr not in own and not is_system_address(addr) for addr in headers.reply_to)


def non_inquiry_reason(headers: MessageHeaders, own_addresses: frozenset[str]) -> str | None:
    """Why this message is not an inquiry ('self', 'bounce', 'automated', 'list', 'bulk',
    'system-sender'), or None for a real inquiry that waits for an answer."""
    own = frozenset(a.lower() for a in own_addresses)
    sender = headers.from_addr.lower()
    if sender and sender in own:
        return SELF
    if _is_delivery_report(headers) or is_bounce_address(sender):
        return BOUNCE
    reason = automated_reason(headers)
    if reason is not None:
        return reason
    if _null_return_path(headers):
        return BOUNCE  # delivery notices and other mail-system messages have no return path
    reason = list_or_bulk_reason(headers)
    if reason is not None:
        return reason
    if is_system_address(sender) and not _has_personal_reply_to(headers, own):
        return SYSTEM_SENDER
    return None
