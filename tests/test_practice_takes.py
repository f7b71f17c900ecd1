"""Voice start and take end from the microphone's blocks (mitpractice.practice.takes)."""

from __future__ import annotations

import numpy as np
import pytest
from attempt_voice import VOICES, attempt_syllables, sing
from hypothesis import given, settings
from hypothesis import strategies as st

from mitpractice.errors import ParameterError
from mitpractice.levels import SILENCE_DBFS, level_dbfs
from mitpractice.practice import takes
from mitpractice.practice.takes import (
    END_MAX_LENGTH,
    END_NO_VOICE,
    END_PAUSE,
    END_STOPPED,
    TAKE_END,
    VOICE_START,
    TakeDetector,
    TakeRules,
    noise_floor_dbfs,
    take_rules,
)

SR = 16000
ROOM_RMS = 0.001  # -60 dBFS: a quiet room


def room(seconds: float, seed: int = 1, rms: float = ROOM_RMS) -> np.ndarray:
    return (rms * np.random.default_rng(seed).standard_normal(int(seconds * SR))).astype(np.float32)


def at_level(y: np.ndarray, dbfs: float) -> np.ndarray:
    """``y`` scaled so that its voiced part has RMS ``dbfs``."""
    active = np.abs(y) > 0.01 * np.abs(y).max()
    return (y * 10 ** (dbfs / 20) / np.sqrt(np.mean(y[active] ** 2))).astype(np.float32)


def phrase_take(lead_s: float = 1.0, tail_s: float = 3.0, seed: int = 0, gap_beats: float = 0.0):
    """A quiet room, then "how are you today" sung at -25 dBFS, then the room again.

    Returns the samples and the true start and end (s) of the singing.
    """
    syllables = attempt_syllables("LLHLH", (1.0, 1.0, 1.0, 1.0, 2.0), seed=seed)
    if gap_beats:  # long pauses between syllables, as a slow, effortful patient makes
        syllables = [s.__class__(**{**s.__dict__, "onset_s": s.onset_s + i * gap_beats})
                     for i, s in enumerate(syllables)]
    a = sing(syllables, VOICES[seed % len(VOICES)], lead_s=0.0, tail_s=0.0, seed=seed)
    voice = at_level(a.y, -25.0)
    y = room(lead_s + len(voice) / SR + tail_s, seed)
    start = int(lead_s * SR)
    y[start : start + len(voice)] += voice
    sounding = np.flatnonzero(np.abs(voice) > 1e-4)
    return y, lead_s + sounding[0] / SR, lead_s + sounding[-1] / SR


def run(y: np.ndarray, rules: TakeRules, sizes=None) -> list[takes.TakeEvent]:
    d = TakeDetector(SR, rules)
    if sizes is None:
        return list(d.push(y))
    events, i = [], 0
    for n in sizes:
        events += d.push(y[i : i + n])
        i += n
    return events + list(d.push(y[i:]))


def floor_rules(**kw) -> TakeRules:
    return TakeRules(floor_dbfs=noise_floor_dbfs(room(0.5, seed=99), SR), **kw)


def test_the_room_floor_is_measured_past_a_click():
    y = room(0.5)
    y[3000:3050] = 0.8
    assert noise_floor_dbfs(y, SR) == pytest.approx(-60.0, abs=1.0)


def test_a_sung_phrase_starts_the_take_at_the_voice_and_a_pause_ends_it():
    y, sung_on, sung_off = phrase_take()
    events = run(y, floor_rules())
    assert [e.kind for e in events] == [VOICE_START, TAKE_END]
    start, end = events
    assert start.time_s == pytest.approx(sung_on, abs=0.06)
    assert end.reason == END_PAUSE
    assert end.voice_end_s == pytest.approx(sung_off, abs=0.1)
    assert end.time_s == pytest.approx(end.voice_end_s + takes.PAUSE_S, abs=0.03)


def test_pauses_between_syllables_do_not_end_the_take():
    y, _, sung_off = phrase_take(gap_beats=0.7)  # 0.7 s more between every two syllables
    _, end = run(y, floor_rules())
    assert end.reason == END_PAUSE and end.voice_end_s == pytest.approx(sung_off, abs=0.1)


def test_a_click_or_a_knock_does_not_start_the_take():
    y = room(3.0)
    y[SR : SR + 40] += 0.9  # a click
    knock = np.exp(-np.arange(1600) / 300) * np.sin(np.arange(1600) * 0.3)
    y[2 * SR : 2 * SR + 1600] += 0.5 * knock.astype(np.float32)  # a knock on the desk, 0.1 s
    d = TakeDetector(SR, floor_rules())
    assert d.push(y) == () and not d.started


