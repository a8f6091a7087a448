"""What Ippo keeps of a removed inbox, so that adding the same address again brings back
everything the user decided: dismissals, ignored senders, acknowledgements and their promises.

A removed account's rows are not deleted: they are renamed to a holding name (a control
character no account name can contain, then the lower-cased address) and a row in
`held_accounts` says when. Adding an inbox with that address, under any name, renames them
back; under another name the item ids (which hash the account name, core.pending.item_id) are
computed again from the message keys kept beside them. Holds older than HOLD_DAYS are pruned.
The caches (waiting set, sync state, scans) are simply dropped: the next scan rebuilds them.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

from trayapp.core.pending import item_id_for_key

HOLD_DAYS = 30  # the remove confirmation (app.remove_account) says "30 days"
_HOLD_PREFIX = "\x1fheld:"
CACHE_TABLES = ("sync_state", "items", "scans")
KEPT_TABLES = ("dismissals", "ignored_senders", "notifications", "acks")

HELD_TABLE = """CREATE TABLE held_accounts (
    email TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    held_at TEXT NOT NULL
)"""
# The key item_id hashed (Message-ID, else uid:folder:uidvalidity:uid), kept so a dismissal
# can follow its inbox to a new name.
DISMISSAL_KEY_COLUMN = "ALTER TABLE dismissals ADD COLUMN message_key TEXT"
# SQL for that key, from the items row being dismissed.
ITEM_KEY_SQL = (
    "SELECT COALESCE(message_id, 'uid:' || folder || ':' || uidvalidity || ':' || uid)"
    " FROM items WHERE account = ? AND id = ?"
)


def holding_name(email: str) -> str:
    return _HOLD_PREFIX + email.strip().lower()


def hold(conn: sqlite3.Connection, name: str, email: str, at: str) -> None:
    """Move `name`'s kept state under its address's holding name (inside a transaction)."""
    held = holding_name(email)
    for table in KEPT_TABLES:  # an older hold of the same address gives way to this one
        conn.execute(f"DELETE FROM {table} WHERE account = ?", (held,))
    for table in CACHE_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE account = ?", (name,))
    for table in KEPT_TABLES:
        conn.execute(f"UPDATE {table} SET account = ? WHERE account = ?", (held, name))
    conn.execute(
        "INSERT OR REPLACE INTO held_accounts (email, name, held_at) VALUES (?, ?, ?)",
        (email.strip().lower(), name, at),
    )


def restore(conn: sqlite3.Connection, name: str, email: str) -> bool:
    """Give the state held for `email` to the account `name`; False when nothing was held."""
    address = email.strip().lower()
    row = conn.execute("SELECT name FROM held_accounts WHERE email = ?", (address,)).fetchone()
    if row is None:
        return False
    held, old_name = holding_name(address), str(row[0])
    if old_name != name:
        _rekey(conn, held, name)
    for table in ("dismissals", "ignored_senders"):
        conn.execute(f"UPDATE OR REPLACE {table} SET account = ? WHERE account = ?", (name, held))
    for table in ("notifications", "acks"):
        conn.execute(f"UPDATE {table} SET account = ? WHERE account = ?", (name, held))
    conn.execute("DELETE FROM held_accounts WHERE email = ?", (address,))
    return True


def _rekey(conn: sqlite3.Connection, held: str, name: str) -> None:
    """Item ids hash the account's name: compute them again for the new name."""
    rows = conn.execute(
        "SELECT item_id, message_key FROM dismissals WHERE account = ? AND message_key IS NOT NULL",
        (held,),
    ).fetchall()
    for old_id, key in rows:
        conn.execute(
            "UPDATE OR REPLACE dismissals SET item_id = ? WHERE account = ? AND item_id = ?",
            (item_id_for_key(name, str(key)), held, old_id),
        )
    acks = conn.execute(
        "SELECT id, inquiry_message_id, inquiry FROM acks WHERE account = ?", (held,)
    ).fetchall()
    for ack_id, inquiry_message_id, inquiry in acks:
        new_id = item_id_for_key(name, str(inquiry_message_id)) if inquiry_message_id else None
        snapshot = inquiry
        if inquiry:
            data = json.loads(inquiry)
            data["account"] = name
            if new_id is not None:
                data["id"] = new_id
            snapshot = json.dumps(data, ensure_ascii=False)
        conn.execute(
            "UPDATE acks SET item_id = COALESCE(?, item_id), inquiry = ? WHERE id = ?",
            (new_id, snapshot, ack_id),
        )


def prune(conn: sqlite3.Connection, before: str) -> int:
    """Forget holds made before `before` (a database time); how many."""
    rows = conn.execute("SELECT email FROM held_accounts WHERE held_at < ?", (before,)).fetchall()
    for (address,) in rows:
        for table in KEPT_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE account = ?", (holding_name(address),))
        conn.execute("DELETE FROM held_accounts WHERE email = ?", (address,))
    return len(rows)


def hold_limit(now: datetime) -> datetime:
    return now - timedelta(days=HOLD_DAYS)
