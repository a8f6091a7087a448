"""The history tables (trayapp/store/history.py), added to the state file by one migration in
trayapp/store/db.py. Only inquiries are stored from INBOX (automated mail never is), and only
the threading headers and the time of Sent mail."""

from __future__ import annotations

HISTORY_TABLES: tuple[str, ...] = (
    """CREATE TABLE history_inbox (
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        item_id TEXT NOT NULL,
        message_id TEXT,
        sender TEXT NOT NULL,
        sender_addr TEXT NOT NULL,
        subject TEXT NOT NULL,
        received_at TEXT NOT NULL,
        due_at TEXT NOT NULL,
        answered_flag INTEGER NOT NULL DEFAULT 0,
        flag_seen_at TEXT,
        PRIMARY KEY (account, folder, uidvalidity, uid)
    )""",
    "CREATE INDEX history_inbox_received ON history_inbox (received_at)",
    """CREATE TABLE history_sent (
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        message_id TEXT,
        names TEXT NOT NULL,  -- the ids it names (In-Reply-To, References), one per line
        sent_at TEXT NOT NULL,
        PRIMARY KEY (account, folder, uidvalidity, uid)
    )""",
    "CREATE INDEX history_sent_at ON history_sent (sent_at)",
    # How far each folder has been read: everything since built_since up to last_uid.
    """CREATE TABLE history_folders (
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('inbox', 'sent')),
        uidvalidity INTEGER NOT NULL,
        last_uid INTEGER NOT NULL,
        built_since TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (account, folder)
    )""",
    # Months older than a year, folded into their figures (JSON of core.record.Figures);
    # account '*' holds the total over all accounts.
    """CREATE TABLE history_months (
        account TEXT NOT NULL,
        month TEXT NOT NULL,
        figures TEXT NOT NULL,
        PRIMARY KEY (account, month)
    )""",
)
