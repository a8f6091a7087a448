"""The values the whole app speaks in. Plain data, no I/O, no Qt."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Literal

ImapSecurity = Literal["ssl", "starttls"]
SmtpSecurity = Literal["ssl", "starttls"]


@dataclass(frozen=True)
class OAuthSettings:
    """How an account signs in with OAuth 2.0 (no secret here: the refresh token is in the
    keyring). `client_id` is the registration the refresh token is bound to."""

    provider: Literal["google", "microsoft", "oidc"]
    client_id: str
    issuer: str | None = None  # OpenID Connect providers only (discovery)
    scopes: tuple[str, ...] = ()  # empty: the provider's defaults (core.oauth.default_scopes)


@dataclass(frozen=True)
class AccountConfig:
    """One watched inquiry address. All non-secret: the password lives in the keyring."""

    name: str
    email: str
    imap_host: str
    imap_port: int = 993
    imap_security: ImapSecurity = "ssl"
    username: str | None = None  # None: log in with the email address
    ca_file: str | None = None  # an extra trusted CA (PEM) for self-hosted servers
    window_hours: float = 24.0
    lookback_days: int = 7
    warning_hours: float = 4.0  # the warning stage begins this long before due
    urgent_hours: float = 1.0  # the urgent stage begins this long before due
    folders: tuple[str, ...] = ("INBOX",)
    sent_folder: str | None = None  # None: discover (SPECIAL-USE \\Sent, then common names)
    aliases: tuple[str, ...] = ()  # other addresses that are "us" (self mail never counts)
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: SmtpSecurity = "ssl"
    smtp_username: str | None = None
    reply_charset: Literal["utf-8", "iso-2022-jp"] = "utf-8"
    signature: str = ""  # for replies in any language without a signature of their own
    display_name: str = ""  # the name customers see in From ("一報商店 鈴木"); "" = address only
    signature_ja: str = ""  # for Japanese replies ("" = `signature`)
    signature_en: str = ""  # for English replies ("" = `signature`)

    # The working-hours clock (core.schedule), in the text forms the config file keeps.
    timezone: str | None = None  # IANA name (Asia/Tokyo); None: the system's zone
    working_hours: str = "always"  # "mon-fri 09:00-18:00", several ranges and clauses allowed
    holidays: str | None = None  # country code whose public holidays are days off (jp, us)
    days_off: tuple[str, ...] = ()  # "2026-12-29..2027-01-03", "2027-05-06"
    auth: OAuthSettings | None = None  # None: a password in the keyring

    @property
    def uses_oauth(self) -> bool:
        return self.auth is not None

    @property
    def login(self) -> str:
        return self.username or self.email

    def signature_for(self, language: str) -> str:
        """The signature for a reply in `language` ("ja" or "en")."""
        own = {"ja": self.signature_ja, "en": self.signature_en}.get(language, "")
        return own if own.strip() else self.signature

    @property
    def window(self) -> timedelta:
        return timedelta(hours=self.window_hours)

    @property
    def own_addresses(self) -> frozenset[str]:
        return frozenset(a.lower() for a in (self.email, *self.aliases))


# The fields MessageHeaders keeps parsed; their raw text is not kept twice (a burst of mail
# stays in memory until the user deals with it, and the raw texts were half its share).
PARSED_FIELDS = frozenset(
    {"from", "reply-to", "to", "cc", "subject", "date", "message-id", "in-reply-to", "references"}
)


# One shared empty `raw`: most messages keep no raw field at all.
NO_RAW: Mapping[str, tuple[str, ...]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class MessageHeaders:
    """The header fields Ippo decides with, decoded as the sender meant them."""

    message_id: str | None = None  # without angle brackets
    in_reply_to: tuple[str, ...] = ()  # message ids, without angle brackets
    references: tuple[str, ...] = ()
    from_name: str = ""
    from_addr: str = ""  # lower-cased
    reply_to: tuple[str, ...] = ()  # addresses
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    subject: str = ""
    date: datetime | None = None  # the Date header: shown, never trusted for the clock
    # The other fields the classifier reads, by lower-cased name, raw unfolded text; only
    # those that can mark the message (core.classify.marks_a_message): for most mail, none.
    raw: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: NO_RAW)

    @property
    def sender(self) -> str:
        """'Name <addr>' or just the address."""
        if self.from_name and self.from_addr:
            return f"{self.from_name} <{self.from_addr}>"
        return self.from_addr or self.from_name

    def get(self, name: str) -> str | None:
        """The first raw value of a field that is not parsed (not in PARSED_FIELDS)."""
        if name.lower() in PARSED_FIELDS:
            raise ValueError(f"{name} is parsed: read its attribute")
        values = self.raw.get(name.lower())
        return values[0] if values else None


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """What the server said about one message. `received_at` is INTERNALDATE, timezone-aware."""

    folder: str
    uidvalidity: int
    uid: int
    received_at: datetime
    flags: frozenset[str]
    headers: MessageHeaders
    size: int = 0
    # True when the server gave no usable INTERNALDATE nor the sender a usable Date: the clock
    # started when Ippo first saw the message (core.arrival), and a later look keeps that.
    first_seen: bool = False

    @property
    def answered_flag(self) -> bool:
        return "\\answered" in {f.lower() for f in self.flags}


class ItemState(enum.StrEnum):
    WAITING = "waiting"
    ACKNOWLEDGED = "acknowledged"  # a first word went out; the promise it made is tracked


class Stage(enum.StrEnum):
    """How close an item is to breaking its promise. Ordered calm < warning < urgent < overdue."""

    CALM = "calm"
    WARNING = "warning"
    URGENT = "urgent"
    OVERDUE = "overdue"

    @property
    def rank(self) -> int:
        return _STAGE_RANK[self]


_STAGE_RANK = {Stage.CALM: 0, Stage.WARNING: 1, Stage.URGENT: 2, Stage.OVERDUE: 3}


@dataclass(frozen=True, slots=True)
class UnsentAck:
    """An acknowledgement the user asked for that did not reach the customer, or may not have:
    it is never sent later without the user ("not sent -- send now?"; see core.unsent)."""

    message_id: str  # the journal entry's Message-ID, without brackets
    reason: str  # one line for people
    in_doubt: bool  # the server was being asked to accept it when things broke: it may have
    recorded_at: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "message_id": self.message_id,
            "reason": self.reason,
            "in_doubt": self.in_doubt,
            "recorded_at": self.recorded_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Inquiry:
    """One message that waits for a response."""

    id: str  # stable across runs; see core.pending.item_id
    account: str
    folder: str
    uidvalidity: int
    uid: int
    message_id: str | None
    sender: str
    sender_addr: str
    subject: str
    received_at: datetime
    due_at: datetime
    state: ItemState = ItemState.WAITING
    promise_due_at: datetime | None = None
    reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    preview: str = ""
    # When the window's warning and urgent stages begin on the account's working clock (None:
    # the plain lead before due_at, as around the clock).
    warning_at: datetime | None = None
    urgent_at: datetime | None = None
    unsent_ack: UnsentAck | None = None  # an acknowledgement that failed: the user decides

    @property
    def deadline(self) -> datetime:
        """The moment that matters now: the promise once acknowledged, the window before."""
        if self.state is ItemState.ACKNOWLEDGED and self.promise_due_at is not None:
            return self.promise_due_at
        return self.due_at

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "account": self.account,
            "message_id": self.message_id,
            "sender": self.sender,
            "subject": self.subject,
            "received_at": self.received_at.isoformat(),
            "due_at": self.due_at.isoformat(),
            "state": self.state.value,
            "promise_due_at": self.promise_due_at.isoformat() if self.promise_due_at else None,
            "folder": self.folder,
            "uid": self.uid,
            "unsent_ack": self.unsent_ack.to_json() if self.unsent_ack else None,
        }


class HealthState(enum.StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RETRYING = "retrying"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class AccountHealth:
    """Whether an inbox is really being watched. Anything but CONNECTED means 'not covered'."""

    state: HealthState
    reason: str = ""
    next_try_at: datetime | None = None
    since: datetime | None = None

    @property
    def covered(self) -> bool:
        return self.state is HealthState.CONNECTED

    def describe(self) -> str:
        if self.state is HealthState.RETRYING and self.next_try_at is not None:
            text = f"retrying (next try at {self.next_try_at.isoformat(timespec='seconds')})"
            return f"{text}: {self.reason}" if self.reason else text
        if self.state is HealthState.ERROR:
            return f"error ({self.reason})" if self.reason else "error"
        return str(self.state.value)

    def to_json(self) -> dict[str, object]:
        return {
            "state": self.state.value,
            "reason": self.reason or None,
            "next_try_at": self.next_try_at.isoformat() if self.next_try_at else None,
            "text": self.describe(),
        }
