#!/usr/bin/env bash
# Build the Linux one-folder bundle: dist/ippo/ (run from anywhere).
#   installers/linux/build.sh            -> dist/ippo/ and dist/ippo-<version>-linux-<arch>.tar.gz
# Needs the build extra: pip install -e '.[build]'  (PyInstaller, Pillow), and Debian
# icu-devtools + gcc + binutils (trim_icu.py rebuilds Qt's ICU data with ja/en only).
# PYTHON may name the interpreter (default: the repo's .venv, else python3).
# DIST_DIR / WORK_DIR relocate the output and PyInstaller's work tree (tests use tmp dirs).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
    if [[ -x "$root/.venv/bin/python" ]]; then python="$root/.venv/bin/python"; else python=python3; fi
fi
dist="${DIST_DIR:-$root/dist}"
work="${WORK_DIR:-$root/build/pyinstaller-linux}"
app_id=io.github.ippo.Ippo
version="$("$python" -c 'import sys; sys.path.insert(0, sys.argv[1]); import bundle_common as c; print(c.app_version())' "$root/installers")"

# The committed icons must match the SVG (fails instead of shipping a stale icon).
"$python" "$root/installers/make_icons.py" --check

"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "$work" "$here/ippo.spec"

bundle="$dist/ippo"
# freedesktop integration files, laid out as under /usr so they can be copied as they are.
share="$bundle/share"
install -D -m 644 "$root/resources/linux/$app_id.desktop" "$share/applications/$app_id.desktop"
install -D -m 644 "$root/resources/linux/$app_id.metainfo.xml" "$share/metainfo/$app_id.metainfo.xml"
install -D -m 644 "$root/resources/icons/ippo.svg" "$share/icons/hicolor/scalable/apps/$app_id.svg"
for png in "$root"/resources/icons/png/ippo-*.png; do
    size="$(basename "$png" .png)"; size="${size#ippo-}"
    install -D -m 644 "$png" "$share/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
install -m 755 "$here/install-user.sh" "$bundle/install-user.sh"

arch="$(uname -m)"
tarball="$dist/ippo-$version-linux-$arch.tar.gz"
tar -C "$dist" -czf "$tarball" ippo

echo "bundle:  $bundle"
echo "size:    $(du -sm "$bundle" | cut -f1) MB unpacked ($(du -sb "$bundle" | cut -f1) bytes)"
echo "tarball: $tarball ($(du -sm "$tarball" | cut -f1) MB)"
