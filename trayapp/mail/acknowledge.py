"""Sending an acknowledgement exactly once, and the only writes Ippo ever makes to a mailbox.

The life of one acknowledgement (the journal in trayapp/store/db.py):

  recorded  the message -- Message-ID, recipients and the exact bytes -- is in the journal
            BEFORE anything goes to the server;
  (claim)   just before the SMTP server is asked to accept it (the final "." of DATA) the
            journal takes an atomic claim: one process, one thread, one click wins;
  sent      the server accepted it (250);
  filed     a copy is in Sent (APPEND, unless the provider files sent mail itself or it is
            already there) and the inquiry carries \\Answered;
  failed    with the reason; retryable.

After a crash, a lost connection or a failure, nothing is sent without the user: an entry
that was never claimed was certainly never sent, and it stays "not sent -- send now?" in the
list (core.unsent); sending now builds a new acknowledgement with a promise computed then, and
the old entry is retired in the same transaction (so it can never be claimed later). An entry
claimed but not marked sent is checked against Sent and INBOX (SEARCH HEADER Message-ID):
found means sent (and it is filed); not found is reported as uncertain and sent again only when
the user says so. `resume_unfinished` (at start) only completes what reached the server.
Nothing is sent twice by Ippo's own decision, and nothing is dropped without a visible reason.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from trayapp.clock import now as clock_now
from trayapp.clock import system_zone
from trayapp.core.model import AccountConfig, Inquiry, MessageHeaders
from trayapp.core.promise import (
    Acknowledgement,
    AckState,
    Language,
    apply_acknowledgements,
    inquiry_from_dict,
    inquiry_to_dict,
)
from trayapp.core.recipients import RecipientCheck, check_recipients
from trayapp.core.reply import Reply, UnsafeReply, build_reply
from trayapp.core.templates import (
    ReplyTemplate,
    detect_language,
    parse_template,
    pick_template,
    template_values,
)
from trayapp.core.unsent import IN_FLIGHT_GRACE, NEVER_SENT, mark_unsent
from trayapp.mail.errors import MailError, describe

if TYPE_CHECKING:
    from imapclient import IMAPClient

    from trayapp.desktop.secrets import SecretStore
    from trayapp.mail.transport import Register, ServerLimits
    from trayapp.oauth.tokens import TokenBroker, TokenSecrets
    from trayapp.store.db import AckRecord

log = logging.getLogger(__name__)

# Tests set this to a point name to make the process stop there (it prints a line and sleeps,
# so the test can SIGKILL it for real). Points: recorded, claimed, accepted, sent, appended.
PAUSE_ENV = "IPPO_TEST_PAUSE_AT"

# Providers that put mail sent through their SMTP server into Sent themselves: an APPEND would
# file it twice. (Elsewhere Sent is searched for the Message-ID before appending anyway.)
SELF_FILING_SMTP_HOSTS = frozenset({"smtp.gmail.com", "smtp.googlemail.com"})
SELF_FILING_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


# --- errors ------------------------------------------------------------------------------------


class AckError(Exception):
    """An acknowledgement could not be completed. `str()` is one line for people; `retryable`
    says whether a Retry button makes sense; `message_id` names the journal entry (if any)."""

    retryable = True

    def __init__(self, reason: str, *, message_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message_id = message_id


class SendFailed(AckError):
    """The server did not take it (or could not be reached). Nothing was sent."""


class SendUncertain(AckError):
    """Interrupted at the moment of sending and no copy found: it may have gone out. Retry
    only with `force=True` (after the user looked)."""


class AlreadyAcknowledged(AckError):
    """This inquiry already has an acknowledgement that reached the customer."""

    retryable = False


class InProgress(AckError):
    """Another process or click is sending this very acknowledgement right now."""

    retryable = False


class NoPassword(AckError):
    retryable = False


class Replaced(AckError):
    """This journal entry was replaced by a newer acknowledgement; it is never sent."""

    retryable = False


class RecipientsNotConfirmed(AckError):
    """The reply would go to many addresses or to a Reply-To on another domain than the
    sender (core.recipients): the user names or confirms the recipients first."""

    retryable = False

    def __init__(self, reason: str, check: RecipientCheck) -> None:
        super().__init__(reason)
        self.check = check


class ReplyNotBuilt(AckError):
    """The reply could not be built safely (core.reply.UnsafeReply). Nothing was recorded."""

    retryable = False


# --- the parts it talks to ---------------------------------------------------------------------


class SmtpSend(Protocol):
    def __call__(
        self,
        account: AccountConfig,
        password: str,
        mail_from: str,
        recipients: Sequence[str],
        raw: bytes,
        *,
        before_commit: Callable[[], bool] | None = None,
    ) -> str: ...


ImapConnect = Callable[[AccountConfig, str], "IMAPClient"]


def _default_smtp_send(
    limits: ServerLimits | None = None, register: Register | None = None
) -> SmtpSend:
    """trayapp.mail.smtp.send_message under these limits (one overall deadline per
    acknowledgement), each connection's guard given to `register` (Ctrl-C cuts it)."""

    def send(
        account: AccountConfig,
        password: str,
        mail_from: str,
        recipients: Sequence[str],
        raw: bytes,
        *,
        before_commit: Callable[[], bool] | None = None,
    ) -> str:
        from trayapp.mail.smtp import send_message

        return send_message(
            account,
            password,
            mail_from,
            recipients,
            raw,
            before_commit=before_commit,
            limits=limits,
            register=register,
        )

    return send


