#!/usr/bin/env bash
# Installs the app with everything the tests need (see setup.sh), checks the code style and
# runs the whole test suite in two passes at once:
# - the tests of the sound server, one at a time: they time what they hear, and they spend
#   most of their time waiting for sound, not computing;
# - the rest, on one worker process per core (pytest-xdist; see tests/conftest.py), under the
#   idle scheduling policy (chrt --idle, util-linux): they only take the processor time the
#   sound tests leave, and give it up the moment a sound test wakes, so they never delay what
#   it hears (under nice 19 instead, a played tone was placed in the take 0.4 s late). Once
#   the sound pass is over they go back to the normal policy (as root; a user may not leave
#   the idle policy, so on a busy machine their pass then takes longer).
# The sound pass prints as it runs, the other pass when it is done. Extra arguments go to both
# passes; a pass they leave no test for is not a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check .
status=0
passed() {  # the exit code of a pass; 5 means it had no test to run
  [ "$1" = 0 ] || [ "$1" = 5 ] || status=$1
}
log=$(mktemp)
chrt --idle 0 .venv/bin/python -m pytest -m "not audio" -n auto --dist loadscope "$@" >"$log" 2>&1 &
rest=$!
trap 'kill "$rest" 2>/dev/null || true; rm -f "$log"' EXIT
code=0
.venv/bin/python -m pytest -m audio "$@" || code=$?
passed "$code"
.venv/bin/python scripts/leave_idle.py "$rest" || true
code=0
wait "$rest" || code=$?
cat "$log"
passed "$code"
exit "$status"
