"""SwiftF0 behind the PitchTrack interface: tones, glides, jumps, a sung target, silence,
noise, the live stream and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from pitch_streams import stream_in_random_chunks

from mitpractice.errors import ModelUnavailableError
from mitpractice.pitch import MODELS, PitchStream, PitchTrack, swift, track_pitch

MODEL = "swift-f0"
GREETINGS = Path(__file__).resolve().parents[1] / "phrases" / "greetings.toml"


def sung_vowel(f0_hz: np.ndarray, sr: int, level: float = 0.5) -> np.ndarray:
    """Five falling harmonics following the per-sample f0 ``f0_hz``, peaking near ``level``."""
    phase = 2 * np.pi * np.cumsum(f0_hz) / sr
    y = sum(np.sin(k * phase + k) / k for k in range(1, 6))
    return (level * y / np.abs(y).max()).astype(np.float32)


def cents(f: np.ndarray, ref: np.ndarray | float) -> np.ndarray:
    return 1200 * np.log2(np.asarray(f) / ref)


def test_swift_f0_is_one_of_the_models() -> None:
    assert MODEL in MODELS


@pytest.mark.parametrize(("f0", "sr"), [(82.0, 44100), (220.0, 16000), (523.0, 48000)])
def test_steady_tones_are_tracked_within_ten_cents(f0: float, sr: int) -> None:
    y = sung_vowel(np.full(sr, f0), sr)
    track = track_pitch(y, sr, MODEL)
    inner = slice(10, -10)  # frames whose network window lies wholly inside the tone
    assert track.model == MODEL
    assert track.voiced()[inner].all()
    assert np.abs(cents(track.f0_hz[inner], f0)).max() < 10


def test_a_glide_is_followed_frame_by_frame() -> None:
    sr, seconds = 22050, 2.0
    t = np.arange(round(seconds * sr)) / sr
    truth = 150 * 2 ** (t / seconds)  # one octave up, 150 -> 300 Hz
    track = track_pitch(sung_vowel(truth, sr), sr, MODEL)
    inner = slice(10, -10)
    expected = 150 * 2 ** (track.times[inner] / seconds)
    assert track.voiced()[inner].all()
    assert np.abs(cents(track.f0_hz[inner], expected)).max() < 25


def test_jumps_between_notes_are_where_they_were_sung() -> None:
    """The MIT pattern: low, high a minor third up, low, changing at 0.5 and 1.0 s."""
    sr, low = 16000, 196.0
    high = low * 2 ** (3 / 12)
    f0 = np.concatenate([np.full(8000, low), np.full(8000, high), np.full(8000, low)])
    track = track_pitch(sung_vowel(f0, sr), sr, MODEL)
    t = track.times
    # Away from the changes (the network's frames straddling one may fall between the notes),
    # every frame is on the note sung.
    steady = (t > 0.1) & (t < 1.4) & (np.abs(t - 0.5) > 0.02) & (np.abs(t - 1.0) > 0.02)
    expected = np.where((t > 0.5) & (t < 1.0), high, low)
    assert np.abs(cents(track.f0_hz[steady], expected[steady])).max() < 20


def test_interpolation_onto_the_grid_never_blends_a_jump() -> None:
    """A grid frame between two network frames on different notes takes the nearer one; on a
    glide it lies between them."""
    jump = np.array([200.0, 200.0 * 2 ** (3 / 12), 200.0 * 2 ** (3 / 12)])
    glide = np.array([200.0, 202.0, 204.0])
    confidence = np.array([0.2, 0.9, 0.9])
    position = np.array([0.0, 0.4, 0.6, 1.0])
    f0, conf = swift.interpolate(jump, confidence, position)
    np.testing.assert_allclose(f0, jump[[0, 0, 1, 1]])
    np.testing.assert_allclose(conf, [0.2, 0.48, 0.62, 0.9])
    f0, _ = swift.interpolate(glide, confidence, position)
    np.testing.assert_allclose(cents(f0, 200.0), [0, 0.4 * cents(202.0, 200.0), 0.6 * cents(202.0, 200.0),
                                                  cents(202.0, 200.0)])
    # On the 10 ms grid: frame 5 (32 samples after network frame 3) keeps its 200 Hz, frame 6
    # (64 samples before network frame 4) takes 300 Hz.
    grid, _ = swift.to_grid(np.array([200.0, 200.0, 200.0, 200.0, 300.0, 300.0]), np.ones(6), 160, 7)
    assert grid.tolist() == [200.0] * 6 + [300.0]


def test_the_frame_grid_is_the_apps() -> None:
    y = np.concatenate([np.zeros(4000, np.float32), sung_vowel(np.full(8000, 150.0), 16000)])
    for hop_s in (0.005, 0.01, 0.02):
        track = track_pitch(y, 16000, MODEL, hop_s=hop_s)
        hop = round(hop_s * 16000)
        assert isinstance(track, PitchTrack) and len(track) == 1 + len(y) // hop
        np.testing.assert_allclose(track.times, np.arange(len(track)) * hop_s)
        assert np.all(np.isfinite(track.f0_hz)) and np.all(track.f0_hz > 0)
        assert np.all((track.confidence >= 0) & (track.confidence <= 1))
        # Unvoiced during the leading silence, voiced once the tone has started.
        assert track.confidence[track.times < 0.2].max() < 0.5
        assert track.confidence[(track.times > 0.3) & (track.times < 0.6)].min() > 0.5


@pytest.mark.parametrize("seconds", [1 / 16000, 0.01, 0.0161])
def test_very_short_audio_still_gives_the_grid(seconds: float) -> None:
    y = np.zeros(round(seconds * 16000), np.float32) + 0.1
    track = track_pitch(y, 16000, MODEL)
    assert len(track) == 1 + len(y) // 160


@pytest.mark.parametrize("peak_dbfs", [-35.0, -50.0, -60.0])
def test_a_quiet_take_is_tracked_like_a_loud_one(peak_dbfs: float) -> None:
    """A patient far from the microphone: the network alone loses a tone peaking at -50 dBFS."""
    loud = sung_vowel(np.full(16000, 165.0), 16000, level=0.5)
    quiet = loud * np.float32(10 ** (peak_dbfs / 20) / 0.5)
    track = track_pitch(quiet, 16000, MODEL)
    inner = slice(10, -10)
    assert track.voiced()[inner].all()
    assert np.abs(cents(track.f0_hz[inner], 165.0)).max() < 10
    at_threshold = track_pitch(loud * np.float32(swift.LOUD_PEAK / 0.5), 16000, MODEL)
    np.testing.assert_allclose(track.confidence, at_threshold.confidence, atol=0.01)


def test_silence_and_noise_are_not_voiced() -> None:
    rng = np.random.default_rng(3)
    for name, y in [
        ("digital silence", np.zeros(16000, np.float32)),
        ("white noise", 0.1 * rng.standard_normal(16000).astype(np.float32)),
        ("quiet white noise", 0.01 * rng.standard_normal(16000).astype(np.float32)),
    ]:
        track = track_pitch(y, 16000, MODEL)
        assert track.voiced().mean() < 0.02, name
        assert np.median(track.confidence) < 0.2, name


def test_voiced_frames_after_a_pause_are_found() -> None:
    """Two sung notes with a pause: voiced, unvoiced, voiced, as a person would mark them."""
    sr = 16000
    note = sung_vowel(np.full(8000, 180.0), sr)
    y = np.concatenate([note, np.zeros(8000, np.float32), note])
    voiced = track_pitch(y, sr, MODEL).voiced()
    t = np.arange(len(voiced)) * 0.01
    assert voiced[(t > 0.1) & (t < 0.4)].all()
    assert not voiced[(t > 0.6) & (t < 0.9)].any()
    assert voiced[(t > 1.1) & (t < 1.4)].all()


@pytest.fixture(scope="module")
def sung_target():
    """greetings/good-morning sung by the bundled voice at A2 (a low male register)."""
    from mitpractice.melody import target_melody
    from mitpractice.phrases import load_phrase_set
    from mitpractice.synth import synthesize

    phrase_set = load_phrase_set(GREETINGS)
    melody = target_melody(phrase_set.phrase("good-morning"), low="A2")
    return synthesize(phrase_set.phrase("good-morning"), melody)


def test_a_sung_target_is_on_its_notes(sung_target) -> None:
    target = sung_target
    track = track_pitch(target.audio, target.sr, MODEL)
    for note in target.melody.notes:
        start = target.start_s + note.onset_s
        middle = (track.times >= start + 0.25 * note.duration_s) & (
            track.times <= start + 0.75 * note.duration_s
        )
        voiced = middle & track.voiced()
        assert voiced.sum() >= 0.8 * middle.sum(), note.syllable
        assert abs(cents(np.median(track.f0_hz[voiced]), note.pitch_hz)) < 35, note.syllable


@pytest.mark.parametrize(("sr", "hop_s"), [(44100, 0.01), (16000, 0.01), (48000, 0.1), (16000, 0.016)])
def test_stream_equals_batch(sr: int, hop_s: float) -> None:
    t = np.arange(round(0.9 * sr)) / sr
    y = np.concatenate([sung_vowel(130 * 2 ** (t / 0.9 / 4), sr), np.zeros(sr // 5, np.float32)])
    streamed, done = stream_in_random_chunks(y, sr, seed=sr, model=MODEL, hop_s=hop_s)
    batch = track_pitch(y, sr, MODEL, hop_s=hop_s)
    np.testing.assert_array_equal(streamed.times, batch.times)
    np.testing.assert_allclose(streamed.f0_hz, batch.f0_hz, rtol=1e-5)
    np.testing.assert_allclose(streamed.confidence, batch.confidence, atol=1e-5)
    # Frames come while recording: all but the last 192 ms (and a chunk) before the end.
    assert done[-1] >= len(batch) - (0.192 + 0.3) / hop_s


def test_stream_waits_176_to_192_ms_after_each_frame() -> None:
    stream = PitchStream(16000, MODEL)
    assert stream.lookahead_s == pytest.approx(0.192)
    y = sung_vowel(np.full(16000, 200.0), 16000)
    pushed = 0
    for size in [160] * 100:
        stream.push(y[pushed : pushed + size])
        pushed += size
        # Every frame returned is at least 176 ms behind the audio; none waits more than 192.
        latest_done = (stream.frames_done - 1) * 0.01
        if pushed / 16000 > 0.2:
            assert 0.176 <= pushed / 16000 - latest_done < 0.192 + 0.01


def test_a_missing_package_is_named_with_its_fix(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "swift_f0", None)  # as if it were not installed
    with pytest.raises(ModelUnavailableError, match="pip install swift-f0"):
        swift.load_detector()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mitpractice", *map(str, args)], capture_output=True, text=True, timeout=120
    )


def test_cli_pitch_csv_and_summary(tmp_path) -> None:
    sr = 44100
    path = tmp_path / "tone.wav"
    sf.write(path, np.stack([sung_vowel(np.full(sr // 2, 196.0), sr)] * 2, axis=1), sr)
    result = run_cli("pitch", path, "--model", MODEL, "--csv")
    assert result.returncode == 0, result.stderr
    rows = np.array([line.split(",") for line in result.stdout.splitlines()[1:]], dtype=float)
    assert result.stdout.splitlines()[0] == "time_s,f0_hz,confidence"
    assert len(rows) == 1 + 8000 // 160
    assert np.abs(cents(rows[10:-10, 1], 196.0)).max() < 10 and rows[10:-10, 2].min() > 0.5
    summary = run_cli("pitch", path, "--model", MODEL)
    assert summary.returncode == 0 and "swift-f0" in summary.stdout and "G3" in summary.stdout


def test_cli_score_with_swift_f0(tmp_path, sung_target) -> None:
    path = tmp_path / "attempt.wav"
    sf.write(path, sung_target.audio, sung_target.sr)
    result = run_cli("score", GREETINGS, "good-morning", path, "--low", "A2", "--model", MODEL, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["model"] == MODEL and data["voiced"] is True
    assert all(s["detected"] for s in data["syllables"])
    assert data["melodic"] >= 85


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("pitch", "{missing}", "--model", MODEL), "missing.wav: no such file"),
        (("pitch", "{tone}", "--model", "swift-f1"), "invalid choice: 'swift-f1'"),
        (("pitch", "{tone}", "--model", MODEL, "--hop", "0.5"), "hop must be between"),
        (("pitch", "{not_audio}", "--model", MODEL, "--csv"), "not a readable audio file"),
        (("score", GREETINGS, "good-morning", "{missing}", "--model", MODEL), "no such file"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(tmp_path, args, message) -> None:
    tone = tmp_path / "tone.wav"
    sf.write(tone, sung_vowel(np.full(8000, 196.0), 16000), 16000)
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("not audio")
    files = {"missing": tmp_path / "missing.wav", "tone": tone, "not_audio": not_audio}
    result = run_cli(*(str(a).format(**files) for a in args))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
