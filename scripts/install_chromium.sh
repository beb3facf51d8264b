#!/bin/sh
# Install Debian's chromium for the headless-browser dashboard test; idempotent.
# Prints the browser path. Without root or network it says why and exits non-zero.
set -eu
for name in chromium chromium-browser; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; exit 0; fi
done
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
        echo "chromium is not installed and this user cannot install it (not root, no sudo)" >&2
        exit 1
    fi
else
    SUDO=""
fi
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2
command -v chromium
