#!/usr/bin/env bash
# Installs everything mitpractice needs (see setup.sh) and starts it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/mitpractice "$@"
