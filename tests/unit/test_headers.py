"""Header decoding: every rule, with mail shaped the way real mailers write it."""

from __future__ import annotations

import base64
import email
import random
import time
from datetime import UTC, datetime, timedelta, timezone
from email import policy

import pytest

from tests.support import mailcorpus as corpus
from trayapp.core import classify
from trayapp.core.headers import (
    HEADER_FIELDS,
    SENT_HEADER_FIELDS,
    decode_header_value,
    parse_headers,
)
from trayapp.core.model import PARSED_FIELDS, MessageHeaders
from trayapp.core.safetext import MAX_KEPT


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- the Windows ISO-2022-JP case that CPython gets wrong ------------------------------------


def test_cpython_email_leaves_cp932_extension_words_undecoded() -> None:
    """The reason headers.py exists: the stdlib leaves ①/髙/㈱ words encoded, silently."""
    raw = corpus.japanese_iso2022jp_inquiry()
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] != corpus.JA_SUBJECT
    assert "=?ISO-2022-JP?B?" in str(message["Subject"])
    assert corpus.JA_CUSTOMER_NAME not in str(message["From"])


def test_iso2022jp_with_cp932_extensions_decodes_subject_and_name() -> None:
    headers = parse_headers(corpus.header_block(corpus.japanese_iso2022jp_inquiry()))
    assert headers.subject == corpus.JA_SUBJECT
    assert headers.from_name == corpus.JA_CUSTOMER_NAME  # its words cut the JIS stream
    assert headers.from_addr == "takahashi@example.test"
    assert headers.sender == f"{corpus.JA_CUSTOMER_NAME} <takahashi@example.test>"


@pytest.mark.parametrize("text", ["①②⑩", "髙﨑", "㈱㈲", "３日～１週間", "ﾊﾝｶｸｶﾅ", "ｱ漢字ｲ"])
def test_each_windows_extension_round_trips(text: str) -> None:
    word = corpus.b_word(corpus.iso2022jp_cp932(text), "ISO-2022-JP")
    assert decode_header_value(word) == text


def test_wave_dash_reads_as_windows_fullwidth_tilde() -> None:
    """JIS 0x2141 is what Windows mailers send for ～ (U+FF5E); CP932 reads it back so."""
    word = corpus.b_word(b"\x1b$B#3F|!A\x1b(B", "iso-2022-jp")
    assert decode_header_value(word) == "３日～"


def test_python_codecs_really_lack_these_characters() -> None:
    """Checked, not assumed: no iso2022 codec of Python decodes NEC row 13 or row 92 in JIS."""
    for codec in ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004"):
        with pytest.raises(UnicodeDecodeError):
            b"\x1b$B-!|b\x1b(B".decode(codec)
    assert decode_header_value(b"\x1b$B-!|b\x1b(B") == "①髙"


# --- RFC 2047 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=?UTF-8?B?44GT44KT44Gr44Gh44Gv?=", "こんにちは"),
        ("=?utf-8?q?caf=C3=A9_au_lait?=", "café au lait"),
        ("=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard"),
        ("=?iso-8859-1?q?this=20is=20some=20text?=", "this is some text"),
        ("=?windows-1252?Q?=93quoted=94?=", "\u201cquoted\u201d"),
        ("=?KOI8-R?B?8NLJ18XU?=", "Привет"),
        ("=?utf-8*ja?B?5pel5pys?=", "日本"),  # RFC 2231 language tag
        ("Re: =?utf-8?B?5pel5pys?=", "Re: 日本"),
        ("=?utf-8?B?5pel5pys?=-san", "日本-san"),
        ("Re:=?utf-8?B?5pel5pys?=", "Re:日本"),
    ],
)
def test_encoded_words(raw: str, expected: str) -> None:
    assert decode_header_value(raw) == expected


def test_whitespace_between_encoded_words_is_dropped_but_not_around_text() -> None:
    raw = "=?utf-8?B?5pel?=  \r\n\t=?utf-8?B?5pys?= and =?iso-8859-1?Q?caf=E9?=\r\n =?utf-8?Q?!?="
    assert decode_header_value(raw) == "日本 and café!"


