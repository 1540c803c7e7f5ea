#!/usr/bin/env bash
# Headless Chromium for the dashboard's end-to-end tests (tests/dashboard, marker e2e).
#
# Installs Debian's `chromium` and `chromium-driver` when missing (idempotent: does nothing
# when /usr/bin/chromium already runs). Playwright drives this browser through
# `executable_path="/usr/bin/chromium"`; never `playwright install`, which downloads its own
# build from the internet and does not work offline.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
    && chromium --version >/dev/null 2>&1; then
    echo "chromium present: $(chromium --version)"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Fonts: Chromium needs at least one to draw text; fonts-liberation is metric-compatible with
# Arial and is what the dashboard's CSS falls back to (no web fonts are fetched).
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver \
    fonts-liberation >/dev/null
echo "chromium installed: $(chromium --version)"
