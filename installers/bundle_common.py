"""What the three PyInstaller specs share: entry point, hidden imports, what to leave out.

Imported by installers/{linux,windows,macos}/ippo.spec (PyInstaller runs spec files as
Python with SPECPATH set). No PyInstaller import at module level so tests can read it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENTRY_SCRIPT = ROOT / "installers" / "ippo_entry.py"
ICON_DIR = ROOT / "resources" / "icons"
APP_ID = "io.github.ippo.Ippo"  # same as trayapp.desktop.autostart.APP_ID
APP_NAME = "Ippo"
COPYRIGHT = "Copyright © The Ippo contributors. MIT License."

# The GUI is imported lazily by trayapp.cli (so CLI commands stay Qt-free); name the Qt
# modules the tray app uses so PyInstaller's Qt hooks collect them and their plugins.
# QtNetwork: Windows only, for QLocalServer/QLocalSocket (trayapp/ui/single_instance_qt.py: a
# second start asks the running one to show its list); Linux/macOS do that over a plain AF_UNIX
# socket, and mail goes through Python's imaplib/ssl. Specs run on the platform they build for.
NEEDS_QTNETWORK = sys.platform == "win32"
QT_MODULES = [
    "PySide6.QtCore",
    "PySide6.QtGui",
    "PySide6.QtWidgets",
    "PySide6.QtSvg",
    *(["PySide6.QtNetwork"] if NEEDS_QTNETWORK else []),
]

# Never needed by a tray app; listed so nothing drags them in through an optional import.
EXCLUDES = [
    "tkinter",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.QtQuick3D",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel",
    "PySide6.QtWebSockets",
    "PySide6.Qt3DCore",
    "PySide6.Qt3DRender",
    "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets",
    "PySide6.QtCharts",
    "PySide6.QtDataVisualization",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtUiTools",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtLabsStyleKit",
    # The Windows-only single instance (imported behind a win32 check, which the analysis
    # does not evaluate) and the QtNetwork it pulls in (~4.7 MB).
    *([] if NEEDS_QTNETWORK else ["trayapp.ui.single_instance_qt", "PySide6.QtNetwork"]),
    # Notifications: D-Bus (jeepney) on Linux, desktop-notifier on Windows and macOS; each
    # imported behind a platform check the analysis does not evaluate.
    *(
        ["trayapp.desktop.native_notify", "desktop_notifier", "dbus_fast"]
        if sys.platform.startswith("linux")
        else ["trayapp.ui.dbus_notifier"]
    ),
]

# UI languages Ippo ships; Qt's own translations (dialog buttons etc.) for others go.
KEPT_LANGUAGES = ("ja", "en")
_QM = re.compile(r"_(?P<lang>[a-z]{2,3})(?:_[A-Za-z]{2,4})?\.qm$")


def keep_data_file(dest: str) -> bool:
    """False for Qt translation files of languages Ippo does not ship."""
    normalized = dest.replace("\\", "/")
    if "/translations/" not in normalized or not normalized.endswith(".qm"):
        return True
    match = _QM.search(normalized)
    return match is None or match.group("lang") in KEPT_LANGUAGES


def filter_datas(datas: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Apply keep_data_file to an Analysis TOC of (dest_name, src_name, typecode)."""
    return [entry for entry in datas if keep_data_file(entry[0])]


# Qt plugins a tray app never loads: other display backends (framebuffer, VNC, EGL),
# input/network/TLS plugins (mail goes through Python's ssl), GL integrations (raster only)
# and the GTK3 theme plugin, which alone drags ~20 MB of GTK/cairo/pango libraries in.
DROP_QT_PLUGINS = (
    "platformthemes/libqgtk3",
    "platforms/libqeglfs",
    "platforms/libqlinuxfb",
    "platforms/libqminimalegl",
    "platforms/libqvnc",
    "platforms/libqvkkhrdisplay",
    "egldeviceintegrations/",
    "generic/",
    "networkinformation/",
    "tls/",
    "xcbglintegrations/",
    "wayland-graphics-integration-client/",
    "imageformats/libqtiff",
    "imageformats/libqwebp",
    "imageformats/libqtga",
    "imageformats/libqwbmp",
    "qtiff",
    "qwebp",
)
# Loaded with dlopen, so no ELF NEEDED entry points at them: never prune.
_DLOPENED = re.compile(r"^lib(python3|ssl|crypto|dbus-1|xcb-cursor)\b")
_PLAIN_LIB = re.compile(r"^lib[^/]*\.so(\.\d+)*$")

