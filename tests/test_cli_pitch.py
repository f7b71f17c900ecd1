"""``mitpractice pitch``: the CSV contract, the summary, and exit codes, as a user runs it."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from mitpractice.pitch import MODELS


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mitpractice", "pitch", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def tone_files(tmp_path_factory) -> dict[str, object]:
    """A 0.4 s 196 Hz tone as stereo 44.1 kHz WAV and mono 22.05 kHz FLAC."""
    folder = tmp_path_factory.mktemp("pitch")
    files = {}
    for name, sr, channels in [("tone.wav", 44100, 2), ("tone.flac", 22050, 1)]:
        t = np.arange(round(0.4 * sr)) / sr
        y = sum(0.3 / k * np.sin(2 * np.pi * 196 * k * t) for k in (1, 2, 3))
        sf.write(folder / name, np.stack([y] * channels, axis=1), sr)
        files[name] = folder / name
    return files


def parse_csv(text: str) -> tuple[list[str], np.ndarray]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], np.array(rows[1:], dtype=float)


@pytest.mark.parametrize("model", MODELS)
def test_csv_for_every_model(tone_files, model: str) -> None:
    result = run(tone_files["tone.wav"], "--model", model, "--csv")
    assert result.returncode == 0, result.stderr
    header, rows = parse_csv(result.stdout)
    assert header == ["time_s", "f0_hz", "confidence"]
    assert len(rows) == 1 + round(0.4 * 16000) // 160
    np.testing.assert_allclose(rows[:, 0], np.arange(len(rows)) * 0.01)
    assert np.all(rows[:, 1] > 0) and np.all((rows[:, 2] >= 0) & (rows[:, 2] <= 1))
    inner = rows[5:-5]
    assert np.abs(1200 * np.log2(inner[:, 1] / 196)).max() < 15
    assert inner[:, 2].min() > 0.5


def test_flac_at_another_rate(tone_files) -> None:
    result = run(tone_files["tone.flac"], "--csv")
    assert result.returncode == 0, result.stderr
    _, rows = parse_csv(result.stdout)
    assert np.median(rows[:, 1]) == pytest.approx(196, rel=0.01)


def test_summary_without_csv(tone_files) -> None:
    result = run(tone_files["tone.flac"])
    assert result.returncode == 0, result.stderr
    assert "crepe-tiny" in result.stdout
    assert "G3" in result.stdout and "median 19" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.wav", "--csv"], "missing.wav: no such file"),
        (["not-audio.wav", "--csv"], "not-audio.wav: not a readable audio file"),
        (["tone.wav", "--model", "crepe-huge"], "invalid choice: 'crepe-huge'"),
        (["tone.wav", "--hop", "2"], "hop must be between"),
    ],
)
def test_bad_input_exits_2_with_one_line(tone_files, tmp_path, args, message) -> None:
    (tmp_path / "not-audio.wav").write_text("this is not audio")
    (tmp_path / "tone.wav").write_bytes(tone_files["tone.wav"].read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "mitpractice", "pitch", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
