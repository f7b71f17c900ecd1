#!/usr/bin/env bash
# Checks the installed package the way a family's new account would meet it: a throwaway user
# with an empty home, PATH=/usr/bin:/bin and nothing else in the environment (no venv, no
# compiler, no network use). Run as root, from the source tree, after the .deb is installed:
#
#   bash packaging/check_installed.sh [--remove] [SCREENSHOT_DIR]   # default dist/screenshots
#
# Checks: --version; phrases list; synth; score --json equal to the source install's (.venv); the
# word check (score --words);
# a store created in the platform's data folder, 0700 and 0600; a PDF report; the PostgreSQL
# driver; a store made by the source install at the previous schema opens (migrated, with the
# copy kept first); the practice window and the therapist's workspace open on a virtual screen
# (screenshots kept). With --remove, the package is removed at the end and the user's data
# must still be there.
set -euo pipefail
cd "$(dirname "$0")/.."
remove=0
[ "${1:-}" = "--remove" ] && { remove=1; shift; }
shots=$(realpath -m "${1:-dist/screenshots}")
mkdir -p "$shots"
# shellcheck source=scripts/apt.sh
source scripts/apt.sh
apt_install xvfb xdotool

app=/usr/bin/mitpractice
bundled=/opt/mitpractice/_internal/mitpractice/phrases_data
recording=tests/data/i-want-some-water_soft-last-syllable.flac
version=$(.venv/bin/python -c 'import mitpractice; print(mitpractice.__version__)')

user="mitcheck$$"
home=$(mktemp -d /tmp/mitcheck-home.XXXXXX)
work=$(mktemp -d /tmp/mitcheck-work.XXXXXX)
display=":$((50 + $$ % 200))"
xvfb_pid=""
cleanup() {
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  userdel "$user" 2>/dev/null || true
  rm -rf "$home" "$work"
}
trap cleanup EXIT
useradd --no-create-home --home-dir "$home" --shell /bin/sh "$user"
chown "$user:" "$home" "$work"
chmod 700 "$home"

# A command as the new user, in a bare environment (extra VAR=value pairs go first).
as_user() {
  setpriv --reuid "$user" --regid "$user" --init-groups -- env -i HOME="$home" PATH=/usr/bin:/bin "$@"
}
# The same in the background, output to the file named first; its process id in $pid (setpriv
# and env exec the app, so the id is the app's).
start_as_user() {
  local log=$1
  shift
  setpriv --reuid "$user" --regid "$user" --init-groups -- env -i HOME="$home" PATH=/usr/bin:/bin "$@" \
    >"$log" 2>&1 &
  pid=$!
}
fail() { echo "FAILED: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

[ "$(as_user mitpractice --version)" = "mitpractice $version" ] || fail "--version"
ok "mitpractice --version is $version"

as_user mitpractice phrases list --json >"$work/sets.json"
.venv/bin/python -c 'import json, sys; sets = json.load(open(sys.argv[1])); assert len(sets) >= 3, sets' \
  "$work/sets.json" || fail "phrases list"
as_user mitpractice phrases validate "$bundled" >/dev/null || fail "phrases validate"
ok "phrases list: $(.venv/bin/python -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/sets.json") bundled sets"

as_user mitpractice synth "$bundled/needs.toml" i-want-some-water -o "$work/target.wav" --low A3 ||
  fail "synth"
[ -s "$work/target.wav" ] || fail "synth wrote nothing"
ok "synth: $(stat -c %s "$work/target.wav") bytes"

cp "$recording" "$work/attempt.flac"
chown "$user:" "$work/attempt.flac"
as_user mitpractice score "$bundled/needs.toml" i-want-some-water "$work/attempt.flac" --low A3 --json \
  >"$work/packaged.json" || fail "score"
.venv/bin/mitpractice score phrases/needs.toml i-want-some-water "$recording" --low A3 --json \
  >"$work/source.json"
cmp -s "$work/packaged.json" "$work/source.json" ||
  { diff "$work/source.json" "$work/packaged.json" >&2; fail "score --json differs from the source install's"; }
ok "score --json is the source install's, byte for byte"

as_user mitpractice score "$bundled/needs.toml" i-want-some-water "$work/attempt.flac" --low A3 --words \
  --json >"$work/words.json" || fail "score --words"
.venv/bin/python -c 'import json, sys; words = json.load(open(sys.argv[1]))["words"]
assert [w["word"] for w in words] == ["i", "want", "some", "water"], words' "$work/words.json" ||
  fail "score --words: no word check in the JSON"
ok "score --words: the word check runs inside the package"

