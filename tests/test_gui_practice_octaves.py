"""Issue 19, point 2, in the practice window: a take whose CREPE track slips an octave is
scored and stored as the patient sang it.

"Come here", sung in tune in the window, scored 21: crepe-tiny read "here" an octave high and
the syllable was stored as not heard, though ``mitpractice score`` gave the same recording 100.
Here the window's live worker (on the thread of the test, with a real SQLite store) records
the bundled voice's correct "Good morning" while its CREPE stream reads a whole syllable an
octave high, as crepe-tiny did (without the referee: melody 0, overall 50); SwiftF0, run
beside it, settles the slip.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import numpy as np
import pytest
import robust_attempts as R

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from mitpractice.pitch import PitchTrack
from mitpractice.pitch.stream import PitchStream


class _Slipping:
    """A CREPE stream that reads the frames from ``start_s`` to ``stop_s`` an octave high."""

    def __init__(self, stream: PitchStream, start_s: float, stop_s: float):
        self._stream, self._span = stream, (start_s, stop_s)

    def __getattr__(self, name):
        return getattr(self._stream, name)

    def _slipped(self, frames: PitchTrack) -> PitchTrack:
        start, stop = self._span
        f0 = np.where((frames.times >= start) & (frames.times < stop), 2.0 * frames.f0_hz, frames.f0_hz)
        return PitchTrack(frames.times, f0, frames.confidence, frames.model)

    def push(self, chunk: np.ndarray) -> PitchTrack:
        return self._slipped(self._stream.push(chunk))

    def finish(self) -> PitchTrack:
        return self._slipped(self._stream.finish())


@pytest.mark.parametrize("index", [0, 2], ids=["good", "ning"])
def test_a_syllable_crepe_reads_an_octave_high_is_stored_as_sung(fresh_data, monkeypatch, index):
    from mitpractice.gui.practice.workers import LiveWorker, TakeEnd, TakePlan
    from mitpractice.practice import live
    from mitpractice.store import Store
    from mitpractice.store.records import NewAttempt

    t, melody = R.target("greetings", "good-morning", "C3")
    note = t.melody.notes[index]
    start = t.start_s + note.onset_s

    def stream(sr: int, model: str = "crepe-tiny", **kw) -> PitchStream:
        s = PitchStream(sr, model, **kw)
        return _Slipping(s, start, start + note.duration_s) if model.startswith("crepe") else s

    monkeypatch.setattr(live, "PitchStream", stream)
    audio = t.audio.astype(np.float32)
    with Store.open() as store:
        patient = store.add_patient("Ann", low="C3")
        store.assign(patient.id, "greetings", ["good-morning"])
        worker = LiveWorker(store)
        outcomes, drawn = [], []
        worker.outcome.connect(outcomes.append)
        worker.frames.connect(lambda times, f0, conf: drawn.append((times, f0, conf)))
        worker.failed.connect(pytest.fail)
        worker.begin(TakePlan(melody, "sung", 0.0, -60.0, 0.0, False, t.sr))
        for i in range(0, len(audio), t.sr // 10):  # the window's 100 ms blocks
            worker.push(audio[i : i + t.sr // 10])
        attempt = NewAttempt(patient_id=patient.id, set_id="greetings", phrase_id="good-morning",
                             step="repeat",
                             started_at=datetime.now(UTC), low_hz=melody.low_hz, interval=melody.interval,
                             tempo=melody.tempo, mode="sung")
        worker.finish(TakeEnd(audio, t.sr, attempt, None, ()))
        (outcome,) = outcomes
        # The slip is there: CREPE's frames of the syllable, as drawn live, are an octave high.
        times, f0, conf = (np.concatenate(x) for x in zip(*drawn, strict=True))
        slipped = (times >= start + 0.05) & (times < start + note.duration_s - 0.05) & (conf > 0.5)
        assert slipped.any() and np.median(f0[slipped]) > 1.8 * melody.low_hz
        assert outcome.result.score.overall >= 95, outcome.result.score.to_json()
        assert R.INVERTED not in outcome.result.score.feedback
        (stored,) = store.attempts().attempts
        syllables = stored.score_json["syllables"]
        assert all(s["detected"] for s in syllables)
        assert stored.score_json["overall"] >= 95
