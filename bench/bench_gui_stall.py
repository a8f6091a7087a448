"""Benchmark: the worst GUI-thread stall of the real tray app, next to a bare PySide6 tray.

One private desktop (Xvfb, a private D-Bus session with gnome-keyring, trayer, dunst), one
real Dovecot, --accounts users (10) each reached through its own TCP proxy on loopback (so
one server can be frozen alone), accounts added with `ippo account add` (keyring). Each round
starts both programs fresh, side by side, each with a 10 ms heartbeat on its GUI thread
(bench/gui_heartbeat.py):

  app   bench/gui_stall_app.py: trayapp.app.build_app, every real part, driven by commands
  bare  bench/gui_stall_bare.py: QApplication + one QSystemTrayIcon, nothing else

and walks both through the scenarios below; for each, the worst heartbeat lateness of each
program over the same window. Printed: the median over rounds of each, the app's excess over
the bare tray (goal: <= 50 ms in every scenario) and, for opening the list, the time from the
click to its rows' first paint (goal: <= 100 ms at 1,000 items).

    .venv/bin/python bench/bench_gui_stall.py [--accounts 10] [--rounds 3] [--profile DIR]
                                                [--sample FILE]

--profile DIR: the app's GUI thread under cProfile through each scenario, one file per
scenario and round in DIR (the stalls it prints are then the profiled program's).
--sample FILE: a thread samples the app's GUI-thread stack every millisecond; after each
scenario, where it was during the worst stall is appended to FILE (diagnosis: it perturbs).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import queue
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support import mailcorpus as corpus  # noqa: E402
from tests.support.desktop_session import Desktop, start_desktop  # noqa: E402
from tests.support.dovecot import DovecotServer  # noqa: E402
from tests.support.tcp_proxy import TcpProxy  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_app_memory import add_account  # noqa: E402
from installed import compile_like_installed  # noqa: E402

BENCH = Path(__file__).resolve().parent
ICON = REPO / "resources" / "icons" / "png" / "ippo-32.png"


class Driven:
    """A program under test, spoken to in lines over its stdin/stdout."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            argv, env=env, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._log,
        )  # fmt: skip
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self._lines.put(raw.decode().strip())

    def ask(self, command: str, expect: str = "", timeout: float = 60.0) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write((command + "\n").encode())
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SystemExit(f"bench: no answer to {command!r}")
            line = self._lines.get(timeout=left)
            if line.startswith(expect):
                return line

    def number(self, command: str, expect: str, timeout: float = 60.0) -> float:
        return float(self.ask(command, expect, timeout).split()[1])

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(SystemExit, OSError, queue.Empty):
                self.ask("quit", "bye", timeout=10)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()


