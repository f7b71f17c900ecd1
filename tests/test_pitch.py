"""track_pitch / track_file / PitchStream: the interface every part of the app relies on."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from pitch_streams import stream_in_random_chunks

from mitpractice.errors import AudioError, ParameterError
from mitpractice.pitch import MODELS, PitchStream, PitchTrack, track_file, track_pitch


def harmonic_tone(f0: float, seconds: float, sr: int) -> np.ndarray:
    """A sung-vowel-like tone: five harmonics with falling amplitude."""
    t = np.arange(round(seconds * sr)) / sr
    return sum(0.4 / k * np.sin(2 * np.pi * f0 * k * t + k) for k in range(1, 6)).astype(np.float32)


def cents(f: np.ndarray, ref: float) -> np.ndarray:
    return 1200 * np.log2(np.asarray(f) / ref)


def test_models_are_the_documented_names() -> None:
    assert MODELS == (
        "crepe-tiny", "crepe-small", "crepe-medium", "crepe-large", "crepe-full", "pyin", "swift-f0"
    )


@pytest.mark.parametrize("model", ["crepe-tiny", "crepe-full", "pyin", "swift-f0"])
def test_tone_is_tracked_within_ten_cents(model: str) -> None:
    track = track_pitch(harmonic_tone(220.0, 1.0, 44100), 44100, model)
    inner = slice(5, -5)  # frames whose window lies wholly inside the tone
    assert track.model == model
    assert track.voiced()[inner].all()
    assert np.abs(cents(track.f0_hz[inner], 220.0)).max() < 10


@pytest.mark.parametrize("model", ["crepe-tiny", "pyin", "swift-f0"])
def test_every_track_has_the_same_frame_grid_and_valid_values(model: str) -> None:
    y = np.concatenate([np.zeros(4000, np.float32), harmonic_tone(150.0, 0.5, 16000)])
    track = track_pitch(y, 16000, model, hop_s=0.02)
    assert isinstance(track, PitchTrack)
    assert len(track) == 1 + len(y) // 320
    np.testing.assert_allclose(track.times, np.arange(len(track)) * 0.02)
    assert np.all(np.isfinite(track.f0_hz)) and np.all(track.f0_hz > 0)
    assert np.all((track.confidence >= 0) & (track.confidence <= 1))
    assert track.confidence[:8].max() < 0.5 < track.confidence[20:-5].min()


def test_pyin_on_silence_is_unvoiced() -> None:
    track = track_pitch(np.zeros(8000), 16000, "pyin")
    assert not track.voiced().any()
    assert np.all(np.isfinite(track.f0_hz)) and np.all(track.f0_hz > 0)


def test_viterbi_decoding_keeps_the_tone() -> None:
    y = harmonic_tone(180.0, 0.6, 16000)
    plain, smooth = track_pitch(y, 16000), track_pitch(y, 16000, viterbi=True)
    np.testing.assert_allclose(smooth.confidence, plain.confidence)
    assert np.abs(cents(smooth.f0_hz[5:-5], 180.0)).max() < 10


def test_track_file_reads_any_rate_and_stereo(tmp_path) -> None:
    y = harmonic_tone(200.0, 0.5, 22050)
    path = tmp_path / "attempt.flac"
    sf.write(path, np.stack([y, y], axis=1), 22050)
    from_file, from_array = track_file(path), track_pitch(y, 22050)
    np.testing.assert_allclose(from_file.f0_hz, from_array.f0_hz, rtol=1e-4)
    np.testing.assert_allclose(from_file.times, from_array.times)


@pytest.mark.parametrize(
    ("y", "kwargs", "message"),
    [
        (np.zeros(1600), {"model": "crepe-huge"}, "unknown pitch model 'crepe-huge'"),
        (np.zeros(1600), {"hop_s": 0.5}, "hop must be between"),
        (np.zeros((1600, 2)), {}, "mono audio"),
        (np.zeros(0), {}, "at least one audio sample"),
        (np.full(1600, np.nan), {}, "not numbers"),
    ],
)
def test_bad_input_is_a_parameter_error(y, kwargs, message) -> None:
    with pytest.raises(ParameterError, match=message):
        track_pitch(y, 16000, **kwargs)


def test_missing_file_is_an_audio_error(tmp_path) -> None:
    with pytest.raises(AudioError, match="no such file"):
        track_file(tmp_path / "missing.wav", "pyin")


@pytest.mark.parametrize(
    ("sr", "model"), [(44100, "crepe-tiny"), (16000, "crepe-tiny"), (48000, "crepe-full")]
)
def test_stream_equals_batch(sr: int, model: str) -> None:
    y = np.concatenate([harmonic_tone(130.0, 0.4, sr), 0.01 * harmonic_tone(260.0, 0.3, sr)])
    streamed, done = stream_in_random_chunks(y, sr, seed=sr, model=model)
    batch = track_pitch(y, sr, model)
    np.testing.assert_array_equal(streamed.times, batch.times)
    np.testing.assert_allclose(streamed.f0_hz, batch.f0_hz, rtol=1e-5)
    np.testing.assert_allclose(streamed.confidence, batch.confidence, atol=1e-5)
    # Frames come while recording, not only at the end: ~0.7 s of audio gives ~65 early frames.
    assert done[-1] >= len(batch) - 6


def test_stream_gives_each_frame_once_its_window_has_arrived() -> None:
    stream = PitchStream(16000, hop_s=0.01)
    assert len(stream.push(np.zeros(511, np.float32))) == 0
    first = stream.push(np.zeros(1, np.float32))  # sample 511 completes frame 0 (512 after centre)
    assert first.times.tolist() == [0.0]
    assert len(stream.push(np.zeros((160, 2), np.float32))) == 1  # stereo chunks are mixed
    assert len(stream.finish()) == 1 + 672 // 160 - 2


def test_stream_refuses_what_it_cannot_do() -> None:
    with pytest.raises(ParameterError, match="pyin cannot track live"):
        PitchStream(16000, "pyin")
    stream = PitchStream(16000)
    with pytest.raises(ParameterError, match="at least one audio sample"):
        stream.finish()
    stream = PitchStream(16000)
    stream.push(np.zeros(100, np.float32))
    stream.finish()
    with pytest.raises(ParameterError, match="finished"):
        stream.push(np.zeros(100, np.float32))
