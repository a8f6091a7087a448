"""Shared test plumbing. Real servers are started by the plugins in tests/support/."""

import signal

pytest_plugins = [
    "tests.support.dovecot",
    "tests.support.keyring_session",
    "tests.support.smtp_server",
    "tests.support.desktop_session",
    "tests.support.oidc_server",
    "tests.support.browser",
]

# Started in the background by a non-interactive shell (`.ci/run &`, nohup), this process and
# every program it starts inherit SIGINT ignored, and a Python started that way never turns
# Ctrl-C into KeyboardInterrupt: the tests that press Ctrl-C on `ippo` would press it on a
# process that cannot hear it (the sign-in test hung 60 s). Caught here, SIGINT is back to
# its default in every program the tests start (exec resets caught signals, not ignored ones),
# as in a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
