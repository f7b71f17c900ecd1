"""The MIT steps per level and the walk through them (mitpractice.practice.steps)."""

from __future__ import annotations

import pytest

from mitpractice.errors import ParameterError
from mitpractice.practice import steps
from mitpractice.practice.steps import STEPS, StepState, level_steps, passes, probe_question
from mitpractice.synth.singing import SingOptions


def ids(level: str) -> list[str]:
    return [s.id for s in level_steps(level)]


def test_each_level_has_the_protocols_steps_in_order():
    assert ids("elementary") == ["listen", "unison", "unison-fading", "repeat", "probe"]
    assert ids("intermediate") == ["unison-fading", "repeat-delayed", "probe"]
    assert ids("advanced") == ["repeat-delayed", "sprechgesang", "sprechgesang-fading", "spoken-delayed",
                               "probe-spoken"]


def test_elementary_listening_is_hummed_with_taps_and_not_recorded():
    listen = STEPS["listen"]
    assert listen.sing_options() == SingOptions(hum=True, taps=True, fade=False)
    assert not listen.scored and listen.plays_target and not listen.sing_along


def test_sing_along_steps_play_the_target_during_the_take_and_fade_where_the_protocol_says():
    along = [s for s in STEPS.values() if s.sing_along]
    assert {s.id for s in along} == {"unison", "unison-fading", "sprechgesang", "sprechgesang-fading"}
    assert {s.id for s in along if s.fade} == {"unison-fading", "sprechgesang-fading"}
    for s in STEPS.values():
        if not s.sing_along:
            assert not s.fade, s.id  # fading only makes sense while the patient sings along
        assert not s.hum or s.id == "listen"


def test_repetition_waits_only_in_the_delayed_steps_and_probes_ask_without_a_target():
    assert STEPS["repeat"].delay_s == 0
    assert STEPS["repeat-delayed"].delay_s == steps.DELAY_S > 0
    assert STEPS["spoken-delayed"].delay_s == steps.DELAY_S
    for probe in ("probe", "probe-spoken"):
        assert STEPS[probe].asks_question and not STEPS[probe].plays_target and STEPS[probe].scored


def test_sprechgesang_and_spoken_steps_are_scored_on_rhythm_only():
    rhythm_only = {s.id for s in STEPS.values() if s.mode == "sprechgesang"}
    assert rhythm_only == {"sprechgesang", "sprechgesang-fading", "spoken-delayed", "probe-spoken"}
    assert all(s.mode == "sung" for s in level_steps("elementary") + level_steps("intermediate"))


def test_a_patient_who_does_not_tap_gets_no_taps_in_any_target():
    assert not any(s.sing_options(tapping=False).taps for s in STEPS.values())
    assert STEPS["unison"].sing_options(tapping=True).taps


def test_steps_without_the_voice_pass_lower_than_sing_along_steps_and_therapists_override():
    assert STEPS["unison"].threshold == steps.PASS_ALONG > steps.PASS_ALONE == STEPS["repeat"].threshold
    assert passes(STEPS["repeat"], 65.0)
    assert not passes(STEPS["unison"], 65.0)
    assert passes(STEPS["unison"], 65.0, {"unison": 60})
    assert not passes(STEPS["repeat"], 65.0, {"repeat": 90})
    assert not passes(STEPS["probe"], None)  # nothing heard
    assert passes(STEPS["listen"], None)


@pytest.mark.parametrize("bad", [{"unisn": 70}, {"unison": 101}, {"unison": -1}, {"unison": "high"},
                                 {"unison": float("nan")}])
def test_a_mistyped_threshold_is_an_error_not_ignored(bad):
    with pytest.raises(ParameterError, match="unis"):
        passes(STEPS["unison"], 80.0, bad)


def test_a_pass_goes_on_and_the_last_pass_finishes_the_phrase():
    state = StepState(level="elementary")
    seen = [state.step.id]
    while not state.finished:
        state = state.after(True)
        seen.append(state.step.id)
    assert seen[:-1] == ids("elementary") and state.done and not state.stopped
    with pytest.raises(ParameterError):
        state.after(True)


def test_a_failure_backs_up_one_step_never_before_the_first():
    state = StepState.at("elementary", "repeat")
    state = state.after(False)
    assert state.step.id == "unison-fading" and state.failures == 1
    first = StepState(level="intermediate").after(False)
    assert first.step.id == "unison-fading" and first.index == 0


def test_failing_after_listening_leads_back_through_listening():
    state = StepState.at("elementary", "unison").judge(40.0)
    assert state.step.id == "listen"
    state = state.judge(None)  # the target played: listening is done
    assert state.step.id == "unison"


def test_the_phrase_stops_after_too_many_failures():
    state = StepState(level="advanced")
    for _ in range(steps.MAX_FAILURES - 1):
        state = state.after(False)
        assert not state.finished
    state = state.after(False)
    assert state.stopped and state.finished and not state.done


def test_probe_question_falls_back_to_the_general_one():
    assert probe_question("  ") == steps.GENERAL_QUESTION
    assert probe_question("Who is coming?") == "Who is coming?"


def test_unknown_level_or_step_is_a_one_line_error():
    with pytest.raises(ParameterError, match="expert"):
        StepState(level="expert")
    with pytest.raises(ParameterError, match="listen"):
        StepState.at("advanced", "listen")
    with pytest.raises(ParameterError, match="hum-along"):
        steps.step("hum-along")


def test_an_untrained_probe_is_asked_once_and_never_practised():
    for level in steps.LEVELS:
        state = StepState.untrained(level)
        assert state.step.asks_question and not state.step.plays_target
        failed = state.after(False)
        assert failed.stopped and failed.step.id == state.step.id  # no backing up into practice
        assert state.after(True).done
    with pytest.raises(ParameterError):
        StepState(level="elementary", index=0, probe_only=True)


def test_every_step_of_a_level_has_its_own_title():
    # "Sing along" then "Sing along" again for the fading step made a pass look like a repeat.
    for level in steps.LEVELS:
        labels = [s.label for s in steps.level_steps(level)]
        assert len(set(labels)) == len(labels), (level, labels)


def test_the_words_for_a_score_follow_the_score_bands_in_every_step():
    # 69 read "Well done!" in one step (it passed there) and "Good try!" in another.
    from mitpractice.scoring.feedback import praise

    assert praise(69) == praise(41) == "Good try!"
    assert praise(70) == praise(89.9) == "Well done!"
    assert praise(90) == "Very good!"
    assert praise(39.9) != praise(40)
