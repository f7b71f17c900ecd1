"""The session's flow without Qt or sound: events in, what to do next out."""

from __future__ import annotations

import pytest

from mitpractice.errors import ParameterError, StoreError
from mitpractice.practice.plan import REST_EVERY, bundled_assignment
from mitpractice.practice.session import Act, Phase, Programme, SessionFlow


def _flow(level: str = "elementary", assigned=None, **kwargs) -> SessionFlow:
    assigned = bundled_assignment() if assigned is None else assigned
    return SessionFlow(lambda: Programme(level=level, assigned=assigned), **kwargs)


def _sing(flow: SessionFlow, overall: float | None) -> None:
    """One take at the step now, from Space to its score."""
    acts = flow.space(target_ready=True)
    if Act.MEASURE in acts:
        acts = flow.latency_measured()
    if Act.PLAY in acts:
        assert flow.phase == Phase.PLAYING
        acts = flow.sound_finished()
        if Act.WAIT in acts:
            acts = flow.waited()
    assert acts[-1] == Act.OPEN and flow.phase == Phase.ROOM
    flow.room_heard()
    assert flow.phase == Phase.RECORDING
    assert flow.take_ended()
    flow.scored(overall)
    assert flow.phase == Phase.RESULT


def _finish_phrase(flow: SessionFlow) -> None:
    """Space through every step of the phrase with good takes."""
    assert flow.step.id == "listen"
    flow.space(target_ready=True)
    flow.sound_finished()
    while flow.phase != Phase.PHRASE_DONE:
        _sing(flow, 95.0)
        flow.space()


def test_space_walks_the_elementary_steps_in_order():
    flow = _flow()
    assert flow.begin() == (Act.PREPARE,)
    seen = [flow.step.id]
    assert flow.space(target_ready=True) == (Act.CLEAR, Act.PLAY)
    flow.sound_finished()
    while flow.phase != Phase.PHRASE_DONE:
        seen.append(flow.step.id)
        _sing(flow, 95.0)
        assert flow.passed
        flow.space()
    assert seen == ["listen", "unison", "unison-fading", "repeat", "probe"]
    assert flow.state.done and flow.phrases_done == 0  # done once the patient goes on
    flow.space()
    assert flow.phrases_done == 1 and flow.phase == Phase.READY and flow.item.phrase.text == "Good morning"


def test_the_target_is_made_before_the_step_starts():
    flow = _flow()
    flow.begin()
    assert flow.space(target_ready=False) == (Act.CLEAR, Act.PREPARE)
    assert flow.phase == Phase.PREPARING
    assert flow.target_ready() == (Act.CLEAR, Act.PLAY)
    assert flow.phase == Phase.PLAYING


def test_the_round_trip_is_measured_once_before_the_first_sing_along_take():
    flow = _flow()
    flow.begin()
    flow.space(target_ready=True)
    flow.sound_finished()
    assert flow.space(target_ready=True) == (Act.CLEAR, Act.MEASURE)
    assert flow.phase == Phase.LATENCY
    assert flow.latency_measured() == (Act.CLEAR, Act.OPEN)
    flow.room_heard()
    flow.take_ended()
    flow.scored(95.0)
    flow.space()
    assert flow.step.id == "unison-fading"
    assert flow.space(target_ready=True) == (Act.CLEAR, Act.OPEN)  # not measured again


def test_headphones_leave_the_step_for_space_when_the_sound_itself_failed():
    flow = _flow()
    flow.jump_to_step("unison")
    flow.space(target_ready=True)
    assert flow.latency_failed(go_on=False) == () and flow.phase == Phase.READY
    assert flow.space(target_ready=True) == (Act.CLEAR, Act.OPEN)


def test_a_delayed_repetition_waits_in_quiet_before_the_take():
    flow = _flow(level="intermediate")
    flow.begin()
    flow.jump_to_step("repeat-delayed")
    assert flow.space(target_ready=True) == (Act.CLEAR, Act.PLAY)
    assert flow.sound_finished() == (Act.WAIT,) and flow.phase == Phase.WAITING
    assert flow.waited() == (Act.OPEN,) and flow.phase == Phase.ROOM


