"""The history's fast FETCH reading against the real Dovecot: on hostile mail it gives
exactly what imapclient's full parser gives, and Dovecot's answers take the fast path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support import mailcorpus as corpus
from tests.support.dovecot import DovecotServer
from trayapp.core.headers import parse_headers
from trayapp.mail.history import INBOX_FIELDS, _fetch_raw, parse_fetch_lines
from trayapp.mail.scan import _aware, _header_bytes, _header_item, message_flags

pytestmark = pytest.mark.integration


def test_fast_fetch_equals_imapclient_on_hostile_mail(dovecot: DovecotServer) -> None:
    user = dovecot.add_user()
    now = datetime.now(UTC).replace(microsecond=0)
    hostile = [
        corpus.make_message(subject="--wait"),
        corpus.make_message(subject="=?utf-8?B?" + "4oCuIGZvbyAKQmNjOiB4QHk=" + "?="),  # RLO, LF
        corpus.make_message(
            extra_headers=[("Reply-To", ", ".join(f"u{i}@x.test" for i in range(300)))]
        ),
        corpus.make_message(extra_headers=[("X-Autoreply", "A" * 60_000)]),
        corpus.make_message(
            from_header=b'"UID 5 INTERNALDATE \\"x\\" FLAGS (\\\\Deleted)" <a@b.test>'
        ),
        corpus.broken_headers_message(),
        corpus.japanese_iso2022jp_inquiry(),
    ]
    for n, raw in enumerate(hostile):
        flags = ["\\Answered"] if n % 2 else []
        dovecot.append(user, "INBOX", raw, flags=flags, internaldate=now - timedelta(hours=n))
    items = ["INTERNALDATE", "FLAGS", _header_item(INBOX_FIELDS)]
    with dovecot.session(user) as client:
        client.select_folder("INBOX", readonly=True)
        uids = sorted(client.search(["ALL"]))
        typ, data = client._imap.uid("FETCH", ",".join(map(str, uids)), f"({' '.join(items)})")
        assert typ == "OK" and parse_fetch_lines(data) is not None  # the fast path
        fast = _fetch_raw(client, uids, items)
        client.normalise_times = False
        full = client.fetch(uids, items)
    assert sorted(fast) == uids
    for uid in uids:
        expected = full[uid]
        assert fast[uid].internal_date == _aware(expected[b"INTERNALDATE"])
        recent = {"\\Recent"}  # belongs to the session that saw the message first
        assert fast[uid].flags - recent == message_flags(expected[b"FLAGS"]) - recent
        assert fast[uid].header == _header_bytes(expected)
        assert parse_headers(fast[uid].header) == parse_headers(_header_bytes(expected))
