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

LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium; } >"$LOG" 2>&1; then
    cat "$LOG" >&2
    echo "ensure_chromium: apt-get install chromium failed" >&2
    exit 1
fi
command -v chromium >/dev/null 2>&1 || { echo "ensure_chromium: chromium still not on PATH" >&2; exit 1; }
