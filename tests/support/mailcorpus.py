"""Raw RFC 5322 messages shaped like real mail, for unit and integration tests.

Every builder returns the message as ``bytes`` (CRLF line ends), ready for IMAP APPEND, SMTP or
``parse_headers``. Every builder takes ``from_addr``, ``to``, ``message_id`` and ``subject`` (and
most take ``in_reply_to``/``references``) so integration tests can address samples to throwaway
users and thread them. Message ids are given and returned WITHOUT angle brackets.

The encoders here are written independently of ``trayapp.core.headers`` on purpose: the tests
check the product's decoder against bytes made the way real mailers make them, not against its
own inverse. Importable without pytest.

Named samples (the decoded values the tests expect are the module constants below):

- ``japanese_iso2022jp_inquiry``: Windows-mailer ISO-2022-JP with CP932 extensions (①, 髙, ㈱, ～)
- ``shift_jis_inquiry``, ``raw_utf8_header_inquiry``, ``english_inquiry``
- ``split_utf8_inquiry``: UTF-8 B-words split in the middle of a multibyte character
- ``gmail_vacation_reply`` (Auto-Submitted: auto-replied)
- ``outlook_out_of_office_ja`` (不在通知 with only X-Auto-Response-Suppress)
- ``newsletter`` (List-Unsubscribe, Precedence: bulk), ``mailing_list_post`` (List-Id)
- ``bounce`` (multipart/report, MAILER-DAEMON, Return-Path <>), ``noreply_notification``
- ``message_from_self``, ``broken_headers_message``, ``customer_follow_up``
- ``our_reply`` (In-Reply-To + References), ``our_reply_references_only`` (References only)
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

CRLF = b"\r\n"
JST = timezone(timedelta(hours=9))

# Defaults. Tests that need other addresses pass them in.
SHOP_ADDR = "shop@example.test"
CUSTOMER_ADDR = "customer@example.test"

# What the Japanese samples decode to. ① (NEC row 13), 髙 (NEC-selected IBM extension),
# ㈱ (NEC row 13) and ～ (FULLWIDTH TILDE, CP932's reading of JIS 0x2141) are the characters
# CPython's iso2022_jp codec cannot decode.
JA_CUSTOMER_NAME = "髙橋 一郎"
JA_SUBJECT = "【お問い合わせ】①商品の在庫について（㈱髙橋商店）"
JA_BODY = (
    "ご担当者様\r\n\r\n"
    "いつもお世話になっております。㈱髙橋商店の髙橋です。\r\n"
    "①の商品（型番ＡＢ－１２３）の在庫はございますでしょうか。\r\n"
    "納期は３日～１週間程度を希望しております。\r\n\r\n"
    "よろしくお願いいたします。\r\n"
)
SJIS_CUSTOMER_NAME = "佐藤 花子"
SJIS_SUBJECT = "見積もりのお願い（②番の件）"
SJIS_BODY = "お世話になっております。\r\n②番の見積もりをお願いできますでしょうか。\r\n"
UTF8_CUSTOMER_NAME = "山田 太郎"
UTF8_SUBJECT = "予約の変更について — 来週の火曜日"
SPLIT_SUBJECT = "ご注文の確認と配送日程についてのご相談（至急）"
EN_CUSTOMER_NAME = "Jane Miller"
EN_SUBJECT = "Question about my order #4521"
OOF_SUBJECT = "自動応答: 【お問い合わせ】商品について"
OOF_NEUTRAL_SUBJECT = "【お問い合わせ】商品について"


# --- encoders (independent of the product's decoder) ---------------------------------------


def _sjis_pair_to_jis(b1: int, b2: int) -> tuple[int, int]:
    row = b1 - (0x70 if b1 < 0xA0 else 0xB0)
    if b2 < 0x9F:
        return row * 2 - 1, b2 - 0x1F - (1 if b2 >= 0x80 else 0)
    return row * 2, b2 - 0x7E


def iso2022jp_cp932(text: str) -> bytes:
    """Encode as Windows mailers do (CP50221-style): CP932 bytes mapped back to 7-bit JIS, so
    NEC row 13 (①, ㈱) and NEC-selected IBM extensions (髙) land in JIS rows 13 and 89-92,
    which plain ISO-2022-JP decoders reject. Half-width katakana go out as ESC ( I."""
    out = bytearray()
    mode = "ascii"
    for ch in text:
        code = ch.encode("cp932")
        if len(code) == 1 and code[0] < 0x80:
            want, chunk = "ascii", code
        elif len(code) == 1:  # half-width katakana 0xA1-0xDF
            want, chunk = "kana", bytes([code[0] - 0x80])
        else:
            want, chunk = "jis", bytes(_sjis_pair_to_jis(code[0], code[1]))
        if want != mode:
            out += {"ascii": b"\x1b(B", "kana": b"\x1b(I", "jis": b"\x1b$B"}[want]
            mode = want
        out += chunk
    if mode != "ascii":
        out += b"\x1b(B"
    return bytes(out)


def b_word(data: bytes, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(data).decode('ascii')}?="


def encoded_words(text: str, charset: str, *, chars_per_word: int = 8) -> str:
    """RFC 2047 B-words, one self-contained word per few characters, folded with CRLF SP the
    way Outlook and most Japanese mailers write them."""
    pieces = [text[i : i + chars_per_word] for i in range(0, len(text), chars_per_word)]
    words = [b_word(_encode(piece, charset), charset) for piece in pieces]
    return "\r\n ".join(words)


def split_bytes_words(data: bytes, charset: str, *, bytes_per_word: int) -> str:
    """B-words cut at fixed byte counts, splitting multibyte characters (and ISO-2022-JP escape
    state) across words, as some mailers do. Only decodable by joining the words first."""
    chunks = [data[i : i + bytes_per_word] for i in range(0, len(data), bytes_per_word)]
    return "\r\n ".join(b_word(chunk, charset) for chunk in chunks)


def _encode(text: str, charset: str) -> bytes:
    lowered = charset.lower()
    if lowered == "iso-2022-jp":
        return iso2022jp_cp932(text)
    if lowered in ("shift_jis", "cp932", "windows-31j"):
        return text.encode("cp932")
    return text.encode(lowered)


# --- the generic builder ---------------------------------------------------------------------


def new_message_id(domain: str = "mail.example.test") -> str:
    return f"{uuid.uuid4().hex}@{domain}"


def brackets(message_id: str) -> str:
    return f"<{message_id}>"


def _from_value(name: str | None, addr: str, charset: str, raw8bit: bool) -> bytes:
    if not name:
        return addr.encode("ascii")
    if name.isascii():
        return f'"{name}" <{addr}>'.encode("ascii")
    if raw8bit:
        return _encode(name, charset) + f" <{addr}>".encode("ascii")
    return f"{encoded_words(name, charset)} <{addr}>".encode("ascii")


def _subject_value(subject: str | bytes, charset: str, raw8bit: bool) -> bytes:
    if isinstance(subject, bytes):
        return subject
    if subject.isascii():
        return subject.encode("ascii")
    if raw8bit:
        return _encode(subject, charset)
    return encoded_words(subject, charset).encode("ascii")


def make_message(
    *,
    from_addr: str = CUSTOMER_ADDR,
    from_name: str | None = None,
    to: str | Sequence[str] = SHOP_ADDR,
    cc: Sequence[str] = (),
    subject: str | bytes = "Hello",
    body: str = "Hello,\r\n\r\nCould you help me?\r\n",
    message_id: str | None = None,
    date: datetime | None = None,
    omit_date: bool = False,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    charset: str = "utf-8",
    raw8bit_headers: bool = False,
    from_header: bytes | None = None,
    message_id_header: bytes | None = None,
    content_type: str | None = None,
    extra_headers: Sequence[tuple[str, str | bytes]] = (),
    body_bytes: bytes | None = None,
) -> bytes:
    """A complete message (bytes, CRLF).

    Text header values are encoded in `charset` as RFC 2047 B-words (ISO-2022-JP the Windows
    way, with CP932 extensions), or written as raw 8-bit bytes with `raw8bit_headers`.
    A `bytes` subject, `from_header` or `message_id_header` is written exactly as given.
    `message_id` (None: a fresh one), `in_reply_to` and `references` are ids WITHOUT angle
    brackets. `extra_headers` come after the threading headers, in order.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    lines: list[bytes] = []

    def add(name: str, value: str | bytes) -> None:
        data = value if isinstance(value, bytes) else value.encode("ascii")
        lines.append(name.encode("ascii") + b": " + data)

    add("From", from_header or _from_value(from_name, from_addr, charset, raw8bit_headers))
    add("To", ", ".join(recipients))
    if cc:
        add("Cc", ", ".join(cc))
    add("Subject", _subject_value(subject, charset, raw8bit_headers))
    if not omit_date:
        add("Date", format_datetime(date or datetime.now(JST).replace(microsecond=0)))
    if message_id_header is not None:
        add("Message-ID", message_id_header)
    else:
        add("Message-ID", brackets(message_id or new_message_id()))
    if in_reply_to:
        add("In-Reply-To", brackets(in_reply_to))
    if references:
        add("References", "\r\n ".join(brackets(r) for r in references))
    for name, value in extra_headers:
        add(name, value)
    add("MIME-Version", "1.0")
    if body_bytes is None:
        body_bytes = _encode(body, charset)
    if content_type is None:
        label = "ISO-2022-JP" if charset.lower() == "iso-2022-jp" else charset
        add("Content-Type", f"text/plain; charset={label}")
        add("Content-Transfer-Encoding", "7bit" if body_bytes.isascii() else "8bit")
    else:
        add("Content-Type", content_type)
    body_bytes = body_bytes.replace(b"\r\n", b"\n").replace(b"\n", CRLF)
    return CRLF.join(lines) + CRLF + CRLF + body_bytes


def header_block(message: bytes) -> bytes:
    """The header section of a message, ending with the empty line, as IMAP returns it for
    BODY.PEEK[HEADER] (HEADER.FIELDS returns a subset of these lines)."""
    end = message.find(b"\r\n\r\n")
    return message if end < 0 else message[: end + 4]


# --- inquiries -------------------------------------------------------------------------------


def japanese_iso2022jp_inquiry(
    *,
    from_addr: str = "takahashi@example.test",
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = JA_SUBJECT,
    from_name: str = JA_CUSTOMER_NAME,
    date: datetime | None = None,
) -> bytes:
    """Outlook-style ISO-2022-JP with CP932 extensions (① and ㈱ in JIS row 13, 髙 in row 92):
    the subject in several self-contained B-words, the sender's name cut at a byte count that
    splits the JIS stream (those words decode only when joined). CPython's email package
    leaves such words undecoded."""
    name_words = split_bytes_words(iso2022jp_cp932(from_name), "ISO-2022-JP", bytes_per_word=7)
    return make_message(
        from_addr=from_addr,
        to=to,
        from_header=f"{name_words} <{from_addr}>".encode("ascii"),
        subject=encoded_words(subject, "ISO-2022-JP", chars_per_word=6).encode("ascii"),
        body=JA_BODY,
        message_id=message_id,
        date=date,
        charset="iso-2022-jp",
        extra_headers=[
            ("X-Mailer", "Microsoft Outlook 16.0"),
            ("Thread-Index", "AdpHc2VtYWlsLWV4YW1wbGU="),
            ("Content-Language", "ja"),
        ],
    )


def shift_jis_inquiry(
    *,
    from_addr: str = "sato@example.test",
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = SJIS_SUBJECT,
    from_name: str = SJIS_CUSTOMER_NAME,
    date: datetime | None = None,
) -> bytes:
    """Shift_JIS-labelled B-words (with the CP932 character ②) and an 8-bit Shift_JIS body,
    as older Japanese Windows and feature-phone mailers send."""
    return make_message(
        from_addr=from_addr,
        from_name=from_name,
        to=to,
        subject=subject,
        body=SJIS_BODY,
        message_id=message_id,
        date=date,
        charset="Shift_JIS",
        extra_headers=[("X-Mailer", "Becky! ver. 2.81.04")],
    )


def raw_utf8_header_inquiry(
    *,
    from_addr: str = "yamada@example.test",
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = UTF8_SUBJECT,
    from_name: str = UTF8_CUSTOMER_NAME,
    date: datetime | None = None,
) -> bytes:
    """Unencoded 8-bit UTF-8 in From and Subject (RFC 6532 style; web forms and phones)."""
    return make_message(
        from_addr=from_addr,
        from_name=from_name,
        to=to,
        subject=subject,
        body="来週火曜日の予約を水曜日に変更できますか？\r\n",
        message_id=message_id,
        date=date,
        charset="utf-8",
        raw8bit_headers=True,
    )


def split_utf8_inquiry(
    *,
    from_addr: str = "suzuki@example.test",
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = SPLIT_SUBJECT,
    date: datetime | None = None,
) -> bytes:
    """UTF-8 B-words cut every 10 bytes, so three-byte characters straddle words."""
    words = split_bytes_words(subject.encode("utf-8"), "UTF-8", bytes_per_word=10)
    return make_message(
        from_addr=from_addr,
        to=to,
        subject=words.encode("ascii"),
        body="配送日程について相談させてください。\r\n",
        message_id=message_id,
        date=date,
    )


def english_inquiry(
    *,
    from_addr: str = "jane.miller@example.test",
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = EN_SUBJECT,
    from_name: str = EN_CUSTOMER_NAME,
    date: datetime | None = None,
) -> bytes:
    return make_message(
        from_addr=from_addr,
        from_name=from_name,
        to=to,
        subject=subject,
        body="Hi,\r\n\r\nMy order #4521 has not arrived yet. Could you check?\r\n\r\nJane\r\n",
        message_id=message_id,
        date=date,
        extra_headers=[("X-Mailer", "Apple Mail (2.3774.500.171.1.1)")],
    )


def customer_follow_up(
    *,
    from_addr: str = CUSTOMER_ADDR,
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = "Re: " + EN_SUBJECT,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    from_name: str = EN_CUSTOMER_NAME,
    date: datetime | None = None,
) -> bytes:
    """The customer writes again after our reply: it names our reply, and waits again."""
    return make_message(
        from_addr=from_addr,
        from_name=from_name,
        to=to,
        subject=subject,
        body="Thanks. One more question: can I change the delivery address?\r\n",
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        date=date,
    )


# --- our own replies (for the Sent folder) --------------------------------------------------


def our_reply(
    *,
    from_addr: str = SHOP_ADDR,
    to: str | Sequence[str] = CUSTOMER_ADDR,
    message_id: str | None = None,
    subject: str = "Re: " + EN_SUBJECT,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    date: datetime | None = None,
) -> bytes:
    """A normal reply: In-Reply-To names the parent, References the whole thread. When only
    `in_reply_to` is given, References is that id (as mailers do)."""
    refs = list(references) or ([in_reply_to] if in_reply_to else [])
    return make_message(
        from_addr=from_addr,
        from_name="Example Shop",
        to=to,
        subject=subject,
        body="Thank you for your message. We will reply by tomorrow noon.\r\n",
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=refs,
        date=date,
        extra_headers=[("User-Agent", "Mozilla Thunderbird")],
    )


def our_reply_references_only(
    *,
    from_addr: str = SHOP_ADDR,
    to: str | Sequence[str] = CUSTOMER_ADDR,
    message_id: str | None = None,
    subject: str = "Re: " + EN_SUBJECT,
    references: Sequence[str] = (),
    date: datetime | None = None,
) -> bytes:
    """A reply whose mailer wrote References but no In-Reply-To (some webmails and mobile
    clients do): only References says what it answers."""
    return make_message(
        from_addr=from_addr,
        from_name="Example Shop",
        to=to,
        subject=subject,
        body="Thank you, we are checking and will answer today.\r\n",
        message_id=message_id,
        references=references,
        date=date,
    )


def message_from_self(
    *,
    from_addr: str = SHOP_ADDR,
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = "メモ: 明日の発送分",
    date: datetime | None = None,
) -> bytes:
    """A note the user mailed to themselves (or a Bcc copy of their own mail)."""
    return make_message(
        from_addr=from_addr.upper(),  # case differs on purpose: self matching ignores case
        from_name="Example Shop",
        to=to,
        subject=subject,
        body="明日発送: #4521, #4522\r\n",
        message_id=message_id,
        date=date,
    )


# --- automated, bulk and list mail -----------------------------------------------------------


def gmail_vacation_reply(
    *,
    from_addr: str = "partner@example.test",
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = "Out of office until Monday",
    in_reply_to: str | None = None,
    date: datetime | None = None,
) -> bytes:
    """Gmail's vacation responder: Auto-Submitted: auto-replied (RFC 3834), nothing else."""
    return make_message(
        from_addr=from_addr,
        from_name="Ken Partner",
        to=to,
        subject=subject,
        body="I am out of the office until Monday and will reply then.\r\n",
        message_id=message_id,
        in_reply_to=in_reply_to,
        date=date,
        extra_headers=[("Auto-Submitted", "auto-replied")],
    )


def outlook_out_of_office_ja(
    *,
    from_addr: str = "tanaka@example.test",
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = OOF_SUBJECT,
    date: datetime | None = None,
) -> bytes:
    """Outlook's 不在通知 (out-of-office) in Japanese. It carries no Auto-Submitted, no
    Precedence: only X-Auto-Response-Suppress says it is automated."""
    return make_message(
        from_addr=from_addr,
        from_name="田中 美咲",
        to=to,
        subject=subject,
        body="申し訳ございませんが、５月６日まで不在にしております。\r\n",
        message_id=message_id,
        date=date,
        charset="iso-2022-jp",
        extra_headers=[
            ("Thread-Topic", encoded_words(OOF_NEUTRAL_SUBJECT, "ISO-2022-JP")),
            ("Thread-Index", "AQHaZmVkYWN0ZWQ="),
            ("X-MS-Has-Attach", ""),
            ("X-Auto-Response-Suppress", "All"),
            ("X-MS-Exchange-Inbox-Rules-Loop", from_addr),
            ("Content-Language", "ja-JP"),
        ],
    )


def newsletter(
    *,
    from_addr: str = "news@shop-news.example.test",
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = "【5月号】新商品のご案内",
    date: datetime | None = None,
) -> bytes:
    """A marketing newsletter: List-Unsubscribe (+ one-click), Precedence: bulk, Feedback-ID."""
    return make_message(
        from_addr=from_addr,
        from_name="ショップニュース",
        to=to,
        subject=subject,
        content_type="text/html; charset=UTF-8",
        body_bytes="<html><body><p>新商品のご案内です。</p></body></html>\r\n".encode(),
        message_id=message_id,
        date=date,
        extra_headers=[
            (
                "List-Unsubscribe",
                "<mailto:unsubscribe@shop-news.example.test?subject=unsubscribe>,\r\n"
                " <https://shop-news.example.test/unsubscribe?u=8f2a>",
            ),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("Precedence", "bulk"),
            ("Feedback-ID", "campaign-0512:newsletter:esp.example.test"),
        ],
    )


def mailing_list_post(
    *,
    from_addr: str = "member@example.test",
    to: str | Sequence[str] = "users@lists.example.test",
    message_id: str | None = None,
    subject: str = "[users] Release 2.1 is out",
    date: datetime | None = None,
) -> bytes:
    """A Mailman 3 list post. List-Id is the mark of a list; it arrives with the member's own
    From, so the sender alone does not give it away."""
    return make_message(
        from_addr=from_addr,
        from_name="List Member",
        to=to,
        subject=subject,
        body="Hello all, release 2.1 is out.\r\n",
        message_id=message_id,
        date=date,
        extra_headers=[
            ("List-Id", "Users of the example project <users.lists.example.test>"),
            ("List-Post", "<mailto:users@lists.example.test>"),
            ("List-Help", "<mailto:users-request@lists.example.test?subject=help>"),
            ("Sender", "users-bounces@lists.example.test"),
        ],
    )


def bounce(
    *,
    from_addr: str = "MAILER-DAEMON@mx.example.test",
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = "Undelivered Mail Returned to Sender",
    failed_recipient: str = "nobody@invalid.example.test",
    date: datetime | None = None,
) -> bytes:
    """A Postfix delivery status notification: Return-Path <>, MAILER-DAEMON,
    multipart/report; report-type=delivery-status."""
    boundary = "B1A2C3D4E5.1715000000/mx.example.test"
    body = (
        "This is a MIME-encapsulated message.\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Description: Notification\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.example.test.\r\n\r\n"
        "I'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients.\r\n\r\n"
        f"<{failed_recipient}>: host not found\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Description: Delivery report\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.test\r\n\r\n"
        f"Final-Recipient: rfc822; {failed_recipient}\r\n"
        "Action: failed\r\n"
        "Status: 5.1.2\r\n\r\n"
        f"--{boundary}--\r\n"
    )
    return make_message(
        from_addr=from_addr,
        from_name="Mail Delivery System",
        to=to,
        subject=subject,
        content_type=f'multipart/report; report-type=delivery-status;\r\n boundary="{boundary}"',
        body_bytes=body.encode("ascii"),
        message_id=message_id,
        date=date,
        extra_headers=[("Return-Path", "<>"), ("Auto-Submitted", "auto-replied")],
    )


def noreply_notification(
    *,
    from_addr: str = "no-reply@notify.example.test",
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = "ご利用明細のお知らせ",
    date: datetime | None = None,
) -> bytes:
    """A service notification from a no-reply address, without list headers: only the
    sender's local part marks it."""
    return make_message(
        from_addr=from_addr,
        from_name="Example Bank",
        to=to,
        subject=subject,
        body="ご利用明細が確定しました。このメールには返信できません。\r\n",
        message_id=message_id,
        date=date,
    )


def broken_headers_message(
    *,
    from_addr: str = "broken@example.test",
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str = "garbage",
    subject: bytes = (
        b"=?utf-8?B?5pel5pys?= =?x-unknown-8bit?Q?caf=E9?= =?iso-2022-jp?B?GyRCJDMkcyRLJEEkTxsoQg?="
        b" =?utf-8?B?5pel5pys5a?= tail"
    ),
    date: datetime | None = None,
) -> bytes:
    """A real inquiry with broken headers: an unknown charset label, base64 without padding,
    truncated base64 (half a character), a sender name in a charset label that does not
    exist, no Date, and a Message-ID that is not an id (written as given)."""
    return make_message(
        from_addr=from_addr,
        from_header=f"=?x-no-such-charset?Q?Br=F6ken_Sender?= <{from_addr}>".encode("ascii"),
        to=to,
        subject=subject,
        body="Hello, is this working?\r\n",
        message_id_header=message_id.encode("ascii"),
        omit_date=True,
        date=date,
    )


# --- bodies in the shapes real mailers send (for previews) ----------------------------------

ALT_PLAIN_BODY = (
    "Hello,\r\n\r\n"
    "Could I change the *delivery address* for order #4521? We moved last week.\r\n\r\n"
    "Best regards,\r\nJane\r\n"
)
ALT_HTML_BODY = (
    '<div dir="ltr"><div>Hello,</div><div><br></div>'
    "<div>Could I change the <b>delivery address</b> for order #4521? We moved last week."
    "</div><div><br></div><div>Best regards,<br>Jane</div></div>\r\n"
)
HTML_ONLY_TEXT = "ホームページのお問い合わせフォームから送信されました。"
HTML_ONLY_TRACKER = "https://tracker.example.test/open.gif?u=8f2a"
HTML_ONLY_BODY = (
    "<!DOCTYPE html>\r\n<html><head>\r\n"
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n'
    "<title>お問い合わせ</title>\r\n"
    "<style>body { font-family: sans-serif; } .label { color: #666; } "
    "/* <p>not text</p> */</style>\r\n"
    '<script type="text/javascript">document.write("script text");</script>\r\n'
    "</head><body>\r\n"
    f'<img src="{HTML_ONLY_TRACKER}" width="1" height="1" alt="">\r\n'
    f"<p>{HTML_ONLY_TEXT}</p>\r\n"
    '<table><tr><td class="label">お名前</td><td>中村&nbsp;美咲</td></tr>\r\n'
    '<tr><td class="label">内容</td><td>営業時間を教えてください。&lt;土日&gt;も営業していますか？'
    "</td></tr></table>\r\n"
    '<p><a href="https://shop.example.test/contact?ref=form">お問い合わせフォーム</a></p>\r\n'
    "</body></html>\r\n"
)
SJIS_B64_BODY = (
    "お世話になっております。ｶﾀｶﾅ商事の田中です。\r\n"
    "②番の商品を１０個、見積もりをお願いできますでしょうか。\r\n\r\n"
    "田中\r\n"
)
QUOTED_REPLY_BODY = (
    "ありがとうございます。配送先の変更もお願いできますか？\r\n\r\n"
    "2024年6月3日(月) 10:00 Ippo Shop <shop@example.test>:\r\n"
    "> お問い合わせありがとうございます。\r\n"
    "> 在庫はございます。\r\n"
)


def _qp(text: str, charset: str = "utf-8") -> bytes:
    """Quoted-printable the way mailers write it (soft breaks at 76), independent of the
    product's decoder."""
    import quopri

    return quopri.encodestring(text.encode(charset).replace(b"\r\n", b"\n"))


def _b64_lines(data: bytes) -> bytes:
    encoded = base64.b64encode(data)
    return b"\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76)) + b"\r\n"


def alternative_inquiry(
    *,
    from_addr: str = "jane.miller@example.test",
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = "Change of delivery address",
    from_name: str = EN_CUSTOMER_NAME,
    date: datetime | None = None,
) -> bytes:
    """Gmail-style multipart/alternative: text/plain and text/html, both quoted-printable
    UTF-8. The plain part writes bold as *delivery address* (so a test can tell the parts)."""
    boundary = "000000000000a1b2c3d4e5f60718"
    body = (
        f"--{boundary}\r\n".encode()
        + b'Content-Type: text/plain; charset="UTF-8"\r\n'
        + b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        + _qp(ALT_PLAIN_BODY)
        + f"\r\n--{boundary}\r\n".encode()
        + b'Content-Type: text/html; charset="UTF-8"\r\n'
        + b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        + _qp(ALT_HTML_BODY)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return make_message(
        from_addr=from_addr,
        from_name=from_name,
        to=to,
        subject=subject,
        content_type=f'multipart/alternative; boundary="{boundary}"',
        body_bytes=body,
        message_id=message_id,
        date=date,
    )


def html_only_inquiry(
    *,
    from_addr: str = "form@shop.example.test",
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = "【お問い合わせ】営業時間について",
    date: datetime | None = None,
) -> bytes:
    """A contact-form mail: HTML only (8-bit UTF-8, charset only in a <meta>), with a style
    block, a script, a remote tracking image and a link -- none of which may reach a preview."""
    return make_message(
        from_addr=from_addr,
        from_name="お問い合わせフォーム",
        to=to,
        subject=subject,
        content_type="text/html",
        body_bytes=HTML_ONLY_BODY.encode("utf-8"),
        message_id=message_id,
        date=date,
        extra_headers=[("Content-Transfer-Encoding", "8bit")],
    )


def base64_shift_jis_inquiry(
    *,
    from_addr: str = "tanaka@example.test",
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = SJIS_SUBJECT,
    from_name: str = "田中 一郎",
    date: datetime | None = None,
) -> bytes:
    """A Shift_JIS body sent base64 (as some Japanese web mailers and phones do), with the
    CP932 character ② and half-width katakana."""
    return make_message(
        from_addr=from_addr,
        from_name=from_name,
        to=to,
        subject=subject,
        charset="Shift_JIS",
        content_type="text/plain; charset=Shift_JIS",
        body_bytes=_b64_lines(SJIS_B64_BODY.encode("cp932")),
        message_id=message_id,
        date=date,
        extra_headers=[("Content-Transfer-Encoding", "base64")],
    )


def quoted_reply_inquiry(
    *,
    from_addr: str = CUSTOMER_ADDR,
    to: str | Sequence[str] = SHOP_ADDR,
    message_id: str | None = None,
    subject: str = "Re: 【お問い合わせ】商品について",
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    date: datetime | None = None,
) -> bytes:
    """A customer's answer above Gmail's Japanese attribution line and our quoted text."""
    return make_message(
        from_addr=from_addr,
        from_name="中村 美咲",
        to=to,
        subject=subject,
        body=QUOTED_REPLY_BODY,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        date=date,
    )


# Expected decodings of the default broken subject (best text, never an exception).
BROKEN_SUBJECT_DECODED = "日本caféこんにちは日本\ufffd tail"

# name -> (builder, the classifier's expected reason: None for a real inquiry)
INQUIRY_SAMPLES = {
    "japanese_iso2022jp_inquiry": japanese_iso2022jp_inquiry,
    "shift_jis_inquiry": shift_jis_inquiry,
    "raw_utf8_header_inquiry": raw_utf8_header_inquiry,
    "split_utf8_inquiry": split_utf8_inquiry,
    "english_inquiry": english_inquiry,
    "customer_follow_up": customer_follow_up,
    "broken_headers_message": broken_headers_message,
}
NON_INQUIRY_SAMPLES = {
    "gmail_vacation_reply": (gmail_vacation_reply, "automated"),
    "outlook_out_of_office_ja": (outlook_out_of_office_ja, "automated"),
    "newsletter": (newsletter, "bulk"),
    "mailing_list_post": (mailing_list_post, "list"),
    "bounce": (bounce, "bounce"),
    "noreply_notification": (noreply_notification, "system-sender"),
    "message_from_self": (message_from_self, "self"),
}


def jis_to_text(data: bytes) -> str:
    """ISO-2022-JP with CP932 extensions, decoded the way Windows-aware readers do (JIS code
    back to Shift_JIS, then cp932) -- independent of the encoder under test."""
    out = bytearray()
    jis = False
    i = 0
    while i < len(data):
        if data[i : i + 3] == b"\x1b$B":
            jis, i = True, i + 3
        elif data[i : i + 3] == b"\x1b(B":
            jis, i = False, i + 3
        elif jis and data[i] not in b"\r\n":
            row, cell = data[i], data[i + 1]
            lead = ((row + 1) >> 1) + (0x70 if row <= 0x5E else 0xB0)
            trail = cell + (0x1F if row % 2 else 0x7E)
            if row % 2 and cell >= 0x60:
                trail += 1
            out += bytes((lead, trail))
            i += 2
        else:
            out.append(data[i])
            i += 1
    return out.decode("cp932")
