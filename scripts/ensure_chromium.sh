#!/bin/sh
# Install Debian's chromium (used by tests/test_report_html.py to render the HTML
# payment statement in a real headless browser) if no chromium is on PATH.
# Quiet on success; idempotent; needs root (or sudo) when it has to install.
set -eu

for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$name" >/dev/null 2>&1; then
        exit 0
    fi
done

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: chromium is missing and apt-get is unavailable; install chromium by hand" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "ensure_chromium: need root (or sudo) to install chromium" >&2
        exit 1
    fi
fi

# Another apt/dpkg process (unattended-upgrades, a parallel job) may hold the lock:
# wait for it, up to PBR_APT_WAIT seconds (default 600), instead of failing at once.
wait_for_dpkg_lock() {
    waited=0
    limit="${PBR_APT_WAIT:-600}"
    while fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock >/dev/null 2>&1 \
        || pgrep -x apt-get >/dev/null 2>&1 || pgrep -x dpkg >/dev/null 2>&1; do
        if [ "$waited" -ge "$limit" ]; then
            echo "ensure_chromium: the dpkg lock is still held after ${limit} s" >&2
            return 1
        fi
        [ "$waited" -eq 0 ] && echo "ensure_chromium: waiting for another apt/dpkg process ..." >&2
        sleep 5
        waited=$((waited + 5))
    done
}

LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
wait_for_dpkg_lock
# apt-get itself also waits for the lock (DPkg::Lock::Timeout, apt >= 1.9) should it be taken again
APT_WAIT="-o DPkg::Lock::Timeout=${PBR_APT_WAIT:-600}"
if ! { $SUDO apt-get $APT_WAIT update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get $APT_WAIT install -y -qq --no-install-recommends chromium; } >"$LOG" 2>&1; then
    cat "$LOG" >&2
    echo "ensure_chromium: apt-get install chromium failed" >&2
    exit 1
fi
command -v chromium >/dev/null 2>&1 || { echo "ensure_chromium: chromium still not on PATH" >&2; exit 1; }