def test_space_never_cuts_the_voice_off_in_a_sing_along_take():
    flow = _flow()
    flow.begin()
    flow.latency_known = True
    flow.jump_to_step("unison")
    flow.space(target_ready=True)
    flow.room_heard()
    assert flow.space(voice_playing=True) == ()
    assert flow.space(voice_playing=False) == (Act.END_TAKE,)
    flow.jump_to_step("probe")
    flow.space()
    flow.room_heard()
    assert flow.space(voice_playing=True) == (Act.END_TAKE,)  # no voice to sing along with


def test_a_failed_take_goes_one_step_back_and_again_keeps_the_step():
    flow = _flow()
    flow.begin()
    flow.latency_known = True
    flow.jump_to_step("unison-fading")
    _sing(flow, 10.0)
    assert not flow.passed and flow.pending.step.id == "unison"
    flow.again(target_ready=True)
    assert flow.step.id == "unison-fading" and flow.phase == Phase.ROOM
    flow.room_heard()
    flow.take_ended()
    flow.scored(10.0)
    flow.space()
    assert flow.step.id == "unison"


def test_a_take_ended_while_the_room_is_heard_is_no_take():
    flow = _flow()
    flow.begin()
    flow.jump_to_step("probe")
    flow.space()
    assert flow.phase == Phase.ROOM
    assert not flow.take_ended() and flow.phase == Phase.READY


def test_unscored_and_unsaved_takes_leave_the_step_as_it_was():
    flow = _flow()
    flow.begin()
    flow.jump_to_step("probe")
    flow.space()
    flow.room_heard()
    flow.take_ended()
    flow.not_scored()
    assert flow.phase == Phase.RESULT
    flow.space()
    assert flow.step.id == "probe" and flow.phase == Phase.READY
    flow.space()
    flow.room_heard()
    flow.take_ended()
    flow.save_failed()
    assert flow.phase == Phase.READY and flow.step.id == "probe"


def test_a_skipped_phrase_is_not_done():
    flow = _flow()
    flow.begin()
    flow.skip()
    flow.skip()
    assert flow.phrases_done == 0 and flow.item.phrase.text == "Hello"
    _finish_phrase(flow)
    flow.space()
    assert flow.phrases_done == 1


def test_a_rest_comes_after_a_block_and_the_session_ends_at_its_cap():
    flow = _flow(max_phrases=REST_EVERY + 1)
    flow.begin()
    for _ in range(REST_EVERY):
        flow.skip()
    assert flow.phase == Phase.REST
    assert flow.space() == (Act.CLEAR, Act.PREPARE) and flow.phase == Phase.READY
    flow.skip()
    assert flow.phase == Phase.DONE and flow.phrases_left == 0


def test_a_therapist_s_change_is_followed_at_the_next_phrase():
    assigned = list(bundled_assignment())
    flow = SessionFlow(lambda: Programme(level="elementary", assigned=tuple(assigned)))
    flow.begin()
    assigned[:] = [a for a in assigned if a.phrase.text == "Hello"]
    flow.skip()
    assert flow.item.phrase.text == "Hello"


def test_a_store_that_cannot_be_read_is_said_and_space_tries_again():
    broken = [True]

    def programme():
        if broken[0]:
            raise StoreError("database is locked")
        return Programme(level="elementary", assigned=bundled_assignment())

    flow = SessionFlow(programme)
    assert flow.begin() == (Act.STORE_FAILED,)
    assert flow.phase == Phase.EMPTY and "locked" in flow.failure
    broken[0] = False
    assert flow.space() == (Act.CLEAR, Act.PREPARE) and flow.phase == Phase.READY


