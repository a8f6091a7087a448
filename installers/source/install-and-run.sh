#!/usr/bin/env bash
# Installs Ippo from this checkout for the current user and starts it.
# Debian/Ubuntu: installs Python's venv module and the libraries Qt's tray needs (asks sudo when
# not root). The app lives in ~/.local/share/ippo/venv, the `ippo` command in ~/.local/bin.
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNTIME_DEBS=(
  python3 python3-venv gnome-keyring
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 libx11-xcb1
)
if command -v dpkg-query >/dev/null; then
  missing=()
  for pkg in "${RUNTIME_DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

PREFIX="${IPPO_PREFIX:-$HOME/.local/share/ippo/venv}"
[ -x "$PREFIX/bin/python" ] || python3 -m venv "$PREFIX"
"$PREFIX/bin/python" -m pip install -q --upgrade pip
"$PREFIX/bin/python" -m pip install -q .
mkdir -p "$HOME/.local/bin"
ln -sf "$PREFIX/bin/ippo" "$HOME/.local/bin/ippo"
echo "Installed: $HOME/.local/bin/ippo ($("$PREFIX/bin/ippo" --version))"
[ "${IPPO_NO_START:-}" = "1" ] && exit 0
exec "$PREFIX/bin/ippo" "$@"
