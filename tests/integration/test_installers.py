"""Installer recipes: validators run for real, the icon set is what the SVG renders, the
headless smoke harness is proven against a bare Qt tray program (it must pass it, and must
fail a program that shows no tray icon or ignores SIGTERM), and the Linux bundle is built
from this checkout with PyInstaller and then used as a user would: smoke.sh on it, its own
`ippo account add` into the real gnome-keyring, `pending --json` and `ack` against the real
Dovecot and SMTP server, its tray app in Japanese under Xvfb + trayer + dunst, and its
`--demo`. Size and build time are printed in pytest's terminal summary ('installers') and
written to artifacts/installers/linux-bundle.txt.

Cannot run here (Linux CI): Inno Setup / the Windows bundle, the macOS .app, codesign and
notarization. For those, the tests below check what can be checked off-platform: the
Info.plist keys, that the installer's Run value is the one the app's autostart writes,
and the per-user settings of the .iss.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import plistlib
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.desktop_session import Desktop, start_desktop
from tests.support.dovecot import DovecotServer
from tests.support.keyring_session import KeyringSession
from tests.support.mailcorpus import (
    EN_CUSTOMER_NAME,
    EN_SUBJECT,
    JA_SUBJECT,
    english_inquiry,
    japanese_iso2022jp_inquiry,
    newsletter,
)
from tests.support.smtp_server import SmtpServer
from trayapp import __version__
from trayapp.desktop.autostart import (
    APP_ID,
    WINDOWS_RUN_KEY,
    WINDOWS_RUN_VALUE,
    windows_run_value,
)

ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = ROOT / "installers"
DESKTOP_FILE = ROOT / "resources" / "linux" / f"{APP_ID}.desktop"
METAINFO = ROOT / "resources" / "linux" / f"{APP_ID}.metainfo.xml"
ICONS = ROOT / "resources" / "icons"
ARTIFACTS = ROOT / "artifacts" / "installers"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

sys.path.insert(0, str(INSTALLERS))
sys.path.insert(0, str(INSTALLERS / "linux"))
import bundle_common  # noqa: E402
import make_icons  # noqa: E402
import trim_icu  # noqa: E402

pytestmark = pytest.mark.integration


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload,no-any-return]


# --- freedesktop files ---------------------------------------------------------------------


def test_desktop_file_validates() -> None:
    result = run(["desktop-file-validate", str(DESKTOP_FILE)])
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout
    text = DESKTOP_FILE.read_text(encoding="utf-8")
    assert f"\nIcon={APP_ID}\n" in text
    assert "\nName[ja]=" in text and "\nComment[ja]=" in text


def test_metainfo_validates_and_matches_app() -> None:
    result = run(["appstreamcli", "validate", "--no-net", "--explain", str(METAINFO)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert not re.search(r"^[EW]:", result.stdout, re.MULTILINE), result.stdout

    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP_FILE.name
    assert root.find("provides/binary") is not None
    assert root.find("provides/binary").text == "ippo"  # type: ignore[union-attr]
    # The newest release is the version `ippo --version` reports.
    newest = root.find("releases/release")
    assert newest is not None and newest.get("version") == __version__
    names = {el.get(XML_LANG): el.text for el in root.findall("name")}
    assert names[None] == "Ippo" and names["ja"] == "一報"
    assert root.find(f"summary[@{XML_LANG}='ja']") is not None
    assert root.find(f"description/p[@{XML_LANG}='ja']") is not None


# --- icons ---------------------------------------------------------------------------------


def test_committed_icons_are_what_the_svg_renders() -> None:
    result = run([sys.executable, str(INSTALLERS / "make_icons.py"), "--check"])
    assert result.returncode == 0, result.stderr


def test_icon_check_catches_a_stale_file(tmp_path: Path) -> None:
    out = tmp_path / "icons"
    shutil.copytree(ICONS, out)
    from PIL import Image, ImageDraw

    stale = make_icons.png_path(out, 48)
    with Image.open(stale) as img:
        edited = img.convert("RGBA")
    ImageDraw.Draw(edited).rectangle((0, 0, 47, 20), fill=(255, 0, 0, 255))
    edited.save(stale)
    (out / "ippo.icns").unlink()

    result = run([sys.executable, str(INSTALLERS / "make_icons.py"), "--check", "--out", str(out)])
    assert result.returncode == 1
    assert "png/ippo-48.png" in result.stderr
    assert "ippo.icns (missing)" in result.stderr


def test_icon_files_hold_every_size() -> None:
    from PIL import Image

    for size in make_icons.PNG_SIZES:
        with Image.open(make_icons.png_path(ICONS, size)) as img:
            assert img.size == (size, size) and img.mode == "RGBA"
            # Transparent corners, opaque middle: a real icon, not a blank canvas.
            corner, middle = img.getpixel((0, size - 1)), img.getpixel((size // 3, size // 2))
            assert isinstance(corner, tuple) and isinstance(middle, tuple)
            assert corner[3] == 0 and middle[3] == 255
    assert sorted(make_icons.container_frames(ICONS / "ippo.ico")) == sorted(make_icons.ICO_SIZES)
    assert sorted(make_icons.container_frames(ICONS / "ippo.icns")) == sorted(make_icons.ICNS_SIZES)


# --- shared bundle rules -------------------------------------------------------------------


def test_only_japanese_and_english_qt_translations_are_kept() -> None:
    keep = bundle_common.keep_data_file
    assert keep("PySide6/Qt/translations/qtbase_ja.qm")
    assert keep("PySide6/Qt/translations/qt_en.qm")
    assert not keep("PySide6/Qt/translations/qtbase_de.qm")
    assert not keep("PySide6/Qt/translations/qt_zh_CN.qm")
    assert not keep("PySide6\\Qt\\translations\\qt_help_fr.qm")
    assert keep("resources/icons/ippo.svg")


def test_version_comes_from_the_package() -> None:
    assert bundle_common.app_version() == __version__
    assert bundle_common.version_tuple("1.2.3") == (1, 2, 3, 0)
    assert bundle_common.version_tuple("0.4") == (0, 4, 0, 0)
    assert bundle_common.version_tuple("2.0.1rc1+local") == (2, 0, 1, 0)


def test_spec_files_are_valid_python() -> None:
    for spec in INSTALLERS.glob("*/ippo.spec"):
        compile(spec.read_text(encoding="utf-8"), str(spec), "exec")


# --- macOS (off-platform checks) -----------------------------------------------------------


def test_macos_info_plist_is_menu_bar_only_with_id_and_version() -> None:
    info = bundle_common.macos_info_plist()
    # Round-trip through the real plist writer, as PyInstaller's BUNDLE does.
    info = plistlib.loads(plistlib.dumps(info))
    assert info["LSUIElement"] is True
    assert info["CFBundleIdentifier"] == APP_ID
    assert info["CFBundleShortVersionString"] == __version__
    assert info["NSHighResolutionCapable"] is True
    assert "Ippo" in info["NSHumanReadableCopyright"]
    ents = plistlib.loads((INSTALLERS / "macos" / "entitlements.plist").read_bytes())
    assert ents == {"com.apple.security.cs.allow-unsigned-executable-memory": True}


# --- Windows (off-platform checks) ---------------------------------------------------------


def _iss() -> str:
    raw = (INSTALLERS / "windows" / "ippo.iss").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM keeps the Japanese text right in ISCC"
    return raw.decode("utf-8-sig")


def test_inno_setup_installs_per_user_without_admin() -> None:
    iss = _iss()
    setup = iss.split("[Setup]", 1)[1].split("\n[", 1)[0]
    assert re.search(r"^PrivilegesRequired=lowest$", setup, re.MULTILINE)
    assert re.search(r"^DefaultDirName=\{autopf\}\\", setup, re.MULTILINE)
    assert "PrivilegesRequiredOverridesAllowed" not in setup  # never offers an admin install
    assert re.search(r'^Name: "\{autoprograms\}\\', iss, re.MULTILINE)  # Start menu entry
    assert 'Name: "ja"; MessagesFile: "compiler:Languages\\Japanese.isl"' in iss


def test_inno_setup_run_value_is_the_one_the_app_writes() -> None:
    iss = _iss()
    defines = dict(re.findall(r'^#define (\w+) "(.*)"$', iss, re.MULTILINE))
    entry = next(line for line in iss.splitlines() if line.startswith("Root: HKCU"))
    fields = dict(re.findall(r'(\w+): ("(?:[^"]|"")*"|[^;]+)', entry))

    def unquote(value: str) -> str:
        """An Inno Setup quoted parameter with ISPP {#Name} expanded."""
        inner = value.strip()[1:-1].replace('""', '"')
        return re.sub(r"\{#(\w+)\}", lambda m: defines[m.group(1)], inner)

    assert unquote(fields["Subkey"]) == WINDOWS_RUN_KEY
    assert unquote(fields["ValueName"]) == WINDOWS_RUN_VALUE
    assert fields["ValueType"].strip() == "string"
    assert "uninsdeletevalue" in fields["Flags"]
    app_exe = "{app}\\" + defines["AppExe"]
    assert unquote(fields["ValueData"]) == windows_run_value([app_exe])
    # ... and the app's own switch deletes the same value at uninstall time.
    assert "RegDeleteValue(HKEY_CURRENT_USER, '{#RunKey}', '{#AppName}')" in iss


def test_inno_setup_keeps_user_data_unless_asked() -> None:
    code = _iss().split("[Code]", 1)[1]
    assert "DelTree(DataDir" in code
    guard = code.index("SuppressibleMsgBox(")
    assert code.index("if DirExists(DataDir) and not UninstallSilent") < guard
    assert "MB_DEFBUTTON2, IDNO) = IDYES" in code  # "No" is the default answer
    assert code.index("DelTree(DataDir") > guard


# --- headless smoke harness ----------------------------------------------------------------

FAKE_TRAY_APP = """\
#!{python}
# Stand-in for the bundle's `ippo`: a bare Qt tray icon, configurable misbehaviour.
import signal, sys
if "--version" in sys.argv:
    print("ippo {version}")
    sys.exit(0)
from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
app = QApplication(sys.argv)
app.setQuitOnLastWindowClosed(False)
tray = QSystemTrayIcon(QIcon({icon!r}))
if {show_icon}:
    tray.show()
if {handle_term}:
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
else:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
wake = QTimer()  # lets Python run signal handlers while Qt's loop waits
wake.timeout.connect(lambda: None)
wake.start(100)
sys.exit(app.exec())
"""


def _fake_bundle(tmp_path: Path, *, show_icon: bool = True, handle_term: bool = True) -> Path:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    app = bundle / "ippo"
    app.write_text(
        FAKE_TRAY_APP.format(
            python=sys.executable,
            version=__version__,
            icon=str(make_icons.png_path(ICONS, 22)),
            show_icon=show_icon,
            handle_term=handle_term,
        )
    )
    app.chmod(0o755)
    return bundle


def _smoke(bundle: Path, artifacts: Path, timeout: int = 20) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SMOKE_TIMEOUT": str(timeout), "ARTIFACTS_DIR": str(artifacts)}
    return run(["bash", str(INSTALLERS / "linux" / "smoke.sh"), str(bundle)], env=env, timeout=180)


def test_smoke_harness_passes_a_real_tray_icon(tmp_path: Path) -> None:
    result = _smoke(_fake_bundle(tmp_path), tmp_path / "artifacts")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: tray icon registered with trayer" in result.stdout
    assert "ok: clean exit (status 0) on SIGTERM" in result.stdout
    from PIL import Image

    with Image.open(tmp_path / "artifacts" / "smoke-tray.png") as shot:
        assert shot.size == (1024, 600)
        # The icon's blue bubble is in the panel at the top right.
        panel = shot.convert("RGB").crop((1024 - 120, 0, 1024, 30))
        colors: list[tuple[int, tuple[int, int, int]]] = (
            panel.getcolors(  # type: ignore[assignment]
                panel.width * panel.height
            )
            or []
        )
        assert any(b > 150 and r < 100 for _count, (r, _g, b) in colors)


def test_smoke_harness_fails_without_a_tray_icon(tmp_path: Path) -> None:
    result = _smoke(_fake_bundle(tmp_path, show_icon=False), tmp_path / "a", timeout=4)
    assert result.returncode == 1
    assert "no tray icon in trayer" in result.stderr


@pytest.mark.slow
def test_smoke_harness_fails_when_sigterm_is_ignored(tmp_path: Path) -> None:
    result = _smoke(_fake_bundle(tmp_path, handle_term=False), tmp_path / "a")
    assert result.returncode == 1
    assert "still running 10 s after SIGTERM" in result.stderr


# --- the real Linux bundle -----------------------------------------------------------------


BUILD_WITHIN_S = 600  # CI's whole run must stay well under 90 minutes; ~40 s measured here
SIZE_GOAL_MIB = 120  # the goal for the unpacked bundle


@pytest.fixture(scope="module")
def linux_bundle(
    tmp_path_factory: pytest.TempPathFactory, summary_lines: list[str]
) -> Iterator[Path]:
    """installers/linux/build.sh run on this checkout (CI: a clean clone) into a tmp dir; its
    size and build time go to the terminal summary and artifacts/installers/linux-bundle.txt."""
    out = tmp_path_factory.mktemp("bundle")
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "DIST_DIR": str(out / "dist"),
        "WORK_DIR": str(out / "work"),
    }
    started = time.monotonic()
    result = run(["bash", str(INSTALLERS / "linux" / "build.sh")], env=env, timeout=1200)
    took = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    bundle = out / "dist" / "ippo"
    tarball = next((out / "dist").glob("ippo-*-linux-*.tar.gz"))
    size = _size_mib(bundle)
    lines = [
        f"Linux bundle: {size:.1f} MiB unpacked (goal < {SIZE_GOAL_MIB} MiB), "
        f"{tarball.stat().st_size / 2**20:.1f} MiB as {tarball.name}; built in {took:.0f} s",
    ]
    summary_lines.extend(lines)
    biggest = sorted(
        (p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()),
        key=lambda p: p.stat().st_size,
        reverse=True,
    )[:15]
    report = ARTIFACTS / "linux-bundle.txt"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(
        "\n".join(
            [
                *lines,
                "",
                "largest files (MiB):",
                *(f"{p.stat().st_size / 2**20:7.2f}  {p.relative_to(bundle)}" for p in biggest),
                "",
                result.stdout,
            ]
        ),
        encoding="utf-8",
    )
    assert took < BUILD_WITHIN_S, f"bundle build took {took:.0f} s"
    yield bundle


