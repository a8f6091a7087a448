#!/usr/bin/env bash
# Smoke-run a built Linux bundle headless:
#   1. `ippo --version` prints the version from trayapp/__init__.py;
#   2. under Xvfb with a real XEmbed tray host (trayer) on a private D-Bus session, the app
#      starts with an empty config dir, registers its tray icon (a window of the app gets
#      embedded in trayer's panel), and exits with status 0 on SIGTERM.
#
#   installers/linux/smoke.sh [BUNDLE_DIR]     (default: dist/ippo)
# Env: SMOKE_TIMEOUT (seconds to wait for the tray icon, default 40),
#      ARTIFACTS_DIR (if set: screenshot + app log are saved there).
# Needs (Debian): xvfb trayer dbus x11-utils imagemagick.
# Never touches the real user's config: HOME and every XDG dir point into a tmp dir.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bundle="$(cd "${1:-$root/dist/ippo}" && pwd)"
app="$bundle/ippo"
timeout_s="${SMOKE_TIMEOUT:-40}"
expected="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$root/trayapp/__init__.py")"

work=""
save_artifacts() {
    [[ -n "${ARTIFACTS_DIR:-}" && -n "$work" ]] || return 0
    mkdir -p "$ARTIFACTS_DIR"
    if [[ -n "${DISPLAY:-}" ]]; then
        import -display "$DISPLAY" -window root "$ARTIFACTS_DIR/smoke-tray.png" 2>/dev/null || true
    fi
    cp "$work/app.log" "$ARTIFACTS_DIR/smoke-app.log" 2>/dev/null || true
}
fail() { echo "SMOKE FAIL: $*" >&2; save_artifacts; exit 1; }
# Nothing ends this script without saying why: a command that fails outside a test names
# itself (set -e alone exits silently).
trap 'status=$?; fail "line $LINENO: '"'"'$BASH_COMMAND'"'"' exited $status"' ERR
[[ -x "$app" ]] || fail "no executable at $app (run installers/linux/build.sh first)"

# --- 1. --version ---------------------------------------------------------------------------
version_out="$("$app" --version)" || fail "--version exited with $?"
[[ "$version_out" == "ippo $expected" ]] || fail "--version said '$version_out', want 'ippo $expected'"
echo "ok: --version -> $version_out"

# --- 2. headless tray start -----------------------------------------------------------------
unset DISPLAY
work="$(mktemp -d)"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
export XDG_STATE_HOME="$work/home/.local/state" XDG_CACHE_HOME="$work/home/.cache"
export XDG_RUNTIME_DIR="$work/runtime"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$work/config"
chmod 700 "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY
export QT_QPA_PLATFORM=xcb

# Xvfb picks a free display number itself and writes it to the fd it is given. A plain file
# rather than a pipe: nothing to read with a timeout, nothing lost if we look late.
exec {display_fd}>"$work/display"
Xvfb -displayfd "$display_fd" -screen 0 1024x600x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
exec {display_fd}>&-
pids+=("$xvfb_pid")
display=""
# Up to 60 s on a loaded machine; its log's "server already running" lines are only the
# displays it tried and found taken.
for _ in $(seq 600); do
    # The number is complete once its newline is there.
    if (($(wc -l <"$work/display") > 0)); then
        display="$(head -n 1 "$work/display")"
        break
    fi
    if ! kill -0 "$xvfb_pid" 2>/dev/null; then
        wait "$xvfb_pid" && rc=0 || rc=$?
        fail "Xvfb exited ($rc) before reporting a display; log: $(cat "$work/xvfb.log")"
    fi
    sleep 0.1
done
[[ -n "$display" ]] || fail "Xvfb reported no display within 60 s (pid $xvfb_pid $(ps -o stat=,etime= -p "$xvfb_pid" 2>/dev/null)); log: $(cat "$work/xvfb.log")"
export DISPLAY=":$display"

# A private session bus: no StatusNotifierWatcher on it, so Qt uses the XEmbed tray (trayer).
eval "$(dbus-launch --sh-syntax)"
pids+=("$DBUS_SESSION_BUS_PID")

trayer --edge top --align right --widthtype request --height 24 --SetDockType true \
    --transparent false >"$work/trayer.log" 2>&1 &
pids+=($!)
panel=""
for _ in $(seq 100); do
    # A poll: a failed look (the server busy, awk done before xwininfo) is only "not yet".
    panel="$(xwininfo -root -tree 2>"$work/xwininfo.err" |
        awk '/\("panel" "trayer"\)/ {print $1; exit}')" || panel=""
    [[ -n "$panel" ]] && break
    sleep 0.1
done
[[ -n "$panel" ]] || fail "trayer did not start: $(cat "$work/trayer.log" "$work/xwininfo.err")"
# The panel window comes before trayer owns the tray selection (_NET_SYSTEM_TRAY_S0); an app
# started in between finds no tray. Wait for the owner as a tray client sees it (libX11).
tray_owned() {
    python3 - <<'PY'
import ctypes, ctypes.util, os, sys
x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x.XGetSelectionOwner.restype = ctypes.c_ulong
x.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
d = x.XOpenDisplay(os.environ["DISPLAY"].encode())
sys.exit(0 if d and x.XGetSelectionOwner(d, x.XInternAtom(d, b"_NET_SYSTEM_TRAY_S0", 0)) else 1)
PY
}
owned=""
for _ in $(seq 100); do
    tray_owned && { owned=yes; break; }
    sleep 0.1
done
[[ -n "$owned" ]] || fail "trayer owns no tray selection: $(cat "$work/trayer.log")"

"$app" --config-dir "$work/config" >"$work/app.log" 2>&1 &
app_pid=$!
pids+=("$app_pid")

registered=""
deadline=$((SECONDS + timeout_s))
while ((SECONDS < deadline)); do
    kill -0 "$app_pid" 2>/dev/null || { wait "$app_pid" && rc=0 || rc=$?; \
        fail "app exited ($rc) before showing a tray icon; log: $(cat "$work/app.log")"; }
    # Qt's XEmbed tray icon is a window of the app (WM_CLASS "ippo" ...) reparented into
    # the panel; nothing else of ours ever becomes the panel's child.
    if xwininfo -tree -id "$panel" 2>/dev/null | grep -qiE '\("ippo" '; then
        registered=yes
        break
    fi
    sleep 0.25
done

[[ -n "$registered" ]] || fail "no tray icon in trayer after ${timeout_s}s; log: $(cat "$work/app.log")"
echo "ok: tray icon registered with trayer"
save_artifacts

kill -TERM "$app_pid"
rc=""
for _ in $(seq 100); do
    if ! kill -0 "$app_pid" 2>/dev/null; then
        wait "$app_pid" && rc=0 || rc=$?
        break
    fi
    sleep 0.1
done
[[ -n "$rc" ]] || fail "app still running 10 s after SIGTERM"
[[ "$rc" == 0 ]] || fail "app exited with status $rc on SIGTERM (want 0); log: $(cat "$work/app.log")"
echo "ok: clean exit (status 0) on SIGTERM"
echo "SMOKE PASS: $bundle ($(du -sm "$bundle" | cut -f1) MB)"
