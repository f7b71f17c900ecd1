"""Live scoring of a take fed block by block (mitpractice.practice.live), with real CREPE-tiny."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scoring_cases import attempt, melody

from mitpractice.errors import ParameterError
from mitpractice.pitch import track_pitch
from mitpractice.practice.live import TOGETHER_TOLERANCE_S, LiveTake
from mitpractice.practice.takes import TakeRules, noise_floor_dbfs
from mitpractice.scoring import score_track

SR = 16000
BLOCK = SR // 10  # the recorder's new samples every 100 ms


def room(seconds: float, seed: int = 5) -> np.ndarray:
    return (0.001 * np.random.default_rng(seed).standard_normal(int(seconds * SR))).astype(np.float32)


def feed(take: LiveTake, y: np.ndarray, block: int = BLOCK):
    updates = [take.push(y[i : i + block]) for i in range(0, len(y), block)]
    return updates, take.finish()


@pytest.fixture(scope="module")
def sung():
    """A good attempt at "how are you today", in a quiet room with 1.5 s of quiet after it."""
    a = attempt("how-are-you-today", voice=1)
    y = np.concatenate([room(0.5, 1), a.y + room(len(a.y) / SR, 2), room(1.5, 3)])
    onsets = 0.5 + np.array([s.onset_s for s in a.syllables])
    return y, onsets


def test_the_live_score_is_the_score_of_the_whole_take(sung):
    y, _ = sung
    target = melody("how-are-you-today")
    updates, result = feed(LiveTake(target, sr=SR), y)
    batch = score_track(track_pitch(y, SR), target, audio=y, sr=SR)
    assert result.score.voiced and result.score.overall >= 85
    live, whole = result.score.to_json(), batch.to_json()
    for key in ("melodic", "rhythmic", "overall", "interval_semitones", "tempo_ratio"):
        assert live[key] == pytest.approx(whole[key], abs=0.2), key
    for a, b in zip(live["syllables"], whole["syllables"], strict=True):
        for key in ("detected", "pitch_ok", "timing_ok"):
            assert a[key] == b[key], key
        assert a["onset_s"] == pytest.approx(b["onset_s"], abs=0.011)
    assert live["feedback"] == whole["feedback"]
    drawn = np.concatenate([u.frames.times for u in updates])
    assert len(drawn) > 0.9 * len(result.track)  # nearly every frame was drawn before the end
    assert -80 < max(u.level_dbfs for u in updates) < -10


def test_the_take_ends_itself_after_the_phrase(sung):
    y, onsets = sung
    rules = TakeRules(floor_dbfs=noise_floor_dbfs(room(0.5, 9), SR), pause_s=1.2)
    take = LiveTake(melody("how-are-you-today"), sr=SR, rules=rules)
    events = []
    for i in range(0, len(y), BLOCK):
        update = take.push(y[i : i + BLOCK])
        events += update.events
        if update.ended:
            break
    assert [e.kind for e in events] == ["voice-start", "end"]
    assert events[0].time_s == pytest.approx(onsets[0], abs=0.1)
    assert events[1].reason == "pause" and events[1].time_s < len(y) / SR
    seconds = take.seconds
    late = take.push(room(2.0, 11))  # the timer delivers one more block after the end
    assert len(late.frames) == 0 and late.events == () and take.seconds == seconds
    assert take.finish().score.overall >= 85


class Searches(list):
    """The searches for the sung syllables run (remembered ones are not run)."""

    def __init__(self, search) -> None:
        super().__init__()
        self.search = search

    def restart(self) -> None:
        """Forget the searches run and every alignment remembered."""
        self.clear()
        self.search.forget_alignments()


@pytest.fixture
def searches(monkeypatch):
    """:class:`Searches` from now on, none remembered from before."""
    import mitpractice.scoring.align.search as search

    run = Searches(search)
    search_itself = search._search
    monkeypatch.setattr(search, "_search", lambda *args: run.append(args) or search_itself(*args))
    search.forget_alignments()
    return run


def take_until_end(take: LiveTake, y: np.ndarray, searches: list) -> tuple[int, int, str]:
    """Feed ``y`` until the take ends itself; the searches run while it was recorded and at its
    end, and its score as JSON."""
    ends = [u.ended for u in (take.push(y[i : i + BLOCK]) for i in range(0, len(y), BLOCK))]
    assert sum(e is not None for e in ends) == 1  # the take ended itself, once
    during = len(searches)
    score = json.dumps(take.finish().score.to_json(), sort_keys=True)
    return during, len(searches) - during, score


def test_a_take_scored_ahead_in_its_closing_pause_ends_with_the_same_score_and_no_search_left(
        sung, searches):
    """Scored ahead while the pause that ends it runs, a take's result at its end needs no new
    search for its syllables, and is the score of the take scored only at its end, to the bit."""
    y, _ = sung
    target = melody("how-are-you-today")
    rules = TakeRules(floor_dbfs=noise_floor_dbfs(room(0.5, 9), SR), pause_s=1.2)
    only_at_end = LiveTake(target, sr=SR, rules=rules, ahead_s=None)
    during, at_end, at_end_only = take_until_end(only_at_end, y, searches)
    assert during == 0 and at_end > 0
    assert json.loads(at_end_only)["overall"] >= 85
    searches.restart()
    during, at_end, ahead = take_until_end(LiveTake(target, sr=SR, rules=rules), y, searches)
    assert during > 0 and at_end == 0
    assert ahead == at_end_only


def test_singing_resumed_after_a_pause_scored_ahead_is_scored_with_the_whole_take(sung, searches):
    """A patient who pauses mid-phrase long enough to be scored ahead, then sings on: the take
    is scored on everything sung, exactly as if it had not been scored ahead."""
    y, _ = sung
    target = melody("how-are-you-today")
    half = len(y) // 2
    # past SCORE_AHEAD_S, short of the 1.2 s pause that ends the take
    paused = np.concatenate([y[:half], room(0.8, 12), y[half:]])
    rules = TakeRules(floor_dbfs=noise_floor_dbfs(room(0.5, 9), SR), pause_s=1.2)
    *_, at_end_only = take_until_end(LiveTake(target, sr=SR, rules=rules, ahead_s=None), paused, searches)
    searches.restart()
    during, _, ahead = take_until_end(LiveTake(target, sr=SR, rules=rules), paused, searches)
    assert during > 0  # scored ahead in the pause mid-phrase, and in the pause that ended it
    assert ahead == at_end_only
    assert all(s["detected"] for s in json.loads(ahead)["syllables"])
    # A take that cannot end before the phrase's last second (a sing-along take lasts while
    # its target plays): its pause mid-phrase is not scored ahead, the one that ends it is.
    searches.restart()
    late = TakeRules(floor_dbfs=rules.floor_dbfs, pause_s=1.2, min_length_s=len(paused) / SR - 1.6)
    during_late, at_end, along = take_until_end(LiveTake(target, sr=SR, rules=late), paused, searches)
    assert 0 < during_late < during and at_end == 0
    assert along == at_end_only


def test_the_latency_is_taken_off_the_pitch_line_and_the_onsets(sung):
    y, _ = sung
    target = melody("how-are-you-today")
    latency = 0.23
    late = np.concatenate([room(latency, 7), y])  # the same singing, recorded one round trip late
    on_time = feed(LiveTake(target, sr=SR), y)[1]
    corrected = feed(LiveTake(target, sr=SR, latency_s=latency), late)[1]
    uncorrected = feed(LiveTake(target, sr=SR), late)[1]

    def onsets(result):
        return np.array([s.onset_s for s in result.score.syllables])

    np.testing.assert_allclose(onsets(corrected), onsets(on_time), atol=0.015)
    np.testing.assert_allclose(onsets(uncorrected), onsets(on_time) + latency, atol=0.015)
    assert corrected.track.times[0] >= 0 and corrected.latency_s == latency
    assert corrected.score.overall == pytest.approx(on_time.score.overall, abs=3)


def test_singing_along_in_time_is_together_with_the_voice_only_once_the_latency_is_off(sung):
    y, onsets = sung
    target = melody("how-are-you-today")
    latency = 0.3
    late = np.concatenate([room(latency, 7), y])
    heard_at = onsets[0]  # the patient sang each syllable as the voice played it
    corrected = feed(LiveTake(target, sr=SR, latency_s=latency, target_start_s=heard_at), late)[1]
    uncorrected = feed(LiveTake(target, sr=SR, target_start_s=heard_at), late)[1]
    assert corrected.together.in_time == len(target.notes)
    assert abs(corrected.together.mean_offset_ms) < 100
    assert latency > TOGETHER_TOLERANCE_S
    assert uncorrected.together.in_time == 0
    assert uncorrected.together.mean_offset_ms == pytest.approx(1000 * latency, abs=100)
    # The score counts it: sung in time, it is high once the latency is off, and clearly
    # lower (the rhythm marked late, with advice to keep with the voice) when it is not.
    assert corrected.score.overall >= 85, corrected.score
    assert uncorrected.score.overall < corrected.score.overall - 15
    assert any("together with the voice" in line for line in uncorrected.score.feedback)
    assert not any("together with the voice" in line for line in corrected.score.feedback)


def test_a_spoken_step_is_scored_on_rhythm_only(sung):
    y, _ = sung
    result = feed(LiveTake(melody("how-are-you-today"), sr=SR, mode="sprechgesang"), y)[1]
    assert result.score.mode == "sprechgesang" and result.score.overall == result.score.rhythmic


def test_silence_is_not_an_attempt_and_a_finished_take_takes_no_more():
    take = LiveTake(melody("thank-you"), sr=SR, target_start_s=0.25)
    _, result = feed(take, room(3.0))
    assert not result.score.voiced and result.together is None
    assert take.finish() is result
    with pytest.raises(ParameterError):
        take.push(room(0.1))
    empty = LiveTake(melody("thank-you"), sr=SR).finish()
    assert not empty.score.voiced and len(empty.track) == 0


def test_bad_settings_are_refused():
    with pytest.raises(ParameterError):
        LiveTake(melody("thank-you"), latency_s=2.5)
    with pytest.raises(ParameterError):
        LiveTake(melody("thank-you"), mode="hummed")


def test_a_take_whose_target_never_starts_stops_holding_its_samples_after_the_limit(sung):
    """Given an echo path but never told where the target started (the player failed), the
    take holds its samples at most MAX_HOLD_S, then tracks every block as it comes: the live
    line must not freeze again for another MAX_HOLD_S, nor look for an echo in a later stretch
    as if it opened the take."""
    from mitpractice.practice.echo import EchoPath
    from mitpractice.practice.live import MAX_HOLD_S

    y, _ = sung
    y = np.concatenate([y, room(2 * MAX_HOLD_S, 4)])
    path = EchoPath(sr=SR, response=np.array([0.5], np.float32), offset_s=0.2, return_db=-6.0,
                    cancellation_db=20.0, band_hz=1400.0)
    take = LiveTake(melody("how-are-you-today"), sr=SR, echo=path, played=y[: 2 * SR].copy())
    updates, _ = feed(take, y)
    first_after = int(np.ceil(MAX_HOLD_S * SR / BLOCK))
    held_after = [i for i, u in enumerate(updates) if i > first_after and not len(u.frames)]
    assert not held_after, f"blocks held again after the limit: {held_after}"


def test_the_level_of_the_block_that_ends_the_echo_search_is_the_block_s(sung):
    """The block on which the take decides about the echo (here: not in the take) hands its
    held samples on; its level is still the block's, not the silence of an empty block."""
    from mitpractice.practice.echo import EchoPath

    y, _ = sung
    path = EchoPath(sr=SR, response=np.array([0.5], np.float32), offset_s=0.2, return_db=-6.0,
                    cancellation_db=20.0, band_hz=1400.0)
    played = np.sin(2 * np.pi * 220 * np.arange(SR) / SR).astype(np.float32)
    take = LiveTake(melody("how-are-you-today"), sr=SR, echo=path, played=played)
    take.playing_from(0.1)
    updates, _ = feed(take, y)
    assert min(u.level_dbfs for u in updates) > -80, [round(u.level_dbfs) for u in updates]