def test_a_store_that_fails_between_phrases_counts_the_phrase_once_and_space_tries_again():
    broken = [False]

    def programme():
        if broken[0]:
            raise StoreError("database is locked")
        return Programme(level="elementary", assigned=bundled_assignment())

    flow = SessionFlow(programme)
    flow.begin()
    first = flow.item.phrase.text
    flow.latency_known = True
    flow.jump_to_step("probe")  # the level's last step: passed, the phrase is done
    _sing(flow, 95.0)
    flow.go_on()
    assert flow.phase == Phase.PHRASE_DONE
    broken[0] = True
    for _ in range(3):  # the patient presses Space while the store cannot be read
        assert Act.STORE_FAILED in flow.space()
        assert flow.phase == Phase.EMPTY and flow.failure
    assert flow.phrases_done == 1 and flow.phrases_through == 1  # counted once, not per press
    broken[0] = False
    assert flow.space() == (Act.CLEAR, Act.PREPARE) and flow.phase == Phase.READY
    assert flow.item.phrase.text != first and not flow.failure  # on to the next phrase


def test_a_store_that_fails_as_a_block_ends_still_gives_the_block_s_rest():
    broken = [False]

    def programme():
        if broken[0]:
            raise StoreError("database is locked")
        return Programme(level="elementary", assigned=bundled_assignment())

    flow = SessionFlow(programme, max_phrases=REST_EVERY + 2)
    flow.begin()
    for _ in range(REST_EVERY - 1):
        flow.skip()
    broken[0] = True
    assert Act.STORE_FAILED in flow.skip()  # the block's last phrase ends as the store fails
    assert flow.phase == Phase.EMPTY
    assert Act.STORE_FAILED in flow.space() and flow.phase == Phase.EMPTY  # still failing
    broken[0] = False
    assert flow.space() == () and flow.phase == Phase.REST  # the rest the block earned
    assert flow.space() == (Act.CLEAR, Act.PREPARE) and flow.phase == Phase.READY
    assert flow.phrases_through == REST_EVERY


@pytest.mark.parametrize("phase", [Phase.PLAYING, Phase.SCORING, Phase.LATENCY])
def test_space_does_nothing_while_the_app_is_busy(phase):
    flow = _flow()
    flow.begin()
    flow.phase = phase
    assert flow.space(target_ready=True) == () and flow.phase == phase


def test_done_for_today_ends_the_session_and_counts_a_phrase_just_finished():
    flow = _flow()
    flow.begin()
    flow.latency_known = True
    flow.jump_to_step("probe")  # the last step of the elementary level
    _sing(flow, 95.0)
    assert flow.pending.finished and flow.phrases_done == 0
    assert flow.finish() == (Act.CLEAR,)
    assert flow.phase == Phase.DONE and flow.phrases_done == 1
    assert flow.space() == () and flow.phase == Phase.DONE


def test_done_for_today_is_not_taken_in_the_middle_of_a_take_and_skips_count_nothing():
    flow = _flow()
    flow.begin()
    flow.jump_to_step("probe")
    flow.space()
    flow.room_heard()
    assert flow.finish() == () and flow.phase == Phase.RECORDING
    flow.take_ended()
    flow.scored(10.0)  # a miss: the phrase goes on
    flow.finish()
    assert flow.phase == Phase.DONE and flow.phrases_done == 0


def test_a_new_phrase_clears_what_was_said_of_the_last():
    flow = _flow()
    flow.begin()
    assert flow.skip() == (Act.CLEAR, Act.PREPARE)


def test_feelings_are_asked_before_and_after_and_space_skips_them():
    flow = _flow(ask_feelings=True)
    assert flow.begin() == () and flow.phase == Phase.FEELING_BEFORE and flow.item is None
    assert flow.feeling(4) == (Act.PREPARE,)
    assert flow.feeling_before == 4 and flow.phase == Phase.READY
    flow.finish()
    assert flow.phase == Phase.FEELING_AFTER
    assert flow.space() == () and flow.phase == Phase.DONE and flow.feeling_after is None


def test_a_session_that_runs_to_its_end_asks_the_feeling_after():
    one = [a for a in bundled_assignment() if not a.probe][:1]  # a session of one phrase
    flow = _flow(assigned=one, ask_feelings=True)
    flow.begin()
    flow.space()  # skipped: the question before
    assert flow.feeling_before is None and flow.phase == Phase.READY
    flow.skip()
    assert flow.phase == Phase.FEELING_AFTER
    flow.feeling(2)
    assert flow.phase == Phase.DONE and flow.feeling_after == 2


