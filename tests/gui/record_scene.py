"""Run as a script under a real X display: shows the Record window on 12 weeks of sample
history (core.history and core.record compute it, as in the app), then waits to be
screenshotted.

    python -m tests.gui.record_scene LANG  (prints 'shown', then sleeps)
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from tests.support.history_data import inquiry_entry
from trayapp.core.history import InboxEntry, InquiryRecord, SentEntry, build_records
from trayapp.core.record import RecordView, build_report, slowest, week_start
from trayapp.ui.i18n import LanguageSwitcher
from trayapp.ui.record_window import RecordWindow

TOKYO = ZoneInfo("Asia/Tokyo")
SENDERS = [
    ("山田 花子 <hanako@example.jp>", "【お問い合わせ】①商品の在庫について"),
    ("Jane Miller <jane@example.test>", "Question about my order #4521"),
    ("㈱髙橋商店 佐藤 <sato@takahashi.example.jp>", "見積もりのお願い（②番の件）"),
    ("Tom Baker <tom@example.test>", "Delivery address change"),
]


def sample_history(now: datetime) -> list[InquiryRecord]:
    """Twelve weeks with a recognisable shape: a bad patch five weeks ago, better since."""
    this_monday = week_start(now, TOKYO)
    inbox: list[InboxEntry] = []
    sent: list[SentEntry] = []
    n = 0
    for weeks_ago in range(11, -1, -1):
        monday = datetime.combine(
            this_monday - timedelta(weeks=weeks_ago), datetime.min.time(), TOKYO
        )
        count = 9 + (weeks_ago * 7) % 8
        slow = count // 2 if weeks_ago in (5, 6) else (1 if weeks_ago % 3 == 0 else 0)
        for i in range(count):
            arrival = monday + timedelta(hours=9 + i * 10)
            if arrival > now - timedelta(hours=2):
                break
            sender, subject = SENDERS[n % len(SENDERS)]
            n += 1
            account = "shop" if n % 3 else "support"
            inbox.append(inquiry_entry(n, arrival, account=account, sender=sender, subject=subject))
            if weeks_ago == 0 and i == count - 2:
                continue  # one still waits this week
            hours = 30 + i * 3 if i < slow else 1 + (n * 37 % 9) + (weeks_ago % 4) * 0.5
            reply_at = arrival + timedelta(hours=hours, minutes=n * 13 % 50)
            if reply_at < now:
                sent.append(SentEntry(account, f"r{n}@example", (f"m{n}@x.jp",), reply_at))
    return build_records(inbox, sent)


def sample_view(now: datetime) -> RecordView:
    records = sample_history(now)
    first = week_start(now, TOKYO) - timedelta(weeks=11)
    report = build_report(records, now, TOKYO, since=first, accounts=["shop", "support"])
    return RecordView(
        weeks=report.weeks,
        window_hours=24,
        slowest=slowest(records, now, since=now - timedelta(days=28)),
        computed_at=now,
    )


def main() -> int:
    language = sys.argv[1] if len(sys.argv) > 1 else "en"
    app = QApplication(sys.argv[:1])
    LanguageSwitcher(app).apply(language)
    now = datetime.now(TOKYO)
    window = RecordWindow(lambda: language)
    window.set_view(sample_view(now))
    window.move(20, 20)
    window.resize(900, 700)
    window.show()
    QTimer.singleShot(1500, lambda: print("shown", flush=True))
    QTimer.singleShot(60_000, app.quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