# The store in the platform's data folder, private to the user.
data="$home/.local/share/mitpractice"
as_user mitpractice patients add Ann --low A3 >/dev/null || fail "patients add"
as_user mitpractice assign Ann greetings >/dev/null || fail "assign"
[ "$(stat -c %a "$data")" = 700 ] || fail "$data is $(stat -c %a "$data"), not 700"
loose=$(find "$data" -type f ! -perm 600 | head -n 3)
[ -z "$loose" ] || fail "files not 0600: $loose"
ok "store in $data (0700, files 0600)"

as_user mitpractice report Ann -o "$work/report.pdf" >/dev/null 2>&1 || fail "report"
head -c 5 "$work/report.pdf" | grep -q "%PDF-" || fail "the report is not a PDF"
ok "report: $(stat -c %s "$work/report.pdf") bytes of PDF"
# The clinic's PostgreSQL driver is inside: with no server there, the error is the connection's.
pg=$(as_user mitpractice --database postgresql+psycopg://nobody@127.0.0.1:9/none patients list 2>&1 || true)
grep -q "connection failed" <<<"$pg" || fail "PostgreSQL: $pg"
ok "PostgreSQL driver inside (no server here: $(tail -n 1 <<<"$pg" | cut -c1-60)...)"

# A store written by the source install, one schema back, opens in the package: migrated to
# the head, with the copy kept aside first.
old="$work/old-store"
.venv/bin/mitpractice --data-dir "$old" patients add Bea --low G3 >/dev/null
MITPRACTICE_DATA_DIR="$old" .venv/bin/python - <<'EOF'
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from mitpractice.store import Store
from mitpractice.store.migrate import MIGRATIONS, head_revision

config = Config()
config.set_main_option("script_location", str(MIGRATIONS))
previous = ScriptDirectory.from_config(config).get_revision(head_revision()).down_revision
with Store.open() as store, store.engine.begin() as conn:
    config.attributes["connection"] = conn
    command.downgrade(config, previous)
EOF
chown -R "$user:" "$old"
as_user mitpractice --data-dir "$old" patients list --json | grep -q '"Bea"' || fail "the older store did not open"
ls "$old"/*.before-* >/dev/null 2>&1 || fail "no copy kept before the migration"
ok "a store one schema back opened, migrated, copy kept: $(basename "$(ls "$old"/*.before-*)")"

# The two windows on a virtual screen, as the new user, looked at through screenshots.
Xvfb "$display" -screen 0 1366x768x24 -nolisten tcp -ac >/dev/null 2>&1 &
xvfb_pid=$!
sleep 2
shot() { DISPLAY="$display" QT_QPA_PLATFORM=xcb .venv/bin/python packaging/screenshot.py "$1"; }
wait_shown() {  # until the app writes its "shown" file, at most 60 s
  local i
  for i in $(seq 120); do [ -s "$1" ] && return 0; sleep 0.5; done
  return 1
}
start_as_user "$work/practice.log" DISPLAY="$display" MITPRACTICE_SHOWN_FILE="$work/shown-practice" mitpractice
wait_shown "$work/shown-practice" || { cat "$work/practice.log" >&2; fail "the practice window did not show"; }
sleep 3
shot "$shots/practice.png"
kill "$pid"
wait "$pid" || true
ok "practice window shown; $shots/practice.png"

start_as_user "$work/therapist.log" DISPLAY="$display" mitpractice therapist
sleep 8
shot "$shots/therapist-pin.png"
# First use: choose a PIN, twice, then the workspace opens.
DISPLAY="$display" xdotool type --delay 50 2468
DISPLAY="$display" xdotool key Tab
DISPLAY="$display" xdotool type --delay 50 2468
DISPLAY="$display" xdotool key Return
sleep 4
shot "$shots/therapist.png"
DISPLAY="$display" xdotool search --onlyvisible --name "MIT Practice|mitpractice" windowfocus --sync
DISPLAY="$display" xdotool key alt+h a
sleep 2
shot "$shots/therapist-about.png"
kill -0 "$pid" 2>/dev/null || { cat "$work/therapist.log" >&2; fail "the workspace closed"; }
kill "$pid"
wait "$pid" || true
ok "therapist's workspace shown; $shots/therapist*.png"

if [ "$remove" = 1 ]; then
  before=$(find "$data" -type f -exec sha256sum {} + | sort)
  DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq mitpractice >/dev/null
  [ ! -e /opt/mitpractice ] && [ ! -e "$app" ] || fail "files left after removal"
  [ "$(find "$data" -type f -exec sha256sum {} + | sort)" = "$before" ] || fail "removal touched the data"
  ok "package removed; the user's data folder is untouched"
fi
echo "All checks of the installed package passed."
