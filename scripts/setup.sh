#!/usr/bin/env bash
# Installs what mitpractice needs on Debian or Ubuntu: system libraries through apt (as root,
# or with sudo), then a virtual environment in .venv with the app and its Python dependencies.
# Safe to run again: it installs only what is missing.
#
#   bash scripts/setup.sh          # the app
#   bash scripts/setup.sh --test   # the app, the optional models and what the tests need
set -euo pipefail
cd "$(dirname "$0")/.."

test_mode=0
[ "${1:-}" = "--test" ] && test_mode=1

# shellcheck source=scripts/apt.sh
source scripts/apt.sh

find_python() {
  local candidate
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      python=$candidate
      return 0
    fi
  done
  return 1
}

# Python itself on a bare system: the distribution's python3, or python3.11 where that is older.
python=""
find_python || { apt_install python3 && find_python; } ||
  { apt_install python3.11 python3.11-venv python3.11-dev && find_python; } ||
  { echo "mitpractice needs Python 3.11 or newer" >&2; exit 1; }

# PortAudio for sounddevice; the libraries Qt's xcb and offscreen platforms load.
packages=(libportaudio2 libsndfile1 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0
          libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
          libxcb-shape0 libxcb-xinerama0)
# A real sound server with null sinks, a virtual screen and a PostgreSQL server (started by the
# test session itself) for the end-to-end and store tests; Poppler to look at report PDFs;
# espeak-ng's voices as speakers the product does not use, for the word check's tests.
[ "$test_mode" = 1 ] && packages+=(pulseaudio pulseaudio-utils libasound2-plugins xvfb postgresql
                                   poppler-utils espeak-ng)
# pyworld compiles where PyPI has no wheel for this Python: it needs a C++ compiler and headers.
"$python" -c 'import ensurepip, venv' 2>/dev/null || packages+=("${python}-venv")
command -v g++ >/dev/null 2>&1 || packages+=(g++)
"$python" -c 'import os, sysconfig, sys; sys.exit(not os.path.exists(sysconfig.get_paths()["include"] + "/Python.h"))' ||
  packages+=("${python}-dev")

apt_install "${packages[@]}" ||
  echo "No apt-get here: install PortAudio yourself (see README.md), then run this again." >&2

# pip runs only when the dependencies changed since the last install (an install with the
# test extras also serves the app), so that starting the app again does not wait for it.
extras=""
[ "$test_mode" = 1 ] && extras="[models,test]"
stamp=".venv/.installed"
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1) $extras"
[ -x .venv/bin/python ] || "$python" -m venv .venv
installed="$(cat "$stamp" 2>/dev/null || true)"
if [ "$installed" != "$wanted" ] && { [ "$test_mode" = 1 ] || [ "${installed%% *}" != "${wanted%% *}" ]; }; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".$extras"
  echo "$wanted" > "$stamp"
fi