def _default_imap_connect(
    limits: ServerLimits | None = None, register: Register | None = None
) -> ImapConnect:
    def connect(account: AccountConfig, password: str) -> IMAPClient:
        from trayapp.mail.imap import connect

        return connect(account, password, limits=limits, register=register)

    return connect


def pause_point(point: str) -> None:
    """The test seam for crash tests: stop here (for a SIGKILL from outside) when asked."""
    if os.environ.get(PAUSE_ENV) != point:
        return
    sys.stderr.write(f"IPPO-PAUSED {point}\n")
    sys.stderr.flush()
    while True:  # pragma: no cover - ended by the test's SIGKILL
        time.sleep(3600)


# --- templates and drafts ----------------------------------------------------------------------


def shipped_template_dirs() -> list[Path]:
    """resources/templates of a source checkout, or inside the installed package."""
    package = Path(__file__).resolve().parents[1]
    candidates = [package / "resources" / "templates", package.parent / "resources" / "templates"]
    return [c for c in candidates if c.is_dir()]


def load_templates(extra_dirs: Iterable[Path] = ()) -> list[ReplyTemplate]:
    """Shipped templates, then the user's (`<config>/templates/<ja|en>/<name>.txt`), a user's
    template replacing a shipped one of the same name and language."""
    found: dict[tuple[str, str], ReplyTemplate] = {}
    for directory in [*shipped_template_dirs(), *extra_dirs]:
        for language in ("ja", "en"):
            folder = Path(directory) / language
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.txt")):
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    log.warning("template %s cannot be read: %s", path, exc)
                    continue
                template = parse_template(path.stem, language, text)
                found[(language, path.stem)] = template
    return list(found.values())


@dataclass(frozen=True)
class Draft:
    """What the user sees and may edit before sending."""

    inquiry: Inquiry
    language: Language
    template: ReplyTemplate
    promise_due_at: datetime
    body: str


def make_draft(
    account: AccountConfig,
    inquiry: Inquiry,
    templates: Sequence[ReplyTemplate],
    promise_due_at: datetime,
    *,
    template_name: str | None = None,
    language: Language | None = None,
    now: datetime | None = None,
) -> Draft:
    lang: Language = language or detect_language(inquiry.subject, inquiry.preview)
    template = pick_template(templates, lang, template_name)
    values = template_values(
        sender=inquiry.sender,
        subject=inquiry.subject,
        signature=account.signature_for(lang),
        language=lang,
        promised=promise_due_at,
        now=now,
        overdue=now is not None and inquiry.deadline <= now,
    )
    return Draft(inquiry, lang, template, promise_due_at, template.render(values))


