"""The tray app restarts itself once (exec, same process) with glibc's per-thread malloc
caches off (trayapp/memory_tricks.py says why), and hands the programs it starts the
environment as it was. Real processes: the exec and the environment are the kernel's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CHILD = """
import json, os, subprocess, sys
print(json.dumps({"stage": "before", "pid": os.getpid()}), flush=True)
from trayapp.memory_tricks import restart_without_thread_caches
restart_without_thread_caches()
with open("/proc/self/environ", "rb") as f:  # what the process was started with
    # ld.so cuts GLIBC_TUNABLES at each ':' in place while it reads it: the tunables it saw.
    started = sorted(
        part.decode().removeprefix("GLIBC_TUNABLES=")
        for part in f.read().split(b"\\0")
        if part.startswith((b"GLIBC_TUNABLES=", b"glibc."))
    )
child = subprocess.run(
    [sys.executable, "-c", "import os; print(os.environ.get('GLIBC_TUNABLES', '-'))"],
    capture_output=True, text=True, check=True,
).stdout.strip()
print(json.dumps({
    "stage": "after", "pid": os.getpid(), "argv": sys.argv[1:],
    "started_with": started,
    "now": os.environ.get("GLIBC_TUNABLES", "-"),
    "marker": os.environ.get("IPPO_RESTARTED_TUNABLES", "-"),
    "child": child,
}), flush=True)
"""


def _run(tmp_path: Path, **env: str) -> list[dict[str, object]]:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    base = {
        k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES", "IPPO_PLAIN_PROCESS")
    }
    done = subprocess.run(
        [sys.executable, str(script), "--config-dir", "/nowhere", "ja"],
        env={**base, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_the_app_runs_without_thread_caches_and_its_children_get_the_environment_back(
    tmp_path: Path,
) -> None:
    before, again, after = _run(tmp_path)
    assert before["stage"] == again["stage"] == "before"  # the script ran twice ...
    assert before["pid"] == again["pid"] == after["pid"]  # ... in one process (exec)
    assert after["argv"] == ["--config-dir", "/nowhere", "ja"]
    assert after["started_with"] == ["glibc.malloc.tcache_count=0"]
    assert after["now"] == after["child"] == "-"  # unset, as it was
    assert after["marker"] == "-"


def test_tunables_the_user_set_are_kept(tmp_path: Path) -> None:
    *_, after = _run(tmp_path, GLIBC_TUNABLES="glibc.malloc.arena_max=2")
    assert after["started_with"] == ["glibc.malloc.arena_max=2", "glibc.malloc.tcache_count=0"]
    assert after["now"] == after["child"] == "glibc.malloc.arena_max=2"


def test_switched_off_it_runs_once_as_started(tmp_path: Path) -> None:
    lines = _run(tmp_path, IPPO_PLAIN_PROCESS="1")
    assert [line["stage"] for line in lines] == ["before", "after"]
    assert lines[-1]["started_with"] == []
