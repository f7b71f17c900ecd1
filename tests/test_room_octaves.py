"""Issue 19, point 2: an octave slip of the tracker does not fail a correct take.

crepe-tiny read "here" of "Come here", sung in tune, an octave high (520 Hz for 262): the
syllable was reported not heard and the take scored 21. The slips are put into CREPE's real
track of the bundled voice's correct take, a whole syllable or its first half an octave up,
as crepe-tiny makes them; SwiftF0's track of the same audio settles them.
"""

from __future__ import annotations

import numpy as np
import pytest
import robust_attempts as R

from mitpractice.pitch import PitchTrack, track_pitch
from mitpractice.pitch.octaves import settle_octaves
from mitpractice.practice.live import LiveTake
from mitpractice.scoring import score_track

PHRASES = [("needs", "come-here", "C3"), ("greetings", "good-morning", "C3"),
           ("needs", "i-want-some-water", "A3")]


def _slipped(track: PitchTrack, t, index: int, share: float) -> PitchTrack:
    note = t.melody.notes[index]
    onset = t.start_s + note.onset_s
    sel = (track.times >= onset) & (track.times < onset + share * note.duration_s)
    f0 = track.f0_hz.copy()
    f0[sel] *= 2.0
    return PitchTrack(track.times, f0, track.confidence, track.model)


@pytest.mark.parametrize("share", [1.0, 0.5])
@pytest.mark.parametrize("phrase", PHRASES, ids=lambda p: p[1])
def test_a_syllable_the_tracker_reads_an_octave_high_still_scores_right(phrase, share):
    t, melody = R.target(*phrase)
    crepe = track_pitch(t.audio, t.sr, "crepe-tiny")
    swift = track_pitch(t.audio, t.sr, "swift-f0")
    for index in range(len(melody.notes)):
        slipped = _slipped(crepe, t, index, share)
        s = score_track(slipped, melody, audio=t.audio, sr=t.sr, referee=swift)
        assert s.overall >= 95 and all(x.detected for x in s.syllables), (index, s.to_json())
        assert R.INVERTED not in s.feedback


def test_the_referee_moves_only_whole_octaves_it_hears():
    t, _ = R.target("needs", "come-here", "C3")
    crepe = track_pitch(t.audio, t.sr, "crepe-tiny")
    swift = track_pitch(t.audio, t.sr, "swift-f0")
    slipped = _slipped(crepe, t, 1, 1.0)
    settled = settle_octaves(slipped, swift)
    moved = ~np.isclose(settled.f0_hz, slipped.f0_hz)
    assert moved.any()
    assert np.allclose(settled.f0_hz[moved] * 2.0, slipped.f0_hz[moved])  # by one octave exactly
    assert np.array_equal(settled.confidence, slipped.confidence)  # CREPE's confidence is kept
    unsure = PitchTrack(swift.times, swift.f0_hz, np.zeros(len(swift)), swift.model)
    assert np.array_equal(settle_octaves(slipped, unsure).f0_hz, slipped.f0_hz)


def test_the_live_take_settles_its_track_as_the_batch_trackers_do():
    """While recording, SwiftF0 runs beside CREPE; the scored track is CREPE's streamed track
    settled on SwiftF0's streamed track, frame for frame what the two batch trackers give."""
    t, melody = R.target("needs", "come-here", "C3")
    y = t.audio.astype(np.float32)
    take = LiveTake(melody, sr=t.sr, referee="swift-f0")
    rng = np.random.default_rng(3)
    start = 0
    while start < len(y):
        n = int(rng.integers(0, 4096))
        take.push(y[start : start + n])
        start += n
    result = take.finish()
    batch = settle_octaves(track_pitch(y, t.sr, "crepe-tiny"), track_pitch(y, t.sr, "swift-f0"))
    assert np.allclose(result.track.f0_hz, batch.f0_hz, rtol=1e-4)
    assert result.score.overall >= 95
