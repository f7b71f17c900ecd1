"""Atomic, private files: a failed write leaves the old file, and folders are the user's only."""

from __future__ import annotations

import stat

import numpy as np
import pytest

from mitpractice import files
from mitpractice.audiofile import load_audio, write_audio


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_write_that_fails_midway_leaves_the_saved_recording_intact(tmp_path):
    saved = write_audio(tmp_path / "take.flac", np.full(1600, 0.25, np.float32), 16_000)
    with pytest.raises(RuntimeError), files.atomic_write(saved) as handle:
        handle.write(b"half a file")
        raise RuntimeError("microphone pulled out")
    y, sr = load_audio(saved)
    assert sr == 16_000 and len(y) == 1600 and y[0] == pytest.approx(0.25, abs=1e-4)
    assert [p.name for p in tmp_path.iterdir()] == ["take.flac"]


def test_recordings_are_readable_by_their_owner_only(tmp_path):
    path = write_audio(tmp_path / "take.wav", np.zeros(160, np.float32), 16_000)
    assert mode(path) == 0o600


def test_private_folder_closes_every_new_level_inside_the_data_folder():
    folder = files.private_folder(files.data_dir() / "patients" / "p1")
    for level in (folder, folder.parent, files.data_dir()):
        assert mode(level) == 0o700


def test_a_writer_given_a_path_replaces_the_file_whole_and_private(tmp_path):
    target = tmp_path / "grid.TextGrid"
    target.write_text("old grid")
    target.chmod(0o644)
    with files.atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        assert target.read_text() == "old grid"  # nothing changes until the block ends
        tmp.unlink()  # a writer that makes its own file (mode from the umask)
        tmp.write_text("new grid")
        tmp.chmod(0o644)
    assert target.read_text() == "new grid"
    assert mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["grid.TextGrid"]


def test_a_writer_given_a_path_that_fails_leaves_the_old_file(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF old")
    with pytest.raises(RuntimeError), files.atomic_path(target) as tmp:
        tmp.write_bytes(b"%PDF half")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"%PDF old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]
