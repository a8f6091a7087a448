#!/usr/bin/env bash
# Installs Ippo from this checkout for the current user and starts it.
# Debian/Ubuntu: installs Python's venv module and the libraries Qt's tray needs (asks sudo when
# not root). The app lives in ~/.local/share/ippo/venv (with the demo extra, for `ippo --demo`),
# the `ippo` command in ~/.local/bin, the menu entry and icons in ~/.local/share.
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
# The demo extra too: the README's `ippo --demo` needs its IMAP server (pymap).
"$PREFIX/bin/python" -m pip install -q ".[demo]"
mkdir -p "$HOME/.local/bin"
ln -sf "$PREFIX/bin/ippo" "$HOME/.local/bin/ippo"

# The menu entry and the icons, for this user (the autostart entry names the same icon).
app_id=io.github.ippo.Ippo
data="${XDG_DATA_HOME:-$HOME/.local/share}"
install -D -m 644 resources/linux/$app_id.desktop "$data/applications/$app_id.desktop"
# Exec with the absolute path: ~/.local/bin is not on every desktop session's PATH.
sed -i "s|^Exec=ippo$|Exec=$PREFIX/bin/ippo|; s|^TryExec=ippo$|TryExec=$PREFIX/bin/ippo|" \
  "$data/applications/$app_id.desktop"
install -D -m 644 resources/linux/$app_id.metainfo.xml "$data/metainfo/$app_id.metainfo.xml"
install -D -m 644 resources/icons/ippo.svg "$data/icons/hicolor/scalable/apps/$app_id.svg"
for png in resources/icons/png/ippo-*.png; do
  size="${png##*-}"; size="${size%.png}"
  install -D -m 644 "$png" "$data/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "Installed: $HOME/.local/bin/ippo ($("$PREFIX/bin/ippo" --version)), menu entry: Ippo / 一報"
[ "${IPPO_NO_START:-}" = "1" ] && exit 0
exec "$PREFIX/bin/ippo" "$@"
