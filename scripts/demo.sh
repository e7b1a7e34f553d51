#!/usr/bin/env bash
# Quick start 1: set up, then crawl the bundled sample portal into ./govreports-data/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/govreports demo "$@"
