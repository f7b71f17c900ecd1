"""The two windows from the command line where there is no screen: one line and exit 2, not Qt's
page about platform plugins and an abort."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland variables are Linux's")
@pytest.mark.parametrize("argv", [[], ["therapist"]])
def test_a_window_without_a_screen_is_one_clear_line(tmp_path, argv):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(PYTHONPATH=str(ROOT), MITPRACTICE_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-m", "mitpractice", *argv], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no screen" in lines[0] and "Traceback" not in done.stderr
