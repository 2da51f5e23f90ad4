#!/usr/bin/env bash
# Chromium for the browser tests (tests/staff/test_browser.py): Debian's `chromium` package, which
# Playwright drives through executable_path (Playwright's own browser download is never used).
# Installs it with apt-get when it is missing and this runs as root; otherwise says how to.
# TALLY_CHROMIUM names another binary. Exits 0 when the browser is there afterwards.
set -euo pipefail
CHROMIUM=${TALLY_CHROMIUM:-/usr/bin/chromium}

if [[ -x "$CHROMIUM" ]]; then
  exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "==> Installing Chromium for the browser tests (apt-get install chromium)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q chromium
else
  echo "Chromium ($CHROMIUM) is missing. Install Debian's package (sudo apt-get install chromium) to run" \
    "the browser tests; without it they skip (and fail under CI)." >&2
  exit 1
fi
if [[ ! -x "$CHROMIUM" ]]; then
  echo "apt-get installed chromium but $CHROMIUM is still missing" >&2
  exit 1
fi
