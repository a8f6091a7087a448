"""A real Dovecot 2.3 IMAP/LMTP server for the tests, on loopback, with a throwaway CA.

Fixtures (this module is a pytest plugin, listed in tests/conftest.py):

- ``dovecot`` (session): a running :class:`DovecotServer`.
- ``dovecot_user`` (function): a fresh :class:`DovecotUser` on it, unique per test.

Everything lives in a private temporary directory with its own ``base_dir`` and random free
ports, so several test runs on one machine never collide. Dovecot's master runs as root when
the tests do (its login process as ``dovenull``, mail processes as ``dovecot``), or entirely
as the current user otherwise.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import itertools
import os
import pwd
import re
import secrets
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from imapclient import IMAPClient

if TYPE_CHECKING:
    from trayapp.core.model import AccountConfig

DOVECOT_BINARY = "/usr/sbin/dovecot"
DOMAIN = "example.test"
START_TIMEOUT = 20.0


def _pick_host() -> str:
    """127.0.0.2 when the loopback takes it: clients then connect from 127.0.0.1, and Dovecot
    does not treat the connection as local-and-therefore-secure, so STARTTLS is really required
    on the plain port (on 127.0.0.1 Dovecot allows plaintext login from the same address)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.2", 0))
        return "127.0.0.2"
    except OSError:
        return "127.0.0.1"


HOST = _pick_host()


class DovecotError(RuntimeError):
    """Dovecot did not start or stop as expected; the message carries the tail of its log."""


@dataclass(frozen=True)
class DovecotUser:
    """A mailbox user. Log in with ``username`` or with ``email``; LMTP delivers to ``email``."""

    username: str
    email: str
    password: str

    @property
    def name(self) -> str:
        return self.username


# --------------------------------------------------------------------------- certificates


@dataclass(frozen=True)
class CertificateAuthority:
    cert_path: Path
    key_path: Path


def generate_ca(directory: Path, common_name: str = "Ippo Test CA") -> CertificateAuthority:
    """A self-signed CA (EC P-256, valid for a few days) written as PEM files in ``directory``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    slug = re.sub(r"[^a-z0-9]+", "-", common_name.lower()).strip("-")
    cert_path = directory / f"{slug}.crt"
    key_path = directory / f"{slug}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return CertificateAuthority(cert_path, key_path)


def issue_server_cert(
    ca: CertificateAuthority,
    directory: Path,
    names: Sequence[str] = ("localhost", "127.0.0.1", "127.0.0.2"),
    stem: str = "server",
) -> tuple[Path, Path]:
    """A server certificate for ``names`` (DNS names or IP addresses) signed by ``ca``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ca_cert = x509.load_pem_x509_certificate(ca.cert_path.read_bytes())
    ca_key = serialization.load_pem_private_key(ca.key_path.read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    alt_names: list[x509.GeneralName] = []
    for n in names:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(n)))
        except ValueError:
            alt_names.append(x509.DNSName(n))
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    cert_path = directory / f"{stem}.crt"
    key_path = directory / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


