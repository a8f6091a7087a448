"""Who an acknowledgement goes to, and when the user must confirm it first. Pure.

A reply goes where a person would send it: to the Reply-To addresses when the inquiry has
them, else to From. Anyone can write a Reply-To, though: 300 addresses, or a stranger's
address under a customer's name, turn one click into mail to strangers under the shop's name.
So the user confirms (a checkbox in the dialog; `ippo ack --to ADDRESS` on the command line)
when

- the reply would go to more than MAX_UNCONFIRMED addresses, or
- a Reply-To address is on another domain than From, unless From is a known form sender.

Known form senders (where a Reply-To on another domain is the normal case, because the form
or shop platform sends the mail and hands over the customer's address in Reply-To):

- From is a no-reply, notification or mailer address (core.classify.is_system_address):
  Google Forms, Formspree, STORES, BASE and most form services send from those;
- From is on one of the account's own domains: the contact form of the user's own site
  (WordPress Contact Form 7 sends as wordpress@the-site's-domain);
- From is on a form service or shop platform in FORM_SENDER_DOMAINS, which send from
  addresses that look personal (mailer@shopify.com, form-submission@squarespace.info).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from trayapp.core.classify import is_system_address
from trayapp.core.model import Inquiry

MAX_UNCONFIRMED = 3

FORM_SENDER_DOMAINS = frozenset(
    {
        "shopify.com",  # Shopify's contact form: mailer@shopify.com
        "squarespace.info",  # Squarespace forms: form-submission@squarespace.info
        "wix.com",  # Wix forms
        "formspree.io",
        "jotform.com",
        "typeform.com",
        "form.run",  # formrun (Japan)
        "tayori.com",  # Tayori (Japan)
        "thebase.in",  # BASE (Japan)
        "stores.jp",  # STORES (Japan)
    }
)

MANY = "many"  # more than MAX_UNCONFIRMED recipients
OTHER_DOMAIN = "other-domain"  # a Reply-To on another domain than From


@dataclass(frozen=True)
class RecipientCheck:
    """The addresses a reply would go to, and why the user must confirm them (if at all)."""

    recipients: tuple[str, ...]  # Reply-To, else From
    sender: str  # the From address
    reasons: tuple[str, ...] = ()  # MANY, OTHER_DOMAIN
    strangers: tuple[str, ...] = ()  # the Reply-To addresses on another domain

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.reasons)

    @property
    def allowed(self) -> tuple[str, ...]:
        """What the user may name instead (`ippo ack --to`): any offered address, or From."""
        extra = (self.sender,) if self.sender and self.sender not in self.recipients else ()
        return (*self.recipients, *extra)

    def describe(self) -> str:
        """One sentence for people (English; the dialog has its own translated texts)."""
        parts = []
        if MANY in self.reasons:
            parts.append(f"would go to {len(self.recipients)} addresses (Reply-To)")
        if OTHER_DOMAIN in self.reasons:
            shown = ", ".join(self.strangers[:3]) + (" …" if len(self.strangers) > 3 else "")
            parts.append(f"goes to a Reply-To ({shown}) on another domain than the sender")
        return "the reply " + " and ".join(parts) if parts else ""


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(".")


def same_domain(first: str, second: str) -> bool:
    """Equal, or one a subdomain of the other (mail.example.jp and example.jp)."""
    if not first or not second:
        return False
    return first == second or first.endswith("." + second) or second.endswith("." + first)


def is_form_sender(sender: str, own_addresses: Iterable[str] = ()) -> bool:
    """Whether `sender` is a form or shop platform that hands over the customer in Reply-To."""
    domain = domain_of(sender)
    if not domain:
        return False
    if is_system_address(sender):
        return True
    if any(same_domain(domain, domain_of(own)) for own in own_addresses):
        return True
    return any(domain == d or domain.endswith("." + d) for d in FORM_SENDER_DOMAINS)


def check_recipients(inquiry: Inquiry, own_addresses: Iterable[str] = ()) -> RecipientCheck:
    """Where a reply to `inquiry` goes and whether the user must confirm it first."""
    sender = inquiry.sender_addr.strip().lower()
    reply_to = tuple(dict.fromkeys(a.strip().lower() for a in inquiry.reply_to if a.strip()))
    recipients = reply_to or ((sender,) if sender else ())
    reasons: list[str] = []
    if len(recipients) > MAX_UNCONFIRMED:
        reasons.append(MANY)
    strangers: tuple[str, ...] = ()
    if reply_to and not is_form_sender(sender, own_addresses):
        strangers = tuple(a for a in reply_to if not same_domain(domain_of(a), domain_of(sender)))
        if strangers:
            reasons.append(OTHER_DOMAIN)
    return RecipientCheck(recipients, sender, tuple(reasons), strangers)
