#!/usr/bin/env bash
# Create .venv with the project installed (idempotent). Needs Python >= 3.11 with venv.
# Dependencies come at the exact versions of constraints.txt (written by make lock); a change
# to pyproject.toml or constraints.txt installs again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
stamp=.venv/.installed
# The project is installed editable, which writes no bytecode, and an environment with
# PYTHONDONTWRITEBYTECODE never writes it: compile it here (only what changed), so a command
# does not compile the project's modules every time it starts.
compile_project() { .venv/bin/python -m compileall -q cc_pipeline >/dev/null; }
if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ] && [ "$stamp" -nt constraints.txt ] \
  && [ -x .venv/bin/cc-pipeline ]; then
  compile_project
  exit 0
fi
if ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "cc_pipeline needs Python 3.11 or newer as '$PYTHON' (set PYTHON=...)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing Debian's python3-venv" >&2
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      "$PYTHON" -m venv .venv
    else
      echo "'$PYTHON -m venv' failed: install your distribution's python3-venv package" >&2
      exit 1
    fi
  fi
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e '.[dev]'
compile_project
touch "$stamp"
