"""Sending the optional automatic first word while away (core.autoreply decides whom).

Called by the watch service on its dispatcher thread after each recompute: each target is
claimed in the state store first (at most one per sender and absence, even across a crash or
a second watcher), then sent over SMTP on a worker thread, so no server ever holds up the
dispatcher. It is an RFC 3834 auto-reply: `Auto-Submitted: auto-replied`, a plain reply
(In-Reply-To/References), nothing filed in Sent and no \\Answered flag -- the inquiry keeps
waiting for the real answer."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from trayapp.core.autoreply import AUTO_SUBMITTED, auto_reply_targets, auto_reply_text
from trayapp.core.away import Absence
from trayapp.core.model import AccountConfig, Inquiry
from trayapp.core.reply import build_reply, new_message_id
from trayapp.core.templates import detect_language

if TYPE_CHECKING:
    from trayapp.store.db import StateStore

log = logging.getLogger(__name__)


class Passwords(Protocol):
    def get_password(self, account: str, kind: str = "imap") -> str | None: ...


Sender = Callable[[AccountConfig, str, str, Sequence[str], bytes], object]


def _smtp_send(
    account: AccountConfig, password: str, mail_from: str, to: Sequence[str], raw: bytes
) -> object:
    from trayapp.mail.smtp import send_message

    return send_message(account, password, mail_from, to, raw)


class AutoReplier:
    def __init__(
        self,
        store: StateStore,
        passwords: Passwords,
        clock: Callable[[], datetime],
        send: Sender = _smtp_send,
    ) -> None:
        self._store = store
        self._passwords = passwords
        self._clock = clock
        self._send = send
        self.threads: list[threading.Thread] = []  # for tests: the sends under way

    def consider(
        self, account: AccountConfig, items: Sequence[Inquiry], absence: Absence | None
    ) -> None:
        if absence is None or not absence.auto_reply or not account.smtp_host:
            return
        done = self._store.auto_replied_senders(account.name, absence.start)
        for item in auto_reply_targets(items, absence, done):
            now = self._clock()
            message_id = new_message_id(account.email, now)
            if not self._store.claim_auto_reply(
                account.name, item.sender_addr, absence.start, message_id
            ):
                continue
            thread = threading.Thread(
                target=self._send_one,
                args=(account, item, absence, message_id, now),
                name="ippo-auto-reply",
                daemon=True,
            )
            self.threads = [t for t in self.threads if t.is_alive()] + [thread]
            thread.start()

    def _send_one(
        self,
        account: AccountConfig,
        item: Inquiry,
        absence: Absence,
        message_id: str,
        now: datetime,
    ) -> None:
        try:
            language = detect_language(item.subject, item.preview)
            body = auto_reply_text(language, absence.until.astimezone(now.tzinfo), now)
            reply = build_reply(account, item, body, now, message_id=message_id)
            reply.message["Auto-Submitted"] = AUTO_SUBMITTED
            reply.message["X-Auto-Response-Suppress"] = "All"  # Exchange: no reply to it
            password = self._passwords.get_password(
                account.name, "smtp"
            ) or self._passwords.get_password(account.name, "imap")
            if not password:
                log.warning("%s: no password for the auto-reply", account.name)
                return
            self._send(account, password, account.email, reply.recipients, reply.message.as_bytes())
            log.info("%s: auto-reply sent for %s", account.name, item.id)
        except Exception as error:  # claimed: never retried, so never sent twice
            log.warning("%s: auto-reply for %s not sent: %s", account.name, item.id, error)
