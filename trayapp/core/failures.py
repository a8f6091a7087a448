"""Why an inbox is not watched, as a plain sentence in the user's language, and what fixes it.
Pure: the reason text in (as the mail layer wrote it, trayapp/mail/errors.py, or as a server
sent it), a sentence out -- never a Python repr such as b'[AUTHENTICATIONFAILED] ...'.

The list banner, the tooltip and the command line all say it the same way; `fix` tells a
caller which action helps (enter the password again, check the server settings, or wait).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Fix = Literal["password", "signin", "server", "wait", "none"]


@dataclass(frozen=True)
class Failure:
    kind: str  # auth, certificate, tls, dns, refused, timeout, lost, busy, no_password, ...
    text: str  # one plain sentence (or two) in the requested language
    fix: Fix
    detail: str = ""  # what the server said, cleaned, for people who want it
    original: str = ""  # the whole reason, cleaned, with the server's host:port

    def with_detail(self) -> str:
        """The sentence, then the whole reason in brackets (for the command line and logs,
        where scripts and support look for the server's own words)."""
        if not self.original or self.original in self.text:
            return self.text
        return f"{self.text} ({self.original})"


# (kind, fix, pattern on the reason, English, Japanese). First match wins; {host} is the server.
_RAW_RULES: tuple[tuple[str, Fix, str, str, str], ...] = (
    (
        # core.oauth.SIGN_IN_AGAIN: an OAuth sign-in that was revoked or expired.
        "signin",
        "signin",
        r"^\s*sign in again",
        "The sign-in to this inbox was revoked or has expired; sign in again.",
        "この受信箱のサインインが取り消されたか、期限が切れました。もう一度サインインしてください。",
    ),
    (
        # mail.smtp.OutcomeUnknown / acknowledge.SendUncertain: handed over, then cut off.
        "uncertain",
        "none",
        r"may have been sent|may (or may not )?have gone out",
        "The connection to {server} broke while it was taking the message: it may have been "
        "sent. Look in Sent before you send it again.",
        "{server} がメールを受け取っている途中で接続が切れました。送信された可能性があります。"
        "もう一度送る前に送信済みフォルダーを確認してください。",
    ),
    (
        # core.unsent.NEVER_SENT: Ctrl-C (or a crash) before the message was handed over.
        "interrupted",
        "none",
        r"interrupted before it was sent",
        "Sending was interrupted before the server took the message: it was not sent.",
        "サーバーが受け取る前に送信を中断しました。送信されていません。",
    ),
    (
        # mail.transport.ServerTooSlow: the overall deadline of one operation passed.
        "slow",
        "wait",
        r"did not .+ within [\d.]+ s\b|stalled or too slow",
        "{server} answered too slowly (stalled or dripping), so Ippo stopped waiting. Try "
        "again later.",
        "{server} の応答が遅すぎる（止まっている）ため、待つのをやめました。"
        "しばらくしてから、もう一度お試しください。",
    ),
    (
        # trayapp.disk.disk_problem: Ippo's own files.
        "disk_full",
        "none",
        r"the disk is full",
        "The disk is full, so Ippo cannot save. Free some space, then try again.",
        "ディスクがいっぱいで保存できません。空き容量を作ってから、もう一度お試しください。",
    ),
    (
        "read_only",
        "none",
        r"read-only or not yours",
        "Ippo cannot write to its folder (read-only or someone else's). Check its permissions.",
        "Ippo のフォルダーに書き込めません（読み取り専用か、他のユーザーのものです）。"
        "権限を確認してください。",
    ),
    (
        "no_password",
        "password",
        r"no password|password is missing|not in the (os )?keyring",
        "Ippo has no password for this inbox. Enter it again.",
        "この受信箱のパスワードが保存されていません。もう一度入力してください。",
    ),
    (
        # desktop.secrets.KeyringUnavailable.failed: the Secret Service went away or broke.
        "keyring_silent",
        "wait",
        r"keyring did not answer",
        "The system keyring did not answer. Try again in a moment.",
        "OSのキーリングが応答しませんでした。少し待ってから、もう一度お試しください。",
    ),
    (
        "keyring",
        "none",
        r"keyring",
        "The system keyring cannot be used (locked or missing). Unlock it, then try again.",
        "OSのキーリングが使えません（ロック中か未導入）。ロックを解除してから、もう一度お試しください。",
    ),
    (
        "busy",
        "wait",
        r"cannot log in now|\[(UNAVAILABLE|INUSE|LIMIT|SERVERBUG)\]",
        "The server cannot let you in right now (maintenance or too many logins). Ippo "
        "tries again by itself.",
        "サーバーが一時的にログインを受け付けていません（メンテナンス中か、ログインが多すぎます）。"
        "Ippo が自動で再試行します。",
    ),
    (
        "auth",
        "password",
        r"login failed|authenticationfailed|authentication failed|invalid credentials"
        r"|\[AUTH|535|username and password not accepted",
        "{server} refused the user name or password. If you changed the password "
        "(or need an app password), enter the new one.",
        "{server} にログインできません。パスワードが変わったか、"
        "アプリパスワードが必要な可能性があります。新しいパスワードを入力してください。",
    ),
    (
        "certificate",
        "server",
        r"certificate",
        "The server's certificate could not be verified. Check the server name; for a "
        "self-hosted server, add its CA certificate.",
        "サーバーの証明書を確認できません。サーバー名を確認してください（自前のサーバーなら、"
        "そのCA証明書を追加してください）。",
    ),
    (
        "dns",
        "server",
        r"cannot resolve|name or service not known|nodename nor servname|getaddrinfo",
        "The server name {host} cannot be found. Check its spelling and the internet connection.",
        "サーバー名 {host} が見つかりません。綴りとインターネット接続を確認してください。",
    ),
    (
        "refused",
        "server",
        r"connection refused",
        "{server} refused the connection. Check the port; if it is right, the server may be down.",
        "{server} に接続を拒否されました。ポート番号を確認してください。正しければ、サーバーが"
        "止まっている可能性があります。",
    ),
    (
        "timeout",
        "wait",
        r"timed out|no answer|timeout",
        "{server} does not answer. Ippo keeps trying.",
        "{server} から応答がありません。Ippo が接続を試み続けます。",
    ),
    (
        "lost",
        "wait",
        r"connection (lost|closed|reset|failed)|network is unreachable|broken pipe|\beof\b",
        "The connection to {server} was lost. Ippo reconnects by itself.",
        "{server} との接続が切れました。自動でつなぎ直します。",
    ),
    (
        "tls",
        "server",
        r"tls|ssl|handshake|starttls",
        "A secure connection to {server} could not be set up. Check the port and the "
        "security setting (SSL or STARTTLS).",
        "{server} と暗号化した接続を始められません。ポート番号と暗号化の設定（SSL／STARTTLS）を"
        "確認してください。",
    ),
    (
        "folder",
        "server",
        r"folder .* does not exist|no such (mailbox|folder)|\[NONEXISTENT\]",
        "A folder Ippo watches is missing on the server.",
        "Ippo が見ているフォルダーがサーバー上に見つかりません。",
    ),
)
_RULES = tuple(
    (kind, fix, re.compile(pattern, re.IGNORECASE), en, ja)
    for kind, fix, pattern, en, ja in _RAW_RULES
)

# Kinds whose reason is only Ippo's own sentence: the plain one says all, nothing in brackets.
_OWN_WORDS = frozenset({"keyring_silent"})

_GENERIC = {
    "en": "{server} reported a problem: {detail}",
    "ja": "{server} から問題が報告されました：{detail}",
}
_GENERIC_NO_HOST = {
    "en": "Something went wrong: {detail}",
    "ja": "問題が起きました：{detail}",
}
_WHERE = re.compile(r"^\s*(?P<host>[A-Za-z0-9.\-\[\]:]+):(?P<port>\d+):\s*")
_BYTES_REPR = re.compile(r"""\bb(['"])(.*?)\1""")
# "ValueError: ", "imaplib.IMAP4.abort: ", "ssl.SSLEOFError: " put in front of the words.
_CLASS_NAME = re.compile(
    r"\b(?:[a-z_]\w*\.)*(?:[A-Z]\w*\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Timeout)"
    r":\s*|\b(?:[a-z_]\w*\.)+[A-Z]\w*\.(?:abort|error|readonly):\s*"
)


def clean_detail(reason: str, *, keep_where: bool = False) -> str:
    """The server's words without Python's b'...' wrapping, escapes, exception class names or
    (unless asked to keep it) the host prefix."""
    text = reason if keep_where else _WHERE.sub("", reason, count=1)
    text = _BYTES_REPR.sub(lambda m: m.group(2), text)
    text = _CLASS_NAME.sub("", text)
    text = text.replace("\\r", " ").replace("\\n", " ")
    return " ".join(text.split())


def explain_failure(reason: str, language: str = "en", host: str = "") -> Failure:
    """The plain sentence for `reason` in `language` ('ja' or 'en'). `host` names the server
    when the reason does not (the mail layer starts its reasons with 'host:port: ')."""
    where = _WHERE.match(reason)
    name = host or (where.group("host") if where else "")
    detail = clean_detail(reason)
    japanese = language == "ja"
    if japanese:
        server = name or "メールサーバー"
    else:
        server = f"the server {name}" if name else "the mail server"
    unplaced = _WHERE.sub("", reason, count=1)  # a port such as 45351 is no SMTP code 535
    for kind, fix, pattern, en, ja in _RULES:
        if pattern.search(detail) or pattern.search(unplaced):  # class names count here
            text = (ja if japanese else en).format(host=name or server, server=server)
            original = "" if kind in _OWN_WORDS else clean_detail(reason, keep_where=True)
            return Failure(kind, text if japanese else _capitalised(text), fix, detail, original)
    table = _GENERIC if name else _GENERIC_NO_HOST
    text = table["ja" if japanese else "en"].format(server=server, detail=detail or "?")
    original = clean_detail(reason, keep_where=True)
    return Failure("other", text if japanese else _capitalised(text), "server", detail, original)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