def test_adjacent_words_of_one_charset_are_joined_before_decoding() -> None:
    headers = parse_headers(corpus.header_block(corpus.split_utf8_inquiry()))
    assert headers.subject == corpus.SPLIT_SUBJECT
    # The same text decoded word by word would be broken: the join is what makes it work.
    split = corpus.split_bytes_words(corpus.SPLIT_SUBJECT.encode(), "UTF-8", bytes_per_word=10)
    word_by_word = "".join(decode_header_value(w) for w in split.split("\r\n "))
    assert word_by_word != corpus.SPLIT_SUBJECT


def test_jis_stream_split_across_words_mid_escape_state() -> None:
    jis = corpus.iso2022jp_cp932("髙橋①商店")
    words = corpus.split_bytes_words(jis, "ISO-2022-JP", bytes_per_word=5)
    assert decode_header_value(words) == "髙橋①商店"


def test_shift_jis_labels() -> None:
    data = "見積もり②".encode("cp932")
    for label in ("Shift_JIS", "shift-jis", "SJIS", "x-sjis", "windows-31j", "CP932", "MS932"):
        assert decode_header_value(corpus.b_word(data, label)) == "見積もり②"


def test_shift_jis_inquiry_sample() -> None:
    headers = parse_headers(corpus.header_block(corpus.shift_jis_inquiry()))
    assert headers.subject == corpus.SJIS_SUBJECT
    assert headers.from_name == corpus.SJIS_CUSTOMER_NAME


def test_euc_jp_labels_including_nec_extensions() -> None:
    assert decode_header_value(corpus.b_word("お問い合わせ".encode("euc_jp"), "EUC-JP")) == (
        "お問い合わせ"
    )
    # ① is 0xADA1 in EUC-JP (eucJP-ms); Python's euc_jp codec cannot read it.
    assert decode_header_value(corpus.b_word(b"\xad\xa1\xa4\xa2", "x-euc-jp")) == "①あ"


def test_mislabelled_shift_jis_as_iso2022jp_still_reads() -> None:
    word = corpus.b_word("ご確認".encode("cp932"), "ISO-2022-JP")
    assert decode_header_value(word) == "ご確認"


# --- raw 8-bit and unlabelled JIS --------------------------------------------------------------


def test_raw_utf8_headers() -> None:
    headers = parse_headers(corpus.header_block(corpus.raw_utf8_header_inquiry()))
    assert headers.subject == corpus.UTF8_SUBJECT
    assert headers.from_name == corpus.UTF8_CUSTOMER_NAME
    assert headers.from_addr == "yamada@example.test"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ご注文①について".encode(), "ご注文①について"),
        ("ご注文①について".encode("cp932"), "ご注文①について"),
        ("お問い合わせの件".encode("euc_jp"), "お問い合わせの件"),
        ("テスト".encode("euc_jp"), "テスト"),  # as CP932 this would be half-width kana soup
        ("Müller Grüße".encode("latin-1"), "Müller Grüße"),
        (b"Br\xf6ken", "Bröken"),  # CP932 would read a user-defined (private) character
    ],
)
def test_raw_8bit_fallback_order(raw: bytes, expected: str) -> None:
    assert decode_header_value(raw) == expected


def test_unlabelled_iso2022jp_escape_sequences_in_raw_header() -> None:
    raw = b"Re: " + corpus.iso2022jp_cp932("お見積り①") + b" (2)"
    assert decode_header_value(raw) == "Re: お見積り① (2)"
    # The same arriving as text (e.g. from a str-based parser) decodes too.
    assert decode_header_value(raw.decode("ascii")) == "Re: お見積り① (2)"


def test_str_with_surrogate_escapes_is_read_as_bytes() -> None:
    text = "予約".encode("cp932").decode("ascii", "surrogateescape")
    assert decode_header_value(text) == "予約"


