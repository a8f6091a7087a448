#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian/Ubuntu machine, then runs all checks:
# ruff, mypy and the whole pytest suite (unit, integration against real Dovecot, gnome-keyring,
# SMTP, and GUI under Xvfb). Nothing is skipped for a missing part: this script installs it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests start for real (servers, keyring, X server, tray host, notification
# daemon) and the libraries Qt's xcb platform plugin loads.
DEB_PACKAGES=(
  python3 python3-venv python3-pip openssl ca-certificates
  dovecot-imapd dovecot-lmtpd
  gnome-keyring dbus dbus-x11 libsecret-tools
  xvfb xauth trayer dunst imagemagick xdotool x11-utils
  desktop-file-utils appstream libglib2.0-bin
  fonts-noto-cjk fonts-dejavu-core
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 libx11-xcb1
  # The Linux bundle is built and smoke-run by the tests (installers/linux/build.sh, smoke.sh):
  # PyInstaller needs the shared libpython (libpython3-dev pulls it in for Debian's python3)
  # and binutils (strip, objdump); trim_icu.py needs icupkg/genccode and gcc.
  libpython3-dev binutils gcc icu-devtools
  # Broken disks and other users (tests/support/small_disk.py: mount a tiny or read-only tmpfs;
  # tests/gui/test_single_instance.py: knock as user nobody with setpriv). As root, or sudo.
  mount util-linux
  # OAuth sign-in tests: a real headless browser goes through the authorization server's
  # login and consent pages (the server itself: nodejs, below).
  chromium chromium-driver
)
# The OAuth tests' authorization server is the npm package oidc-provider on nodejs. Debian's
# nodejs + npm where no node is installed yet (a NodeSource nodejs, which carries its own npm
# and conflicts with Debian's npm package, is used as it is).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  DEB_PACKAGES+=(nodejs npm)
fi

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "tests/run.sh: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # policy-rc.d keeps the packaged services (dovecot) from being started system-wide; the tests
  # start their own instances on loopback.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
# build: PyInstaller and Pillow, for the installer tests (the bundle is built and run).
.venv/bin/python -m pip install -q -e '.[test,build]'

# The OAuth tests' authorization server (exact versions from the committed lock file).
OIDC_DIR=tests/support/oidc
if ! cmp -s "$OIDC_DIR/package-lock.json" "$OIDC_DIR/node_modules/.ippo-installed-lock"; then
  npm ci --prefix "$OIDC_DIR" --no-audit --no-fund --loglevel=error
  cp "$OIDC_DIR/package-lock.json" "$OIDC_DIR/node_modules/.ippo-installed-lock"
fi

echo "== ruff"
.venv/bin/ruff check trayapp tests bench installers
.venv/bin/ruff format --check trayapp tests bench installers
echo "== mypy"
.venv/bin/mypy trayapp
echo "== pytest"
# A crash is a bug: a pytest process killed by a signal fails the run like any failure
# (pytest's faulthandler prints every thread's stack above), and nothing is run again.
exec .venv/bin/python -m pytest "$@"