def test_no_voice_ends_the_take_so_the_window_can_say_so():
    events = run(room(takes.NO_VOICE_S + 1), floor_rules())
    assert [(e.kind, e.reason, e.voice_end_s) for e in events] == [(TAKE_END, END_NO_VOICE, None)]
    assert events[0].time_s == pytest.approx(takes.NO_VOICE_S)


def test_a_steady_loud_noise_ends_at_the_maximum_length():
    y = room(12.0)
    y[SR:] += 0.05 * np.random.default_rng(3).standard_normal(11 * SR).astype(np.float32)  # a fan
    events = run(y, floor_rules(max_length_s=10.0))
    assert [e.kind for e in events] == [VOICE_START, TAKE_END]
    assert events[1].reason == END_MAX_LENGTH and events[1].time_s == pytest.approx(10.0)


def test_while_singing_along_the_take_lasts_as_long_as_the_target():
    y, _, sung_off = phrase_take(tail_s=6.0)
    target_s = sung_off + 2.0  # the patient stopped two seconds before the voice did
    rules = take_rules(noise_floor_dbfs(room(0.5, 99), SR), target_s, sing_along=True, latency_s=0.2)
    end = run(y, rules)[-1]
    assert end.reason == END_PAUSE and end.time_s == pytest.approx(target_s + 0.2, abs=0.03)
    silent = run(room(14.0), rules)[-1]  # no voice at all: the take still waits for the target
    assert silent.reason == END_NO_VOICE and silent.time_s == pytest.approx(target_s + 0.2, abs=0.03)


def test_space_stops_the_take_and_later_blocks_are_ignored():
    y, _, _ = phrase_take()
    d = TakeDetector(SR, floor_rules())
    d.push(y[: 3 * SR])
    end = d.stop()
    assert end.reason == END_STOPPED and end.time_s == pytest.approx(3.0, abs=0.03) and end.voice_end_s
    assert d.push(y[3 * SR :]) == () and d.stop() is end


def test_a_digitally_silent_input_does_not_start_on_hiss():
    rules = TakeRules(floor_dbfs=noise_floor_dbfs(np.zeros(SR), SR))
    assert rules.start_dbfs == takes.MIN_VOICE_DBFS
    d = TakeDetector(SR, rules)
    assert d.push(room(2.0, rms=1e-4)) == ()  # -80 dBFS hiss


def test_a_noisy_room_is_recognised_and_raises_the_voice_threshold():
    noisy = noise_floor_dbfs(room(0.5, rms=0.03), SR)  # about -30 dBFS
    assert takes.is_noisy(noisy) and not takes.is_noisy(noise_floor_dbfs(room(0.5), SR))
    assert TakeRules(floor_dbfs=noisy).start_dbfs == pytest.approx(noisy + takes.START_MARGIN_DB)


def test_the_meter_level():
    sine = np.sin(2 * np.pi * 440 * np.arange(SR) / SR)
    assert level_dbfs(sine) == pytest.approx(-3.01, abs=0.01)
    assert level_dbfs(np.stack([sine, sine], axis=1)) == pytest.approx(-3.01, abs=0.01)
    assert level_dbfs(np.zeros(5)) == SILENCE_DBFS


def test_bad_rules_are_refused():
    with pytest.raises(ParameterError):
        TakeRules(floor_dbfs=float("nan"))
    with pytest.raises(ParameterError):
        TakeRules(floor_dbfs=-60, start_margin_db=3, end_margin_db=6)
    with pytest.raises(ParameterError):
        take_rules(-60, -1.0)


_TAKE, _ON, _OFF = phrase_take(seed=2)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=5000), max_size=60), st.booleans())
def test_events_are_the_same_however_the_samples_are_cut_into_blocks(sizes, stereo):
    y = np.stack([_TAKE, _TAKE], axis=1) if stereo else _TAKE
    rules = floor_rules()
    assert run(y, rules, sizes) == run(_TAKE, rules)


def test_events_are_the_same_at_recorder_block_sizes():
    rules = floor_rules()
    whole = run(_TAKE, rules)
    for block in (1, 160, 1024, 1600):
        assert run(_TAKE, rules, [block] * (len(_TAKE) // block)) == whole
