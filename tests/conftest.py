"""Shared test plumbing. Real servers are started by the plugins in tests/support/."""

pytest_plugins = [
    "tests.support.dovecot",
    "tests.support.keyring_session",
    "tests.support.smtp_server",
    "tests.support.desktop_session",
    "tests.support.oidc_server",
    "tests.support.browser",
]
