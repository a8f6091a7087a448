"""Server settings of the providers Ippo's users have. Qt-free; the Add-inbox dialog and the CLI
read the same table.

Hosts for shared hosting (Xserver, Sakura) depend on the customer's server or domain; their
`imap_host` is a template with `{domain}` (the part after @) that the user can still edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from trayapp.core.model import ImapSecurity, SmtpSecurity


@dataclass(frozen=True)
class ProviderPreset:
    key: str
    label: str  # shown as is in both languages: these are brand names
    imap_host: str
    imap_port: int
    imap_security: ImapSecurity
    smtp_host: str
    smtp_port: int
    smtp_security: SmtpSecurity
    domains: tuple[str, ...] = ()  # address domains that pick this preset automatically
    note: str = ""  # e.g. "needs an app password"; English, the UI translates by key

    def imap_host_for(self, email: str) -> str:
        return self.imap_host.format(domain=_domain(email))

    def smtp_host_for(self, email: str) -> str:
        return self.smtp_host.format(domain=_domain(email))


def _domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


PRESETS: tuple[ProviderPreset, ...] = (
    ProviderPreset(
        "gmail",
        "Gmail",
        "imap.gmail.com",
        993,
        "ssl",
        "smtp.gmail.com",
        465,
        "ssl",
        ("gmail.com", "googlemail.com"),
        "app-password",
    ),
    ProviderPreset(
        "icloud",
        "iCloud",
        "imap.mail.me.com",
        993,
        "ssl",
        "smtp.mail.me.com",
        587,
        "starttls",
        ("icloud.com", "me.com", "mac.com"),
        "app-password",
    ),
    ProviderPreset(
        "outlook",
        "Outlook.com",
        "outlook.office365.com",
        993,
        "ssl",
        "smtp-mail.outlook.com",
        587,
        "starttls",
        ("outlook.com", "hotmail.com", "live.com", "outlook.jp", "hotmail.co.jp", "live.jp"),
    ),
    ProviderPreset(
        "yahoo_japan",
        "Yahoo! JAPAN",
        "imap.mail.yahoo.co.jp",
        993,
        "ssl",
        "smtp.mail.yahoo.co.jp",
        465,
        "ssl",
        ("yahoo.co.jp", "ymail.ne.jp"),
    ),
    ProviderPreset(
        "yahoo",
        "Yahoo",
        "imap.mail.yahoo.com",
        993,
        "ssl",
        "smtp.mail.yahoo.com",
        465,
        "ssl",
        ("yahoo.com", "ymail.com", "rocketmail.com"),
        "app-password",
    ),
    ProviderPreset(
        # Xserver: the server name (svNNNN.xserver.jp) works for every domain on it; the
        # mail.<domain> style needs the domain's certificate, so the user picks the sv host.
        "xserver",
        "Xserver",
        "sv0000.xserver.jp",
        993,
        "ssl",
        "sv0000.xserver.jp",
        465,
        "ssl",
        (),
        "server-name",
    ),
    ProviderPreset(
        "sakura",
        "Sakura",
        "{domain}",
        993,
        "ssl",
        "{domain}",
        587,
        "starttls",
        (),
        "initial-domain",
    ),
    ProviderPreset(
        "fastmail",
        "Fastmail",
        "imap.fastmail.com",
        993,
        "ssl",
        "smtp.fastmail.com",
        465,
        "ssl",
        ("fastmail.com", "fastmail.fm"),
        "app-password",
    ),
    ProviderPreset("custom", "Custom", "", 993, "ssl", "", 465, "ssl"),
)

PRESETS_BY_KEY: dict[str, ProviderPreset] = {p.key: p for p in PRESETS}


def preset_for_email(email: str) -> ProviderPreset | None:
    """The preset whose known domains include the address's, if any."""
    domain = _domain(email)
    for preset in PRESETS:
        if domain in preset.domains:
            return preset
    return None