def _size_mib(path: Path) -> float:
    """Bytes of every regular file (what unpacking the tarball writes), in MiB."""
    return (
        sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20
    )


@pytest.mark.slow
def test_linux_bundle_runs_and_is_slim(linux_bundle: Path) -> None:
    result = run([str(linux_bundle / "ippo"), "--version"], timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ippo {__version__}"

    internal = linux_bundle / "_internal"
    qm = sorted(p.name for p in internal.rglob("*.qm"))
    assert qm and all(re.search(r"_(ja|en)\.qm$", name) for name in qm), qm
    libs = {p.name for p in internal.iterdir()}
    assert not {
        n for n in libs if n.startswith(("libgtk-3", "libgdk-3", "libQt6Quick", "libQt6Qml"))
    }
    assert not [p for p in internal.rglob("*") if p.is_symlink() and not p.exists()]
    # Single instance is a plain AF_UNIX socket on Linux: no QtNetwork in the bundle.
    assert not list(internal.rglob("*QtNetwork*")), list(internal.rglob("*QtNetwork*"))
    for plugin in (
        "platforms/libqxcb.so",
        "platforms/libqwayland.so",
        "iconengines/libqsvgicon.so",
    ):
        assert (internal / "PySide6" / "Qt" / "plugins" / plugin).exists(), plugin
    size = _size_mib(linux_bundle)
    assert size < SIZE_GOAL_MIB, f"{size:.0f} MiB"  # the goal; 109.4 MiB measured


@pytest.mark.slow
def test_linux_bundle_carries_valid_desktop_integration(linux_bundle: Path) -> None:
    share = linux_bundle / "share"
    desktop = share / "applications" / f"{APP_ID}.desktop"
    assert run(["desktop-file-validate", str(desktop)]).returncode == 0
    metainfo = share / "metainfo" / f"{APP_ID}.metainfo.xml"
    assert run(["appstreamcli", "validate", "--no-net", str(metainfo)]).returncode == 0
    for size in make_icons.PNG_SIZES:
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").exists()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").exists()
    assert (linux_bundle / "_internal" / "resources" / "icons" / "ippo.svg").exists()


