"""Server failures as plain sentences in the user's language (no Python reprs), and the fix."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trayapp.core.failures import clean_detail, explain_failure

AUTH = (
    "imap.example.jp:993: login failed (wrong user name or password?): "
    "b'[AUTHENTICATIONFAILED] Authentication failed.'"
)


@pytest.mark.parametrize(
    ("reason", "kind", "fix", "english", "japanese"),
    [
        (
            AUTH,
            "auth",
            "password",
            "The server imap.example.jp refused the user name",
            "imap.example.jp にログインできません。",
        ),
        (
            "smtp.x.jp:465: login failed (wrong user name or password?): 535 5.7.8 bad",
            "auth",
            "password",
            "refused the user name or password",
            "パスワードを入力してください",
        ),
        (
            "imap.x.jp:993: certificate not trusted (self-signed certificate); add its CA",
            "certificate",
            "server",
            "certificate could not be verified",
            "証明書を確認できません",
        ),
        (
            "imap.x.jp:993: TLS handshake failed (wrong version number); check the port",
            "tls",
            "server",
            "A secure connection to the server imap.x.jp",
            "暗号化した接続",
        ),
        (
            "imap.x.jp:993: connection closed by the server during the TLS handshake (EOF)",
            "lost",
            "wait",
            "was lost",
            "接続が切れました",
        ),
        (
            "imap.x.jp:993: cannot resolve host name (Name or service not known)",
            "dns",
            "server",
            "The server name imap.x.jp cannot be found",
            "が見つかりません",
        ),
        (
            "imap.x.jp:143: connection refused",
            "refused",
            "server",
            "refused the connection",
            "接続を拒否されました",
        ),
        (
            "imap.x.jp:993: no answer from the server after 30s (timed out)",
            "timeout",
            "wait",
            "does not answer",
            "応答がありません",
        ),
        (
            "imap.x.jp:993: server cannot log in now: [UNAVAILABLE] maintenance",
            "busy",
            "wait",
            "cannot let you in right now",
            "一時的にログインを受け付けていません",
        ),
        (
            "no password in the OS keyring for 'shop'",
            "no_password",
            "password",
            "has no password",
            "パスワードが保存されていません",
        ),
        ("sent folder 'Sent' does not exist", "folder", "server", "folder", "フォルダー"),
        (
            "smtp.x.jp:465: the server did not take the message within 120 s (stalled or too slow)",
            "slow",
            "wait",
            "The server smtp.x.jp answered too slowly",
            "smtp.x.jp の応答が遅すぎる",
        ),
        (
            "smtp.x.jp:465: the server did not take the message within 3 s, after the message"
            " was handed over: it may have been sent",
            "uncertain",
            "none",
            "it may have been sent. Look in Sent",
            "送信された可能性があります",
        ),
        (
            "interrupted while the server was accepting it: it may have gone out",
            "uncertain",
            "none",
            "it may have been sent",
            "送信された可能性があります",
        ),
        (
            "interrupted before it was sent",
            "interrupted",
            "none",
            "it was not sent",
            "送信されていません",
        ),
        (
            "cannot save to /home/u/.config/ippo/state.sqlite3: the disk is full; free some"
            " space and try again",
            "disk_full",
            "none",
            "The disk is full",
            "ディスクがいっぱい",
        ),
        (
            "cannot open /etc/ippo/state.sqlite3: the folder is read-only or not yours; check"
            " its permissions",
            "read_only",
            "none",
            "cannot write to its folder",
            "書き込めません",
        ),
    ],
)
def test_known_failures_read_as_sentences(
    reason: str, kind: str, fix: str, english: str, japanese: str
) -> None:
    en, ja = explain_failure(reason, "en"), explain_failure(reason, "ja")
    assert (en.kind, en.fix) == (ja.kind, ja.fix) == (kind, fix)
    assert english in en.text and japanese in ja.text
    assert "b'" not in en.text + ja.text and en.text.endswith((".", "。")) is True


def test_unknown_failures_keep_the_servers_words_without_reprs() -> None:
    failure = explain_failure("imap.x.jp:993: server said: b'[XYZ] odd\\r\\n'", "ja")
    assert failure.kind == "other"
    assert failure.text == "imap.x.jp から問題が報告されました：server said: [XYZ] odd"
    assert explain_failure("internal error: KeyError", "en").text == (
        "Something went wrong: internal error: KeyError"
    )


def test_a_host_name_is_never_capitalised_in_japanese() -> None:
    assert explain_failure("imap.x.jp:993: connection refused", "ja").text.startswith("imap.x.jp")


@given(st.text(max_size=200), st.sampled_from(["en", "ja"]))
def test_any_reason_gives_one_line_without_reprs(reason: str, language: str) -> None:
    failure = explain_failure(reason, language)
    assert failure.text and "\n" not in clean_detail(reason)
    assert failure.fix in ("password", "signin", "server", "wait", "none")


def test_python_class_names_are_never_said() -> None:
    reason = "imap.x.jp:993: unexpected reply (ValueError: unexpected message list format)"
    for language in ("en", "ja"):
        said = explain_failure(reason, language).with_detail()
        assert "ValueError" not in said and "unexpected message list format" in said
    lost = explain_failure("imap.x.jp:993: imaplib.IMAP4.abort: socket error: EOF", "en")
    assert lost.kind == "lost" and "imaplib" not in lost.with_detail()
    slow = explain_failure("smtp.x.jp:465: connection failed (TimeoutError: x)", "en")
    assert slow.kind == "timeout" and "TimeoutError" not in slow.with_detail()


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (EOFError(), "lost"),
        (ConnectionResetError(), "lost"),
        (BrokenPipeError(), "lost"),
        (ConnectionAbortedError(), "lost"),
        (TimeoutError(), "timeout"),
        (KeyError(), "other"),
    ],
)
def test_an_exception_that_says_nothing_is_not_named_by_its_class(
    error: BaseException, kind: str
) -> None:
    """mail.errors.describe gave the class name when an exception carried no words
    ("connection failed (ConnectionResetError)"): now a phrase the sentences understand."""
    from trayapp.mail.errors import describe

    # as mail.imap.imap_error words them
    wording = "connection failed" if isinstance(error, OSError | EOFError) else "unexpected reply"
    reason = f"imap.x.jp:993: {wording} ({describe(error)})"
    assert type(error).__name__ not in reason
    for language in ("en", "ja"):
        failure = explain_failure(reason, language)
        assert failure.kind == kind and type(error).__name__ not in failure.with_detail()


@pytest.mark.parametrize("port", [45351, 53550, 5355])
def test_a_port_number_is_not_read_as_a_reply_code(port: int) -> None:
    """'535' is SMTP's "authentication failed"; in the server's port it means nothing (a test
    server on port 45351 turned "451 temporarily busy" into "enter the new password")."""
    for language in ("en", "ja"):
        failure = explain_failure(f"127.0.0.2:{port}: 451 4.3.0 temporarily busy", language)
        assert failure.kind == "other" and "451 4.3.0 temporarily busy" in failure.text