TOC = list[tuple[str, str, str]]


def _is_dropped_plugin(dest: str) -> bool:
    normalized = dest.replace("\\", "/")
    if "/plugins/" not in normalized:
        return False
    tail = normalized.split("/plugins/", 1)[1]
    return any(tail.startswith(p) or p in tail.rsplit("/", 1)[-1] for p in DROP_QT_PLUGINS)


def _is_prunable_lib(dest: str) -> bool:
    """Plain shared libraries (bundle top level or Qt's lib dir), kept only if needed."""
    normalized = dest.replace("\\", "/")
    name = normalized.rsplit("/", 1)[-1]
    in_lib_dir = "/" not in normalized or normalized.startswith("PySide6/Qt/lib/")
    return in_lib_dir and bool(_PLAIN_LIB.match(name)) and not _DLOPENED.match(name)


def prune_binaries(binaries: TOC) -> TOC:
    """Drop unused Qt plugins, then every library no remaining module or plugin needs (ELF).

    PyInstaller collected each plugin's dependencies before we could drop the plugin, so
    the libraries only it used (GTK for the GTK theme, EGL for eglfs) are removed here by
    following `ldd` from what stays. Linux only; on Windows/macOS only plugins are dropped.
    """
    import sys

    kept = [e for e in binaries if not _is_dropped_plugin(e[0])]
    if not sys.platform.startswith("linux"):
        return kept
    from PyInstaller.depend.bindepend import get_imports

    roots = [e for e in kept if e[2] != "SYMLINK" and not _is_prunable_lib(e[0])]
    needed: set[str] = set()
    for _dest, src, _kind in roots:
        # ldd reports the whole closure, by soname and by resolved path.
        for name, path in get_imports(src):
            needed.add(Path(name).name)
            if path:
                needed.add(Path(path).name)
    result = [
        e for e in kept if e[2] == "SYMLINK" or not _is_prunable_lib(e[0]) or _name(e[0]) in needed
    ]
    return result


def drop_dangling_symlinks(toc: TOC, *others: TOC) -> TOC:
    """SYMLINK entries (PyInstaller links top-level sonames into PySide6/Qt/lib) whose
    target was pruned go too; the targets may sit in any of the TOCs."""
    present = {_posix(e[0]) for t in (toc, *others) for e in t if e[2] != "SYMLINK"}
    return [e for e in toc if e[2] != "SYMLINK" or _link_target(e) in present]


def slim_tocs(binaries: TOC, datas: TOC) -> tuple[TOC, TOC]:
    """Everything the specs apply after Analysis: plugins, libraries, translations."""
    binaries = prune_binaries(binaries)
    datas = filter_datas(datas)
    return (
        drop_dangling_symlinks(binaries, datas),
        drop_dangling_symlinks(datas, binaries),
    )


def _posix(dest: str) -> str:
    return dest.replace("\\", "/")


def _name(dest: str) -> str:
    return _posix(dest).rsplit("/", 1)[-1]


def _link_target(entry: tuple[str, str, str]) -> str:
    import posixpath

    dest, target = _posix(entry[0]), _posix(entry[1])
    return posixpath.normpath(posixpath.join(posixpath.dirname(dest), target))


# The demo's IMAP server (pymap) finds its backend, IMAP service and SASL mechanisms through
# entry points: their modules are imported by name, and their dist-info must ship. Optional
# pymap parts (redis, sieve, admin/gRPC, cluster, macaroon tokens) need extras we do not ship.
DEMO_PACKAGES = ("pymap", "pysasl")
_DEMO_OPTIONAL = (
    "pymap.backend.redis",
    "pymap.sieve",
    "pymap.admin",
    "pymap.cluster",
    "pymap.token.macaroon",
)


def hidden_imports() -> list[str]:
    from PyInstaller.utils.hooks import collect_submodules

    # Commands and backends are imported inside functions or by name.
    return [
        *collect_submodules("trayapp", filter=lambda name: name not in EXCLUDES),
        *QT_MODULES,
        *collect_submodules("plyer.platforms.win"),
        # desktop-notifier picks its platform backend (WinRT, macOS) inside a function
        *([] if sys.platform.startswith("linux") else collect_submodules("desktop_notifier")),
        *collect_submodules("plyer.platforms.macosx"),
        "plyer.facades",
        # keyring picks its backend through entry points (PyInstaller's keyring hook ships the
        # metadata); name them so a missing hook can never leave only the fail backend.
        *collect_submodules("keyring.backends"),
        *collect_submodules("pymap", filter=lambda name: not name.startswith(_DEMO_OPTIONAL)),
        *collect_submodules("pysasl"),
    ]