def test_unfolding() -> None:
    assert decode_header_value(b"Hello\r\n world,\r\n\tagain") == "Hello world, again"
    assert decode_header_value("a\n b") == "a b"


# --- broken input: best text, never an exception -----------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=?utf-8?B?5pel5pys5a?=", "日本\ufffd"),  # truncated: half a character
        ("=?utf-8?B?5pel5pys?", "=?utf-8?B?5pel5pys?"),  # unterminated word stays text
        ("=?iso-2022-jp?B?GyRCJDMkcyRLJEEkTxsoQg?=", "こんにちは"),  # padding missing
        ("=?utf-8?B?5pel5p=ys?=", "日\ufffd"),  # padding in the middle
        ("=?utf-8?B?5p*el5pys?=", "日本"),  # a stray character
        ("=?x-unknown?Q?caf=E9?=", "café"),  # unknown label: raw 8-bit rules
        ("=?base64?B?5pel5pys?=", "日本"),  # a codec name that is not a charset
        ("=?utf-8?X?abc?=", "=?utf-8?X?abc?="),  # no such encoding
        ("=?utf-8?Q?bad=ZZhex?=", "bad=ZZhex"),
        ("=??B?5pel?=", "=??B?5pel?="),
        ("", ""),
    ],
)
def test_broken_encodings_give_best_text(raw: str, expected: str) -> None:
    assert decode_header_value(raw) == expected


def test_broken_headers_sample() -> None:
    headers = parse_headers(corpus.header_block(corpus.broken_headers_message()))
    assert headers.subject == corpus.BROKEN_SUBJECT_DECODED
    assert headers.from_name == "Bröken Sender"
    assert headers.from_addr == "broken@example.test"
    assert headers.message_id is None
    assert headers.date is None


def test_decode_never_raises_on_random_input() -> None:
    pieces = [
        b"=?", b"?=", b"?B?", b"?Q?", b"utf-8", b"iso-2022-jp", b"\x1b$B", b"\x1b(B", b"\x1b(I",
        b"\x1b$(D", b"\x1b", b"\r\n ", b"\x00", b"\xff", b"\x8e", b"\x8f", b"=E9", b"_", b"5pel",
        b"GyRC", b"\xe6\x97", b"\x82\xa0", b"-!", b"|b", b" ", b"<", b">", b"@", b"(", b'"',
    ]  # fmt: skip
    rng = random.Random(20240501)
    for _ in range(3000):
        raw = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        assert isinstance(decode_header_value(raw), str)
        assert isinstance(decode_header_value(raw.decode("latin-1")), str)
        block = b"Subject: " + raw + b"\r\nFrom: " + raw + b"\r\nReferences: " + raw + b"\r\n"
        assert isinstance(parse_headers(block), MessageHeaders)


def test_decoded_text_has_no_control_characters() -> None:
    assert decode_header_value(b"a\x00b\x07c\td") == "abc d"


# --- parse_headers ---------------------------------------------------------------------------


def block(*lines: str | bytes) -> bytes:
    encoded = [line if isinstance(line, bytes) else line.encode() for line in lines]
    return b"\r\n".join(encoded) + b"\r\n\r\n"


