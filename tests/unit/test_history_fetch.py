"""The history's fast reading of a FETCH answer (mail.history.parse_fetch_lines): the shapes
imaplib gives, and anything else handed back (None) to imapclient's full parser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from trayapp.mail.history import parse_fetch_lines

HEADER = b"From: a@example.test\r\nSubject: --wait UID 99 FLAGS (\\Deleted)\r\n\r\n"


def test_the_plain_shape_by_uid() -> None:
    data = [
        (
            b'1 (UID 7 INTERNALDATE "01-Dec-2026 07:41:09 +0900" FLAGS (\\Seen \\Answered)'
            b" BODY[HEADER.FIELDS (FROM SUBJECT)] {%d}" % len(HEADER),
            HEADER,
        ),
        b")",
        # FLAGS after the literal, and an empty header section as a quoted string
        (b'2 (UID 9 INTERNALDATE "02-Dec-2026 00:00:00 +0000" BODY[HEADER] {2}', b"\r\n"),
        b" FLAGS ())",
        b'3 (UID 10 INTERNALDATE "03-Dec-2026 00:00:00 +0000" FLAGS () BODY[HEADER] "")',
        b"4 (FLAGS (\\Seen))",  # unsolicited: another session changed a flag
    ]
    found = parse_fetch_lines(data)
    assert found is not None and sorted(found) == [7, 9, 10]
    first = found[7]
    assert first.internal_date == datetime(
        2026, 12, 1, 7, 41, 9, tzinfo=timezone(timedelta(hours=9))
    )
    assert first.flags == {"\\Seen", "\\Answered"}  # not the FLAGS text inside the header
    assert first.header == HEADER
    assert found[9].flags == frozenset() and found[9].header == b"\r\n"
    assert found[10].internal_date == datetime(2026, 12, 3, tzinfo=UTC)
    assert found[10].header == b""


def test_other_shapes_go_to_the_full_parser() -> None:
    two_literals = [
        (b'1 (UID 7 INTERNALDATE "01-Dec-2026 07:41:09 +0000" BODY[HEADER] {2}', b"\r\n"),
        (b" BODY[TEXT] {2}", b"hi"),
        b")",
    ]
    assert parse_fetch_lines(two_literals) is None
    no_date = [(b"1 (UID 7 FLAGS () BODY[HEADER] {2}", b"\r\n"), b")"]
    assert parse_fetch_lines(no_date) is None
    bad_date = [(b'1 (UID 7 INTERNALDATE "99-Foo-2026 99:00:00 +0000" BODY[HEADER] {2}', b"x")]
    assert parse_fetch_lines(bad_date) is None
    assert parse_fetch_lines([b"garbage", b")"]) is None
    assert parse_fetch_lines([]) == {}
