"""One placement of the target in a take: the score says where the alignment put its start,
and the review and the Praat export both draw the notes from there."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from scoring_cases import attempt, melody, score

from mitpractice.reports.textgrid import attempt_tiers
from mitpractice.scoring.placement import target_start

OLD_SCORE = {  # stored before the score kept target_start_s: a late, slower attempt
    "tempo_ratio": 1.25,
    "syllables": [
        {"index": 0, "text": "good", "detected": True, "onset_s": 1.5, "offset_s": 2.3, "pitch_ok": True},
        {"index": 1, "text": "mor", "detected": False, "onset_s": None, "offset_s": None},
        {"index": 2, "text": "ning", "detected": True, "onset_s": 4.02, "offset_s": 4.9, "pitch_ok": True},
    ],
}


def test_a_score_places_the_target_where_its_alignment_started():
    a = attempt("good-morning", tempo=60.0)
    s = score(a.y, a.sr, melody("good-morning"))
    data = s.to_json()
    assert data["target_start_s"] == round(s.analysis.match.alignment.t0, 3)
    # the generator sings from 0.6 s; the first note's onset is its consonant's start
    assert data["target_start_s"] == pytest.approx(0.6, abs=0.15)
    assert target_start(data, melody("good-morning")) == data["target_start_s"]


def test_nothing_heard_has_no_start_and_the_target_at_the_recordings_start():
    silence = np.zeros(32000, dtype=np.float32)
    data = score(silence, 16000, melody("thank-you")).to_json()
    assert data["voiced"] is False and data["target_start_s"] is None
    assert target_start(data, melody("thank-you")) == 0.0


def test_old_scores_are_placed_as_before_from_their_sung_onsets():
    m = melody("good-morning")
    # the median of onset - ratio * target onset: 1.5 - 0 and 4.02 - 1.25 * 2
    assert target_start(OLD_SCORE, m) == pytest.approx(1.51)
    assert target_start(None, m) == target_start({}, m) == 0.0


def test_the_review_and_the_textgrid_place_the_target_alike():
    pytest.importorskip("PySide6")
    from mitpractice.gui.therapist.review import _layout

    m = melody("good-morning")
    for stored in (OLD_SCORE, {**OLD_SCORE, "target_start_s": 1.42}):
        expected = target_start(stored, m)
        tiers = attempt_tiers(SimpleNamespace(score_json=stored), m, 8.0)
        layout = _layout(m, stored)
        assert tiers.target_start_s == layout["offset"] == expected
        assert tiers.target[0].start == pytest.approx(expected)
        assert layout["note_times"][0][0] == pytest.approx(expected)
    assert expected == 1.42
