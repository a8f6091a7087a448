"""Figures the integration tests report (the Linux bundle's size and build time): collected by
the `summary_lines` fixture and printed in pytest's terminal summary, where CI logs show them
whatever the capture mode."""

from __future__ import annotations

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
