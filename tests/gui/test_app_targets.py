"""Where "Open in mail" goes (trayapp.app.mail_target): the provider's webmail -- Gmail's own
search for the very message -- or a mailto: reply draft for the system's mail client."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

from trayapp.app import mail_target, provider_of
from trayapp.core.model import AccountConfig

from .helpers import inquiry

ITEM = inquiry("x", timedelta(hours=3), "田中 太郎 <tanaka@example.jp>", "見積もりのお願い")


def account(email: str, host: str) -> AccountConfig:
    return AccountConfig(name="shop", email=email, imap_host=host)


def test_gmail_opens_the_message_itself_in_the_right_account() -> None:
    # A Google Workspace address on its own domain is still Gmail (found by the IMAP host).
    url = mail_target(account("info@shop.example.jp", "imap.gmail.com"), ITEM)
    assert url.startswith("https://mail.google.com/mail/u/info@shop.example.jp/#search/")
    assert unquote(url.rpartition("/")[2]) == "rfc822msgid:x@mail.example.jp"


def test_providers_with_webmail_open_it() -> None:
    outlook = account("someone@outlook.jp", "outlook.office365.com")
    assert provider_of(outlook) is not None
    assert mail_target(outlook, ITEM) == "https://outlook.live.com/mail/0/inbox"
    yahoo_jp = account("shop@yahoo.co.jp", "imap.mail.yahoo.co.jp")
    assert mail_target(yahoo_jp, ITEM) == "https://mail.yahoo.co.jp/"


def test_elsewhere_a_reply_draft_to_the_reply_to_address() -> None:
    item = dataclasses.replace(
        ITEM, reply_to=("orders@example.jp",), references=("first@example.jp",)
    )
    url = urlsplit(mail_target(account("info@shop.example.jp", "sv1234.xserver.jp"), item))
    assert url.scheme == "mailto" and url.path == "orders@example.jp"
    fields = parse_qs(url.query)
    assert fields["subject"] == ["Re: 見積もりのお願い"]
    assert fields["In-Reply-To"] == ["<x@mail.example.jp>"]
    assert fields["References"] == ["<first@example.jp> <x@mail.example.jp>"]


def test_reply_draft_does_not_stack_re_and_copes_without_message_id() -> None:
    item = dataclasses.replace(ITEM, subject="Re: 納期", message_id=None)
    url = urlsplit(mail_target(account("me@example.org", "mail.example.org"), item))
    assert url.path == "tanaka@example.jp"
    assert parse_qs(url.query) == {"subject": ["Re: 納期"]}
