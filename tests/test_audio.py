"""Playback and recording through a real PulseAudio server (null sinks, no mocks)."""

from __future__ import annotations

import subprocess
import time

import numpy as np
import pytest

from mitpractice import audio
from mitpractice.audiofile import write_audio

pytestmark = pytest.mark.audio


def dominant_hz(y: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return float(np.argmax(spectrum) * sr / len(y))


def tone(hz: float, seconds: float, sr: int) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def test_what_is_played_comes_back_at_its_pitch(sound_server):
    sr = 48_000
    recorded = audio.play_and_record(tone(440.0, 1.0, sr), sr)
    assert len(recorded) == int(1.5 * sr)
    loud = recorded[int(0.3 * sr) : int(0.9 * sr)]
    assert loud.std() > 0.1
    assert dominant_hz(loud, sr) == pytest.approx(440.0, abs=2.0)


def test_round_trip_latency_is_measured(sound_server):
    latency = audio.measure_latency()
    assert 0.0 <= latency < 0.5


def test_recorder_hears_an_attempt_played_into_the_patient_sink(sound_server, tmp_path):
    sr = audio.RECORD_SR
    attempt = np.concatenate([tone(220.0, 0.8, sr), tone(262.0, 0.8, sr)])
    wav = write_audio(tmp_path / "attempt.wav", attempt, sr)
    sound_server.set_default_source("patient.monitor")
    try:
        recorder = audio.Recorder(sr=sr)
        recorder.start()
        subprocess.run(["paplay", "--device=patient", str(wav)], check=True, timeout=20)
        time.sleep(0.2)
        live, position = recorder.read_new(0)
        take = recorder.stop()
    finally:
        sound_server.set_default_source("out.monitor")
    assert recorder.status().error is None
    assert position <= len(take) and len(live) == position
    voiced = np.flatnonzero(np.abs(take) > 0.05)
    assert voiced.size > 0
    start = voiced[0]
    assert dominant_hz(take[start + 1600 : start + 11200], sr) == pytest.approx(220.0, abs=3.0)
    assert dominant_hz(take[start + 14400 : start + 24000], sr) == pytest.approx(262.0, abs=3.0)


def test_sample_buffer_keeps_what_fits_and_says_it_overflowed():
    buf = audio.SampleBuffer(capacity=5)
    buf.append(np.ones(3, np.float32))
    buf.append(np.full(4, 2.0, np.float32))
    assert buf.overflowed
    assert buf.contents().tolist() == [1.0, 1.0, 1.0, 2.0, 2.0]
    new, pos = buf.read_from(3)
    assert new.tolist() == [2.0, 2.0] and pos == 5
