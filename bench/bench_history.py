"""Benchmark: building the 90-day history (`ippo report --json` on a fresh configuration)
for 5 accounts x 3,000 messages, beside a minimal imapclient script fetching the same
headers in the same run.

A real Dovecot (tests/support/dovecot.py) gets 5 users, each with 2,000 INBOX messages
(inquiries in Japanese and English, newsletters, notifications, auto-replies) and 1,000
replies in Sent, all within the last 90 days, written straight into the maildirs and indexed
once. A private gnome-keyring holds the passwords. Then, alternating in ONE run, N cold runs
of each:

  ippo     `python -m trayapp --config-dir FRESH report --json`: fresh config dir and state
           each run, passwords from the real keyring, the whole history read (INBOX and Sent
           of every account), decoded, classified, stored in SQLite, figures computed, printed
  minimal  bench/minimal_imap_history.py: per account in turn login, EXAMINE, SEARCH SINCE,
           FETCH of the same items in the same batches for INBOX and Sent, logout

Both are fresh Python processes. Prints medians, min/max and the ratio (goal: within 2x).
Then the incremental case: `ippo report --json` again on a built state (nothing new).

    .venv/bin/python bench/bench_history.py [--runs 7] [--accounts 5] [--inbox 2000] [--sent 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from installed import compile_like_installed  # noqa: E402

from bench.bench_pending import _fmt, _inbox_message, _timed  # noqa: E402
from tests.support import mailcorpus as corpus  # noqa: E402
from tests.support.dovecot import BulkMessage, DovecotServer, DovecotUser  # noqa: E402
from tests.support.keyring_session import start_keyring_session  # noqa: E402

HISTORY_DAYS = 90


def build_mailbox(
    dovecot: DovecotServer, user: DovecotUser, n_inbox: int, n_sent: int, now: datetime, seed: int
) -> tuple[int, int]:
    rng = random.Random(seed)
    inbox: list[BulkMessage] = []
    ids: list[tuple[str, datetime]] = []
    for i in range(n_inbox):
        when = now - timedelta(seconds=rng.uniform(3600, (HISTORY_DAYS - 1) * 86400))
        msgid = f"h{seed}.{i}.{rng.getrandbits(32):x}@customer.example.test"
        ids.append((msgid, when))
        inbox.append(BulkMessage(_inbox_message(rng, user.email, when, msgid), when))
    sent: list[BulkMessage] = []
    for i in range(n_sent):
        parent, arrived = ids[i % len(ids)]
        when = min(now, arrived + timedelta(seconds=rng.uniform(600, 40 * 3600)))
        if rng.random() < 0.8:
            raw = corpus.our_reply(from_addr=user.email, in_reply_to=parent, date=when)
        else:
            raw = corpus.our_reply_references_only(
                from_addr=user.email, references=[parent], date=when
            )
        sent.append(BulkMessage(raw, when))
    rng.shuffle(inbox)
    return dovecot.bulk_load(user, "INBOX", inbox), dovecot.bulk_load(user, "Sent", sent)


def add_account(
    env: dict[str, str], config: Path, dovecot: DovecotServer, user: DovecotUser, name: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "trayapp", "--config-dir", str(config), "account", "add",
         "--name", name, "--email", user.email, "--imap-host", dovecot.host,
         "--imap-port", str(dovecot.imaps_port), "--username", user.username,
         "--ca-file", dovecot.ca_file, "--password-stdin"],
        input=user.password + "\n", capture_output=True, text=True, env=env, cwd=REPO,
        timeout=120,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"ippo account add failed:\n{done.stderr}")


def check_same_items() -> None:
    """The baseline fetches exactly what Ippo's history fetches."""
    from bench import minimal_imap_history as minimal
    from trayapp.mail import history

    assert " ".join(f.upper() for f in history.INBOX_FIELDS) == minimal.INBOX_FIELDS
    assert " ".join(f.upper() for f in history.SENT_FIELDS) == minimal.SENT_FIELDS
    assert minimal.BATCH == history.FETCH_BATCH


