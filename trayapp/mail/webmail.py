"""Where "Open in mail" goes for an inquiry: the provider's webmail, or a mailto: reply draft.

Pure (no Qt, no I/O): the URL is built from the account's settings and the item's headers,
every part of it percent-encoded, so no mail text reaches a command line or a header.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from trayapp.core.model import AccountConfig, Inquiry
from trayapp.mail.presets import PRESETS, ProviderPreset, preset_for_email

# Webmail of the providers in mail/presets.py. Gmail can open the very message: its search
# takes `rfc822msgid:` and the account can be picked by address in the path.
WEBMAIL: Mapping[str, str] = {
    "icloud": "https://www.icloud.com/mail/",
    "outlook": "https://outlook.live.com/mail/0/inbox",
    "yahoo_japan": "https://mail.yahoo.co.jp/",
    "yahoo": "https://mail.yahoo.com/",
    "fastmail": "https://app.fastmail.com/mail/Inbox/",
}


def provider_of(account: AccountConfig) -> ProviderPreset | None:
    """The preset an account uses: by IMAP host first (a custom domain on Gmail is Gmail),
    then by the address's domain."""
    host = account.imap_host.strip().lower()
    for preset in PRESETS:
        if preset.imap_host and "{" not in preset.imap_host and preset.imap_host == host:
            return preset
    return preset_for_email(account.email)


def mail_target(account: AccountConfig, item: Inquiry) -> str:
    """Where "Open in mail" goes, as a URL.

    A desktop mail client cannot be asked, portably, to open one message by its Message-ID,
    and a mailto: link cannot quote the message. So: at a provider with webmail, its webmail
    (Gmail: the message itself, found by Message-ID, in the right account); elsewhere a
    mailto: reply draft in the system's mail client -- to the Reply-To (or the sender), with
    "Re: <subject>" and In-Reply-To/References, which clients that honour RFC 6068 header
    fields use to thread it (others ignore them and still address the reply right)."""
    preset = provider_of(account)
    if preset is not None and preset.key == "gmail":
        base = f"https://mail.google.com/mail/u/{quote(account.email, safe='@')}/"
        if item.message_id:
            return base + "#search/" + quote(f"rfc822msgid:{item.message_id}", safe="")
        return base + "#inbox"
    if preset is not None and preset.key in WEBMAIL:
        return WEBMAIL[preset.key]
    to = ",".join(item.reply_to) or item.sender_addr
    subject = item.subject.strip()
    if subject and not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    fields = [f"subject={quote(subject, safe='')}"] if subject else []
    if item.message_id:
        msgid = f"<{item.message_id}>"
        refs = " ".join(f"<{r}>" for r in (*item.references, item.message_id))
        fields.append(f"In-Reply-To={quote(msgid, safe='')}")
        fields.append(f"References={quote(refs, safe='')}")
    query = "&".join(fields)
    return f"mailto:{quote(to, safe='@,')}" + (f"?{query}" if query else "")


__all__ = ["WEBMAIL", "mail_target", "provider_of"]