def local_zone() -> tzinfo:
    """The user's time zone (trayapp.clock: one clock for the GUI, the CLI and promises)."""
    return system_zone()


def local_now() -> datetime:
    return clock_now()


# --- the journal, as core values ---------------------------------------------------------------


def to_acknowledgement(record: AckRecord) -> Acknowledgement:
    """A store record as core's Acknowledgement (with the inquiry snapshot)."""
    inquiry: Inquiry | None = None
    if record.inquiry:
        try:
            data = json.loads(record.inquiry)
            if isinstance(data, dict):
                inquiry = inquiry_from_dict(data)
        except ValueError:
            inquiry = None
    if inquiry is None:
        when = record.created_at
        inquiry = Inquiry(
            id=record.item_id,
            account=record.account,
            folder="INBOX",
            uidvalidity=0,
            uid=0,
            message_id=record.inquiry_message_id,
            sender=", ".join(record.recipients),
            sender_addr=record.recipients[0] if record.recipients else "",
            subject=record.subject.removeprefix("Re: "),
            received_at=when,
            due_at=when,
        )
    return Acknowledgement(
        account=record.account,
        item_id=record.item_id,
        message_id=record.message_id,
        state=AckState(record.state),
        recorded_at=record.created_at,
        promise_due_at=record.promise_due_at,
        inquiry=inquiry,
        id=record.id,
        sent_at=record.updated_at if record.state in ("sent", "filed") else None,
        error=record.error or "",
        attempted_at=record.attempted_at,
    )


class AckJournal(Protocol):
    def acks(self, account: str | None = None, states: Any = None) -> list[AckRecord]: ...


def journal_acknowledgements(
    store: AckJournal, account: str | None = None
) -> list[Acknowledgement]:
    """Every journal entry of an account (or all), for core.promise.apply_acknowledgements."""
    return [to_acknowledgement(r) for r in store.acks(account)]


def with_acknowledgements(
    store: AckJournal,
    account: str,
    waiting: list[Inquiry],
    sent: Sequence[MessageHeaders],
    *,
    now: datetime | None = None,
) -> list[Inquiry]:
    """The shown list of an account: its waiting inquiries with the journal's promises applied
    (acknowledged items keep their own countdown until a later reply is found in Sent), and
    acknowledgements that failed shown as not sent (core.unsent). The one merge that
    `ippo pending`, `ippo watch` and the tray app all use."""
    acks = journal_acknowledgements(store, account)
    if not acks:
        return waiting
    merged = apply_acknowledgements(waiting, acks, sent)
    return mark_unsent(merged, acks, now or datetime.now(UTC))


# --- the service -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AckResult:
    message_id: str
    state: AckState
    recipients: tuple[str, ...]
    subject: str
    promise_due_at: datetime | None
    raw: bytes
    charset: str = "utf-8"
    note: str = ""  # e.g. "sent as UTF-8 because ..."
    warning: str = ""  # e.g. "sent, but the Sent copy failed: ..."
    resumed: bool = False  # an earlier entry was completed rather than a new one sent
    # An earlier entry that never went out and that this one replaced: when it was recorded
    # and why it was not sent (the caller tells the user, in the user's language).
    replaced_recorded_at: datetime | None = None
    replaced_reason: str = ""


def provider_files_sent(account: AccountConfig) -> bool:
    host = (account.smtp_host or "").lower()
    domain = account.email.rpartition("@")[2].lower()
    return host in SELF_FILING_SMTP_HOSTS or domain in SELF_FILING_DOMAINS


