#!/bin/sh
# System tools some tests drive for real: Debian's chromium (the dashboard in a headless
# browser) and fish (the env helper sourced in fish). Idempotent and best effort: as root
# with apt it installs what is missing; otherwise it says so and those tests skip.
set -u
missing=""
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
    || missing="$missing chromium"
command -v fish >/dev/null 2>&1 || missing="$missing fish"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "not installing$missing (needs root and apt-get); the tests that use them will skip" >&2
    exit 0
fi
echo "installing$missing for the tests" >&2
apt-get update -qq >/dev/null 2>&1 \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1 \
    || echo "could not install$missing; the tests that use them will skip" >&2
exit 0
