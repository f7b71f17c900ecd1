"""The frozen pitch tracks (tests/frozen_tracks.py) are still what the tracker gives: a
change to the tracker (its weights, its decoding) that the frozen folder has not followed
would leave every scoring test scoring yesterday's tracks."""

from __future__ import annotations

import frozen_tracks
import numpy as np
import pytest
from attempt_voice import SR
from scoring_cases import attempt

from mitpractice.pitch import track_pitch


@pytest.mark.parametrize(("phrase", "voice"), [("how-are-you-today", 0)])
def test_a_frozen_track_is_the_tracker_s_track_of_today(phrase, voice):
    y = attempt(phrase, voice=voice).y
    path = frozen_tracks.FROZEN_DIR / f"{frozen_tracks.key(y, SR, 'crepe-tiny')}.npz"
    assert path.exists(), f"{path.name} is not frozen: run tests/frozen_tracks.py"
    frozen = frozen_tracks.track(y, SR, "crepe-tiny")
    fresh = track_pitch(y, SR, "crepe-tiny")
    assert np.array_equal(frozen.times, fresh.times)
    voiced = fresh.confidence > 0.5
    np.testing.assert_allclose(frozen.confidence, fresh.confidence, atol=1e-4)
    np.testing.assert_allclose(frozen.f0_hz[voiced], fresh.f0_hz[voiced], rtol=1e-4)
