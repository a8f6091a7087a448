"""`ippo --demo`: a throwaway IMAP server on loopback, filled with sample inquiries.

A newcomer sees the badge, the list and a notification within a minute, without an account.
The demo never touches the user's config or keyring: it runs in a temporary folder with an
in-memory secret store, against pymap (a pure-Python IMAP server) over STARTTLS with a CA
made for this run only.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from types import TracebackType

from trayapp.core.model import AccountConfig

DEMO_EMAIL = "shop@ippo-demo.example"


class DemoUnavailable(RuntimeError):
    """The demo's optional parts (pymap, cryptography) are not installed."""


@dataclass
class MemorySecretStore:
    """Holds the demo password in memory only (the real keyring is never touched)."""

    passwords: dict[tuple[str, str], str] = field(default_factory=dict)

    def get_password(self, account: str, kind: str = "imap") -> str | None:
        return self.passwords.get((account, kind))

    def set_password(self, account: str, password: str, kind: str = "imap") -> None:
        self.passwords[(account, kind)] = password

    def delete_password(self, account: str, kind: str = "imap") -> None:
        self.passwords.pop((account, kind), None)

    def check_available(self) -> None:
        """Memory is always there (the keyring's check, for account editing)."""


@dataclass(frozen=True)
class SampleMail:
    folder: str
    age: dt.timedelta  # how long ago it "reached the server"
    sender: tuple[str, str]
    subject: str
    body: str
    extra_headers: tuple[tuple[str, str], ...] = ()
    flags: tuple[str, ...] = ()