# --------------------------------------------------------------------------- helpers


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _wait_for_port(host: str, port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


_user_counter = itertools.count(1)


@dataclass
class _Accounts:
    user: str  # system user the mail processes run as
    uid: int
    gid: int
    login_user: str
    internal_user: str


def _system_accounts() -> _Accounts:
    if os.geteuid() == 0:
        mail = pwd.getpwnam("dovecot")
        return _Accounts("dovecot", mail.pw_uid, mail.pw_gid, "dovenull", "dovecot")
    me = pwd.getpwuid(os.geteuid())
    return _Accounts(me.pw_name, me.pw_uid, me.pw_gid, me.pw_name, me.pw_name)


@dataclass
class BulkMessage:
    """One message for :meth:`DovecotServer.bulk_load`: raw bytes and its INTERNALDATE."""

    raw: bytes
    received_at: dt.datetime
    seen: bool = True
    answered: bool = False


# --------------------------------------------------------------------------- the server


@dataclass
class DovecotServer:
    """One Dovecot instance. Create with :meth:`create`, then :meth:`start`.

    ``ssl=False`` builds a server with no TLS at all (to prove the client refuses plaintext).
    ``oauth2_introspection_url`` (``http://client:secret@host:port/path``) adds SASL XOAUTH2
    and OAUTHBEARER, checked by Dovecot's ``oauth2`` passdb against that RFC 7662
    introspection endpoint (token's ``sub`` = the user name); passwords keep working.
    """

    root: Path
    ssl_enabled: bool = True
    oauth2_introspection_url: str | None = None
    oauth2_mechanisms: str = "xoauth2 oauthbearer"  # e.g. "xoauth2" for a server without RFC 7628
    host: str = HOST
    ports: dict[str, int] = field(default_factory=dict)
    ca: CertificateAuthority | None = None
    _process: subprocess.Popen[bytes] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ---- construction

    @classmethod
    def create(
        cls,
        *,
        ssl_enabled: bool = True,
        prefix: str = "ippo-dovecot-",
        oauth2_introspection_url: str | None = None,
        oauth2_mechanisms: str = "xoauth2 oauthbearer",
    ) -> DovecotServer:
        root = Path(tempfile.mkdtemp(prefix=prefix))
        # Dovecot's unprivileged processes must reach the config, certificates and mail.
        root.chmod(0o755)
        server = cls(
            root=root,
            ssl_enabled=ssl_enabled,
            oauth2_introspection_url=oauth2_introspection_url,
            oauth2_mechanisms=oauth2_mechanisms,
        )
        server._prepare()
        return server

    @property
    def accounts(self) -> _Accounts:
        return _system_accounts()

    @property
    def config_path(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def log_path(self) -> Path:
        return self.root / "dovecot.log"

    @property
    def base_dir(self) -> Path:
        return self.root / "run"

    @property
    def users_dir(self) -> Path:
        return self.root / "users"

    @property
    def mail_root(self) -> Path:
        return self.root / "mail"

    @property
    def ca_file(self) -> str:
        if self.ca is None:
            raise DovecotError("this Dovecot runs without TLS; it has no CA")
        return str(self.ca.cert_path)

    @property
    def lmtp_socket(self) -> Path:
        return self.base_dir / "lmtp"

    @property
    def imaps_port(self) -> int:
        return self.ports["imaps"]

    @property
    def imap_port(self) -> int:
        return self.ports["imap"]

    def _prepare(self) -> None:
        acc = self.accounts
        self.mail_root.mkdir(mode=0o700)
        os.chown(self.mail_root, acc.uid, acc.gid)
        (self.root / "state").mkdir()
        self.users_dir.mkdir(mode=0o755)
        if self.ssl_enabled:
            tls_dir = self.root / "tls"
            self.ca = generate_ca(tls_dir, f"Ippo Test CA {self.root.name}")
            issue_server_cert(self.ca, tls_dir)
            for p in tls_dir.iterdir():
                p.chmod(0o644)
            tls_dir.chmod(0o755)
        self.ports = {"imap": free_port(), "imaps": free_port(), "lmtp": free_port()}
        self._write_config()

    def _write_config(self) -> None:
        acc = self.accounts
        ssl_lines = (
            f"""
ssl = required
ssl_cert = <{self.root}/tls/server.crt
ssl_key = <{self.root}/tls/server.key
ssl_dh = </usr/share/dovecot/dh.pem
ssl_min_protocol = TLSv1.2
"""
            if self.ssl_enabled
            else "\nssl = no\n"
        )
        imaps_listener = (
            f"""
  inet_listener imaps {{
    address = {self.host}
    port = {self.ports["imaps"]}
    ssl = yes
  }}"""
            if self.ssl_enabled
            else ""
        )
        mechanisms = "plain login"
        oauth2_passdb = ""
        if self.oauth2_introspection_url:
            mechanisms += " " + self.oauth2_mechanisms
            oauth2_conf = self.root / "dovecot-oauth2.conf.ext"
            oauth2_conf.write_text(
                f"""introspection_mode = post
introspection_url = {self.oauth2_introspection_url}
username_attribute = sub
active_attribute = active
active_value = true
force_introspection = yes
"""
            )
            oauth2_conf.chmod(0o600)
            # After the password passdb: a password is tried there first, a token falls through.
            oauth2_passdb = f"""
passdb {{
  driver = oauth2
  mechanisms = {self.oauth2_mechanisms}
  args = {oauth2_conf}
}}"""
        config = f"""# Generated by tests/support/dovecot.py
instance_name = ippo-test-{self.root.name}
base_dir = {self.base_dir}
state_dir = {self.root}/state
protocols = imap lmtp
listen = {self.host}
log_path = {self.log_path}
auth_verbose = yes
auth_verbose_passwords = no
auth_failure_delay = 0
default_login_user = {acc.login_user}
default_internal_user = {acc.internal_user}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
mail_max_userip_connections = 200
postmaster_address = postmaster@{DOMAIN}
hostname = imap.{DOMAIN}
disable_plaintext_auth = {"yes" if self.ssl_enabled else "no"}
auth_mechanisms = {mechanisms}
auth_username_format = %Ln
{ssl_lines}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {self.users_dir}/%n
}}{oauth2_passdb}
userdb {{
  driver = passwd-file
  args = username_format=%n {self.users_dir}/%n
  default_fields = uid={acc.uid} gid={acc.gid} home={self.mail_root}/%n
}}

namespace inbox {{
  inbox = yes
  separator = .
  mailbox Sent {{
    special_use = \\Sent
  }}
  mailbox Outgoing {{
    special_use = \\Sent
  }}
  mailbox Drafts {{
    special_use = \\Drafts
  }}
  mailbox Trash {{
    special_use = \\Trash
  }}
  mailbox Junk {{
    special_use = \\Junk
  }}
}}

service imap-login {{
  inet_listener imap {{
    address = {self.host}
    port = {self.ports["imap"]}
  }}{imaps_listener}
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0666
  }}
  inet_listener lmtp {{
    address = {self.host}
    port = {self.ports["lmtp"]}
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
protocol imap {{
  mail_max_userip_connections = 200
}}
"""
        self.config_path.write_text(config)
        self.config_path.chmod(0o644)

    # ---- lifecycle

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log written)"
        return "\n".join(text.splitlines()[-lines:])

    def start(self) -> None:
        """Start Dovecot (same ports, same data as before) and wait until it answers."""
        if self.running:
            return
        self.base_dir.mkdir(exist_ok=True)
        self._process = subprocess.Popen(
            [DOVECOT_BINARY, "-F", "-c", str(self.config_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        wanted = [self.ports["imap"], self.ports["lmtp"]]
        if self.ssl_enabled:
            wanted.append(self.ports["imaps"])
        for port in wanted:
            if not _wait_for_port(self.host, port, deadline) or not self.running:
                output = self._drain_output()
                self.stop()
                raise DovecotError(
                    f"Dovecot did not listen on {self.host}:{port} within {START_TIMEOUT}s.\n"
                    f"output: {output}\nlog ({self.log_path}):\n{self.log_tail()}"
                )
        # The LMTP unix socket appears together with the TCP listener.
        while not self.lmtp_socket.exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    def _drain_output(self) -> str:
        proc = self._process
        if proc is None or proc.stdout is None or proc.poll() is None:
            return "(still running)"
        return proc.stdout.read().decode(errors="replace").strip() or "(none)"

    def stop(self, timeout: float = 10.0) -> None:
        """Stop Dovecot and every process it started; data and ports stay for :meth:`start`."""
        proc = self._process
        if proc is None:
            return
        self._process = None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        # Children (imap, lmtp, auth...) are in the master's session; make sure none survive.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        if proc.stdout is not None:
            proc.stdout.close()
        # Wait for the listeners to go away, so a restart can bind the same ports.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.ports["imap"]), timeout=0.2):
                    time.sleep(0.05)
            except OSError:
                break

    def restart(self) -> None:
        self.stop()
        self.start()

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # ---- users

    def _write_user(self, name: str, password: str) -> None:
        # One passwd-file per user: Dovecot re-reads a passwd-file at most once a second, so a
        # shared file would hide users added within the same second; a new file is read at once.
        path = self.users_dir / name
        existed = path.exists()
        old_mtime = path.stat().st_mtime if existed else 0.0
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_text(f"{name}:{{PLAIN}}{password}::::::\n")
        tmp.chmod(0o644)
        if existed:
            # Make the change visible: a different mtime, and a lookup in a later second.
            stamp = max(time.time(), old_mtime + 1)
            os.utime(tmp, (stamp, stamp))
        tmp.replace(path)
        if existed:
            time.sleep(1.1)

    def add_user(self, name: str | None = None, password: str | None = None) -> DovecotUser:
        """Create a user (unique random name by default); usable immediately."""
        if name is None:
            name = f"u{next(_user_counter)}x{secrets.token_hex(3)}"
        if password is None:
            password = secrets.token_urlsafe(12)
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
            raise ValueError(f"user name must be lower-case ASCII without ':' or '@': {name!r}")
        if ":" in password or "\n" in password:
            raise ValueError("password may not contain ':' or a newline (passwd-file format)")
        with self._lock:
            if (self.users_dir / name).exists():
                raise ValueError(f"user {name!r} exists already")
            self._write_user(name, password)
        return DovecotUser(username=name, email=f"{name}@{DOMAIN}", password=password)

    def set_password(self, user: DovecotUser, password: str) -> DovecotUser:
        """Change a user's password (takes about a second to become visible; waits for it)."""
        with self._lock:
            self._write_user(user.username, password)
        return DovecotUser(user.username, user.email, password)

    def account(
        self, user: DovecotUser, *, security: str = "ssl", **overrides: object
    ) -> AccountConfig:
        """An ``AccountConfig`` for ``user`` on this server (implicit TLS or STARTTLS)."""
        from trayapp.core.model import AccountConfig

        port = self.ports["imaps"] if security == "ssl" else self.ports["imap"]
        fields: dict[str, object] = {
            "name": user.username,
            "email": user.email,
            "imap_host": self.host,
            "imap_port": port,
            "imap_security": security,
            "username": user.username,
            "ca_file": self.ca_file if self.ssl_enabled else None,
        }
        fields.update(overrides)
        return AccountConfig(**fields)  # type: ignore[arg-type]

    # ---- mail

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def client(self, user: DovecotUser, *, starttls: bool = False) -> IMAPClient:
        """An IMAPClient logged in as ``user`` over verified TLS (implicit TLS by default)."""
        if starttls or not self.ssl_enabled:
            client = IMAPClient(self.host, port=self.ports["imap"], ssl=False, timeout=30)
            if self.ssl_enabled:
                client.starttls(self.ssl_context())
        else:
            client = IMAPClient(
                self.host,
                port=self.ports["imaps"],
                ssl=True,
                ssl_context=self.ssl_context(),
                timeout=30,
            )
        client.login(user.username, user.password)
        return client

    @contextlib.contextmanager
    def session(self, user: DovecotUser) -> Iterator[IMAPClient]:
        client = self.client(user)
        try:
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()

    def create_folder(self, user: DovecotUser, folder: str) -> None:
        with self.session(user) as c:
            if not c.folder_exists(folder):
                c.create_folder(folder)

    def deliver(
        self, user_or_email: DovecotUser | str, raw: bytes, *, sender: str | None = None
    ) -> None:
        """Deliver through LMTP, like an MTA: INTERNALDATE is the moment of delivery."""
        rcpt = user_or_email.email if isinstance(user_or_email, DovecotUser) else user_or_email
        mail_from = sender or "mta-bounce@sender.example"
        with smtplib.LMTP(str(self.lmtp_socket)) as lmtp:
            lmtp.ehlo("mx.test")
            refused = lmtp.sendmail(mail_from, [rcpt], raw)
            if refused:
                raise DovecotError(f"LMTP refused {rcpt}: {refused}")

    def append(
        self,
        user: DovecotUser,
        folder: str,
        raw: bytes,
        flags: Iterable[str | bytes] = (),
        internaldate: dt.datetime | None = None,
    ) -> int | None:
        """APPEND ``raw`` to ``folder`` (created if missing); returns the new UID (APPENDUID)."""
        with self.session(user) as c:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            when = internaldate
            if when is not None and when.tzinfo is None:
                raise ValueError("internaldate must be timezone-aware")
            response = c.append(folder, raw, flags=tuple(flags), msg_time=when)
        text = response.decode(errors="replace") if isinstance(response, bytes) else str(response)
        match = re.search(r"APPENDUID \d+ (\d+)", text)
        return int(match.group(1)) if match else None

    def flags(self, user: DovecotUser, folder: str = "INBOX") -> dict[int, frozenset[str]]:
        """Every message's flags in ``folder`` by UID, read through EXAMINE (changes nothing).
        ``\\Recent`` is left out: it belongs to a session, not to the message."""
        with self.session(user) as c:
            c.select_folder(folder, readonly=True)
            uids = c.search(["ALL"])
            if not uids:
                return {}
            data = c.fetch(uids, ["FLAGS"])
        return {
            uid: frozenset(
                name
                for name in (f.decode() if isinstance(f, bytes) else str(f) for f in d[b"FLAGS"])
                if name.lower() != "\\recent"
            )
            for uid, d in data.items()
        }

    # ---- bulk loading (benchmark)

    def user_maildir(self, user: DovecotUser, folder: str = "INBOX") -> Path:
        base = self.mail_root / user.username / "Maildir"
        if folder == "INBOX":
            return base
        # Maildir++ layout: ".Folder" directories; non-ASCII names in modified UTF-7.
        from imapclient.imap_utf7 import encode as utf7_encode

        return base / ("." + utf7_encode(folder).decode("ascii"))

    def bulk_load(self, user: DovecotUser, folder: str, messages: Iterable[BulkMessage]) -> int:
        """Write messages straight into the user's maildir (file mtime = INTERNALDATE), then let
        Dovecot index them. Far faster than APPEND for tens of thousands of messages."""
        acc = self.accounts
        base = self.mail_root / user.username / "Maildir"
        target = self.user_maildir(user, folder)
        for d in (base, target):
            for sub in ("cur", "new", "tmp"):
                (d / sub).mkdir(parents=True, exist_ok=True)
        if folder != "INBOX":
            (target / "maildirfolder").touch()
            subs = base / "subscriptions"
            existing = subs.read_text().splitlines() if subs.exists() else []
            if folder not in existing:
                with subs.open("a") as f:
                    f.write(folder + "\n")
        count = 0
        pid = os.getpid()
        cur = target / "cur"
        for i, msg in enumerate(messages):
            ts = msg.received_at.timestamp()
            flags = ("R" if msg.answered else "") + ("S" if msg.seen else "")
            vsize = len(msg.raw.replace(b"\r\n", b"\n")) + msg.raw.replace(b"\r\n", b"\n").count(
                b"\n"
            )
            name = f"{int(ts)}.M{i}P{pid}.bulk,S={len(msg.raw)},W={vsize}:2,{flags}"
            path = cur / name
            path.write_bytes(msg.raw)
            os.utime(path, (ts, ts))
            count += 1
        for dirpath, dirnames, filenames in os.walk(self.mail_root / user.username):
            os.chown(dirpath, acc.uid, acc.gid)
            for n in filenames:
                os.chown(os.path.join(dirpath, n), acc.uid, acc.gid)
            del dirnames  # walk continues regardless
        return count

    def index(self, user: DovecotUser, folders: Iterable[str], header_fields: str = "") -> None:
        """Make Dovecot index (and cache) ``folders``: SELECT each and fetch what a scan fetches."""
        with self.session(user) as c:
            for folder in folders:
                c.select_folder(folder, readonly=True)
                uids = c.search(["ALL"])
                items = ["INTERNALDATE", "FLAGS", "RFC822.SIZE"]
                if header_fields:
                    items.append(f"BODY.PEEK[HEADER.FIELDS ({header_fields})]")
                for start in range(0, len(uids), 5000):
                    c.fetch(uids[start : start + 5000], items)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    server = DovecotServer.create()
    try:
        server.start()
        yield server
    finally:
        server.destroy()


@pytest.fixture
def dovecot_factory() -> Iterator[Callable[..., DovecotServer]]:
    """Make extra, private Dovecot servers (started) for tests that stop, restart or reconfigure
    one (e.g. ``dovecot_factory(ssl_enabled=False)``); all are destroyed after the test."""
    servers: list[DovecotServer] = []

    def make(
        *, ssl_enabled: bool = True, start: bool = True, oauth2_introspection_url: str | None = None
    ) -> DovecotServer:
        server = DovecotServer.create(
            ssl_enabled=ssl_enabled, oauth2_introspection_url=oauth2_introspection_url
        )
        servers.append(server)
        if start:
            server.start()
        return server

    try:
        yield make
    finally:
        for server in servers:
            server.destroy()


@pytest.fixture
def dovecot_user(dovecot: DovecotServer) -> DovecotUser:
    return dovecot.add_user()
