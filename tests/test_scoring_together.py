"""Sing-along attempts: the rhythm is also judged against the voice as the patient heard it."""

from __future__ import annotations

import pytest

from mitpractice.melody import target_melody
from mitpractice.phrases import Phrase
from mitpractice.scoring import Score, SyllableResult
from mitpractice.scoring.together import NO_CREDIT_S, sing_along_score

PHRASE = Phrase(id="good-morning", text="Good morning", syllables=("good", "mor", "ning"), pitches="LHL")
MELODY = target_melody(PHRASE, low="C3")


def sung(shift_s: float, *, missing: int | None = None, mode: str = "sung") -> Score:
    """A clean attempt whose every syllable starts ``shift_s`` after its note (as heard)."""
    syllables = tuple(
        SyllableResult(note.index, note.syllable, note.level, note.index != missing,
                       None if note.index == missing else note.onset_s + shift_s,
                       None if note.index == missing else note.offset_s + shift_s - 0.1,
                       pitch_ok=note.index != missing, timing_ok=note.index != missing)
        for note in MELODY.notes
    )
    return Score("good-morning", True, 95.0, 90.0, 92.5, 3.0, 1.0, syllables, ("Very good!",), mode=mode)


def test_in_time_with_the_voice_keeps_the_score():
    judged = sing_along_score(sung(0.08), MELODY, target_start_s=0.0)
    assert (judged.rhythmic, judged.overall) == (90.0, 92.5)
    assert judged.feedback == ("Very good!",)


@pytest.mark.parametrize("shift", [0.25, 0.3, NO_CREDIT_S])
def test_behind_the_voice_lowers_the_rhythm_more_the_later_it_is(shift):
    on_time = sing_along_score(sung(0.0), MELODY, target_start_s=0.0)
    late = sing_along_score(sung(shift), MELODY, target_start_s=0.0)
    assert late.rhythmic < on_time.rhythmic and late.overall == pytest.approx(0.5 * (95.0 + late.rhythmic))
    assert "behind" in late.feedback[-1]
    assert late.melodic == on_time.melodic  # the tune is not the voice's timing
    if shift >= NO_CREDIT_S:
        assert late.rhythmic == pytest.approx(0.0, abs=1e-9) and not any(s.timing_ok for s in late.syllables)


def test_ahead_of_the_voice_is_told_too_and_a_missing_syllable_has_no_credit():
    early = sing_along_score(sung(-0.3), MELODY, target_start_s=0.0)
    assert "ahead" in early.feedback[-1]
    gap = sing_along_score(sung(0.0, missing=1), MELODY, target_start_s=0.0)
    assert gap.rhythmic == pytest.approx(100.0 * 2 / 3)


def test_a_spoken_sing_along_step_is_scored_on_rhythm_alone_and_no_singing_stays_unvoiced():
    spoken = sing_along_score(sung(0.3, mode="sprechgesang"), MELODY, target_start_s=0.0)
    assert spoken.overall == spoken.rhythmic < 90.0
    silent = Score("good-morning", False, 0.0, 0.0, 0.0, None, None, (), ())
    assert sing_along_score(silent, MELODY, target_start_s=0.0) is silent
