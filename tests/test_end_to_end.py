"""The whole practice loop through a real sound server, as the practice window will run it.

A sung target is synthesised, played into the ``patient`` null sink as if the patient sang
it, recorded from that sink's monitor into the recorder's sample buffer, tracked live by the
streaming pitch tracker on a timer-like loop, and scored. No part is mocked.
"""

from __future__ import annotations

import subprocess
import time

import numpy as np
import pytest

from mitpractice import audio
from mitpractice.audiofile import write_audio
from mitpractice.melody import target_melody
from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
from mitpractice.pitch import PitchStream, PitchTrack, track_pitch
from mitpractice.scoring import score_track
from mitpractice.synth import sung_target

pytestmark = [pytest.mark.audio, pytest.mark.slow]


@pytest.mark.parametrize(("phrase_id", "low"), [("i-want-some-water", "C3"), ("water-please", "A3")])
def test_a_sung_attempt_recorded_live_scores_high(sound_server, tmp_path, phrase_id, low):
    phrase_set = load_phrase_set(bundled_phrases_dir() / "needs.toml")
    phrase = phrase_set.phrase(phrase_id)
    melody = target_melody(phrase, low=low)
    target = sung_target(phrase_set.id, phrase, melody)
    attempt = write_audio(tmp_path / "attempt.wav", target.audio, target.sr)

    sound_server.set_default_source("patient.monitor")
    try:
        recorder = audio.Recorder(sr=audio.RECORD_SR)
        stream = PitchStream(audio.RECORD_SR)
        live: list[PitchTrack] = []
        position = 0
        recorder.start()
        player = subprocess.Popen(["paplay", "--device=patient", str(attempt)])
        deadline = time.monotonic() + 60.0  # paplay ends with its file, a few seconds
        while player.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
            new, position = recorder.read_new(position)
            live.append(stream.push(new))
        time.sleep(0.3)
        take = recorder.stop()
    finally:
        sound_server.set_default_source("out.monitor")
    assert player.returncode == 0
    assert recorder.status().error is None
    new, position = recorder.read_new(position)
    live.extend([stream.push(new), stream.finish()])
    track = PitchTrack.concatenate(live)

    # What was drawn live is what the saved take gives in one go.
    batch = track_pitch(take, audio.RECORD_SR)
    np.testing.assert_allclose(track.times, batch.times)
    np.testing.assert_allclose(track.f0_hz, batch.f0_hz, rtol=1e-3)

    score = score_track(track, melody, audio=take, sr=audio.RECORD_SR)
    assert score.voiced
    assert all(s.detected for s in score.syllables)
    assert score.melodic >= 85 and score.rhythmic >= 85, score.to_json()
    assert score.interval_semitones == pytest.approx(melody.interval, abs=0.5)
