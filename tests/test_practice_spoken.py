"""The word check in the spoken steps, without Qt: which takes, the pass rule, the setting."""

from __future__ import annotations

import pytest

from mitpractice.practice.plan import bundled_assignment
from mitpractice.practice.session import Act, Phase, Programme, SessionFlow
from mitpractice.practice.spoken import (
    heard_words,
    tally,
    words_from_json,
    words_needed,
    words_pass,
)
from mitpractice.words import WordResult

SAID, NOT_SAID, UNSURE = True, False, None


def _words(*verdicts: bool | None) -> tuple[WordResult, ...]:
    return tuple(WordResult(word=f"w{i}", said=v, confidence=0.5) for i, v in enumerate(verdicts))


def _flow(step: str, *, needed: bool, level: str = "advanced") -> SessionFlow:
    flow = SessionFlow(lambda: Programme(level=level, assigned=bundled_assignment(), words_needed=needed))
    flow.begin()
    flow.jump_to_step(step)
    return flow


def _take(flow: SessionFlow, overall: float | None) -> bool:
    """One take at the step now, from Space to its score (the latency known)."""
    flow.latency_known = True
    acts = flow.space(target_ready=True)
    if Act.PLAY in acts and Act.WAIT in flow.sound_finished():
        flow.waited()
    flow.room_heard()
    assert flow.take_ended()
    return flow.scored(overall)


@pytest.mark.parametrize("step", ["spoken-delayed", "probe-spoken"])
def test_a_spoken_step_fails_when_the_words_were_not_said_though_the_rhythm_passed(step):
    flow = _flow(step, needed=True)
    assert _take(flow, 90.0)  # the rhythm passes ...
    assert flow.awaiting_words
    flow.words_checked(_words(SAID, NOT_SAID, NOT_SAID))  # ... but two words of three were not said
    assert not flow.passed and flow.words_verdict is False
    before = flow.state.index
    flow.space()
    assert flow.state.index == before - 1 and flow.state.failures == 1  # one step back


def test_the_words_said_pass_and_one_miss_in_four_is_forgiven():
    flow = _flow("spoken-delayed", needed=True)
    _take(flow, 90.0)
    flow.words_checked(_words(SAID, SAID, SAID, NOT_SAID))
    assert flow.passed and flow.words_verdict is True
    flow.space()
    assert flow.step.id == "probe-spoken"


def test_could_not_decide_never_fails_a_take_the_rhythm_decides():
    flow = _flow("spoken-delayed", needed=True)
    _take(flow, 90.0)
    flow.words_checked(_words(UNSURE, UNSURE, UNSURE))
    assert flow.passed and flow.words_verdict is None
    flow = _flow("spoken-delayed", needed=True)
    _take(flow, 90.0)
    flow.words_checked(None)  # the check could not run at all
    assert flow.passed
    flow.space()
    assert flow.step.id == "probe-spoken"


def test_undecided_words_do_not_count_against_the_words_said():
    assert words_pass(_words(SAID, UNSURE, UNSURE, UNSURE)) is True
    assert words_pass(_words(SAID, NOT_SAID, UNSURE)) is False


def test_a_failed_rhythm_does_not_wait_for_the_words():
    flow = _flow("spoken-delayed", needed=True)
    assert not _take(flow, 20.0)
    assert not flow.awaiting_words
    flow.words_checked(_words(SAID, SAID))
    assert not flow.passed


@pytest.mark.parametrize(("step", "needed"), [
    ("spoken-delayed", False),  # without the setting a spoken step passes on its rhythm alone
    ("repeat-delayed", True),  # sung
    ("sprechgesang", True),  # spoken along with the voice
    ("sprechgesang-fading", True),
])
def test_words_decide_no_step_without_the_setting_nor_a_sung_one_or_one_spoken_along(step, needed):
    flow = _flow(step, needed=needed)
    assert _take(flow, 90.0)
    assert not flow.awaiting_words
    flow.words_checked(_words(NOT_SAID, NOT_SAID))
    assert flow.passed


def test_space_pressed_before_the_words_came_goes_on_when_they_come():
    flow = _flow("spoken-delayed", needed=True)
    _take(flow, 90.0)
    assert flow.space() == ()  # waits for the words: they decide on or back
    assert flow.phase == Phase.RESULT
    assert flow.words_checked(_words(NOT_SAID, NOT_SAID)) == (Act.CLEAR, Act.PREPARE)
    assert flow.phase == Phase.READY and flow.step.id == "sprechgesang-fading"


def test_trying_again_before_the_words_came_forgets_them():
    flow = _flow("spoken-delayed", needed=True)
    _take(flow, 90.0)
    flow.again(target_ready=True)
    assert not flow.awaiting_words
    assert flow.words_checked(_words(SAID)) == () and flow.step.id == "spoken-delayed"


def test_the_setting_follows_the_level_until_the_therapist_chooses():
    assert [words_needed(level, None) for level in ("elementary", "intermediate", "advanced")] == [
        False, True, True]
    assert words_needed("advanced", "off") is False
    assert words_needed("elementary", "on") is True


def test_the_patient_sees_the_words_heard_and_a_gap_for_the_others_never_a_mark():
    words = (WordResult(word="thank", said=True, confidence=0.9),
             WordResult(word="you", said=False, confidence=0.05))
    assert heard_words(words) == "thank …"
    assert "✗" not in heard_words(words) and "not" not in heard_words(words)


def test_stored_words_read_back_and_tally_for_the_report():
    stored = [{"word": "thank", "said": True, "confidence": 0.93, "start_s": 0.61, "end_s": 1.02},
              {"word": "you", "said": None, "confidence": 0.45, "start_s": None, "end_s": None}]
    words = words_from_json(stored)
    assert [w.to_json() for w in words] == stored
    assert tally(words) == "1/2 (1 ?)"


def test_damaged_stored_words_are_left_out_not_a_traceback():
    """A score JSON edited by hand (or a hostile bundle) stopped the CSV export and the review
    with a KeyError; the entries that make sense are still shown."""
    from mitpractice.practice.spoken import marked_words, words_from_json

    damaged = [{"word": "thank", "said": True}, {"said": False}, {"word": "you", "said": "yes"},
               {"word": "please", "said": None, "start_s": "soon"}, 7, {"word": "now", "said": False}]
    assert marked_words(damaged) == "thank (now)"
    assert [w.word for w in words_from_json(damaged)] == ["thank", "now"]
    assert words_from_json({"word": "x"}) == ()  # not a list at all
