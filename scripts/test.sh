#!/usr/bin/env bash
# Installs the app with everything the tests need (see setup.sh), checks the code style and
# runs the whole test suite in three passes (docs/architecture.md, "Tests"):
# 1. the sound tests that time what they hear closely (marked `timing`: a latency, where a
#    sound lies in a take), one at a time with nothing else running;
# 2. the other tests of the sound server (marked `audio`), one at a time: they spend most of
#    their time waiting for sound in real time, not computing; and beside them
# 3. the rest, on one worker process per core (pytest-xdist; see tests/conftest.py), under the
#    idle scheduling policy (chrt --idle, util-linux) while pass 2 runs: they take only the
#    processor time the sound tests leave, and give it up the moment a sound test wakes. Once
#    pass 2 is over they go back to the normal policy (scripts/leave_idle.py; only root may,
#    so as a user on a busy machine pass 3 then takes longer).
# Passes 1 and 2 print as they run, pass 3 when it is done. Extra arguments go to every pass;
# a pass they leave no test for is not a failure; the script fails if any pass fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check .
# The app's modules compiled once: the tests start the app's command some hundreds of times,
# and where PYTHONDONTWRITEBYTECODE is set (as on some CI machines) each start would compile
# them again (0.15-0.3 s each).
.venv/bin/python -m compileall -q mitpractice >/dev/null
status=0
passed() {  # the exit code of a pass; 5 means it had no test to run
  [ "$1" = 0 ] || [ "$1" = 5 ] || status=$1
}
code=0
.venv/bin/python -m pytest -m "audio and timing" "$@" || code=$?
passed "$code"
log=$(mktemp)
chrt --idle 0 .venv/bin/python -m pytest -m "not audio" -n auto --dist loadscope "$@" >"$log" 2>&1 &
rest=$!
trap 'kill "$rest" 2>/dev/null || true; rm -f "$log"' EXIT
code=0
.venv/bin/python -m pytest -m "audio and not timing" "$@" || code=$?
passed "$code"
.venv/bin/python scripts/leave_idle.py "$rest" || true
code=0
wait "$rest" || code=$?
cat "$log"
passed "$code"
exit "$status"
