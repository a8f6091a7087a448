"""`ippo ack ID`: send the quick acknowledgement (一報) for one waiting inquiry, exactly once.

ID is the `id` printed by `ippo pending --json`. Running it again after a crash or a lost
connection never sends a second one: an acknowledgement that reached the server is completed
(filed in Sent), one that certainly did not is replaced by a new one.

Exit status: 0 sent (or already completed); 1 not sent (the reason on stderr; retryable ones say
so); 2 the configuration, keyring or state file cannot be used, ID is unknown, or the reply
would go to many addresses or to a Reply-To on another domain than the sender and --to does
not name the recipient (core.recipients).

An acknowledgement that failed earlier is never sent later on its own: `ippo ack ID` says so
and sends a new one (with a promise computed now); one interrupted while the server was
accepting it may have arrived, so it is looked for in Sent and replaced only with --retry.
"""

from __future__ import annotations

import argparse
import email
import json
import sys
from email import policy
from typing import TYPE_CHECKING, Any

from trayapp.cli_i18n import _, error_text, plain_reason, recovery_line

if TYPE_CHECKING:
    from trayapp.core.recipients import RecipientCheck

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNUSABLE = 2


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "ack",
        help="send the quick acknowledgement for a waiting inquiry",
        description="Send the quick acknowledgement (一報) for the inquiry ID (as printed by "
        "`ippo pending --json`): a reply from a template in the inquiry's language that says "
        "when the full answer will come. Never sends the same acknowledgement twice.",
    )
    parser.add_argument(
        "id",
        metavar="ID",
        nargs="+",
        help="the item id from `ippo pending --json`; several ids send one first word to each "
        "(e.g. on return from an absence), each a proper reply, exactly once",
    )
    parser.add_argument("--template", help="template name (default: received)")
    parser.add_argument(
        "--promise",
        default="nbd",
        metavar="2d|36h|nbd|ISO-TIME",
        help="when the full answer will come: 1d, 2d, 36h, nbd (end of the next business "
        "day, the default) or a local time like 2025-11-27T12:00",
    )
    parser.add_argument("--language", choices=("ja", "en"), help="default: the inquiry's")
    parser.add_argument(
        "--to",
        metavar="ADDRESS",
        help="send to this address only (one of the inquiry's Reply-To addresses or its "
        "From); needed when the reply would go to more than 3 addresses or to a Reply-To on "
        "another domain than the sender",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the message; send and record nothing"
    )
    parser.add_argument(
        "--retry",
        action="store_true",
        help="send a new acknowledgement in place of one whose sending was interrupted and "
        "could not be confirmed (only after you checked it did not arrive)",
    )
    parser.add_argument(
        "--done", action="store_true", help="mark the promise kept (answered another way)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def _out(text: str) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8", "replace"))
    sys.stdout.buffer.flush()


def _fail(message: str) -> None:
    sys.stderr.write(f"ippo: {message}\n")
    sys.stderr.flush()


def _body_text(raw: bytes) -> str:
    """The text of a message we built (UTF-8, or ISO-2022-JP with CP932 extensions)."""
    message = email.message_from_bytes(raw, policy=policy.default)
    charset = (message.get_content_charset() or "utf-8").lower()
    payload = message.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    if charset == "iso-2022-jp":
        from trayapp.core.reply import decode_iso2022jp

        return decode_iso2022jp(payload).replace("\r\n", "\n")
    return payload.decode(charset, "replace").replace("\r\n", "\n")


def run(args: argparse.Namespace) -> int:
    """One acknowledgement per id, in the order given; the worst exit status of them.
    Ctrl-C and SIGTERM cut the connection at once (exit 130 / 143); the journal then says
    "not sent", or "may have been sent" when the server was already accepting it."""
    from trayapp.commands.interrupt import run_interruptible

    ids = args.id if isinstance(args.id, list) else [args.id]

    def each(register: Any) -> int:
        status = EXIT_OK
        for ident in dict.fromkeys(ids):  # an id given twice is acknowledged once
            one = argparse.Namespace(**{**vars(args), "id": ident})
            status = max(status, _run_one(one, register))
        return status

    return run_interruptible(each)