def test_parse_headers_full_block() -> None:
    raw = block(
        'From: "Jane Miller" <Jane.Miller@Example.TEST>',
        "Reply-To: Orders <ORDERS@example.test>, other@example.test",
        "To: shop@example.test, =?utf-8?B?5pel5pys?= <JP@example.test>",
        "Cc: a@example.test,",
        " B@example.test",
        "Subject: Question",
        "Date: Tue, 07 May 2024 10:15:00 +0900",
        "Message-ID: <abc.123@mail.example.test>",
        "In-Reply-To: <parent@example.test>",
        "References: <root@example.test>",
        "\t<parent@example.test>",
        "Precedence: bulk",
        "precedence: list",
        "X-Custom: not read by anything",
    )
    headers = parse_headers(raw)
    assert headers.from_name == "Jane Miller"
    assert headers.from_addr == "jane.miller@example.test"
    assert headers.reply_to == ("orders@example.test", "other@example.test")
    assert headers.to == ("shop@example.test", "jp@example.test")
    assert headers.cc == ("a@example.test", "b@example.test")
    assert headers.subject == "Question"
    assert headers.date == datetime(2024, 5, 7, 10, 15, tzinfo=timezone(timedelta(hours=9)))
    assert headers.message_id == "abc.123@mail.example.test"
    assert headers.in_reply_to == ("parent@example.test",)
    assert headers.references == ("root@example.test", "parent@example.test")
    assert "references" not in headers.raw  # parsed: not kept twice
    assert headers.raw == {"precedence": ("bulk", "list")}  # only what the classifier reads
    assert headers.get("PRECEDENCE") == "bulk"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<a@b>", "a@b"),
        ("  <a@b>  ", "a@b"),
        ("a@b", "a@b"),  # brackets missing
        ("<a@b> (comment)", "a@b"),
        ("<\r\n a@b>", "a@b"),  # folded inside the brackets
        ("<>", None),
        ("", None),
        ("garbage", None),
        ("<no-at-sign>", None),  # a placeholder would make different messages look alike
        ("<@b>", None),
        ("<a@>", None),
        ("<日本@example.test>", None),
    ],
)
def test_message_id(value: str, expected: str | None) -> None:
    assert parse_headers(block(f"Message-ID: {value}")).message_id == expected


def test_message_id_absent() -> None:
    assert parse_headers(block("Subject: hi")).message_id is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<a@x> <b@x> <c@x>", ("a@x", "b@x", "c@x")),
        ("<a@x>,<b@x>, <c@x>", ("a@x", "b@x", "c@x")),  # commas (Outlook)
        ("<a@x>\r\n <b@x>\r\n\t<c@x>", ("a@x", "b@x", "c@x")),  # folded
        ("a@x b@x", ("a@x", "b@x")),  # brackets missing
        ("<a@x> <b@x> <a@x>", ("a@x", "b@x")),  # repeats dropped, order kept
        ('<a@x> (Jane\'s message of "Mon, 6 May 2024 <jane@x>")', ("a@x",)),  # old Emacs style
        ('Jane\'s message of "Mon" <a@x>', ("a@x",)),
        ("(comment (nested) jane@x) <a@x>", ("a@x",)),
        ("<a@x><b@x>", ("a@x", "b@x")),
        ("<>", ()),
    ],
)
def test_references_and_in_reply_to(value: str, expected: tuple[str, ...]) -> None:
    headers = parse_headers(block(f"References: {value}", f"In-Reply-To: {value}"))
    assert headers.references == expected
    assert headers.in_reply_to == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 07 May 2024 10:15:00 +0900", datetime(2024, 5, 7, 1, 15, tzinfo=UTC)),
        ("7 May 2024 10:15:00 -0000", datetime(2024, 5, 7, 10, 15, tzinfo=UTC)),  # zone unknown
        ("Tue, 07 May 2024 10:15:00 JST", None),  # unknown zone name: parsed as -0000
        ("yesterday", None),
        ("", None),
        ("Tue, 07 May 99999 10:15:00 +0900", None),
    ],
)
def test_date(value: str, expected: datetime | None) -> None:
    parsed = parse_headers(block(f"Date: {value}")).date
    if expected is None and value.endswith("JST"):
        assert parsed is not None and parsed.utcoffset() == timedelta(0)
        return
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is not None


def test_missing_date_is_none() -> None:
    assert parse_headers(block("Subject: x")).date is None


