"""SMTP reports TLS and socket failures exactly as IMAP does (one shared translation): a
hang-up in the middle of the TLS handshake may heal by itself, a foreign certificate does
not."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.smtp_server import SmtpServer
from tests.support.tcp_proxy import TcpProxy
from trayapp.mail.errors import ConnectionFailed, TLSFailure
from trayapp.mail.smtp import check_smtp_login

pytestmark = pytest.mark.integration


def test_hang_up_mid_smtp_tls_handshake_is_transient(
    dovecot: DovecotServer, dovecot_user: DovecotUser, smtp_server: SmtpServer
) -> None:
    smtp_server.add_user(dovecot_user.username, dovecot_user.password)
    account = dovecot.account(dovecot_user, **smtp_server.account_fields())
    proxy = TcpProxy(smtp_server.host, smtp_server.port)
    try:
        proxy.refuse(True)  # accepts, then hangs up before TLS is up
        behind_proxy = replace(account, smtp_host="127.0.0.1", smtp_port=proxy.port)
        with pytest.raises(ConnectionFailed) as caught:
            check_smtp_login(behind_proxy, dovecot_user.password, timeout=10)
        assert not caught.value.permanent
        # The hang-up reaches the client as an EOF mid-handshake or, a moment later, as a
        # reset: both are the network's problem, named as a connection failure.
        assert "connection" in str(caught.value)
    finally:
        proxy.close()
    # The same server, reached directly, logs in: the proxy was the only problem.
    check_smtp_login(account, dovecot_user.password, timeout=10)


def test_untrusted_smtp_certificate_is_permanent(
    dovecot: DovecotServer, dovecot_user: DovecotUser, smtp_server: SmtpServer
) -> None:
    account = replace(dovecot.account(dovecot_user, **smtp_server.account_fields()), ca_file=None)
    with pytest.raises(TLSFailure) as caught:
        check_smtp_login(account, dovecot_user.password, timeout=10)
    assert caught.value.permanent
    assert "certificate not trusted" in str(caught.value)