def _run_one(args: argparse.Namespace, register: Any = None) -> int:
    from email.utils import formataddr

    from trayapp.config import ConfigError, ConfigStore, resolve_config_dir
    from trayapp.core.promise import calendar_for, parse_promise, promise_phrase
    from trayapp.core.reply import sender_name
    from trayapp.desktop.secrets import KeyringSecretStore, KeyringUnavailable
    from trayapp.mail.acknowledge import (
        AckError,
        AcknowledgeService,
        RecipientsNotConfirmed,
        SendUncertain,
        load_templates,
        local_now,
        make_draft,
    )
    from trayapp.store.db import StateStore, StoreError

    now = local_now()
    try:
        config_dir = resolve_config_dir(getattr(args, "config_dir", None))
        config = ConfigStore(config_dir)
        accounts = {a.name: a for a in config.load_accounts()}
        limits = config.server_limits()
        store = StateStore(config_dir, on_recovery=lambda r: _fail(recovery_line(r)))
    except (ConfigError, StoreError, OSError) as error:
        _fail(error_text(error))
        return EXIT_UNUSABLE

    with store:
        service = AcknowledgeService(store, KeyringSecretStore(), limits=limits, register=register)
        journal = [r for r in store.acks() if r.item_id == args.id]
        inquiry = next((i for i in store.items() if i.id == args.id), None)
        account_name = inquiry.account if inquiry else (journal[-1].account if journal else None)
        if account_name is None:
            unknown = _("no waiting inquiry with id {id!r}; run `ippo pending --json` for the ids")
            _fail(unknown.format(id=args.id))
            return EXIT_UNUSABLE
        account = accounts.get(account_name)
        if account is None:
            _fail(
                _("the account {account!r} of {id!r} is no longer configured").format(
                    account=account_name, id=args.id
                )
            )
            return EXIT_UNUSABLE

        try:
            if args.done:
                if not journal:
                    _fail(_("{id!r} has no acknowledgement to mark done").format(id=args.id))
                    return EXIT_FAILED
                service.mark_done(journal[-1].message_id)
                _out(_("Marked done: {id}").format(id=args.id) + "\n")
                return EXIT_OK
            if args.retry and not journal:
                _fail(_("{id!r} has no acknowledgement to retry").format(id=args.id))
                return EXIT_FAILED
            if inquiry is None:
                # Known only from the journal: finish what was started (never a new one).
                result = service.resume(account, journal[-1].message_id, force=args.retry)
                body = _body_text(result.raw)
            else:
                if not account.smtp_host:
                    _fail(
                        _(
                            "account '{name}' has no SMTP server; add it again with "
                            "--smtp-host HOST (see `ippo account add --help`)"
                        ).format(name=account.name)
                    )
                    return EXIT_UNUSABLE
                language = args.language
                from trayapp.core.templates import detect_language

                lang = language or detect_language(inquiry.subject, inquiry.preview)
                try:
                    due = parse_promise(args.promise, now, closed=calendar_for(lang, now))
                except ValueError as error:
                    _fail(str(error))
                    return EXIT_UNUSABLE
                templates = load_templates([config_dir / "templates"])
                try:
                    draft = make_draft(
                        account,
                        inquiry,
                        templates,
                        due,
                        template_name=args.template,
                        language=lang,
                        now=now,
                    )
                except LookupError as error:
                    _fail(str(error))
                    return EXIT_UNUSABLE
                check = service.recipients(account, inquiry)
                chosen: tuple[str, ...] | None = None
                if args.to:
                    chosen = (args.to.strip().lower(),)
                    if chosen[0] not in check.allowed:
                        shown = ", ".join(check.allowed[:5])
                        shown += " …" if len(check.allowed) > 5 else ""
                        _fail(
                            _(
                                "not sent: {address} is not an address of this inquiry; --to "
                                "takes one of: {addresses}"
                            ).format(address=args.to, addresses=shown)
                        )
                        return EXIT_UNUSABLE
                if args.dry_run:
                    if check.needs_confirmation and chosen is None:
                        _fail(
                            _("note: {reason}; sending needs --to ADDRESS").format(
                                reason=_recipients_reason(check)
                            )
                        )
                    reply = service.build(account, inquiry, draft.body, chosen)
                    raw = reply.message.as_bytes()
                    _out(
                        _("Dry run: nothing sent or recorded")
                        + "\n"
                        + f"From: {formataddr((sender_name(account), account.email))}\n"
                        f"To: {', '.join(reply.recipients)}\n"
                        f"Subject: {_decoded_subject(raw)}\n"
                        f"In-Reply-To: {reply.message['In-Reply-To'] or '-'}\n"
                        f"Charset: {reply.charset}\n"
                        + _("Promised: {when}").format(when=promise_phrase(due, lang, now))
                        + f"\n\n{_body_text(raw)}"
                    )
                    if reply.note:
                        _fail(_("note: {note}").format(note=reply.note))
                    return EXIT_OK
                if check.needs_confirmation and chosen is None:
                    _fail(_recipients_refusal(check))
                    return EXIT_UNUSABLE
                result = service.acknowledge(
                    account,
                    inquiry,
                    draft.body,
                    due,
                    recipients=chosen,
                    resend_in_doubt=args.retry,
                )
                body = draft.body
        except RecipientsNotConfirmed as error:
            _fail(_recipients_refusal(error.check))
            return EXIT_UNUSABLE
        except AckError as error:
            hint = _(" (retryable)") if error.retryable else ""
            if error.message_id:
                hint += f"; Message-ID <{error.message_id}>"
            if isinstance(error, SendUncertain) and not args.retry:
                hint += "; " + _(
                    "once you checked it did not arrive: `ippo ack {id} --retry`"
                ).format(id=args.id)
            _fail(_("acknowledgement not sent: {reason}").format(reason=_ack_failure(error)) + hint)
            return EXIT_FAILED
        except KeyringUnavailable as error:
            _fail(plain_reason(str(error)))
            return EXIT_UNUSABLE
        except StoreError as error:  # the journal cannot be written (disk full, read-only)
            _fail(plain_reason(str(error)))
            return EXIT_UNUSABLE

    if result.replaced_recorded_at is not None:
        when = result.replaced_recorded_at.astimezone(now.tzinfo)
        _fail(
            _(
                "the acknowledgement recorded {when} was not sent ({reason}); this new one, "
                "with a promise made now, replaces it"
            ).format(when=f"{when:%Y-%m-%d %H:%M}", reason=plain_reason(result.replaced_reason))
        )
    if result.note:
        _fail(_("note: {note}").format(note=result.note))
    if result.warning:
        _fail(_("warning: {warning}").format(warning=result.warning))
    if args.json:
        _out(
            json.dumps(
                {
                    "id": args.id,
                    "account": account.name,
                    "message_id": result.message_id,
                    "state": result.state.value,
                    "to": list(result.recipients),
                    "subject": result.subject,
                    "promise_due_at": (
                        result.promise_due_at.isoformat() if result.promise_due_at else None
                    ),
                    "charset": result.charset,
                    "resumed": result.resumed,
                    "body": body,
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
        return EXIT_OK
    from trayapp.cli_i18n import current

    headline = (
        _("Completed acknowledgement ({state})")
        if result.resumed
        else _("Sent acknowledgement ({state})")
    ).format(state=result.state.value)
    promise = (
        promise_phrase(result.promise_due_at.astimezone(now.tzinfo), current().language, now)
        if result.promise_due_at
        else "-"
    )
    _out(
        f"{headline}\n"
        f"To: {', '.join(result.recipients)}\n"
        f"Subject: {_decoded_subject(result.raw) or result.subject}\n"
        f"Message-ID: <{result.message_id}>\n"
        + _("Promised: {when}").format(when=promise)
        + f"\n\n{body}"
    )
    return EXIT_OK


def _ack_failure(error: Exception) -> str:
    """Why an acknowledgement was not sent, in the command line's language: Ippo's own cases
    in its words; a server's or the disk's failure as a plain sentence, then its own words."""
    from trayapp.core.safetext import SUBJECT_CHARS, display_line
    from trayapp.mail.acknowledge import AlreadyAcknowledged, InProgress, Replaced, ReplyNotBuilt

    if isinstance(error, InProgress):
        return _(
            "it is being sent right now (from another window or command), or that was "
            "interrupted: it may or may not have gone out; try again in a minute, or check "
            "Sent and use --retry"
        )
    if isinstance(error, AlreadyAcknowledged):
        return _("this inquiry was already acknowledged")
    if isinstance(error, Replaced):
        return _("a newer acknowledgement replaced this one; it is never sent")
    if isinstance(error, ReplyNotBuilt):
        cause = display_line(str(error.__cause__ or error), SUBJECT_CHARS)
        return _("Ippo could not write this reply safely ({detail}); nothing was sent").format(
            detail=cause
        )
    return plain_reason(str(error))


def _decoded_subject(raw: bytes) -> str:
    from trayapp.core.headers import decode_header_value

    message = email.message_from_bytes(raw, policy=policy.compat32)
    value = message.get("Subject")
    return decode_header_value(str(value)) if value else ""


def _recipients_reason(check: RecipientCheck) -> str:
    """Why the recipients need the user's word (core.recipients), in the user's language."""
    from trayapp.core.recipients import MANY, OTHER_DOMAIN

    reasons = []
    if MANY in check.reasons:
        reasons.append(
            _("the reply would go to {count} addresses (Reply-To), not only to the sender").format(
                count=len(check.recipients)
            )
        )
    if OTHER_DOMAIN in check.reasons:
        shown = ", ".join(check.strangers[:3]) + (" …" if len(check.strangers) > 3 else "")
        reasons.append(
            _("the Reply-To ({addresses}) is on another domain than the sender ({sender})").format(
                addresses=shown, sender=check.sender
            )
        )
    return _("; ").join(reasons)


def _recipients_refusal(check: RecipientCheck) -> str:
    return _(
        "not sent: {reason}; name the recipient with --to ADDRESS (see them all with --dry-run)"
    ).format(reason=_recipients_reason(check))