@pytest.mark.parametrize(
    ("value", "name", "addr"),
    [
        ("jane@example.test", "", "jane@example.test"),
        ("Jane <JANE@EXAMPLE.TEST>", "Jane", "jane@example.test"),
        ("jane@example.test (Jane Doe)", "Jane Doe", "jane@example.test"),
        ('"=?utf-8?B?5pel5pys?=" <x@example.test>', "日本", "x@example.test"),  # quoted word
        ('"Miller, Jane" <jane@example.test>', "Miller, Jane", "jane@example.test"),
        ("MAILER-DAEMON (Mail Delivery System)", "Mail Delivery System", "mailer-daemon"),
        ('"Broken <jane@example.test>', "", "jane@example.test"),
        ("Jane Doe jane@example.test", "", "jane@example.test"),
    ],
)
def test_from(value: str, name: str, addr: str) -> None:
    headers = parse_headers(block(f"From: {value}"))
    assert headers.from_addr == addr
    if name:
        assert headers.from_name == name


def test_from_with_raw_jis_name() -> None:
    """JIS bytes include '"', '(', '<' and ',' as halves of characters; the name must be read
    before the address list is parsed."""
    name = corpus.iso2022jp_cp932("髙橋（仮）")  # （ is 0x214A: '!J'; ） 0x214B
    raw = b"From: " + name + b" <T@example.test>\r\n\r\n"
    headers = parse_headers(raw)
    assert headers.from_name == "髙橋（仮）"
    assert headers.from_addr == "t@example.test"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\r\n",
        b"no colon at all",
        b"\x00\x00\x00",
        b" continuation before any field\r\nSubject: ok\r\n\r\n",
        b"From sender@example.test Mon May  6 10:00:00 2024\r\nSubject: ok\r\n\r\n",
        b"Subject: ok\r\nthis line has no colon\r\nFrom: a@example.test\r\n\r\n",
        b"Subject: o\x00k\r\nFrom: a@exa\x00mple.test\r\n\r\n",
        b"Subject: ok\nFrom: a@example.test\n\n",  # bare LF
        b"Subject : ok\r\n\r\n",  # space before the colon
        b"Subject: ok\r\n\r\nBody: not a header\r\n",
        b": no name\r\nSubject: ok\r\n\r\n",
        b"Message-ID: <" + b"a" * 5000 + b"@x>\r\nSubject: ok\r\n\r\n",
        b"From: " + b"<" * 10000 + b"\r\nSubject: ok\r\n\r\n",
        b"References: " + b"(" * 10000 + b"\r\nSubject: ok\r\n\r\n",
        b"From: " + b'"' * 10001 + b"\r\nSubject: ok\r\n\r\n",
        b"Date: Mon, 99 Foo 0000 99:99:99 +9999\r\nSubject: ok\r\n\r\n",
    ],
)
def test_parse_headers_never_raises(raw: bytes) -> None:
    headers = parse_headers(raw)
    assert isinstance(headers, MessageHeaders)
    if b"Subject" in raw and b"Body:" not in raw:
        assert headers.subject == "ok"


def test_parse_headers_skips_garbage_lines_and_keeps_the_rest() -> None:
    raw = b"Subject: ok\r\nthis line has no colon\r\n continued garbage\r\nFrom: a@example.test\r\n"
    headers = parse_headers(raw + b"\r\n")
    assert headers.from_addr == "a@example.test"
    assert headers.subject == "ok" and headers.raw == {}


def test_huge_header_is_fast_and_safe() -> None:
    raw = (
        b"Subject: " + b"=?utf-8?B?5pel5pys?= " * 50_000 + b"\r\n"
        b"References: " + b"<a@x> " * 100_000 + b"\r\n"
        b"To: " + b"a@example.test, " * 50_000 + b"\r\n"
        b"From: " + b"x" * 1_000_000 + b"\r\n\r\n"
    )
    started = time.perf_counter()
    headers = parse_headers(raw)
    elapsed = time.perf_counter() - started
    # Kept up to a generous cap, never whole (see core.safetext).
    assert headers.subject == ("日本" * 500)[: MAX_KEPT - 1] + "…"
    assert headers.references == ("a@x",)
    assert elapsed < 5.0, elapsed


def test_lf_only_and_trailing_block_end() -> None:
    headers = parse_headers(b"Subject: a\n b\nMessage-ID: <x@y>\n\n")
    assert headers.subject == "a b"
    assert headers.message_id == "x@y"


