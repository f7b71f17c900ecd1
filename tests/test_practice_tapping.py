"""Left-hand taps against the syllables (mitpractice.practice.tapping)."""

from __future__ import annotations

import numpy as np
import pytest

from mitpractice.errors import ParameterError
from mitpractice.practice.tapping import TAP_TOLERANCE_S, tap_sync

ONSETS = [0.0, 1.0, 2.0, 3.0, 4.0]  # one syllable a second


def test_steady_taps_slightly_early_are_all_in_time():
    taps = np.array(ONSETS) - 0.05
    sync = tap_sync(taps, ONSETS)
    assert sync.in_time == 5 and sync.extra_taps == 0
    assert sync.mean_offset_ms == pytest.approx(-50.0) and sync.spread_ms == pytest.approx(0.0)
    assert sync.summary() == "5 of 5 taps with the syllables."


def test_a_tap_halfway_is_out_of_time_and_a_missed_syllable_has_no_tap():
    sync = tap_sync([0.02, 1.5, 3.1, 4.0], ONSETS)
    got = [(s.offset_ms, s.in_time) for s in sync.syllables]
    assert got == [(20.0, True), (None, False), (-500.0, False), (100.0, True), (0.0, True)]
    assert sync.tapped == 4 and sync.in_time == 3 and sync.fraction_in_time == pytest.approx(0.6)


def test_double_taps_and_taps_after_the_phrase_are_extra():
    sync = tap_sync([0.0, 0.1, 1.0, 2.0, 3.0, 4.0, 6.0], ONSETS)
    assert sync.in_time == 5 and sync.extra_taps == 2
    assert [s.tap_s for s in sync.syllables] == ONSETS  # the nearer of two taps counts


def test_the_tolerance_is_a_fifth_of_a_beat_at_the_protocols_tempo_and_can_be_set():
    assert pytest.approx(0.2) == TAP_TOLERANCE_S
    assert tap_sync([1.25], [1.0]).syllables[0].in_time is False
    assert tap_sync([1.25], [1.0], tolerance_s=0.3).syllables[0].in_time is True


def test_uneven_tapping_shows_in_the_spread():
    steady = tap_sync(np.array(ONSETS) + 0.03, ONSETS)
    uneven = tap_sync(np.array(ONSETS) + np.array([0.15, -0.15, 0.1, -0.1, 0.0]), ONSETS)
    assert uneven.spread_ms > 50 > steady.spread_ms


def test_the_indices_of_sung_syllables_are_kept_and_json_is_plain():
    sync = tap_sync([0.0, 2.0], [0.0, 2.0], indices=[0, 2])
    assert [s.index for s in sync.syllables] == [0, 2]
    data = sync.to_json()
    assert data["in_time"] == 2 and data["syllables"][1] == {
        "index": 2, "onset_s": 2.0, "tap_s": 2.0, "offset_ms": 0.0, "in_time": True}


def test_bad_input_is_refused():
    with pytest.raises(ParameterError):
        tap_sync([0.0], [1.0, 1.0])
    with pytest.raises(ParameterError):
        tap_sync([float("nan")], [1.0])
    with pytest.raises(ParameterError):
        tap_sync([0.0], [1.0], indices=[0, 1])
    assert tap_sync([1.0], []).extra_taps == 1
