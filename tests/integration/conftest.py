"""Figures the integration tests report (the Linux bundle's size and build time): collected by
the `summary_lines` fixture and printed in pytest's terminal summary, where CI logs show them
whatever the capture mode."""

from __future__ import annotations

from typing import Any

import pytest

_SUMMARY = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def summary_lines(pytestconfig: pytest.Config) -> list[str]:
    """Append lines here; they appear under 'installers' at the end of the run."""
    return pytestconfig.stash.setdefault(_SUMMARY, [])


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    lines = config.stash.get(_SUMMARY, [])
    if lines:
        terminalreporter.section("installers")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def cli_env(keyring_session: Any) -> dict[str, str]:
    """The environment for `ippo` subprocesses (tests.support.ippo_cli): the test keyring's
    private bus, and no IPPO_CONFIG_DIR (each test passes --config-dir)."""
    merged: dict[str, str] = keyring_session.subprocess_env()
    merged.pop("IPPO_CONFIG_DIR", None)
    return merged