def run(args: argparse.Namespace) -> None:
    check_same_items()
    now = datetime.now(UTC)
    dovecot = DovecotServer.create(prefix="ippo-bench-dovecot-")
    work = Path(tempfile.mkdtemp(prefix="ippo-bench-"))
    try:
        dovecot.start()
        users = [dovecot.add_user() for _ in range(args.accounts)]
        t0 = time.perf_counter()
        loaded = [
            build_mailbox(dovecot, u, args.inbox, args.sent, now, seed)
            for seed, u in enumerate(users)
        ]
        t1 = time.perf_counter()
        for user in users:
            dovecot.index(user, ["INBOX", "Sent"])
        print(
            f"mailboxes: {args.accounts} x (INBOX {loaded[0][0]}, Sent {loaded[0][1]}) within "
            f"{HISTORY_DAYS} days; written in {t1 - t0:.1f}s, indexed in "
            f"{time.perf_counter() - t1:.1f}s"
        )
        with start_keyring_session("unlocked") as keyring:
            env = keyring.subprocess_env()
            env.pop("IPPO_CONFIG_DIR", None)
            template = work / "template"
            for n, user in enumerate(users):
                add_account(env, template, dovecot, user, f"acct{n}")
            since = (now - timedelta(days=HISTORY_DAYS + 1)).date().isoformat()
            minimal_cmd = [
                sys.executable,
                str(REPO / "bench" / "minimal_imap_history.py"),
                dovecot.host,
                str(dovecot.imaps_port),
                dovecot.ca_file,
                since,
            ]
            secrets = json.dumps([[u.username, u.password] for u in users])

            def fresh_config(i: int) -> Path:
                target = work / f"run{i}"
                shutil.copytree(template, target, ignore=shutil.ignore_patterns("state*", "*.log*"))
                return target

            def ippo_cmd(config: Path) -> list[str]:
                return [sys.executable, "-m", "trayapp", "--config-dir", str(config), "report",
                        "--json", "--weeks", "13"]  # fmt: skip

            # Warm-up (not measured): Dovecot's cache learns the fields, the OS the files.
            _e, out = _timed(ippo_cmd(fresh_config(-1)), env)
            inquiries = json.loads(out)["total"]["inquiries"]
            _e, minimal_out = _timed(minimal_cmd, env, secrets)
            print(
                f"ippo counts {inquiries} inquiries; "
                f"minimal fetched INBOX/Sent: {minimal_out.strip()}"
            )

            ippo_times: list[float] = []
            minimal_times: list[float] = []
            for i in range(args.runs):
                config = fresh_config(i)
                order = ["ippo", "minimal"] if i % 2 == 0 else ["minimal", "ippo"]
                for name in order:
                    if name == "ippo":
                        elapsed, out = _timed(ippo_cmd(config), env)
                        assert json.loads(out)["total"]["inquiries"] == inquiries
                        ippo_times.append(elapsed)
                    else:
                        elapsed, _out = _timed(minimal_cmd, env, secrets)
                        minimal_times.append(elapsed)
            incremental = [_timed(ippo_cmd(work / "run0"), env)[0] for _ in range(args.runs)]
        ratio = statistics.median(ippo_times) / statistics.median(minimal_times)
        print(f"runs: {args.runs} each, alternating")
        print(f"ippo report (fresh build)   {_fmt(ippo_times)}")
        print(f"minimal imapclient          {_fmt(minimal_times)}")
        print(f"ratio (median ippo / median minimal): {ratio:.2f}x  (goal <= 2x)")
        print(f"ippo report (up to date)    {_fmt(incremental)}")
    finally:
        dovecot.destroy()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--accounts", type=int, default=5)
    parser.add_argument("--inbox", type=int, default=2000)
    parser.add_argument("--sent", type=int, default=1000)
    args = parser.parse_args()
    compile_like_installed()
    run(args)


if __name__ == "__main__":
    main()