# --- what the engine fetches -------------------------------------------------------------------


class RecordingDict(dict[str, list[str]]):
    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.asked.add(key)
        return super().get(key, default)


def test_header_fields_cover_everything_classify_reads() -> None:
    recorder = RecordingDict()
    headers = MessageHeaders(from_addr="x@example.test", raw=recorder)
    assert classify.non_inquiry_reason(headers, frozenset()) is None
    fetched = {name.lower() for name in HEADER_FIELDS}
    assert recorder.asked, "classify read no header at all?"
    assert recorder.asked <= fetched, recorder.asked - fetched
    assert recorder.asked.isdisjoint(PARSED_FIELDS)  # those are read as attributes
    model_fields = {"from", "reply-to", "to", "cc", "subject", "date", "message-id"}
    assert model_fields | {"in-reply-to", "references"} <= fetched


def test_parsed_fields_are_kept_once() -> None:
    raw = b"Subject: =?UTF-8?B?5ZWP44GE5ZCI44KP44Gb?=\r\nFrom: A <a@example.test>\r\n"
    raw += b"Precedence: bulk\r\nX-Custom: not read\r\n\r\n"
    headers = parse_headers(raw)
    assert headers.subject == "問い合わせ" and headers.from_addr == "a@example.test"
    assert headers.raw == {"precedence": ("bulk",)}
    assert headers.get("Precedence") == "bulk"
    with pytest.raises(ValueError):
        headers.get("Subject")  # the decoded attribute, never the raw text


def test_sent_header_fields() -> None:
    assert SENT_HEADER_FIELDS == ("Message-ID", "In-Reply-To", "References")


def test_header_fields_parse_from_a_header_fields_response() -> None:
    """What IMAP returns for BODY.PEEK[HEADER.FIELDS (...)]: the chosen lines plus CRLF."""
    full = corpus.customer_follow_up(
        message_id="f1@example.test", in_reply_to="r1@example.test",
        references=["q1@example.test", "r1@example.test"],
    )  # fmt: skip
    wanted = {name.lower() for name in SENT_HEADER_FIELDS}
    lines = corpus.header_block(full).split(b"\r\n")
    picked = [line for line in lines if line.split(b":", 1)[0].lower().decode() in wanted]
    picked += [line for line in lines if line.startswith(b" ")]  # References continuation
    headers = parse_headers(b"\r\n".join(sorted(picked, key=lines.index)) + b"\r\n\r\n")
    assert headers.message_id == "f1@example.test"
    assert headers.in_reply_to == ("r1@example.test",)
    assert headers.references == ("q1@example.test", "r1@example.test")


def test_lone_escape_bytes_are_dropped_not_looped_on() -> None:
    assert decode_header_value(b"a\x1bb \x1b$ c") == "ab c"  # unknown escape dropped
    assert decode_header_value("=?iso-2022-jp?B?" + b64(b"x\x1by") + "?=") == "xy"


def test_hostile_parsed_fields_are_not_kept_raw_either() -> None:
    """An option as the subject, CR/LF inside an encoded word and a 300-address Reply-To:
    parsed once, neutralised, and their raw text not kept beside it."""
    reply_to = ", ".join(f"u{i}@x.test" for i in range(300))
    raw = (
        b"Subject: --help =?UTF-8?B?" + base64.b64encode(b"a\r\nBcc: x@evil.test") + b"?=\r\n"
        b"Reply-To: " + reply_to.encode() + b"\r\n"
        b"From: =?UTF-8?B?" + base64.b64encode("\u202eevil\u200b".encode()) + b"?= <a@x.test>\r\n"
        b"List-Id: <news.x.test>\r\n\r\n"
    )
    headers = parse_headers(raw)
    assert headers.subject.startswith("--help") and "\r" not in headers.subject
    assert "\n" not in headers.subject
    assert len(headers.reply_to) == 300
    assert "\u202e" not in headers.from_name
    assert set(headers.raw) == {"list-id"}
    assert headers.get("List-Id") == "<news.x.test>"
