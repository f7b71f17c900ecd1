"""The frozen program's command line from a clean account, on any of the three systems.

Run: ``python packaging/check_bundle.py PROGRAM`` with the source install's Python (the one
that built the bundle). PROGRAM is the frozen ``mitpractice`` (``mitpractice.exe`` on Windows,
``MIT Practice.app/Contents/MacOS/mitpractice`` on macOS). It runs PROGRAM with an empty home
folder and the system's bare PATH, nothing else in the environment, and checks ``--version``,
``phrases list`` and ``score --json`` of the bundled test recording, which must print the same
JSON as the source install. Exits 1 with what differed. The CI jobs of
.github/workflows/package.yml run it; on Linux, packaging/check_installed.sh checks more.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SET_FILE = ROOT / "phrases" / "needs.toml"
PHRASE = "i-want-some-water"
RECORDING = ROOT / "tests" / "data" / "i-want-some-water_soft-last-syllable.flac"
#: Fewest bundled phrase sets a working install lists.
MIN_SETS = 3


def clean_environment(home: Path) -> dict[str, str]:
    """An empty home and the system's own PATH: what a new account has."""
    if sys.platform == "win32":
        system = os.environ.get("SYSTEMROOT", r"C:\Windows")
        return {"SYSTEMROOT": system, "PATH": rf"{system}\System32;{system}", "USERPROFILE": str(home),
                "APPDATA": str(home / "AppData" / "Roaming"), "LOCALAPPDATA": str(home / "AppData" / "Local"),
                "TEMP": str(home), "TMP": str(home)}
    return {"HOME": str(home), "PATH": "/usr/bin:/bin"}


def run(command: list[str], env: dict[str, str] | None) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        sys.exit(f"FAILED: {' '.join(command)} exited {done.returncode}\n{done.stderr}")
    return done.stdout


def main(program: Path) -> None:
    from mitpractice import __version__

    with tempfile.TemporaryDirectory() as folder:
        env = clean_environment(Path(folder))
        version = run([str(program), "--version"], env).strip()
        if version != f"mitpractice {__version__}":
            sys.exit(f"FAILED: --version printed {version!r}")
        print(f"ok: {version}")
        sets = json.loads(run([str(program), "phrases", "list", "--json"], env))
        if len(sets) < MIN_SETS:
            sys.exit(f"FAILED: phrases list gave {len(sets)} sets")
        print(f"ok: phrases list: {len(sets)} bundled sets")
        score = [SET_FILE, PHRASE, RECORDING, "--low", "A3", "--json"]
        frozen = run([str(program), "score", *map(str, score)], env)
        source = run([sys.executable, "-m", "mitpractice", "score", *map(str, score)], None)
        if frozen != source:
            sys.exit(f"FAILED: score --json differs\nfrozen: {frozen}\nsource: {source}")
        print(f"ok: score --json as the source install's (overall {json.loads(frozen)['overall']})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python packaging/check_bundle.py PROGRAM")
    main(Path(sys.argv[1]))
