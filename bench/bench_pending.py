"""Benchmark: cold `ippo pending --json` against a big mailbox, beside a minimal IMAP script.

A real Dovecot (tests/support/dovecot.py) gets one user with 50,000 INBOX messages (300 of
them within the 7-day look-back) and 20,000 in Sent, written straight into the maildir and
indexed once. A private gnome-keyring (tests/support/keyring_session.py) holds the password.
Then, alternating in ONE run, N cold runs of each:

  ippo     `python -m trayapp --config-dir FRESH pending --json` (fresh config dir and state
           each run, password from the real keyring, scan, decode, classify, record, print)
  minimal  bench/minimal_imap_pending.py: login, EXAMINE, SEARCH SINCE, header FETCH for
           INBOX and Sent, logout (password on stdin, nothing else)

Both are fresh Python processes, so interpreter start-up counts for both. Prints medians,
min/max and the ratio (goal: ippo within 1.3x of minimal). ippo scans Sent on a second
connection while the server searches INBOX; the minimal script uses one connection.

    .venv/bin/python bench/bench_pending.py [--runs 21] [--inbox 50000] [--sent 20000]
                                            [--profile DIR]
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

from tests.support import mailcorpus as corpus  # noqa: E402
from tests.support.dovecot import BulkMessage, DovecotServer, DovecotUser  # noqa: E402
from tests.support.keyring_session import start_keyring_session  # noqa: E402

LOOKBACK_DAYS = 7


def _inbox_message(rng: random.Random, to: str, when: datetime, msgid: str) -> bytes:
    kind = rng.random()
    if kind < 0.35:
        return corpus.english_inquiry(
            to=to,
            message_id=msgid,
            date=when,
            subject=f"Question about order #{rng.randint(1000, 99999)}",
        )
    if kind < 0.55:
        return corpus.japanese_iso2022jp_inquiry(to=to, message_id=msgid, date=when)
    if kind < 0.65:
        return corpus.shift_jis_inquiry(to=to, message_id=msgid, date=when)
    if kind < 0.85:
        return corpus.newsletter(to=to, message_id=msgid, date=when)
    if kind < 0.92:
        return corpus.noreply_notification(to=to, message_id=msgid, date=when)
    return corpus.gmail_vacation_reply(to=to, message_id=msgid, date=when)


def build_mailbox(
    dovecot: DovecotServer,
    user: DovecotUser,
    n_inbox: int,
    n_recent: int,
    n_sent: int,
    now: datetime,
) -> dict[str, int]:
    rng = random.Random(20240601)
    inbox: list[BulkMessage] = []
    recent_ids: list[str] = []
    old_ids: list[str] = []
    for i in range(n_inbox):
        if i < n_recent:
            # Within the look-back, with an hour to spare at its old end.
            when = now - timedelta(seconds=rng.uniform(60, (LOOKBACK_DAYS * 24 - 1) * 3600))
        else:
            when = now - timedelta(days=rng.uniform(LOOKBACK_DAYS + 2, 900))
        msgid = f"m{i}.{rng.getrandbits(40):x}@customer.example.test"
        (recent_ids if i < n_recent else old_ids).append(msgid)
        raw = _inbox_message(rng, user.email, when, msgid)
        inbox.append(BulkMessage(raw, when, seen=i >= n_recent or rng.random() < 0.5))
    sent: list[BulkMessage] = []
    n_recent_sent = min(n_recent // 2, n_sent)
    for i in range(n_sent):
        if i < n_recent_sent:
            parent = recent_ids[i * 2]  # every other recent message has been answered
            when = now - timedelta(seconds=rng.uniform(30, 3600))
        else:
            parent = rng.choice(old_ids) if old_ids else "none@example.test"
            when = now - timedelta(days=rng.uniform(LOOKBACK_DAYS + 2, 900))
        maker = corpus.our_reply if rng.random() < 0.8 else corpus.our_reply_references_only
        if maker is corpus.our_reply:
            raw = corpus.our_reply(from_addr=user.email, in_reply_to=parent, date=when)
        else:
            raw = corpus.our_reply_references_only(
                from_addr=user.email, references=[parent], date=when
            )
        sent.append(BulkMessage(raw, when, seen=True))
    rng.shuffle(inbox)  # arrival order on disk is not date order on real servers either
    return {
        "inbox": dovecot.bulk_load(user, "INBOX", inbox),
        "sent": dovecot.bulk_load(user, "Sent", sent),
        "recent": n_recent,
        "recent_sent": n_recent_sent,
    }


def _timed(cmd: list[str], env: dict[str, str], stdin: str | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, env=env, cwd=REPO, timeout=600
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, done.stdout


def _fmt(values: list[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:7.1f} ms   "
        f"min {min(values) * 1000:7.1f}   max {max(values) * 1000:7.1f}"
    )


def _profile(cmd: list[str], env: dict[str, str], out: Path) -> None:
    """One more cold run under cProfile (out/pending.prof) and one with -X importtime
    (out/importtime.txt), for finding what the cold path spends its time on."""
    out.mkdir(parents=True, exist_ok=True)
    profiled = [cmd[0], "-m", "cProfile", "-o", str(out / "pending.prof"), *cmd[1:]]
    _timed(profiled, env)
    timed_imports = [cmd[0], "-X", "importtime", *cmd[1:]]
    done = subprocess.run(timed_imports, capture_output=True, text=True, env=env, cwd=REPO)
    (out / "importtime.txt").write_text(done.stderr)
    print(f"profile: {out / 'pending.prof'}, {out / 'importtime.txt'}")


def run(args: argparse.Namespace) -> None:
    now = datetime.now(UTC)
    dovecot = DovecotServer.create(prefix="ippo-bench-dovecot-")
    work = Path(tempfile.mkdtemp(prefix="ippo-bench-"))
    try:
        dovecot.start()
        user = dovecot.add_user()
        t0 = time.perf_counter()
        counts = build_mailbox(dovecot, user, args.inbox, args.recent, args.sent, now)
        t1 = time.perf_counter()
        dovecot.index(user, ["INBOX", "Sent"])
        t2 = time.perf_counter()
        print(
            f"mailbox: INBOX {counts['inbox']} ({counts['recent']} in the look-back), "
            f"Sent {counts['sent']} ({counts['recent_sent']} recent); "
            f"written in {t1 - t0:.1f}s, indexed by Dovecot in {t2 - t1:.1f}s"
        )
        with start_keyring_session("unlocked") as keyring:
            env = keyring.subprocess_env()
            env.pop("IPPO_CONFIG_DIR", None)
            # Bytecode cached as on any installed machine: the warm-up run writes it.
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            template = work / "template"
            add = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "trayapp",
                    "--config-dir",
                    str(template),
                    "account",
                    "add",
                    "--name",
                    "bench",
                    "--email",
                    user.email,
                    "--imap-host",
                    dovecot.host,
                    "--imap-port",
                    str(dovecot.imaps_port),
                    "--username",
                    user.username,
                    "--ca-file",
                    dovecot.ca_file,
                    "--lookback-days",
                    str(LOOKBACK_DAYS),
                    "--password-stdin",
                ],
                input=user.password + "\n",
                capture_output=True,
                text=True,
                env=env,
                cwd=REPO,
                timeout=120,
            )
            if add.returncode != 0:
                raise SystemExit(f"ippo account add failed:\n{add.stderr}")
            since = (now - timedelta(days=LOOKBACK_DAYS + 1)).date().isoformat()
            minimal_cmd = [
                sys.executable,
                str(REPO / "bench" / "minimal_imap_pending.py"),
                dovecot.host,
                str(dovecot.imaps_port),
                user.username,
                dovecot.ca_file,
                since,
            ]

            def fresh_config(i: int) -> Path:
                target = work / f"run{i}"
                shutil.copytree(template, target, ignore=shutil.ignore_patterns("state*", "*.log*"))
                return target

            def ippo_cmd(config: Path) -> list[str]:
                return [
                    sys.executable,
                    "-m",
                    "trayapp",
                    "--config-dir",
                    str(config),
                    "pending",
                    "--json",
                ]

            # Warm-up (not measured): Dovecot's cache learns the fetched fields, the OS caches
            # the Python files. Both variants then run against the same warm server.
            _e, out = _timed(ippo_cmd(fresh_config(-1)), env)
            waiting = len(json.loads(out))
            _e, minimal_out = _timed(minimal_cmd, env, user.password + "\n")
            print(
                f"ippo lists {waiting} waiting; minimal fetched INBOX/Sent: {minimal_out.strip()}"
            )

            if args.profile:
                _profile(ippo_cmd(fresh_config(-2)), env, Path(args.profile))

            ippo_times: list[float] = []
            minimal_times: list[float] = []
            for i in range(args.runs):
                config = fresh_config(i)
                order = [("ippo", None), ("minimal", None)]
                if i % 2:
                    order.reverse()
                for name, _ in order:
                    if name == "ippo":
                        elapsed, out = _timed(ippo_cmd(config), env)
                        assert len(json.loads(out)) == waiting
                        ippo_times.append(elapsed)
                    else:
                        elapsed, _out = _timed(minimal_cmd, env, user.password + "\n")
                        minimal_times.append(elapsed)
        ratio = statistics.median(ippo_times) / statistics.median(minimal_times)
        print(f"runs: {args.runs} each, alternating")
        print(f"ippo pending --json   {_fmt(ippo_times)}")
        print(f"minimal imapclient    {_fmt(minimal_times)}")
        print(f"ratio (median ippo / median minimal): {ratio:.2f}x  (goal <= 1.3x)")
    finally:
        dovecot.destroy()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--inbox", type=int, default=50_000)
    parser.add_argument("--recent", type=int, default=300)
    parser.add_argument("--sent", type=int, default=20_000)
    parser.add_argument("--profile", metavar="DIR", help="also profile one cold run into DIR")
    args = parser.parse_args()
    compile_like_installed()
    run(args)


if __name__ == "__main__":
    main()