def sample_mail() -> list[SampleMail]:
    """Inquiries in Japanese and English at every stage, plus mail that must not count."""
    h = dt.timedelta(hours=1)
    return [
        SampleMail(
            "INBOX",
            21 * h,
            ("髙橋 美咲", "misaki.takahashi@example.jp"),
            "商品①の在庫について",
            "お世話になっております。\n"
            "商品①はまだ在庫がありますでしょうか。\n来週までに3個ほしいです。\n",
        ),
        SampleMail(
            "INBOX",
            23 * h + 20 * dt.timedelta(minutes=1),
            ("Daniel Park", "daniel@example.com"),
            "Refund for order #1042?",
            "Hi,\nthe package arrived damaged. "
            "Could I get a refund or a replacement?\nThanks, Daniel\n",
        ),
        SampleMail(
            "INBOX",
            26 * h,
            ("佐藤 健", "ken.sato@example.ne.jp"),
            "サポートのご相談",
            "はじめまして。教材のログインができません。\n"
            "パスワードを再設定しても同じエラーが出ます。\n",
        ),
        SampleMail(
            "INBOX",
            3 * h,
            ("Emma Wilson", "emma@example.org"),
            "Coaching session next week",
            "Hello! Do you still have a slot on "
            "Tuesday afternoon? I would like to book a 60-minute session.\n",
        ),
        SampleMail(
            "INBOX",
            40 * dt.timedelta(minutes=1),
            ("小林 あゆみ", "ayumi@example.jp"),
            "特典の受け取り方法",
            "特典のPDFはどこからダウンロードできますか？\n",
        ),
        # These never count: a newsletter, a vacation auto-reply, a no-reply notice.
        SampleMail(
            "INBOX",
            5 * h,
            ("Weekly Deals", "news@deals.example.com"),
            "今週のセール情報",
            "今週のおすすめ商品です。\n",
            (
                ("List-Unsubscribe", "<mailto:unsubscribe@deals.example.com>"),
                ("Precedence", "bulk"),
            ),
        ),
        SampleMail(
            "INBOX",
            4 * h,
            ("Tom Baker", "tom@example.net"),
            "Out of office: Re: invoice",
            "I am away until Monday.\n",
            (("Auto-Submitted", "auto-replied"),),
        ),
        SampleMail(
            "INBOX",
            2 * h,
            ("Shop System", "no-reply@payments.example.com"),
            "入金のお知らせ",
            "ご入金を確認しました。\n",
        ),
        # Already answered: carries \Answered.
        SampleMail(
            "INBOX",
            30 * h,
            ("山田 花子", "hanako@example.jp"),
            "請求書の再発行",
            "請求書を再発行していただけますか。\n",
            flags=("\\Answered", "\\Seen"),
        ),
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _make_ca_and_cert(folder: Path) -> tuple[Path, Path, Path]:
    """A CA made for this run, and a server certificate for 127.0.0.1 signed by it."""
    try:
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise DemoUnavailable("the demo needs: pip install 'ippo[demo]'") from exc

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ippo demo CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return ca_path, cert_path, key_path


def _render(mail: SampleMail, now: dt.datetime) -> bytes:
    msg = EmailMessage()
    name, addr = mail.sender
    from email.headerregistry import Address

    msg["From"] = Address(display_name=name, addr_spec=addr)
    msg["To"] = DEMO_EMAIL
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(now - mail.age)
    msg["Message-ID"] = make_msgid(domain=addr.split("@", 1)[1])
    for header, value in mail.extra_headers:
        msg[header] = value
    msg.set_content(mail.body)
    return msg.as_bytes()


# -I: nothing from the current folder or PYTHON* variables is imported; -u: the log is written
# as it happens. A bundle's executable is Ippo itself, which runs `-c CODE` like Python
# (installers/ippo_entry.py) and imports nothing from the current folder anyway.
_INTERPRETER_FLAGS: tuple[str, ...] = () if getattr(sys, "frozen", False) else ("-I", "-u")


class DemoServer:
    """Starts pymap on loopback, fills it, and tears everything down on exit."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="ippo-demo-"))
        self.config_dir = self.folder / "config"
        self.config_dir.mkdir(mode=0o700)
        self.port = _free_port()
        self.password = secrets.token_urlsafe(12)
        self.secrets = MemorySecretStore()
        self._process: subprocess.Popen[bytes] | None = None
        self.account: AccountConfig | None = None

    def start(self) -> AccountConfig:
        try:
            import pymap  # noqa: F401
        except ImportError as exc:
            raise DemoUnavailable("the demo needs: pip install 'ippo[demo]'") from exc
        ca, cert, key = _make_ca_and_cert(self.folder)
        # The free port is only free until someone takes it: on a busy machine another server can
        # bind it between our probe and pymap's bind. Then pymap exits at once; try a new port.
        for attempt in range(3):
            if attempt:
                self.port = _free_port()
            self._launch(cert, key)
            if self._wait_for_port():
                break
            if "address already in use" not in self._log_tail().lower():
                raise DemoUnavailable(f"the demo IMAP server did not start: {self._log_tail()}")
        else:
            raise DemoUnavailable("the demo IMAP server found no free port")
        self.account = AccountConfig(
            name="demo",
            email=DEMO_EMAIL,
            imap_host="127.0.0.1",
            imap_port=self.port,
            imap_security="starttls",
            ca_file=str(ca),
            signature="Ippo デモショップ",
        )
        self.secrets.set_password("demo", self.password)
        self._fill(self.account)
        return self.account

    def _launch(self, cert: Path, key: Path) -> None:
        log = (self.folder / "pymap.log").open("wb")
        self._process = subprocess.Popen(
            [
                sys.executable,
                *_INTERPRETER_FLAGS,
                "-c",
                # The password comes on stdin, never in the process arguments; joined to
                # its option with '=': one that starts with '-' (1 in 64) is not an option.
                "import sys; from pymap.main import main;"
                " sys.argv += ['--demo-password=' + sys.stdin.readline().strip()];"
                " sys.exit(main())",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--cert",
                str(cert),
                "--key",
                str(key),
                "dict",
                "--demo-user",
                DEMO_EMAIL,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.PIPE,
        )
        log.close()
        assert self._process.stdin is not None
        self._process.stdin.write(self.password.encode() + b"\n")
        self._process.stdin.close()

    def _log_tail(self) -> str:
        try:
            text = (self.folder / "pymap.log").read_text(errors="replace")
        except OSError:
            return ""
        return text.strip()[-400:]

    def _wait_for_port(self, timeout: float = 30.0) -> bool:  # slow laptops, busy machines
        """True once pymap accepts connections, False when it exited before that."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                return False
            # Ready means pymap greets: a connection alone may reach whoever else holds the port.
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as probe:
                    probe.settimeout(1.0)
                    if probe.recv(64).startswith(b"* OK"):
                        return True
            except OSError:
                pass
            time.sleep(0.1)
        raise DemoUnavailable("the demo IMAP server did not start in time")

    def _fill(self, account: AccountConfig) -> None:
        from trayapp.mail.imap import connect

        now = dt.datetime.now(dt.UTC)
        client = connect(account, self.password)
        try:
            for mail in sample_mail():
                client.append(
                    mail.folder, _render(mail, now), flags=mail.flags, msg_time=now - mail.age
                )
        finally:
            client.logout()

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> DemoServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
