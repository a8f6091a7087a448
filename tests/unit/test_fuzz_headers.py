"""Fuzzing header decoding and reply building (hypothesis), in a fixed budget: a bounded number
of examples per test, no deadline flakiness, no example database, derandomised so CI runs the
same examples every time. No exception escapes; no produced header holds CR, LF or another
control character; every reply carries exactly the headers Ippo set."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import hostile
from trayapp.core.headers import decode_header_value, parse_headers
from trayapp.core.model import AccountConfig, Inquiry
from trayapp.core.recipients import check_recipients
from trayapp.core.reply import UnsafeReply, build_reply
from trayapp.core.safetext import MAX_KEPT, has_controls

BUDGET = settings(
    max_examples=150,
    deadline=None,  # time is bounded by max_examples; per-example deadlines flake on CI
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)

# Text an attacker would try: line breaks of every kind, controls, bidi, JIS escapes, words.
NASTY = st.sampled_from(
    [
        "\r\n",
        "\n",
        "\r",
        "\r\n\r\n",
        "\x00",
        "\x1b[2J",
        "\x85",
        "\u2028",
        "\u202e",
        "\u200b",
        "\ufeff",
        "Bcc: evil@attacker.example",
        "=?utf-8?b?",
        "?=",
        "=?",
        "\x1b$B",
        "\x1b(B",
        "①髙㈱～",
        "\t",
        ";",
        "<",
        ">",
        '"',
        ",",
    ]
)
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=12)), max_size=12).map("".join)
CHARSETS = st.sampled_from(["utf-8", "UTF-8", "iso-2022-jp", "shift_jis", "euc-jp", "x-unknown"])


@st.composite
def encoded_word(draw: st.DrawFn) -> str:
    text = draw(TEXT)
    charset = draw(CHARSETS)
    try:
        data = text.encode(
            "iso2022_jp_ext" if charset == "iso-2022-jp" else charset, "surrogatepass"
        )
    except (LookupError, UnicodeEncodeError):
        data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        return f"=?{charset}?B?{base64.b64encode(data).decode('ascii')}?="
    quoted = "".join(f"={b:02X}" for b in data)
    return f"=?{charset}?Q?{quoted}?="


HEADER_VALUE = st.lists(st.one_of(encoded_word(), TEXT), max_size=5).map(" ".join)


def clean(value: str) -> bool:
    return not has_controls(value)


@BUDGET
@given(st.one_of(HEADER_VALUE, st.binary(max_size=200)))
def test_decoding_any_value_gives_one_clean_line(raw: str | bytes) -> None:
    text = decode_header_value(raw)
    assert clean(text)
    assert "\u202e" not in text and "\u200b" not in text


@BUDGET
@given(subject=HEADER_VALUE, name=HEADER_VALUE, reply_to=st.lists(TEXT, max_size=4))
def test_parsing_a_header_block_never_raises(subject: str, name: str, reply_to: list[str]) -> None:
    block = (
        f'From: "{name}" <a@customer.example>\r\nSubject: {subject}\r\n'
        f"Reply-To: {', '.join(reply_to)}\r\n\r\n"
    ).encode("utf-8", "surrogatepass")
    headers = parse_headers(block)
    assert clean(headers.subject) and clean(headers.from_name) and clean(headers.sender)
    assert len(headers.subject) <= MAX_KEPT


ADDRESS = st.from_regex(
    r"\A[a-z0-9_+-]{1,8}(\.[a-z0-9_-]{1,5})?@[a-z0-9]{1,10}\.(example|jp|test)\Z"
)


@BUDGET
@given(
    subject=st.one_of(TEXT, HEADER_VALUE.map(decode_header_value)),
    name=TEXT,
    sender=ADDRESS,
    reply_to=st.lists(ADDRESS, max_size=5),
    body=TEXT,
    message_id=st.one_of(st.none(), TEXT, st.just("x@y.example")),
    references=st.lists(TEXT, max_size=3),
    charset=st.sampled_from(["utf-8", "iso-2022-jp"]),
)
def test_any_reply_carries_exactly_our_headers(
    subject: str,
    name: str,
    sender: str,
    reply_to: list[str],
    body: str,
    message_id: str | None,
    references: list[str],
    charset: str,
) -> None:
    inquiry = Inquiry(
        id="i",
        account="shop",
        folder="INBOX",
        uidvalidity=1,
        uid=1,
        message_id=message_id,
        sender=f"{name} <{sender}>",
        sender_addr=sender,
        subject=subject,
        received_at=NOW,
        due_at=NOW + timedelta(days=1),
        reply_to=tuple(reply_to),
        references=tuple(references),
    )
    account = AccountConfig(
        name="shop",
        email="shop@example.test",
        imap_host="imap.example.test",
        reply_charset=charset,  # type: ignore[arg-type]
    )
    recipients = check_recipients(inquiry).recipients
    try:
        reply = build_reply(account, inquiry, body, NOW, recipients=recipients)
    except UnsafeReply:
        return  # refused with a reason: acceptable; an injected header never is
    raw = reply.message.as_bytes()
    head = raw.partition(b"\r\n\r\n")[0]
    assert hostile.only_our_headers(raw), hostile.header_names(raw)
    assert b"\r\n\r\n" not in head and all(b"\r" not in ln for ln in head.split(b"\r\n"))
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))
    for value in reply.message.values():
        assert clean(str(value).replace("\r\n ", " ").replace("\n ", " "))
    assert reply.recipients == recipients