def test_a_feeling_is_one_of_five():
    flow = _flow(ask_feelings=True)
    flow.begin()
    with pytest.raises(ParameterError):
        flow.feeling(0)
    assert flow.phase == Phase.FEELING_BEFORE


# ---------------------------------------------------------------------- the step's words, spoken


def test_every_step_shown_is_spoken_and_space_hushes_the_words_before_the_step_starts():
    flow = _flow(say_steps=True)
    assert flow.begin() == (Act.PREPARE, Act.SAY)  # "Listen to the tune."
    assert flow.speaking
    # One switch: Space cuts the words short; the tune plays once the speakers are quiet.
    assert flow.space(target_ready=True) == (Act.CLEAR, Act.HUSH)
    assert flow.phase == Phase.HUSHING
    assert flow.space(target_ready=True) == ()  # a second press while it hushes does nothing
    assert flow.hushed(target_ready=True) == (Act.CLEAR, Act.PLAY)
    assert not flow.speaking
    # The next step ("Sing along") is spoken too; heard to its end, Space starts at once.
    assert flow.sound_finished() == (Act.PREPARE, Act.SAY)
    flow.spoken()
    assert flow.space(target_ready=True) == (Act.CLEAR, Act.MEASURE)


def test_the_answer_step_s_question_is_spoken_before_the_microphone_opens():
    flow = _flow(say_steps=True)
    flow.begin()
    assert flow.jump_to_step("probe") == (Act.PREPARE, Act.SAY)
    assert flow.space() == (Act.CLEAR, Act.HUSH)
    assert flow.phase == Phase.HUSHING
    assert flow.hushed(target_ready=False) == (Act.CLEAR, Act.OPEN)
    assert flow.phase == Phase.ROOM


def test_words_of_a_step_left_are_not_said_and_a_late_hush_starts_nothing():
    flow = _flow(say_steps=True)
    flow.begin()
    flow.space(target_ready=True)  # hushing the Listen step's words...
    assert flow.phase == Phase.HUSHING
    flow.skip()  # ...cannot be skipped mid-hush, but once back at the step it can
    flow.hushed(target_ready=True)
    flow.sound_finished()
    acts = flow.skip()  # another phrase: its first step is spoken instead
    assert acts[-1] == Act.SAY and flow.step.id == "listen" and flow.speaking
    assert flow.hushed(target_ready=True) == ()  # a hush from before starts nothing
    flow.finish()
    assert not flow.speaking


@pytest.mark.parametrize("seed", range(20))
def test_the_microphone_never_opens_and_nothing_plays_while_the_words_are_spoken(seed):
    """A long random walk of every event: OPEN, PLAY and MEASURE only come when the flow is
    not speaking, so the step's words can never be in a take (nor in the click test)."""
    import random

    rng = random.Random(seed)
    flow = _flow(say_steps=True)
    acts = flow.begin()
    starts = {Act.OPEN, Act.PLAY, Act.MEASURE}
    for _ in range(400):
        assert not (starts & set(acts) and flow.speaking), (acts, flow.phase)
        event = rng.choice(["space", "spoken", "hushed", "sound", "target", "latency", "waited",
                            "room", "ended", "scored", "again", "skip"])
        if event == "space":
            acts = flow.space(target_ready=rng.random() < 0.7, voice_playing=rng.random() < 0.3)
        elif event == "spoken":
            flow.spoken()
            acts = ()
        elif event == "hushed":
            acts = flow.hushed(target_ready=rng.random() < 0.7)
        elif event == "sound":
            acts = flow.sound_finished()
        elif event == "target":
            acts = flow.target_ready()
        elif event == "latency":
            acts = flow.latency_measured() if flow.phase == Phase.LATENCY else ()
        elif event == "waited":
            acts = flow.waited()
        elif event == "room":
            flow.room_heard()
            acts = ()
        elif event == "ended":
            flow.take_ended()
            acts = ()
        elif event == "scored":
            flow.scored(rng.choice([None, 30.0, 95.0]))
            acts = ()
        elif event == "again":
            acts = flow.again(target_ready=rng.random() < 0.7)
        else:
            acts = flow.skip()
        if flow.phase in (Phase.DONE, Phase.FEELING_AFTER):
            break
