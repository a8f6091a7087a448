#!/usr/bin/env bash
# Install this Ippo bundle for the current user (no root): run it from the unpacked folder.
#   ./install-user.sh            install into ~/.local (bundle in ~/.local/lib/ippo)
#   ./install-user.sh --remove   uninstall (your accounts and settings are kept)
set -euo pipefail
app_id=io.github.ippo.Ippo
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
prefix="$HOME/.local"
dest="$prefix/lib/ippo"

if [[ "${1:-}" == "--remove" ]]; then
    rm -rf "$dest"
    rm -f "$prefix/bin/ippo" "$data/applications/$app_id.desktop" "$data/metainfo/$app_id.metainfo.xml"
    find "$data/icons/hicolor" -name "$app_id.*" -delete 2>/dev/null || true
    echo "Ippo removed. Your settings were kept; the start-at-login entry, if any, is"
    echo "${XDG_CONFIG_HOME:-$HOME/.config}/autostart/$app_id.desktop"
    exit 0
fi

if [[ "$src" != "$dest" ]]; then
    rm -rf "$dest"
    mkdir -p "$dest"
    cp -a "$src/." "$dest/"
fi
mkdir -p "$prefix/bin"
ln -sf "$dest/ippo" "$prefix/bin/ippo"
(cd "$dest/share" && find . -type f) | while read -r f; do
    install -D -m 644 "$dest/share/$f" "$data/$f"
done
# Exec with the absolute path: ~/.local/bin is not on every desktop session's PATH.
sed -i "s|^Exec=ippo$|Exec=$dest/ippo|; s|^TryExec=ippo$|TryExec=$dest/ippo|" \
    "$data/applications/$app_id.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "Ippo installed: $dest (menu entry: Ippo / 一報)"
