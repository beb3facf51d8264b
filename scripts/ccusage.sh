#!/usr/bin/env bash
# Run ccusage 20.0.24 (installed on first use into .tools/ccusage) the way the project compares
# against it: `ccusage claude daily --json --offline -z UTC`, with CLAUDE_CONFIG_DIR=<dir> and
# an empty HOME, so only <dir> is read and no network price refresh happens.
# Usage: scripts/ccusage.sh DIR [extra ccusage arguments]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
version=20.0.24
tool="$here/.tools/ccusage"
bin="$tool/node_modules/.bin/ccusage"
if [ $# -lt 1 ]; then
  echo "usage: $0 DIR [ccusage arguments]" >&2
  exit 2
fi
dir="$(cd "$1" && pwd)"
shift
if [ ! -x "$bin" ] || ! grep -q "\"version\": \"$version\"" "$tool/node_modules/ccusage/package.json" 2>/dev/null; then
  command -v npm >/dev/null || { echo "ccusage needs Node.js and npm" >&2; exit 1; }
  mkdir -p "$tool"
  [ -f "$tool/package.json" ] || echo '{"name": "ccusage-tool", "private": true}' > "$tool/package.json"
  echo "installing ccusage@$version into $tool" >&2
  (cd "$tool" && npm install --silent --no-audit --no-fund "ccusage@$version" >&2)
fi
empty_home="$(mktemp -d)"
trap 'rm -rf "$empty_home"' EXIT
CLAUDE_CONFIG_DIR="$dir" HOME="$empty_home" "$bin" claude daily --json --offline -z UTC "$@"