def package_datas() -> list[tuple[str, str]]:
    """Files third-party packages read at run time: dist-info folders whose entry points are
    read (keyring, pymap, pysasl) and pymap's own data (plugin/extras.toml; the redis backend's
    Lua scripts stay out with the backend)."""
    from PyInstaller.utils.hooks import collect_data_files, copy_metadata

    datas: list[tuple[str, str]] = []
    for package in ("keyring", *DEMO_PACKAGES):
        datas += copy_metadata(package)
    datas += collect_data_files("pymap", excludes=["backend/redis/**"])
    return datas


def resource_datas() -> list[tuple[str, str]]:
    """resources/ inside the bundle (_internal/resources, found by trayapp.resources_paths,
    trayapp.ui.i18n and trayapp.mail.acknowledge): the app icon for the tray and windows,
    the reply templates, and the compiled UI translations (.qm; not the .ts sources)."""
    resources = ROOT / "resources"
    datas = [(str(ICON_DIR / "ippo.svg"), "resources/icons")]
    datas += [(str(p), "resources/icons/png") for p in sorted((ICON_DIR / "png").glob("*.png"))]
    for template in sorted((resources / "templates").glob("*/*.txt")):
        datas.append((str(template), f"resources/templates/{template.parent.name}"))
    translations = sorted((resources / "translations").glob("*.qm"))
    datas += [(str(p), "resources/translations") for p in translations]
    return datas


def bundle_datas() -> list[tuple[str, str]]:
    """Every data file the specs add to Analysis."""
    return [*resource_datas(), *package_datas()]


def app_version() -> str:
    """trayapp.__version__ read without importing the package (one place for the version)."""
    text = (ROOT / "trayapp" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not match:
        raise RuntimeError("trayapp/__init__.py has no __version__")
    return match.group(1)


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """ "1.2.3rc1" -> (1, 2, 3, 0): Windows file versions are four 16-bit numbers."""
    numbers = [int(m) for m in re.findall(r"\d+", version.split("+")[0])[:3]]
    while len(numbers) < 3:
        numbers.append(0)
    return numbers[0], numbers[1], numbers[2], 0


def windows_version_info() -> Any:
    """The VERSIONINFO resource of Ippo.exe (Explorer's Details tab, installers, AV tools).

    Windows only: PyInstaller's versioninfo module needs pywin32 at import time.
    """
    from PyInstaller.utils.win32.versioninfo import (
        FixedFileInfo,
        StringFileInfo,
        StringStruct,
        StringTable,
        VarFileInfo,
        VarStruct,
        VSVersionInfo,
    )

    version = app_version()
    quad = version_tuple(version)
    strings = [
        StringStruct("CompanyName", "The Ippo contributors"),
        StringStruct("FileDescription", "Ippo (一報) reply-promise tray app"),
        StringStruct("FileVersion", version),
        StringStruct("InternalName", "Ippo"),
        StringStruct("LegalCopyright", COPYRIGHT),
        StringStruct("OriginalFilename", "Ippo.exe"),
        StringStruct("ProductName", APP_NAME),
        StringStruct("ProductVersion", version),
    ]
    return VSVersionInfo(
        ffi=FixedFileInfo(filevers=quad, prodvers=quad),
        # 040904B0: US English, Unicode code page 1200.
        kids=[
            StringFileInfo([StringTable("040904B0", strings)]),
            VarFileInfo([VarStruct("Translation", [0x0409, 1200])]),
        ],
    )


def macos_info_plist(version: str | None = None) -> dict[str, Any]:
    """Info.plist keys of Ippo.app beyond what PyInstaller's BUNDLE writes itself."""
    version = version or app_version()
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleIdentifier": APP_ID,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "CFBundleDevelopmentRegion": "en",
        # Lets AppKit show its own buttons and menus in Japanese too.
        "CFBundleLocalizations": ["en", "ja"],
        # Menu-bar only: no Dock icon, no app menu; the tray icon is the app.
        "LSUIElement": True,
        "LSMinimumSystemVersion": "11.0",
        "LSApplicationCategoryType": "public.app-category.productivity",
        "NSHighResolutionCapable": True,
        "NSRequiresAquaSystemAppearance": False,  # follow Dark Mode
        "NSHumanReadableCopyright": COPYRIGHT,
    }
