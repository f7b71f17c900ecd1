"""Issue 19, points 1 and 5: sing-along takes with the app's own voice leaking into the microphone.

:func:`room_sim.in_room` mixes the patient's attempt with the target as the laptop's speaker
plays it (0.15–0.35 s late, 3–12 dB under the patient, through a small room, over a room's
hiss). The cases are split in two: TUNED (what anyone changing the echo handling may look
at) and HELD_OUT (other phrases, registers, delays and levels: report them apart, never tune
on them).

What holds today, and must keep holding once an echo canceller is added: a correct take with
the voice leaking in still scores as correct, and a monotone or an upside-down tune still
scores a low melody (the voice's right notes must not be credited to the patient). What
does not hold yet (strict expected failures, so that the day they pass the marks must go):
with the patient silent, the voice alone is scored as a correct take; with the patient
stopping halfway, the voice's rest of the phrase is credited to them.
"""

from __future__ import annotations

import pytest
import room_sim as S

from mitpractice.scoring import score_audio

#: (set, phrase, low, delay s, leak dB): tuned and held-out rooms.
TUNED = [("needs", "i-want-some-water", "A3", 0.25, -6.0), ("greetings", "good-morning", "C3", 0.15, -3.0)]
HELD_OUT = [("feelings", "i-need-a-doctor", "E3", 0.35, -12.0),
            ("family", "i-want-to-go-home", "D4", 0.2, -9.0)]
ROOMS = [pytest.param(*r, id=f"tuned-{r[1]}") for r in TUNED] + [
    pytest.param(*r, id=f"heldout-{r[1]}") for r in HELD_OUT]
#: No echo canceller yet: the leak is scored as the patient's (docs/room.md).
NO_CANCELLER = pytest.mark.xfail(strict=True,
                                 reason="the app's voice is scored as the patient's (docs/room.md)")


def _score(take: S.RoomTake):
    return score_audio(take.mic, take.sr, take.melody)


@pytest.mark.parametrize(("set_id", "phrase_id", "low", "delay", "leak"), ROOMS)
def test_a_correct_take_with_the_voice_leaking_in_scores_high(set_id, phrase_id, low, delay, leak):
    s = _score(S.in_room("correct", set_id, phrase_id, low, delay_s=delay, leak_db=leak))
    assert s.voiced and s.overall >= 90 and all(x.detected for x in s.syllables), s.to_json()


@pytest.mark.parametrize(("set_id", "phrase_id", "low", "delay", "leak"), ROOMS)
def test_a_correct_take_with_headphones_scores_high(set_id, phrase_id, low, delay, leak):
    take = S.with_headphones(S.in_room("correct", set_id, phrase_id, low, delay_s=delay, leak_db=leak))
    s = _score(take)
    assert s.voiced and s.overall >= 90 and all(x.detected for x in s.syllables), s.to_json()


@pytest.mark.parametrize("kind", ["monotone", "upside-down"])
@pytest.mark.parametrize(("set_id", "phrase_id", "low", "delay", "leak"), ROOMS[:1] + ROOMS[2:3])
def test_a_wrong_tune_with_the_voice_leaking_in_scores_low(kind, set_id, phrase_id, low, delay, leak):
    s = _score(S.in_room(kind, set_id, phrase_id, low, delay_s=delay, leak_db=leak))
    assert s.melodic <= 40, s.to_json()


@NO_CANCELLER
@pytest.mark.parametrize(("set_id", "phrase_id", "low", "delay", "leak"), ROOMS[:1])
def test_the_voice_alone_is_not_scored(set_id, phrase_id, low, delay, leak):
    s = _score(S.in_room("silent", set_id, phrase_id, low, delay_s=delay, leak_db=leak))
    assert not s.voiced, s.to_json()
