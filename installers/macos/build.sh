#!/usr/bin/env bash
# Build Ippo.app and a DMG on macOS (11+, Xcode command line tools, Python 3.11+):
#   installers/macos/build.sh
#     -> dist/macos/Ippo.app, dist/ippo-<version>-macos.dmg
# Needs the build extra: pip install -e '.[build]'. PYTHON may name the interpreter.
#
# Signing and notarization run only when their variables are set, so an unsigned local
# build works as is:
#   CODESIGN_IDENTITY="Developer ID Application: Your Name (TEAMID)"
#       signs every binary (PyInstaller, hardened runtime + entitlements.plist), the .app
#       and the DMG;
#   NOTARY_PROFILE=<name>   a keychain profile made once with
#       xcrun notarytool store-credentials <name> --apple-id <id> --team-id <TEAMID>
#       then: submit the DMG, wait, staple the ticket to the DMG.
# Unsigned builds: Gatekeeper blocks them on other Macs (right-click > Open to try).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
    if [[ -x "$root/.venv/bin/python" ]]; then python="$root/.venv/bin/python"; else python=python3; fi
fi
version="$("$python" -c 'import sys; sys.path.insert(0, sys.argv[1]); import bundle_common as c; print(c.app_version())' "$root/installers")"
dist="$root/dist"
app="$dist/macos/Ippo.app"
dmg="$dist/ippo-$version-macos.dmg"

"$python" "$root/installers/make_icons.py" --check
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$dist/macos" --workpath "$root/build/pyinstaller-macos" "$here/ippo.spec"

reported="$("$app/Contents/MacOS/Ippo" --version)"
[[ "$reported" == "ippo $version" ]] || { echo "--version said '$reported'" >&2; exit 1; }
plutil -lint "$app/Contents/Info.plist"
[[ "$(/usr/libexec/PlistBuddy -c 'Print :LSUIElement' "$app/Contents/Info.plist")" == true ]]

if [[ -n "${CODESIGN_IDENTITY:-}" ]]; then
    # PyInstaller signed the binaries inside; seal the bundle itself (no --deep: Apple
    # discourages it, and the inner code is already signed).
    codesign --force --timestamp --options runtime \
        --entitlements "$here/entitlements.plist" --sign "$CODESIGN_IDENTITY" "$app"
    codesign --verify --strict --deep --verbose=2 "$app"
fi

rm -f "$dmg"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
hdiutil create -volname "Ippo $version" -srcfolder "$staging" -ov -format UDZO "$dmg"

if [[ -n "${CODESIGN_IDENTITY:-}" ]]; then
    codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$dmg"
fi
if [[ -n "${NOTARY_PROFILE:-}" ]]; then
    [[ -n "${CODESIGN_IDENTITY:-}" ]] || { echo "notarization needs CODESIGN_IDENTITY" >&2; exit 1; }
    xcrun notarytool submit "$dmg" --keychain-profile "$NOTARY_PROFILE" --wait
    xcrun stapler staple "$dmg"
    spctl --assess --type open --context context:primary-signature --verbose "$dmg"
fi

echo "app: $app ($(du -sm "$app" | cut -f1) MB)"
echo "dmg: $dmg"