@pytest.mark.slow
def test_install_user_script_puts_a_launchable_entry_in_place(
    linux_bundle: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")}
    result = run(["bash", str(linux_bundle / "install-user.sh")], env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    desktop = home / ".local" / "share" / "applications" / f"{APP_ID}.desktop"
    exe = home / ".local" / "lib" / "ippo" / "ippo"
    assert f"\nExec={exe}\n" in desktop.read_text(encoding="utf-8")
    assert run(["desktop-file-validate", str(desktop)]).returncode == 0
    assert run([str(home / ".local" / "bin" / "ippo"), "--version"]).stdout.strip() == (
        f"ippo {__version__}"
    )
    result = run(["bash", str(exe.parent / "install-user.sh"), "--remove"], env=env, timeout=60)
    assert result.returncode == 0 and not exe.exists() and not desktop.exists()


# --- the real bundle at work ---------------------------------------------------------------
# Not a source run: every command below is the bundle's own `ippo`, so a module, data file,
# entry point or Qt plugin PyInstaller missed fails here (keyring's SecretService backend is
# found through entry points, the D-Bus notifier and the commands by name, the UI's
# translations, templates and icons as files).

QUIT_WITHIN = 10.0  # seconds after SIGTERM (what a session manager allows)


def bundle_ippo(
    bundle: Path, env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    # cwd: a folder with no trayapp/ in it, so nothing can come from the checkout.
    return subprocess.run(
        [str(bundle / "ippo"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=bundle.parent,
    )


def _wait_for_text(read: Callable[[], str], pattern: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = read()
        if re.search(pattern, text):
            return text
        time.sleep(0.1)
    raise AssertionError(f"{pattern!r} not seen within {timeout}s:\n{text}")


@pytest.mark.slow
def test_smoke_script_passes_the_real_bundle(linux_bundle: Path) -> None:
    result = _smoke(linux_bundle, ARTIFACTS / "smoke", timeout=40)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"ok: --version -> ippo {__version__}" in result.stdout
    assert "ok: tray icon registered with trayer" in result.stdout
    assert "ok: clean exit (status 0) on SIGTERM" in result.stdout
    assert f"SMOKE PASS: {linux_bundle}" in result.stdout


@pytest.mark.slow
def test_bundle_finds_the_secret_service_keyring_and_the_dbus_notifier(
    linux_bundle: Path, keyring_session: KeyringSession
) -> None:
    # `ippo -c CODE` is the bundle's Python (the demo starts its server that way).
    probe = (
        "import json, keyring, jeepney\n"
        "from keyring.backends import SecretService\n"
        "from trayapp.desktop.secrets import KeyringSecretStore\n"
        "from trayapp.ui.dbus_notifier import DBusNotifier\n"
        "k = keyring.get_keyring()\n"
        "KeyringSecretStore().check_available()\n"
        "print(json.dumps([type(k).__module__ + '.' + type(k).__name__,\n"
        "                  isinstance(k, SecretService.Keyring), DBusNotifier.name]))\n"
    )
    result = bundle_ippo(linux_bundle, keyring_session.subprocess_env(), "-c", probe)
    assert result.returncode == 0, result.stdout + result.stderr
    backend, is_secret_service, notifier = json.loads(result.stdout)
    assert is_secret_service, backend
    assert backend == "keyring.backends.SecretService.Keyring"
    assert notifier == "dbus"


@pytest.mark.slow
def test_bundle_adds_an_account_lists_pending_acknowledges_and_runs_the_tray_app(
    linux_bundle: Path,
    dovecot: DovecotServer,
    smtp_server: SmtpServer,
    desktop: Desktop,
    tmp_path: Path,
) -> None:
    user, customer = dovecot.add_user(), dovecot.add_user()
    smtp_server.add_user(user.username, user.password)
    now = dt.datetime.now(dt.UTC)
    ja_inquiry = japanese_iso2022jp_inquiry(
        from_addr=customer.email, to=user.email, date=now - dt.timedelta(hours=10)
    )
    for message, age in (
        (english_inquiry(to=user.email, date=now - dt.timedelta(hours=21)), 21),
        (ja_inquiry, 10),
        (newsletter(to=user.email, date=now - dt.timedelta(hours=5)), 5),
    ):
        dovecot.append(user, "INBOX", message, internaldate=now - dt.timedelta(hours=age))
    config = tmp_path / "config"
    env = desktop.env(LANG="ja_JP.UTF-8", LANGUAGE="ja")
    account = dovecot.account(user)

    # The bundle's own `account add`: login tested, password into gnome-keyring.
    added = bundle_ippo(
        linux_bundle, env,
        "--config-dir", str(config), "account", "add",
        "--name", "shop",
        "--email", account.email,
        "--imap-host", account.imap_host,
        "--imap-port", str(account.imap_port),
        "--imap-security", account.imap_security,
        "--username", user.username,
        "--ca-file", str(account.ca_file),
        "--smtp-host", smtp_server.host,
        "--smtp-port", str(smtp_server.port),
        "--smtp-security", "ssl",
        "--password-stdin",
        stdin=user.password + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    assert desktop.bus.stored_secrets() == {"shop:imap": user.password}
    assert user.password not in "".join(p.read_text(errors="replace") for p in config.rglob("*.*"))

    # `pending --json`: both inquiries (the ISO-2022-JP one decoded), not the newsletter.
    pending = bundle_ippo(linux_bundle, env, "--config-dir", str(config), "pending", "--json")
    assert pending.returncode == 0, pending.stdout + pending.stderr
    items = json.loads(pending.stdout)
    assert [i["subject"] for i in items] == [EN_SUBJECT, JA_SUBJECT]
    assert items[0]["sender"].startswith(EN_CUSTOMER_NAME)

    # The shipped Japanese template, filled in (resources/templates inside the bundle).
    dry = bundle_ippo(
        linux_bundle, env, "--config-dir", str(config), "ack", items[1]["id"], "--dry-run"
    )
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert f"「{JA_SUBJECT}」の件、確かに受け取りました" in dry.stdout, dry.stdout
    assert smtp_server.accepted == []
    # ... and sent for real (SMTP over TLS, copy filed in Sent over IMAP): acknowledged.
    sent = bundle_ippo(linux_bundle, env, "--config-dir", str(config), "ack", items[1]["id"])
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert [m.rcpt_tos for m in smtp_server.accepted] == [[customer.email]]
    after = bundle_ippo(linux_bundle, env, "--config-dir", str(config), "pending", "--json")
    states = {i["subject"]: i["state"] for i in json.loads(after.stdout)}
    assert states == {EN_SUBJECT: "waiting", JA_SUBJECT: "acknowledged"}, after.stdout

    # The tray app, in Japanese: icon embedded, connected, one warning naming the sender.
    notifications = desktop.notifications
    assert notifications is not None
    app = desktop.start(
        [str(linux_bundle / "ippo"), "--config-dir", str(config)], "bundle-app.log", env=env
    )
    try:
        desktop.wait_for_tray_icon("ippo")
        _wait_for_text(lambda: (config / "ippo.log").read_text(errors="replace"), "shop: connected")
        calls = notifications.wait_for(1)
        assert EN_CUSTOMER_NAME in calls[0], calls[0]
        # A second start shows the running one's list, titled from the bundle's ippo_ja.qm.
        second = bundle_ippo(linux_bundle, env, "--config-dir", str(config))
        assert second.returncode == 0, second.stdout + second.stderr
        desktop.wait_for_window("Ippo — 返信待ち")
        time.sleep(0.7)
        desktop.screenshot(ARTIFACTS / "bundle-tray-and-list-ja.png")
    finally:
        app.send_signal(signal.SIGTERM)
        status = app.wait(timeout=QUIT_WITHIN + 5)
    assert status == 0, desktop.log("bundle-app.log")
    assert "shutting down" in (config / "ippo.log").read_text(encoding="utf-8")
    assert notifications.count() == 1


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _cmdline(pid: int) -> list[str]:
    try:
        raw = (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return []
    return raw.decode(errors="replace").split("\0")[:-1]


@pytest.mark.slow
def test_bundle_demo_runs_its_own_imap_server(linux_bundle: Path, tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    with start_desktop(keyring="unlocked") as desk:
        env = desk.env(TMPDIR=str(temp), LANG="ja_JP.UTF-8", LANGUAGE="ja")
        app = desk.start([str(linux_bundle / "ippo"), "--demo"], "demo.log", env=env)
        try:
            desk.wait_for_tray_icon("ippo", timeout=60)
            assert desk.notifications is not None
            calls = desk.notifications.wait_for(1, timeout=60)
            assert "返信待ちの問い合わせが3件あります" in calls[0], calls[0]
            assert list(temp.glob("ippo-demo-*"))  # the demo lives in a temp folder
            # Its IMAP server (pymap) runs as the bundle's `ippo -c ...`, not this machine's
            # Python.
            children = [_cmdline(pid) for pid in _children(app.pid)]
            assert any(
                c[:2] == [str(linux_bundle / "ippo"), "-c"] and "pymap" in c[2] for c in children
            ), children
        finally:
            app.send_signal(signal.SIGTERM)
            status = app.wait(timeout=QUIT_WITHIN + 5)
        assert status == 0, desk.log("demo.log")
        assert desk.bus.stored_secrets() == {}
    assert not list(temp.glob("ippo-demo-*"))


# --- ICU data trimmed to ja/en -------------------------------------------------------------

QT_LOCALE_PROBE = """
import functools, json
from PySide6.QtCore import (QCollator, QCoreApplication, QDate, QDateTime, QLocale,
    QStringDecoder, QTime, QTimeZone)
app = QCoreApplication([])
ja, en = QLocale("ja_JP"), QLocale("en_US")
when = QDateTime(QDate(2026, 11, 22), QTime(14, 5), QTimeZone(b"Asia/Tokyo"))
print(json.dumps({
    "ja": ja.toString(when, QLocale.FormatType.LongFormat),
    "en": en.toString(when, QLocale.FormatType.LongFormat),
    "ja_day": ja.dayName(4), "en_month": en.monthName(11), "ja_num": ja.toString(1234567.5, "f", 1),
    "zone": QTimeZone(b"Asia/Tokyo").displayName(when, QTimeZone.NameType.LongName, ja),
    "upper": [en.toUpper("straße"), QLocale("tr_TR").toUpper("istanbul")],
    "collate": sorted(["か", "B", "ア", "漢", "a", "あ", "カ"],
                      key=functools.cmp_to_key(QCollator(ja).compare)),
    "codecs": sorted(c for c in QStringDecoder.availableCodecs()
                     if c in ("Shift_JIS", "EUC-JP", "ISO-2022-JP")),
}, ensure_ascii=False))
"""


def _probe(icu_lib: Path | None) -> dict[str, object]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if icu_lib is not None:
        env["LD_PRELOAD"] = str(icu_lib)  # same soname: wins over PySide6's own copy
    result = run([sys.executable, "-c", QT_LOCALE_PROBE], env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    probe: dict[str, object] = json.loads(result.stdout)
    return probe


def test_icu_trim_keeps_only_ja_en_locale_bundles() -> None:
    removed = set(
        trim_icu.items_to_remove(
            [
                "ja.res",
                "en_GB.res",
                "de.res",
                "zh_Hant_TW.res",
                "coll/ja.res",
                "coll/fr.res",
                "coll/ucadata.icu",
                "brkitr/thaidict.dict",
                "uprops.icu",
                "zoneinfo64.res",
                "metaZones.res",
                "ibm-943_P15A-2003.cnv",
                "ibm-1047_P100-1995.cnv",
                "curr/root.res",
                "zone/pool.res",
                "zone/ko.res",
            ]
        )
    )
    assert removed == {
        "de.res",
        "zh_Hant_TW.res",
        "coll/fr.res",
        "ibm-1047_P100-1995.cnv",
        "zone/ko.res",
    }


@pytest.mark.slow
def test_bundled_icu_is_trimmed_and_formats_ja_en_like_the_full_one(linux_bundle: Path) -> None:
    bundled = next((linux_bundle / "_internal" / "PySide6" / "Qt" / "lib").glob("libicudata.so.*"))
    assert bundled.stat().st_size < 12 * 2**20
    full = _probe(None)
    assert full["ja"] == "2026年11月22日日曜日 14時05分00秒 日本標準時"
    assert _probe(bundled) == full
