"""Benchmark: what a server flooding untagged EXISTS during IDLE costs Ippo.

A scripted IMAP server on loopback (tests/support/scripted_imap.py) answers every IDLE with
--lines `* N EXISTS` lines before it reads DONE. For each round the bench measures the CPU
time of this process while ending IDLE and reading the flood:

  imapclient  IMAPClient.idle_done(): parses every line into a tuple (the old watcher path)
  ippo        trayapp.mail.transport.end_idle(): one regex per line, counts coalesced

and, in one more round each, the peak Python memory while reading (tracemalloc). Prints the
median CPU of --rounds rounds of each, both measured in the same run.

    .venv/bin/python bench/bench_idle_flood.py [--lines 100000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from imapclient import IMAPClient  # noqa: E402

from tests.support.scripted_imap import (  # noqa: E402
    Script,
    ScriptedMessage,
    header_block,
    scripted_imap,
)
from trayapp.core.model import AccountConfig  # noqa: E402
from trayapp.mail.imap import connect, logout, tls_context  # noqa: E402
from trayapp.mail.transport import end_idle  # noqa: E402


def _imapclient_done(client: IMAPClient) -> None:
    client.idle_done()
    client._imap.untagged_responses.clear()  # what the old watcher did next


def _round(client: IMAPClient, finish: Callable[[IMAPClient], object]) -> float:
    client.idle()
    time.sleep(0.3)  # let the flood arrive (it is written before DONE is read)
    start = time.process_time()
    finish(client)
    return time.process_time() - start


def _peak_kib(client: IMAPClient, finish: Callable[[IMAPClient], object]) -> float:
    client.idle()
    time.sleep(0.3)
    tracemalloc.start()
    finish(client)
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    message = ScriptedMessage(uid=1, headers=header_block(message_id="m1@example.net"))
    script = Script(messages=[message], exists_flood=args.lines, lifetime=600)
    with (
        tempfile.TemporaryDirectory(prefix="ippo-bench-flood-") as work,
        scripted_imap(Path(work), script) as server,
    ):
        account = AccountConfig(
            name="flood",
            email="shop@example.test",
            imap_host=server.host,
            imap_port=server.port,
            ca_file=server.ca_file,
        )
        # The baseline: a plain imapclient connection (no coalescing), as before.
        plain = IMAPClient(
            server.host, port=server.port, ssl=True, ssl_context=tls_context(account), timeout=30
        )
        plain.login("shop", "pw")
        guarded = connect(account, "pw", timeout=30)
        runs = {"imapclient": (plain, _imapclient_done), "ippo": (guarded, end_idle)}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        peak: dict[str, float] = {}
        try:
            for client, _finish in runs.values():
                client.select_folder("INBOX", readonly=True)
            for _ in range(args.rounds):
                for name, (client, finish) in runs.items():
                    cpu[name].append(_round(client, finish))
            for name, (client, finish) in runs.items():
                peak[name] = _peak_kib(client, finish)
        finally:
            logout(plain)
            logout(guarded)
    print(f"{args.lines} EXISTS per IDLE round; CPU median of {args.rounds} rounds:")
    for name in runs:
        median = statistics.median(cpu[name]) * 1000
        print(f"  {name:<10} CPU {median:8.1f} ms   peak Python memory {peak[name]:9.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
