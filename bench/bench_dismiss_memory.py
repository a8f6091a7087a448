"""Benchmark: does the tray app's memory come back after a burst is delivered and dismissed?

One private desktop (Xvfb, a private D-Bus session with gnome-keyring, trayer, dunst), one
real Dovecot with --accounts users (10), accounts added with `ippo account add`. The real app
(bench/gui_stall_app.py: trayapp.app.build_app with every real part, driven by line commands)
connects every account and settles; its resident memory (VmRSS, median of --samples) is the
baseline. Then, for each of --cycles cycles: --deliveries messages (2,000) are delivered over
LMTP across the accounts, the app shows them all, the user dismisses every one ("Not an
inquiry", the same call as the list's button), the app shows none, and after --settle seconds
RSS is sampled again. Goal (issue 15): after 2,000 deliveries dismissed, RSS within 5 MiB of
its value before them.

    .venv/bin/python bench/bench_dismiss_memory.py [--accounts 10] [--deliveries 2000]
                                                   [--cycles 2] [--settle 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_app_memory import add_account, mib, usage  # noqa: E402
from bench_gui_stall import BENCH, Driven, wait_until  # noqa: E402
from installed import compile_like_installed  # noqa: E402

from tests.support import mailcorpus as corpus  # noqa: E402
from tests.support.desktop_session import start_desktop  # noqa: E402
from tests.support.dovecot import DovecotServer  # noqa: E402


def rss_kib(app: Driven, samples: int) -> float:
    values = []
    for _ in range(samples):
        values.append(usage(app.proc.pid).rss_kib)
        time.sleep(1.0)
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--cycles", type=int, default=2)
    parser.add_argument("--settle", type=float, default=30.0)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument(
        "--warmup",
        type=int,
        default=0,
        help="deliver and dismiss this many first; RSS after it is the baseline",
    )
    parser.add_argument("--trim", action="store_true", help="diagnosis: malloc_trim after")
    parser.add_argument(
        "--batch",
        type=int,
        default=0,
        help="dismiss this many at a time, each batch once the last left the list (0: all)",
    )
    parser.add_argument(
        "--objects",
        action="store_true",
        help="diagnosis: the small objects left behind (walks every object: a full collection)",
    )
    parser.add_argument(
        "--collect", action="store_true", help="diagnosis: a full gc.collect() after"
    )
    parser.add_argument(
        "--peak",
        action="store_true",
        help="diagnosis: what the app holds while a burst is shown (`mem`, and `top` with"
        " IPPO_BENCH_TRACEMALLOC=N)",
    )
    parser.add_argument(
        "--attach",
        default="",
        help="diagnosis: a command run once the baseline is taken, {pid} the app's (e.g."
        " 'heaptrack -o /tmp/ht -p {pid}': what the burst allocated and never freed, native"
        " code included, is what the tool reports as leaked: the app is killed at the end)",
    )
    args = parser.parse_args()
    compile_like_installed()

    server = DovecotServer.create()
    work = Path(tempfile.mkdtemp(prefix="ippo-bench-dismiss-"))
    try:
        server.start()
        with start_desktop() as desk:
            users = [server.add_user() for _ in range(args.accounts)]
            config = work / "config"
            for user in users:
                add_account(desk, config, server, user)
            app = Driven(
                [sys.executable, str(BENCH / "gui_stall_app.py"), str(config)],
                desk.env(),
                work / "app.log",
            )
            attached: subprocess.Popen[bytes] | None = None
            try:
                app.ask("ping", "pong", timeout=120)
                try:
                    wait_until(
                        lambda: app.number("connected", "connected") >= args.accounts,
                        "every account connected",
                        120,
                    )
                except SystemExit:
                    # Say why (the work folder goes with the bench): the app's own log.
                    log = (config / "ippo.log").read_text(errors="replace").splitlines()
                    print("\n".join(log[-60:]), file=sys.stderr)
                    raise
                # The weekly record's first computation (60 s after start) reads every
                # inbox's history: part of the app's steady state, so done before the baseline.
                wait_until(
                    lambda: app.ask("record", "record").split()[1:] == ["1", "0"],
                    "the weekly record computed",
                    300,
                )
                time.sleep(args.settle)
                before = rss_kib(app, args.samples)
                print(f"{args.accounts} accounts connected; RSS before: {mib(before)}", flush=True)

                def show(*commands: str) -> None:
                    """Ask the app each diagnosis command and print its answer."""
                    for command in commands:
                        print(f"  {app.ask(command, command, timeout=120)}", flush=True)

                show("heap", "mem", "top", "modules", "pools")
                if args.objects:
                    show("small")
                if args.attach:
                    command = args.attach.format(pid=app.proc.pid).split()
                    attached = subprocess.Popen(command, stdout=sys.stderr)
                    time.sleep(15)  # the tool is in before the burst
                delivered = 0

                def burst(count: int) -> tuple[float, float, str]:
                    """Deliver `count` messages, wait until shown, dismiss them all, wait until
                    none is shown: (seconds until shown, RSS at that point, the answer)."""
                    nonlocal delivered
                    started = time.monotonic()
                    for n in range(count):
                        user = users[n % len(users)]
                        raw = corpus.english_inquiry(
                            to=user.email,
                            from_addr=f"customer{delivered}@example.test",
                            subject=f"Order #{delivered} question",
                        )
                        server.deliver(user, raw)
                        delivered += 1
                    wait_until(lambda: app.number("items", "items") >= count, "all shown", 600)
                    shown = time.monotonic() - started
                    peak = usage(app.proc.pid).rss_kib
                    if args.peak:
                        show("mem", "top", "pools")
                    if not args.batch:
                        answer = app.ask(f"not_inquiry {count}", "ok", timeout=120)
                        if args.peak:  # what the clicks left queued
                            show("mem", "top", "pools")
                        wait_until(
                            lambda: app.number("items", "items") == 0, "every item dismissed", 600
                        )
                        return shown, peak, answer
                    # As a person clears a list: a few at a time, each time the list shows it.
                    for left in range(count - args.batch, -args.batch, -args.batch):
                        app.ask(f"not_inquiry {args.batch}", "ok", timeout=120)
                        shown_at_most = max(left, 0)
                        wait_until(
                            lambda n=shown_at_most: app.number("items", "items") <= n,
                            "a batch dismissed",
                            600,
                        )
                    return shown, peak, f"ok {count}"

                if args.warmup:
                    # The first dismissal of a session loads code (modules, Qt types) that
                    # stays; a user's app has usually done that before any burst.
                    burst(args.warmup)
                    time.sleep(args.settle)
                    warm = rss_kib(app, args.samples)
                    print(
                        f"  after a warm-up of {args.warmup} dismissed: RSS {mib(warm)},"
                        f" {(warm - before) / 1024:+.1f} MiB (the baseline from here on)",
                        flush=True,
                    )
                    show("mem", "top", "modules")
                    before = warm
                for cycle in range(1, args.cycles + 1):
                    shown, peak, answer = burst(args.deliveries)
                    time.sleep(args.settle)
                    after = rss_kib(app, args.samples)
                    print(
                        f"  cycle {cycle}: {args.deliveries} delivered and shown in"
                        f" {shown:.0f} s (RSS {mib(peak)}), {answer.split()[1]} dismissed;"
                        f" RSS after {args.settle:.0f} s: {mib(after)},"
                        f" {(after - before) / 1024:+.1f} MiB from before (goal: within 5 MiB)",
                        flush=True,
                    )
                    show("heap", "mem", "top", "modules", "pools")
                    if args.objects:
                        show("small")
                    if args.collect:  # diagnosis: what a full collection gives back
                        show("collect", "pools")
                        collected = rss_kib(app, args.samples)
                        print(
                            f"  RSS after a full collection: {mib(collected)},"
                            f" {(collected - before) / 1024:+.1f} MiB from before",
                            flush=True,
                        )
                    if args.trim:  # diagnosis: what glibc's free heap is worth
                        show("trim")
                        print(f"  RSS after trim: {mib(rss_kib(app, args.samples))}", flush=True)
            finally:
                if attached is not None:
                    # Killed, not quit: what is still allocated then is what the tool reports
                    # as never freed (a quitting app frees nearly everything first).
                    app.proc.kill()
                    attached.wait(timeout=300)
                app.stop()
    finally:
        server.destroy()
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
