"""A full disk, on a real (tmpfs) file system: every command ends in one line that says so,
leaves no half-written file, and what was there before is intact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from test_store_faults import tmpfs

from mitpractice.cli import main
from mitpractice.phrases import bundled_phrases_dir
from mitpractice.store import NewAttempt, Store

ROOT = Path(__file__).resolve().parents[1]
GREETINGS = bundled_phrases_dir() / "greetings.toml"
SR = 16000


pytestmark = pytest.mark.usefixtures("data_dir")


@pytest.fixture(autouse=True)
def offscreen(monkeypatch) -> None:
    """The report's PDF is drawn by Qt, with no screen."""
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")


def refused(capsys, *argv: str, words: tuple[str, ...] = ()) -> str:
    code = main(list(argv))
    _, err = capsys.readouterr()
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err
    return err


def fill(disk: Path) -> None:
    """Take every byte left on ``disk``."""
    with (disk / "filler").open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass


def ann_with_an_attempt() -> str:
    with Store.open() as store:
        ann = store.add_patient("Ann").id
        noise = np.random.default_rng(5).uniform(-0.3, 0.3, SR).astype(np.float32)
        return store.save_attempt(NewAttempt(
            patient_id=ann, set_id="greetings", phrase_id="hello", step="unison",
            started_at=datetime(2026, 11, 2, 9, tzinfo=UTC), low_hz=220, interval=3, tempo=60), noise, SR).id


def test_a_store_on_a_full_disk_says_no_room_left_not_disk_io_error(tmp_path, capsys, monkeypatch):
    with tmpfs(tmp_path / "small", "size=2m,mode=0700") as disk:
        monkeypatch.setenv("MITPRACTICE_DATA_DIR", str(disk / "data"))
        ann_with_an_attempt()
        fill(disk)
        for argv in (("patients", "add", "Bob"), ("patients", "list"), ("attempts", "Ann")):
            refused(capsys, *argv, words=("mitpractice.sqlite3", "no room left on the disk"))
        (disk / "filler").unlink()
        with Store.open() as store:
            assert [p.name for p in store.patients()] == ["Ann"]


@pytest.mark.parametrize("command", ["report", "textgrid", "synth"])
def test_an_output_onto_a_full_disk_is_one_line_and_leaves_no_file(tmp_path, command):
    attempt = ann_with_an_attempt()
    with tmpfs(tmp_path / "stick", "size=1m,mode=0700") as stick:
        old = stick / "old.pdf"
        old.write_bytes(b"%PDF-1.4 the report kept before\n%%EOF\n")
        fill(stick)
        argv = {"report": ("report", "Ann", "-o", str(old)),
                "textgrid": ("textgrid", attempt[:8], "-o", str(stick / "praat")),
                "synth": ("synth", str(GREETINGS), "hello", "-o", str(stick / "hello.wav"), "--no-cache"),
                }[command]
        # In a process of its own: what libraries print past Python's stderr counts too.
        proc = subprocess.run([sys.executable, "-m", "mitpractice", *argv],
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 2, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and str(stick) in proc.stderr, proc.stderr
        (stick / "filler").unlink()
        assert old.read_bytes() == b"%PDF-1.4 the report kept before\n%%EOF\n"
        left = sorted(p.name for p in stick.rglob("*") if p.is_file() and p.name != "old.pdf")
        assert left == []


def test_a_read_only_data_folder_still_serves_the_commands_that_only_read(tmp_path, capsys, monkeypatch):
    with tmpfs(tmp_path / "stick", "size=4m,mode=0700") as disk:
        monkeypatch.setenv("MITPRACTICE_DATA_DIR", str(disk / "data"))
        attempt = ann_with_an_attempt()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        for argv in (("patients", "list"), ("attempts", "Ann", "--json"),
                     ("backup", "-o", str(tmp_path / "backup.zip")),
                     ("export", "Ann", "-o", str(tmp_path / "ann.csv"))):
            code = main(list(argv))
            out, err = capsys.readouterr()
            assert code == 0, (argv, err)
            if argv[0] == "attempts":
                assert [a["id"] for a in json.loads(out)] == [attempt]
        refused(capsys, "patients", "add", "Bob", words=(str(disk / "data"),))
