#!/usr/bin/env bash
# Installs the app with everything the tests need (see setup.sh), checks the code style and
# runs the whole test suite: first the tests of the sound server, one at a time and with
# nothing else running (they time what they hear), then the rest on one worker process per
# core, each file's tests on one worker (pytest-xdist; see tests/conftest.py).
# Extra arguments go to both runs; a run they leave no test for is not a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check .
status=0
run() {
  local code=0
  .venv/bin/python -m pytest "$@" || code=$?
  [ "$code" = 0 ] || [ "$code" = 5 ] || status=$code  # 5: no test selected
}
run -m audio "$@"
run -m "not audio" -n auto --dist loadscope "$@"
exit "$status"
