#!/usr/bin/env bash
# Set up govreports on a fresh machine: system packages, a virtualenv in .venv, the package.
# Idempotent and quick when nothing changed. Needs Python 3.11+ and (for system packages) root.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

bash scripts/system-deps.sh

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version)" >&2
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.govreports-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! .venv/bin/python -c "import crawler, scrapy" 2>/dev/null; then
  echo "setup: installing govreports and its dependencies into .venv" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[test,distributed,s3]'
  echo "$want" > "$stamp"
fi

# pywb (the replay test, tests/hostile/test_pywb_replay.py) pins libraries the crawler cannot
# share (redis<3, brotlipy, which shadows brotli), so it gets a virtualenv of its own.
PYWB_VERSION="2.10.0"
if ! .venv-pywb/bin/python -c "import pywb, sys; sys.exit(pywb.__version__ != '$PYWB_VERSION')" 2>/dev/null; then
  echo "setup: installing pywb $PYWB_VERSION into .venv-pywb (for the replay test)" >&2
  "$PYTHON" -m venv .venv-pywb
  .venv-pywb/bin/python -m pip install --quiet "pywb==$PYWB_VERSION"
fi