class AcknowledgeService:
    """Builds, records, sends and files acknowledgements. Thread-safe through the store (its
    claim is atomic); the GUI runs `acknowledge`/`resume` on a worker thread."""

    def __init__(
        self,
        store: Any,  # trayapp.store.db.StateStore
        passwords: SecretStore,
        *,
        smtp_send: SmtpSend | None = None,
        imap_connect: ImapConnect | None = None,
        clock: Callable[[], datetime] = local_now,
        limits: ServerLimits | None = None,
        register: Register | None = None,
    ) -> None:
        """`limits` bound every connection in time and size (config.json's server_limits);
        `register` receives each connection's guard (a command's Ctrl-C cuts them)."""
        self._store = store
        self._passwords = passwords
        self._tokens: TokenBroker | None = None  # made when an OAuth account first sends
        self._smtp_send = smtp_send or _default_smtp_send(limits, register)
        self._imap_connect = imap_connect or _default_imap_connect(limits, register)
        self._clock = clock

    # -- entry points --

    def build(
        self,
        account: AccountConfig,
        inquiry: Inquiry,
        body: str,
        recipients: tuple[str, ...] | None = None,
    ) -> Reply:
        return build_reply(account, inquiry, body, self._clock(), recipients=recipients)

    def recipients(self, account: AccountConfig, inquiry: Inquiry) -> RecipientCheck:
        """Where a reply to `inquiry` would go, and whether the user must confirm it."""
        return check_recipients(inquiry, account.own_addresses)

    def acknowledge(
        self,
        account: AccountConfig,
        inquiry: Inquiry,
        body: str,
        promise_due_at: datetime | None,
        *,
        again: bool = False,
        recipients: tuple[str, ...] | None = None,
        resend_in_doubt: bool = False,
    ) -> AckResult:
        """Send a new acknowledgement for `inquiry`, exactly once.

        `recipients` are the addresses the user chose or confirmed; without them a reply that
        needs confirmation (core.recipients) raises RecipientsNotConfirmed. One sent but not
        yet filed is completed instead of sending a second; one that already reached the
        customer raises AlreadyAcknowledged unless `again` (a deliberate second word). One that
        certainly never went out is replaced by this new one (the user sends now, with today's
        promise). One in doubt (interrupted while the server was accepting it) is looked for
        in the mailbox and replaced only with `resend_in_doubt` (the user said so)."""
        from trayapp.store.db import AckExists, AckReplaced

        chosen = self._chosen_recipients(account, inquiry, recipients)
        replaces: AckRecord | None = None
        for record in reversed(self._store.acks(account.name, item_id=inquiry.id)):
            if record.state == "sent":
                return self.resume(account, record.message_id)
            if record.state in ("filed", "done"):
                if again:
                    break
                raise AlreadyAcknowledged(
                    f"already acknowledged on {record.updated_at.astimezone():%Y-%m-%d %H:%M} "
                    f"(Message-ID <{record.message_id}>)",
                    message_id=record.message_id,
                )
            if record.attempted_at is not None:  # in doubt: it may have reached the server
                if not resend_in_doubt:
                    return self.resume(account, record.message_id)  # looks; never resends
                if self._in_mailbox(account, record.message_id):
                    self._store.set_ack_state(record.message_id, "sent")
                    return self.resume(account, record.message_id)
            replaces = record
            break
        try:
            reply = self.build(account, inquiry, body, chosen)
        except (UnsafeReply, ValueError) as exc:
            raise ReplyNotBuilt(f"the reply cannot be built safely: {exc}") from exc
        raw = reply.message.as_bytes()
        try:
            self._store.record_ack(
                item_id=inquiry.id,
                account=account.name,
                message_id=reply.message_id,
                recipients=reply.recipients,
                subject=reply.subject or str(reply.message["Subject"] or ""),
                raw=raw,
                promise_due_at=promise_due_at,
                inquiry_message_id=inquiry.message_id,
                inquiry=json.dumps(inquiry_to_dict(inquiry), ensure_ascii=False),
                now=self._clock(),
                replaces=_replaced(replaces),
            )
        except AckReplaced:  # the old entry was claimed meanwhile: someone is sending it
            raise InProgress(
                "the earlier acknowledgement is being sent right now (another window or command)",
                message_id=replaces.message_id if replaces else None,
            ) from None
        except AckExists:  # the same Message-ID twice: a double submit of one build
            return self.resume(account, reply.message_id)
        pause_point("recorded")
        result = self.resume(account, reply.message_id)
        return replace(
            result,
            charset=reply.charset,
            note=reply.note,
            resumed=False,
            replaced_recorded_at=replaces.created_at if replaces else None,
            replaced_reason=(replaces.error or NEVER_SENT) if replaces else "",
        )

    def _chosen_recipients(
        self, account: AccountConfig, inquiry: Inquiry, recipients: tuple[str, ...] | None
    ) -> tuple[str, ...]:
        check = self.recipients(account, inquiry)
        if recipients is None:
            if check.needs_confirmation:
                raise RecipientsNotConfirmed(
                    f"{check.describe()}: confirm the recipients first", check
                )
            return check.recipients
        chosen = tuple(dict.fromkeys(a.strip().lower() for a in recipients if a.strip()))
        unknown = [a for a in chosen if a not in check.allowed]
        if not chosen or unknown:
            shown = unknown[0] if unknown else "(none)"
            raise RecipientsNotConfirmed(
                f"{shown} is not an address of this inquiry (its Reply-To or From)", check
            )
        return chosen

    def _in_mailbox(self, account: AccountConfig, message_id: str) -> bool:
        try:
            return self._found_in_mailbox(account, message_id)
        except MailError as exc:
            reason = f"interrupted while sending, and Sent cannot be checked now: {exc}"
            raise SendUncertain(reason, message_id=message_id) from exc

    def resume(self, account: AccountConfig, message_id: str, *, force: bool = False) -> AckResult:
        """Take one journal entry as far as it can go: send it if it was certainly never sent
        (or `force`, after the user checked), then file it. Safe to call any number of times."""
        from trayapp.store.db import RETIRED_PREFIX

        record = self._record(message_id)
        error = record.error or ""
        if record.state == "failed" and error.startswith(RETIRED_PREFIX):
            newer = error.removeprefix(RETIRED_PREFIX)
            raise Replaced(
                f"this acknowledgement was never sent; it was replaced by {newer}",
                message_id=message_id,
            )
        if record.state in ("recorded", "failed"):
            record = self._send(account, record, force=force)
        warning = ""
        if record.state == "sent":
            try:
                self._file(account, record)
            except MailError as exc:
                warning = f"sent, but filing it failed (will retry): {exc}"
                self._store.set_ack_state(record.message_id, AckState.SENT, error=warning)
                log.warning("acknowledgement <%s>: %s", record.message_id, warning)
            else:
                self._store.set_ack_state(record.message_id, AckState.FILED)
            record = self._record(message_id)
        return self._result(record, warning=warning, resumed=True)

    def resume_unfinished(self, account: AccountConfig) -> list[AckResult | AckError]:
        """After a start: finish what reached the server (sent -> file; claimed -> found in
        Sent means sent). Never sends: what did not go out waits for the user."""
        outcomes: list[AckResult | AckError] = []
        for record in self._store.acks(account.name, (AckState.RECORDED, AckState.SENT)):
            if record.state == AckState.RECORDED and record.attempted_at is None:
                # Never handed to the server: it is shown as not sent and waits for the user
                # (its promise date is stale now). Sending it here would mail the customer
                # behind the user's back.
                continue
            try:
                outcomes.append(self.resume(account, record.message_id))
            except AckError as exc:
                outcomes.append(exc)
        return outcomes

    def mark_done(self, message_id: str) -> None:
        """The user says the promise is kept (answered by phone, elsewhere)."""
        self._store.set_ack_state(message_id, AckState.DONE)

    # -- steps --

    def _record(self, message_id: str) -> AckRecord:
        record: AckRecord | None = self._store.ack(message_id)
        if record is None:
            raise KeyError(message_id)
        return record

    def _result(self, record: AckRecord, *, warning: str = "", resumed: bool) -> AckResult:
        return AckResult(
            message_id=record.message_id,
            state=AckState(record.state),
            recipients=record.recipients,
            subject=record.subject,
            promise_due_at=record.promise_due_at,
            raw=record.raw,
            charset="iso-2022-jp" if b'charset="ISO-2022-JP"' in record.raw[:4096] else "utf-8",
            warning=warning or (record.error or ""),
            resumed=resumed,
        )

    def _password(self, account: AccountConfig, kinds: Sequence[str]) -> str:
        if account.auth is not None:
            return self._access_token(account)
        for kind in kinds:
            password = self._passwords.get_password(account.name, kind)
            if password:
                return password
        raise NoPassword(
            f"account '{account.name}': no password in the OS keyring; add the account again "
            "with `ippo account add ... --password-stdin`"
        )

    def _access_token(self, account: AccountConfig) -> str:
        """An OAuth account's access token (IMAP and SMTP use the same one)."""
        if self._tokens is None:
            from trayapp.oauth.tokens import TokenBroker

            self._tokens = TokenBroker(cast("TokenSecrets", self._passwords))
        try:
            return self._tokens.access_token(account)
        except MailError as error:
            failure = NoPassword if error.permanent else SendFailed
            raise failure(f"account '{account.name}': {error}") from error

    def _send(self, account: AccountConfig, record: AckRecord, *, force: bool) -> AckRecord:
        mid = record.message_id
        if record.attempted_at is not None:
            # Claimed before: the server may have accepted it. Look before sending again.
            try:
                found = self._found_in_mailbox(account, mid)
            except MailError as exc:
                reason = f"interrupted while sending, and Sent cannot be checked now: {exc}"
                self._store.set_ack_state(mid, AckState.FAILED, error=reason)
                raise SendUncertain(reason, message_id=mid) from exc
            if found:
                self._store.set_ack_state(mid, AckState.SENT)
                return self._record(mid)
            if not force:
                started = self._clock() - record.attempted_at
                if started < IN_FLIGHT_GRACE:
                    # Perhaps another process is still talking to the server: change nothing.
                    raise InProgress(
                        f"being sent right now (started {int(started.total_seconds())}s ago), "
                        "or interrupted: it may or may not have gone out. Try again in a "
                        "minute, or check and use Retry",
                        message_id=mid,
                    )
                reason = (
                    "interrupted while the server was accepting it, and no copy was found in "
                    "Sent or INBOX: it may or may not have gone out. Check with the customer "
                    "or your provider's sent log; Retry sends it again"
                )
                self._store.set_ack_state(mid, AckState.FAILED, error=reason)
                raise SendUncertain(reason, message_id=mid)
            self._store.reset_ack_claim(mid)
        try:
            password = self._password(account, ("smtp", "imap"))
        except Exception as exc:  # no password, a locked keyring: certainly not sent
            self._store.set_ack_state(mid, "failed", error=str(exc) or describe(exc))
            raise

        claims: list[bool] = []

        def claim() -> bool:
            claimed = bool(self._store.claim_ack_send(mid))
            claims.append(claimed)
            if claimed:
                pause_point("claimed")
            return claimed

        from trayapp.mail.smtp import ClaimLost, MessageRefused, OutcomeUnknown

        try:
            self._smtp_send(
                account,
                password,
                account.email,
                record.recipients,
                record.raw,
                before_commit=claim,
            )
        except KeyboardInterrupt:
            # Ctrl-C: before the claim nothing was handed over, so the journal says "not sent";
            # after it the entry stays claimed (may have gone out: checked before any resend).
            if not any(claims):
                self._store.set_ack_state(mid, AckState.FAILED, error=NEVER_SENT)
            raise
        except ClaimLost:
            raise InProgress(
                "this acknowledgement is being sent right now (another window or command)",
                message_id=mid,
            ) from None
        except OutcomeUnknown as exc:
            reason = f"{exc}; Retry checks Sent first"
            self._store.set_ack_state(mid, AckState.FAILED, error=reason)
            raise SendUncertain(reason, message_id=mid) from exc
        except MessageRefused as exc:
            # The server answered "no" to the final ".": certainly not accepted.
            self._store.reset_ack_claim(mid)
            self._store.set_ack_state(mid, AckState.FAILED, error=str(exc))
            raise SendFailed(str(exc), message_id=mid) from exc
        except MailError as exc:
            # Before the final "." (connect, login, recipients): nothing was sent.
            self._store.set_ack_state(mid, AckState.FAILED, error=str(exc))
            raise SendFailed(str(exc), message_id=mid) from exc
        pause_point("accepted")
        self._store.set_ack_state(mid, AckState.SENT)
        pause_point("sent")
        return self._record(mid)

    def _found_in_mailbox(self, account: AccountConfig, message_id: str) -> bool:
        """Whether a message with this Message-ID is in Sent or INBOX (a provider's own Sent
        copy, our APPEND, or a copy to ourselves)."""
        from trayapp.mail.imap import find_sent_folder, logout

        password = self._password(account, ("imap",))
        client = self._imap_connect(account, password)
        try:
            folders = ["INBOX"]
            sent = account.sent_folder or find_sent_folder(client)
            if sent:
                folders.insert(0, sent)
            return any(_search_message_id(client, f, message_id) for f in folders)
        except MailError:
            raise
        except Exception as exc:
            raise SendUncertain(
                f"cannot check Sent for the interrupted acknowledgement: {exc}",
                message_id=message_id,
            ) from exc
        finally:
            logout(client)

    def _file(self, account: AccountConfig, record: AckRecord) -> None:
        """Copy to Sent (unless the provider does, or it is there) and set \\Answered on the
        inquiry: the only writes Ippo makes, and only because the user sent a reply."""
        from trayapp.mail.imap import find_sent_folder, logout, mail_errors

        password = self._password(account, ("imap",))
        ack = to_acknowledgement(record)
        client = self._imap_connect(account, password)
        try:
            with mail_errors(account):
                if not provider_files_sent(account):
                    sent = account.sent_folder or find_sent_folder(client) or "Sent"
                    if not client.folder_exists(sent):
                        client.create_folder(sent)
                    if not _search_message_id(client, sent, record.message_id):
                        client.append(
                            sent, record.raw, flags=(b"\\Seen",), msg_time=record.created_at
                        )
                pause_point("appended")
                _flag_answered(client, ack.inquiry)
        finally:
            logout(client)


def _replaced(record: AckRecord | None) -> tuple[str, datetime | None] | None:
    return (record.message_id, record.attempted_at) if record is not None else None


def _search_message_id(client: IMAPClient, folder: str, message_id: str) -> bool:
    if not client.folder_exists(folder):
        return False
    client.select_folder(folder, readonly=True)
    return bool(client.search(["HEADER", "Message-ID", f"<{message_id}>"]))


def _flag_answered(client: IMAPClient, inquiry: Inquiry) -> None:
    """\\Answered on the inquiry: by UID when UIDVALIDITY still matches, else by Message-ID."""
    folder = inquiry.folder or "INBOX"
    info = client.select_folder(folder)  # read-write: the one place Ippo changes a mailbox
    uidvalidity = int(info.get(b"UIDVALIDITY", 0) or 0)
    uids: list[int] = []
    if inquiry.uid and uidvalidity == inquiry.uidvalidity:
        uids = [inquiry.uid]
    elif inquiry.message_id:
        uids = list(client.search(["HEADER", "Message-ID", f"<{inquiry.message_id}>"]))
    if uids:
        client.add_flags(uids, [b"\\Answered"], silent=True)
    # No CLOSE: it would expunge messages marked \\Deleted. LOGOUT follows and expunges nothing.