def wait_until(check: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: timed out waiting for {what}")
        time.sleep(0.2)


class Round:
    """One fresh pair of programs on fresh users; the scenarios, in order."""

    def __init__(
        self,
        desk: Desktop,
        server: DovecotServer,
        work: Path,
        accounts: int,
        profile: tuple[Path, int] | None = None,
        sample: Path | None = None,
    ) -> None:
        self.desk, self.server = desk, server
        self.profile = profile
        self.sample = sample
        self.users = [server.add_user() for _ in range(accounts)]
        self.proxies = [
            TcpProxy(server.host, server.imaps_port, listen_host=server.host) for _ in self.users
        ]
        self.config = Path(tempfile.mkdtemp(prefix="config-", dir=work))
        for user, proxy in zip(self.users, self.proxies, strict=True):
            add_account(desk, self.config, server, user, proxy.port)
        self.delivered = 0
        env = desk.env()
        if profile is not None:
            env["IPPO_BENCH_PROFILE"] = str(profile[0])
        if sample is not None:
            env["IPPO_BENCH_SAMPLE"] = "1"
        self.bare = Driven([sys.executable, str(BENCH / "gui_stall_bare.py"), str(ICON)], env,
                           work / "bare.log")  # fmt: skip
        self.app = Driven([sys.executable, str(BENCH / "gui_stall_app.py"), str(self.config)],
                          env, work / "app.log")  # fmt: skip
        self.app.ask("ping", "pong", timeout=120)
        self.bare.ask("ping", "pong", timeout=120)
        wait_until(
            lambda: self.app.number("connected", "connected") >= accounts, "all connected", 120
        )
        self.results: dict[str, tuple[float, float]] = {}
        self.painted: dict[str, float] = {}

    def close(self) -> None:
        self.app.stop()
        self.bare.stop()
        for proxy in self.proxies:
            proxy.close()

    # -- helpers

    def deliver(self, count: int, accounts: slice = slice(None)) -> None:
        users = self.users[accounts]
        for n in range(count):
            user = users[n % len(users)]
            raw = corpus.english_inquiry(
                to=user.email, from_addr=f"customer{self.delivered}@example.test",
                subject=f"Order #{self.delivered} question",
            )  # fmt: skip
            self.server.deliver(user, raw)
            self.delivered += 1

    def items(self) -> int:
        return int(self.app.number("items", "items"))

    def wait_items(self, count: int, timeout: float = 180.0, still: float = 15.0) -> None:
        """Until the app shows `count` items, or the count stood still for `still` seconds
        (then the shortfall is printed: a delivery the app never showed is worth a look)."""
        deadline = time.monotonic() + timeout
        last, since = -1, time.monotonic()
        while (now := self.items()) < count:
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since > still or time.monotonic() > deadline:
                print(f"    (the app shows {now} items, {count} expected)", flush=True)
                return
            time.sleep(0.2)

    def measure(self, name: str, action: Callable[[], None], settle: float = 1.0) -> None:
        self.app.ask("mark", "ok")
        self.bare.ask("mark", "ok")
        if self.profile is not None:
            self.app.ask("profile on", "profile")
        action()
        time.sleep(settle)
        if self.sample is not None:
            with self.sample.open("a", encoding="utf-8") as out:
                out.write(f"{name}: {self.app.ask('why', 'why')}\n")
        if self.profile is not None:
            slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
            self.app.ask(f"profile off {self.profile[1]}-{slug}", "profile")
        app = self.app.number("stall", "stall")
        bare = self.bare.number("stall", "stall")
        collect = self.app.number("gc", "gc")
        self.results[name] = (app, bare)
        print(
            f"    {name:<56} app {app:7.1f} ms   bare {bare:6.1f} ms"
            f"   (app's longest GC {collect:.0f} ms)",
            flush=True,
        )

    def open_list(self, name: str) -> None:
        def action() -> None:
            self.painted[name] = self.app.number("open", "painted", timeout=120)

        self.measure(name, action, settle=0.5)
        self.app.ask("hide", "ok")

    # -- the scenarios

    def run(self) -> None:
        self.measure("idle (10 s)", lambda: None, settle=10.0)
        self.deliver(1)
        self.wait_items(1)
        self.open_list("open the list with 1 item")
        self.deliver(99)
        self.wait_items(100)
        self.open_list("open the list with 100 items")

        def burst_closed() -> None:
            before = self.items()
            self.deliver(200)
            self.wait_items(before + 200)

        self.measure("200 deliveries, list closed", burst_closed)
        self.app.ask("show", "painted", timeout=60)

        def burst_open() -> None:
            before = self.items()
            self.deliver(200)
            self.wait_items(before + 200)

        self.measure("200 deliveries, list open", burst_open)
        self.app.ask("hide", "ok")
        self.deliver(1000 - self.items())
        self.wait_items(1000)
        self.open_list("open the list with 1,000 items")

        def answered_busy() -> None:
            # The dispatcher busy with a burst of deliveries while the user clicks.
            feeder = threading.Thread(target=self.deliver, args=(100,))
            feeder.start()
            for _ in range(5):
                self.app.ask("answered 1", "ok")
                self.app.ask("not_inquiry 1", "ok")
                time.sleep(0.1)
            feeder.join()

        self.measure("Answered / Not an inquiry, dispatcher busy", answered_busy, settle=2.0)

        frozen = self.proxies[1]
        frozen.freeze()
        try:
            self.measure(
                "Answered / Not an inquiry, one server frozen",
                lambda: [self.app.ask(c, "ok") for c in ("answered 3", "not_inquiry 3")] and None,
                settle=2.0,
            )
        finally:
            frozen.thaw()

        self.proxies[2].freeze()
        self.measure(
            "remove an account whose server is frozen (idle)",
            lambda: self.app.ask(f"remove {self.users[2].username}", "ok") and None,
            settle=3.0,
        )
        # Reconnecting into a frozen server: its connection cut, then the server frozen, so
        # the watcher's new connect hangs in the TLS handshake when the account is removed.
        self.proxies[3].drop()
        self.proxies[3].freeze()
        time.sleep(1.0)
        self.measure(
            "remove an account whose server is frozen (reconnecting)",
            lambda: self.app.ask(f"remove {self.users[3].username}", "ok") and None,
            settle=3.0,
        )

        keyring = next(p for p in self.desk.bus._processes if "gnome-keyring" in str(p.args))

        def slow_keyring() -> None:
            os.kill(keyring.pid, signal.SIGSTOP)
            try:
                self.app.ask(f"remove {self.users[4].username}", "ok")
                time.sleep(5.0)
            finally:
                os.kill(keyring.pid, signal.SIGCONT)

        self.measure("remove an account, keyring slow (5 s)", slow_keyring, settle=1.0)

        def notification_burst() -> None:
            # 50 messages 21 h old (3 h left: the warning stage) reach one account at once.
            user = self.users[5]
            before = self.items()
            when = dt.datetime.now(dt.UTC) - dt.timedelta(hours=21)
            with self.server.session(user) as client:
                for n in range(50):
                    raw = corpus.english_inquiry(
                        to=user.email, from_addr=f"late{n}@example.test", subject=f"Late {n}"
                    )
                    client.append("INBOX", raw, msg_time=when)
            self.wait_items(before + 50)

        self.measure("50 items reach the warning stage at once", notification_burst, settle=2.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=Path, metavar="DIR", help="cProfile each scenario")
    parser.add_argument(
        "--sample", type=Path, metavar="FILE", help="append where each worst stall was to FILE"
    )
    args = parser.parse_args()
    compile_like_installed()
    if args.accounts < 6:
        raise SystemExit("bench: --accounts must be at least 6 (scenarios use six of them)")

    # SIGTERM ends the run through the finally blocks below (servers, desktop, programs).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    server = DovecotServer.create()
    work = Path(tempfile.mkdtemp(prefix="ippo-bench-stall-"))
    rounds: list[Round] = []
    try:
        server.start()
        with start_desktop() as desk:
            for number in range(1, args.rounds + 1):
                print(f"round {number} ({args.accounts} accounts):", flush=True)
                profile = None
                if args.profile is not None:
                    args.profile.mkdir(parents=True, exist_ok=True)
                    profile = (args.profile.resolve(), number)
                current = Round(desk, server, work, args.accounts, profile, args.sample)
                try:
                    current.run()
                finally:
                    current.close()
                rounds.append(current)
    finally:
        server.destroy()
        subprocess.run(["rm", "-rf", str(work)], check=False)

    names = list(rounds[0].results)
    print(f"\nworst GUI stall, median of {len(rounds)} rounds (10 ms heartbeat):")
    print("| scenario | app (ms) | bare tray (ms) | app - bare (ms) |")
    print("|---|---:|---:|---:|")
    for name in names:
        app = statistics.median(r.results[name][0] for r in rounds)
        bare = statistics.median(r.results[name][1] for r in rounds)
        print(f"| {name} | {app:.0f} | {bare:.0f} | {app - bare:+.0f} |")
    print("\nclick to first paint of the list, median (goal: <= 100 ms at 1,000 items):")
    for name in rounds[0].painted:
        print(f"  {name:<40} {statistics.median(r.painted[name] for r in rounds):7.1f} ms")
    print("goal: app - bare <= 50 ms in every scenario")


if __name__ == "__main__":
    main()
