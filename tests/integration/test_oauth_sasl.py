"""The login steps with a token: IMAP XOAUTH2 where OAUTHBEARER is not offered, a refused
token answered the way the mechanisms ask (no hang), and one renewal after a refusal, for
IMAP and SMTP. Real Dovecot (oauth2 passdb), aiosmtpd with XOAUTH2, oidc-provider."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.browser import Browser
from tests.support.oidc_server import OAuthMail, sign_in_in_process
from tests.support.smtp_server import running_smtp_server
from trayapp.core.oauth import BearerToken
from trayapp.mail.errors import AuthenticationFailed
from trayapp.mail.imap import check_login
from trayapp.mail.smtp import check_smtp_login

pytestmark = pytest.mark.integration


def test_imap_xoauth2_where_oauthbearer_is_not_offered_and_one_renewal_after_a_refusal(
    oauth_mail_factory: Any, headless_browser: Browser
) -> None:
    stack: OAuthMail = oauth_mail_factory(mechanisms="xoauth2")
    user = stack.dovecot.add_user()
    account, tokens = sign_in_in_process(stack, user, headless_browser, "x")
    log = stack.dovecot.log_path.read_text()
    assert re.search(rf"Login: user=<{user.username}>, method=XOAUTH2", log)

    with pytest.raises(AuthenticationFailed):
        check_login(account, BearerToken("not-a-token"), timeout=20)
    assert stack.dovecot_auth_failures(user.username) == 1

    renewals: list[int] = []

    def renew() -> BearerToken:
        renewals.append(1)
        return BearerToken(tokens.access_token)

    check_login(account, BearerToken("expired-token", renew=renew), timeout=20)
    assert renewals == [1]
    assert stack.dovecot_auth_failures(user.username) == 2


def test_smtp_xoauth2_refusal_then_one_renewal(
    oauth_mail: OAuthMail, headless_browser: Browser
) -> None:
    user = oauth_mail.dovecot.add_user()
    with running_smtp_server(
        oauth_mail.dovecot, "starttls", introspect=oauth_mail.oidc.introspect
    ) as smtp:
        account, tokens = sign_in_in_process(
            oauth_mail, user, headless_browser, "s", **smtp.account_fields()
        )
        with pytest.raises(AuthenticationFailed):
            check_smtp_login(account, BearerToken("not-a-token"), timeout=20)
        check_smtp_login(
            account,
            BearerToken("stale", renew=lambda: BearerToken(tokens.access_token)),
            timeout=20,
        )
        assert smtp.token_logins == [
            (user.username, False),
            (user.username, False),
            (user.username, True),
        ]
