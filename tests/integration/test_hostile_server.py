"""Misbehaving IMAP servers (tests/support/scripted_imap.py on loopback) cannot hang,
exhaust or blind Ippo: overall deadlines, size caps, coalesced floods, and one hostile
message costing only itself."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.scripted_imap import Script, ScriptedMessage, header_block, scripted_imap
from trayapp.core.model import AccountConfig
from trayapp.mail.errors import MailError
from trayapp.mail.imap import connect, logout
from trayapp.mail.scan import scan_account
from trayapp.mail.transport import (
    ServerLimits,
    ServerResponseTooLarge,
    ServerTooSlow,
    end_idle,
    guard_of,
)

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def account_for(server: object, **overrides: object) -> AccountConfig:
    fields: dict[str, object] = {
        "name": "shop",
        "email": "shop@example.test",
        "imap_host": server.host,  # type: ignore[attr-defined]
        "imap_port": server.port,  # type: ignore[attr-defined]
        "imap_security": "ssl",
        "ca_file": server.ca_file,  # type: ignore[attr-defined]
    }
    fields.update(overrides)
    return AccountConfig(**fields)  # type: ignore[arg-type]


def message(uid: int, **kwargs: object) -> ScriptedMessage:
    date = kwargs.pop("date", "Tue, 01 Dec 2026 06:30:00 +0000")
    return ScriptedMessage(
        uid=uid,
        headers=header_block(message_id=f"m{uid}@example.net", date=str(date)),
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_dripping_server_cannot_hold_a_login_forever(tmp_path: Path) -> None:
    """One byte every 0.3 s never trips the 10 s read timeout; the overall deadline does."""
    script = Script(drip_after_login=True, drip_interval=0.3, lifetime=30)
    with scripted_imap(tmp_path, script) as server:
        limits = ServerLimits(connect_seconds=2.0)
        with pytest.raises(ServerTooSlow) as caught:
            connect(account_for(server), "pw", timeout=10.0, limits=limits)
    assert "within 2 s" in str(caught.value)
    assert server.host in str(caught.value)


def test_a_silent_greeting_ends_at_the_connect_deadline(tmp_path: Path) -> None:
    with (
        scripted_imap(tmp_path, Script(stall_greeting=True, lifetime=30)) as server,
        pytest.raises(ServerTooSlow),
    ):
        connect(account_for(server), "pw", timeout=10.0, limits=ServerLimits(1.5))


def test_a_huge_literal_is_refused_before_it_is_read(tmp_path: Path) -> None:
    script = Script(messages=[message(1)], literal_size=999_999_999)
    with scripted_imap(tmp_path, script) as server:
        client = connect(account_for(server), "pw", timeout=10.0)
        try:
            with pytest.raises(ServerResponseTooLarge) as caught:
                scan_account(client, account_for(server), NOW)
        finally:
            logout(client)
    assert "999999999-byte literal" in str(caught.value)


def test_too_many_response_lines_to_one_command_are_refused(tmp_path: Path) -> None:
    script = Script(messages=[message(uid) for uid in range(1, 60)])
    with scripted_imap(tmp_path, script) as server:
        limits = ServerLimits(max_response_lines=50)
        client = connect(account_for(server), "pw", timeout=10.0, limits=limits)
        try:
            with pytest.raises(MailError, match="more than 50 response lines"):
                scan_account(client, account_for(server), NOW)
        finally:
            logout(client)


def test_an_exists_flood_during_idle_is_coalesced(tmp_path: Path) -> None:
    script = Script(messages=[message(1)], exists_flood=100_000)
    with scripted_imap(tmp_path, script) as server:
        client = connect(account_for(server), "pw", timeout=10.0)
        try:
            client.select_folder("INBOX", readonly=True)
            client.idle()
            assert end_idle(client) is True
            # 100,000 lines were read; none of them is kept.
            assert client._imap.untagged_responses == {}
            guard = guard_of(client)
            assert guard is not None and guard.lines > 100_000
            client.noop()
        finally:
            logout(client)


def test_hostile_messages_cost_only_themselves(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    deep = b"(" * 1000 + b'"TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1' + b")" * 1000
    script = Script(
        messages=[
            message(1),
            message(2, internaldate=b'"31-Dec-9999 23:59:59 -1200"'),
            message(3, internaldate=b'"garbage"'),
            message(4, internaldate=b'"99-Foo-2026 99:99:99 +9999"', date="not a date"),
            message(5, bodystructure=deep),
            message(6),
        ]
    )
    with scripted_imap(tmp_path, script) as server:
        account = account_for(server)
        client = connect(account, "pw", timeout=10.0)
        caplog.set_level(logging.WARNING)
        try:
            result = scan_account(client, account, NOW)
            from trayapp.mail.preview import fetch_previews

            previews = fetch_previews(client, [1, 2, 3, 4, 5, 6])
        finally:
            logout(client)
    by_uid = {f.uid: f for f in result.inbox}
    # Nothing is silently dropped: every message is there, each with a plausible clock.
    assert sorted(by_uid) == [1, 2, 3, 4, 5, 6]
    assert by_uid[1].received_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    # Year 9999 and garbage: the Date header the sender wrote...
    assert by_uid[2].received_at == datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
    assert by_uid[3].received_at == datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
    # ...or, with no usable Date either, the moment Ippo first saw it.
    assert by_uid[4].received_at == NOW
    waiting = result.waiting(account, NOW)
    assert {i.uid for i in waiting} == {1, 2, 3, 4, 5, 6}
    assert "INTERNALDATE" in caplog.text and "unusable" in caplog.text
    # The absurd structure costs that message its preview, not the others theirs.
    assert previews.get(5, "") == "" and previews[1] == "hello" and previews[6] == "hello"


def test_the_watcher_thread_survives_hostile_messages_and_floods(tmp_path: Path) -> None:
    import queue

    from trayapp.core.model import HealthState
    from trayapp.mail.watcher import AccountWatcher, HealthChanged, MailboxChanged, WatchTimings

    deep = b"(" * 1000 + b'"TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1' + b")" * 1000
    script = Script(
        messages=[
            message(1, internaldate=b'"31-Dec-9999 23:59:59 -1200"'),
            message(2, bodystructure=deep),
            message(3, internaldate=b'"garbage"'),
        ],
        exists_flood=20_000,
    )
    events: queue.Queue[object] = queue.Queue()
    with scripted_imap(tmp_path, script) as server:
        watcher = AccountWatcher(
            account_for(server, lookback_days=36500),
            lambda _account: "pw",
            events.put,
            timings=WatchTimings(keepalive=5, response_timeout=5, push_settle=0.5),
        )
        watcher.start()
        try:
            changes: list[MailboxChanged] = []
            healths: list[HealthState] = []
            # The first scan, then rounds after floods: three IDLEs mean two flooded rounds.
            while not changes or server.count("IDLE") < 3:
                try:
                    event = events.get(timeout=0.2)
                except queue.Empty:
                    assert watcher.health.state is not HealthState.ERROR
                    continue
                if isinstance(event, MailboxChanged):
                    changes.append(event)
                elif isinstance(event, HealthChanged):
                    healths.append(event.health.state)
                    assert event.health.state is not HealthState.ERROR, event.health.reason
            assert watcher.health.state is HealthState.CONNECTED
        finally:
            assert watcher.stop(timeout=5)
    assert sorted(f.uid for f in changes[0].inbox) == [1, 2, 3]
    assert watcher.connects == 1  # neither the messages nor the flood cost the connection
    assert HealthState.CONNECTED in healths


@pytest.mark.parametrize("signum", [2, 15], ids=["SIGINT", "SIGTERM"])
def test_pending_ends_promptly_on_a_signal_while_a_server_drips(
    tmp_path: Path, secret_env: object, signum: int
) -> None:
    """`ippo pending` against a server dripping a byte every 0.3 s: Ctrl-C / SIGTERM cut the
    connection under the blocked read and the command ends with 130 / 143, no traceback."""
    import subprocess
    import sys
    import time

    from trayapp.config import ConfigStore
    from trayapp.desktop.secrets import KeyringSecretStore, forget_account

    script = Script(messages=[message(1)], drip_after_login=True, drip_interval=0.3, lifetime=60)
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    with scripted_imap(tmp_path, script) as server:
        account = account_for(server, name=f"drip{signum}")
        ConfigStore(config_dir).add_account(account)
        KeyringSecretStore().set_password(account.name, "pw")
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir), "pending"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=secret_env.subprocess_env(),  # type: ignore[attr-defined]
                cwd=Path(__file__).resolve().parents[2],
            )
            for _ in range(300):  # until the server dripping (LOGIN answered) or 30 s
                if server.count("LOGIN") >= 1:
                    break
                time.sleep(0.1)
            time.sleep(1.0)  # well inside the dripped answer
            proc.send_signal(signum)
            try:
                _out, err = proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                pytest.fail("ippo pending ignored the signal")
        finally:
            forget_account(KeyringSecretStore(), account.name)
    assert proc.returncode == 128 + signum, err
    assert "ippo: interrupted" in err
    assert "Traceback" not in err


def test_the_watcher_stops_promptly_while_a_server_drips_its_login(tmp_path: Path) -> None:
    """stop() (Ctrl-C / SIGTERM in `ippo watch`, quitting the tray app) cuts a connection
    that is still being made, not only one that is up."""
    import time

    from trayapp.mail.watcher import AccountWatcher, WatchTimings

    script = Script(drip_after_login=True, drip_interval=0.3, lifetime=60)
    with scripted_imap(tmp_path, script) as server:
        watcher = AccountWatcher(
            account_for(server),
            lambda _account: "pw",
            lambda _event: None,
            timings=WatchTimings(response_timeout=10),
        )
        watcher.start()
        for _ in range(300):
            if server.count("LOGIN"):
                break
            time.sleep(0.05)
        time.sleep(0.5)  # inside the dripped answer
        assert watcher.stop(timeout=1.5) is True


def test_a_garbled_reply_costs_a_reconnect_not_the_watcher(tmp_path: Path) -> None:
    """A reply the client library cannot parse outside a message fetch: the account retries
    with backoff (and says why) instead of ending in 'internal error' for good."""
    import queue

    from trayapp.core.model import HealthState
    from trayapp.mail.watcher import AccountWatcher, HealthChanged, WatchTimings

    # The first scan goes well; the SEARCH after IDLE's first push is garbled.
    script = Script(
        messages=[message(1)],
        search_reply=b"* SEARCH (((",
        search_reply_after=2,
        exists_flood=1000,
    )
    events: queue.Queue[object] = queue.Queue()
    with scripted_imap(tmp_path, script) as server:
        watcher = AccountWatcher(
            account_for(server),
            lambda _account: "pw",
            events.put,
            timings=WatchTimings(response_timeout=5, backoff_base=0.2, backoff_cap=0.5),
        )
        watcher.start()
        try:
            retrying = []
            while len(retrying) < 2:
                event = events.get(timeout=30)
                if isinstance(event, HealthChanged):
                    assert event.health.state is not HealthState.ERROR, event.health.reason
                    if event.health.state is HealthState.RETRYING:
                        retrying.append(event.health.reason)
        finally:
            assert watcher.stop(timeout=5)
    assert "unexpected reply" in retrying[0], retrying
    # Said to people without the Python class name a layer may have put in front.
    from trayapp.core.failures import explain_failure

    for language in ("en", "ja"):
        said = explain_failure(retrying[0], language).with_detail()
        assert "unexpected message list format" in said and "ValueError" not in said
    assert server.connections >= 2


def test_pending_lists_a_message_without_a_usable_date_and_keeps_its_clock(
    tmp_path: Path, secret_env: object
) -> None:
    """Garbage INTERNALDATE and no usable Date: `ippo pending` lists the message (it used to
    drop it: "Nothing waits"), its clock starting when Ippo first saw it -- and a later run
    (a status bar runs it every minute) keeps that moment instead of restarting the clock."""
    import json
    import subprocess
    import sys

    from trayapp.config import ConfigStore
    from trayapp.desktop.secrets import KeyringSecretStore, forget_account

    script = Script(messages=[message(7, internaldate=b'"garbage"', date="not a date")])
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    env = secret_env.subprocess_env()  # type: ignore[attr-defined]
    command = [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir), "pending"]
    with scripted_imap(tmp_path, script) as server:
        account = account_for(server, name="undated")
        ConfigStore(config_dir).add_account(account)
        KeyringSecretStore().set_password(account.name, "pw")
        runs = []
        try:
            for _ in range(2):
                done = subprocess.run(
                    [*command, "--json"],
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=Path(__file__).resolve().parents[2],
                    timeout=60,
                )
                assert done.returncode == 0, done.stderr
                assert "INTERNALDATE unreadable unusable" in done.stderr
                runs.append(json.loads(done.stdout))
        finally:
            forget_account(KeyringSecretStore(), account.name)
    first, second = runs
    assert [i["message_id"] for i in first] == ["m7@example.net"]
    assert second[0]["received_at"] == first[0]["received_at"]
    assert second[0]["id"] == first[0]["id"]


def test_the_watch_service_keeps_a_first_seen_clock_across_restarts(tmp_path: Path) -> None:
    """The tray app and `ippo watch`: a message without a usable date is listed, and after a
    restart (a new connection, a new process) its clock still starts at the first sight."""
    import time

    from trayapp.mail.service import WatchService
    from trayapp.mail.watcher import WatchTimings
    from trayapp.store.db import StateStore

    script = Script(messages=[message(7, internaldate=b'"garbage"', date="not a date")])
    seen: list[datetime] = []
    with scripted_imap(tmp_path, script) as server, StateStore(tmp_path / "state") as store:
        account = account_for(server)
        for _ in range(2):
            service = WatchService(
                [account], lambda _a: "pw", store, timings=WatchTimings(response_timeout=5)
            )
            service.start()
            try:
                for _ in range(300):  # the live picture, not the last recorded one
                    snapshot = service.snapshot()
                    if snapshot.covered and snapshot.items:
                        break
                    time.sleep(0.05)
                [item] = snapshot.items
                seen.append(item.received_at)
            finally:
                assert service.stop(timeout=5)
            time.sleep(0.05)  # a later moment: a restarted clock would show
    assert seen[0] == seen[1]
