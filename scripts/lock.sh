#!/usr/bin/env bash
# Write constraints.txt: exact versions of the whole dependency set (runtime and dev extras),
# resolved afresh from the package index in a throw-away virtualenv. Run it (make lock) after
# changing dependencies in pyproject.toml, and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --upgrade pip
"$tmp/venv/bin/python" -m pip install --quiet '.[dev]'
{
  echo "# Exact versions of cc_pipeline's dependencies (runtime and the dev extra), written by"
  echo "# make lock with $("$tmp/venv/bin/python" -VV | head -1 | cut -d' ' -f1-2) on $(uname -sm)."
  echo "# Installs use it as a constraints file: pip install -c constraints.txt ..."
  "$tmp/venv/bin/python" -m pip freeze --exclude cc_pipeline
} >"$tmp/constraints.txt"
mv "$tmp/constraints.txt" constraints.txt
echo "wrote constraints.txt ($(grep -vc '^#' constraints.txt) packages)"
