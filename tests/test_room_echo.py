"""Issue 19, points 1 and 5: sing-along takes with the app's own voice leaking into the microphone.

:func:`room_sim.in_room` mixes the patient's attempt with the target as the laptop's speaker
plays it (0.15–0.35 s late, 3–12 dB under the patient, through a small room, over a room's
hiss). The cases are split in two: TUNED (what anyone changing the echo handling may look
at) and HELD_OUT (other phrases, registers, delays and levels: report them apart, never tune
on them).

Each take goes through the window's path: the click test in the same room measures the
echo path (:func:`mitpractice.practice.echo.measure_echo_path`), and a
:class:`~mitpractice.practice.live.LiveTake` given it and the target played is pushed the
microphone's samples block by block. With the echo handled, only the patient is scored: a
correct take stays correct, a wrong tune stays wrong, the voice alone is not a take, and a
patient who stops halfway has the rest "not detected". Without it (``echo=False``, the app
before the canceller) the voice alone scored 100: the tests below fail on that code.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import room_sim as S

from mitpractice.audio import click_train
from mitpractice.practice.echo import measure_echo_path
from mitpractice.practice.live import LiveTake

#: (set, phrase, low, delay s, leak dB): tuned and held-out rooms.
TUNED = [("needs", "i-want-some-water", "A3", 0.25, -6.0), ("greetings", "good-morning", "C3", 0.15, -3.0)]
HELD_OUT = [("feelings", "i-need-a-doctor", "E3", 0.35, -12.0),
            ("family", "i-want-to-go-home", "D4", 0.2, -9.0)]
ROOMS = [pytest.param(*r, id=f"tuned-{r[1]}") for r in TUNED] + [
    pytest.param(*r, id=f"heldout-{r[1]}") for r in HELD_OUT]
#: The window's timer hands the live take about this much at a time (s).
BLOCK_S = 0.1


def live_score(take: S.RoomTake, *, echo: bool = True, click_test_off_s: float = 0.0):
    """``take`` scored as the window scores it: click test, then the live take block by block.

    ``click_test_off_s``: the take's round trip differs from the click test's by this much (a
    sound server places a stream's first sample to within tens of milliseconds).
    """
    path = None
    if echo:
        played, heard = S.click_test(take)
        path = measure_echo_path(played, heard, take.sr, latency_s=take.delay_s)
        if path is not None and click_test_off_s:
            path = replace(path, offset_s=path.offset_s + click_test_off_s)
    live = LiveTake(take.melody, sr=take.sr, latency_s=take.delay_s, echo=path, played=take.played)
    block = round(BLOCK_S * take.sr)
    for i in range(0, len(take.mic), block):
        if i == block:  # the window learns where playback started a block or so in
            live.playing_from(take.play_at_s)
        live.push(take.mic[i : i + block])
    return live.finish().score


def _detected(score) -> list[bool]:
    return [s.detected for s in score.syllables]


@pytest.mark.parametrize(("set_id", "phrase_id", "low", "delay", "leak"), ROOMS)
def test_a_correct_take_with_the_voice_leaking_in_scores_high(set_id, phrase_id, low, delay, leak):
    s = live_score(S.in_room("correct", set_id, phrase_id, low, delay_s=delay, leak_db=leak))
    assert s.voiced and s.overall >= 90 and all(_detected(s)), s.to_json()


@pytest.mark.parametrize(("set_id", "phrase_id", "low", "delay", "leak"), ROOMS)
def test_the_voice_alone_is_not_scored(set_id, phrase_id, low, delay, leak):
    take = S.in_room("silent", set_id, phrase_id, low, delay_s=delay, leak_db=leak)
    s = live_score(take)
    assert not s.voiced and not any(_detected(s)), s.to_json()


@pytest.mark.parametrize(("set_id", "phrase_id", "low", "delay", "leak"), ROOMS)
def test_a_patient_who_stops_halfway_is_not_credited_with_the_voice_singing_on(
        set_id, phrase_id, low, delay, leak):
    take = S.in_room("halfway", set_id, phrase_id, low, delay_s=delay, leak_db=leak)
    s = live_score(take)
    detected = _detected(s)
    assert s.voiced and not any(detected[i] for i in take.missing), s.to_json()
    assert detected[0], s.to_json()


@pytest.mark.parametrize("kind", ["monotone", "upside-down"])
@pytest.mark.parametrize(("set_id", "phrase_id", "low", "delay", "leak"), ROOMS[:1] + ROOMS[2:3])
def test_a_wrong_tune_with_the_voice_leaking_in_scores_low(kind, set_id, phrase_id, low, delay, leak):
    s = live_score(S.in_room(kind, set_id, phrase_id, low, delay_s=delay, leak_db=leak))
    assert s.melodic <= 40, s.to_json()


@pytest.mark.parametrize(("set_id", "phrase_id", "low", "delay", "leak"), ROOMS[1:3])
def test_with_headphones_nothing_is_measured_and_nothing_changes(set_id, phrase_id, low, delay, leak):
    take = S.with_headphones(S.in_room("correct", set_id, phrase_id, low, delay_s=delay, leak_db=leak))
    played, heard = S.click_test(take)
    assert measure_echo_path(played, heard, take.sr, latency_s=delay) is None
    with_check, without = live_score(take), live_score(take, echo=False)
    assert with_check.to_json() == without.to_json()
    assert with_check.voiced and with_check.overall >= 90 and all(_detected(with_check)), with_check.to_json()


def test_without_the_canceller_the_voice_alone_was_scored():
    """What the tests above guard against: the app before the canceller (docs/room.md)."""
    s = live_score(S.in_room("silent", *TUNED[0][:3], delay_s=TUNED[0][3], leak_db=TUNED[0][4]), echo=False)
    assert s.voiced and all(_detected(s))



@pytest.mark.parametrize(("set_id", "phrase_id", "low", "delay", "leak"), ROOMS[:1] + ROOMS[2:3])
def test_headphones_plugged_in_after_the_click_test(set_id, phrase_id, low, delay, leak):
    """The path was measured on the speaker; the take is sung with headphones. Subtracting the
    predicted echo would add the voice, inverted: the take notices the echo is missing."""
    take = S.in_room("correct", set_id, phrase_id, low, delay_s=delay, leak_db=leak)
    played, heard = S.click_test(take)
    path = measure_echo_path(played, heard, take.sr, latency_s=delay)

    def scored(kind):
        quiet = S.with_headphones(S.in_room(kind, set_id, phrase_id, low, delay_s=delay, leak_db=leak))
        live = LiveTake(quiet.melody, sr=quiet.sr, latency_s=delay, echo=path, played=quiet.played)
        live.playing_from(quiet.play_at_s)
        live.push(quiet.mic)
        return quiet, live.finish().score

    quiet, s = scored("silent")
    assert s.to_json() == live_score(quiet, echo=False).to_json()
    assert not s.voiced
    quiet, s = scored("halfway")
    assert s.to_json() == live_score(quiet, echo=False).to_json()
    _, s = scored("correct")
    assert s.voiced and s.overall >= 90 and all(_detected(s)), s.to_json()


@pytest.mark.parametrize("off_s", [-0.1, 0.08])
@pytest.mark.parametrize(("set_id", "phrase_id", "low", "delay", "leak"), ROOMS[1:3])
def test_the_echo_is_found_where_the_take_has_it_not_where_the_click_test_put_it(
        off_s, set_id, phrase_id, low, delay, leak):
    silent = S.in_room("silent", set_id, phrase_id, low, delay_s=delay, leak_db=leak)
    assert not live_score(silent, click_test_off_s=off_s).voiced
    halfway = S.in_room("halfway", set_id, phrase_id, low, delay_s=delay, leak_db=leak)
    detected = _detected(live_score(halfway, click_test_off_s=off_s))
    assert detected[0] and not any(detected[i] for i in halfway.missing)
    correct = live_score(S.in_room("correct", set_id, phrase_id, low, delay_s=delay, leak_db=leak),
                         click_test_off_s=off_s)
    assert correct.overall >= 90 and all(_detected(correct)), correct.to_json()


@pytest.mark.parametrize("early", [0, 24, 60])
def test_a_loopback_with_no_delay_gives_the_path(early):
    """A loopback with no hardware between (a sound server's monitor) returns the clicks a
    hair before their placed start (the click test then measures 0 s): the response is kept
    from before it, not cut at 0."""
    sr = 16000
    played = click_train(sr)
    heard = np.zeros(len(played) + int(1.4 * sr))
    heard[: len(played) - early] = 0.5 * played[early:]
    heard += 1e-4 * np.random.default_rng(3).standard_normal(len(heard))
    path = measure_echo_path(played, heard, sr, latency_s=0.0)
    assert path is not None and path.cancellation_db > 20.0, path
    assert round(path.offset_s * sr) <= -early
