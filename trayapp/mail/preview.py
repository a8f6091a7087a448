"""Previews of messages in the folder a connection has open, for the pending list.

Read-only: BODYSTRUCTURE and BODY.PEEK only, so fetching a preview never sets \\Seen or any
other flag (and the caller opened the folder with EXAMINE anyway). Cheap: one FETCH of
BODYSTRUCTURE for the whole batch, then one FETCH per distinct part section of only the first
few KB of the chosen part; a 20 MB attachment costs nothing. core.preview decides which part
and turns its bytes into text.
"""

from __future__ import annotations

import imaplib
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from imapclient import IMAPClient

from trayapp.core.preview import PreviewPart, choose_parts, preview_text
from trayapp.mail.transport import fetch_each

log = logging.getLogger(__name__)

TEXT_OCTETS = 4096  # of a text/plain part: far more than three lines
# Markup is wordy and a <head> with a style block can fill the first 4 KB before any text.
HTML_OCTETS = 16384
BATCH = 200  # UIDs per FETCH


def _batches(uids: Sequence[int], size: int = BATCH) -> Iterable[list[int]]:
    for start in range(0, len(uids), size):
        yield list(uids[start : start + size])


def _octets(part: PreviewPart) -> int:
    return HTML_OCTETS if part.is_html else TEXT_OCTETS


def _section_bytes(data: dict[bytes, Any], section: str) -> bytes | None:
    """The BODY[<section>]<0> item of one FETCH answer (servers write the origin octet, or
    not when the whole part fit)."""
    prefix = f"BODY[{section}]".encode("ascii")
    for key, value in data.items():
        if isinstance(key, bytes) and (key == prefix or key.startswith(prefix + b"<")):
            return value if isinstance(value, bytes) else b""
    return None


def _structures(client: IMAPClient, uids: Sequence[int]) -> dict[int, list[PreviewPart]]:
    found: dict[int, list[PreviewPart]] = {}
    wanted = set(uids)
    for batch in _batches(uids):
        response = fetch_each(client, batch, ["BODYSTRUCTURE"])
        for uid, data in response.items():
            # Only what we asked for: an unsolicited FETCH (a flag change) may come along.
            if uid in wanted and b"BODYSTRUCTURE" in data:
                try:
                    found[int(uid)] = choose_parts(data[b"BODYSTRUCTURE"])
                except Exception as error:  # an absurd structure costs only its preview
                    log.warning("UID %s: no preview (%s)", uid, type(error).__name__)
                    found[int(uid)] = []
    return found


def _fetch_parts(client: IMAPClient, chosen: dict[int, PreviewPart]) -> dict[int, str]:
    """Fetch the start of each chosen part, one FETCH per (section, length), and preview it."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for uid, part in chosen.items():
        groups[(part.section, _octets(part))].append(uid)
    previews: dict[int, str] = {}
    for (section, octets), uids in groups.items():
        item = f"BODY.PEEK[{section}]<0.{octets}>"
        for batch in _batches(sorted(uids)):
            response = fetch_each(client, batch, [item])
            for uid, data in response.items():
                asked = chosen.get(int(uid))
                body = _section_bytes(data, section)
                if asked is None or body is None:
                    continue  # unsolicited, or not the item we asked for
                truncated = asked.size > len(body) if asked.size else len(body) >= octets
                previews[int(uid)] = preview_text(body, asked, truncated=truncated)
    return previews


def fetch_previews(client: IMAPClient, uids: Sequence[int]) -> dict[int, str]:
    """Plain-text previews of `uids` in the folder `client` has open, by UID.

    A message without readable text (only an image, a broken structure) maps to ''. A message
    expunged meanwhile is left out. A server that refuses a FETCH (some do for a message they
    cannot parse) costs those messages their preview, not the connection: only a broken
    connection (OSError, IMAP4.abort) is raised."""
    wanted = sorted(set(uids))
    previews: dict[int, str] = {}
    if not wanted:
        return previews
    try:
        structures = _structures(client, wanted)
        previews.update((uid, "") for uid in structures)
        first = {uid: parts[0] for uid, parts in structures.items() if parts}
        previews.update(_fetch_parts(client, first))
        # A plain part that says nothing ("view this mail in HTML"): try the HTML one.
        second = {
            uid: parts[1]
            for uid, parts in structures.items()
            if len(parts) > 1 and not previews.get(uid)
        }
        if second:
            previews.update(_fetch_parts(client, second))
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error as error:
        log.warning("previews of %d messages not fetched: %s", len(wanted), error)
    return previews
