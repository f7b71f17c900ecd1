"""The attempts patients really make (issue 11): HELD-OUT part. Never tune the scorer on these.

Other phrases, other registers (E3, D4) and the generated voices of tests/attempt_voice.py
("older man", "older woman"), with the same classes of error as tests/test_scoring_robust.py.
Their figures are reported beside the tuned ones in docs/scoring.md; when one fails, fix the
model for the class, not the constant that happens to flip this case.
"""

from __future__ import annotations

import numpy as np
import pytest
import robust_attempts as R
from attempt_voice import VOICES, attempt_syllables, shifted, sing, sung_twice
from scoring_cases import PHRASES, melody, score
from test_scoring_robust import INVERTED, check_missing, check_stopped

LOWS = ["E3", "D4"]
#: Held-out cases the scorer fails (docs/scoring.md says why). Strict: when one passes, the
#: figures in docs/scoring.md are out of date.
KNOWN = pytest.mark.xfail(strict=True, reason="held-out failure reported in docs/scoring.md")
TWO, FIVE, FIVE_B, NINE = (("feelings", "im-fine"), ("feelings", "i-need-a-doctor"),
                           ("family", "i-want-to-go-home"), ("routine", "id-like-a-shower-this-morning"))
EIGHT = ("family", "when-are-you-coming-to-visit")


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("phrase", "index"), [(TWO, 0), (TWO, 1), (FIVE, 0), (FIVE_B, 4), (NINE, 8)])
def test_heldout_skip_at_either_end(phrase, index, low):
    check_missing(R.silenced(*phrase, low, index))


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("phrase", "index"), [(EIGHT, 3), (FIVE_B, 1)])
def test_heldout_skip_with_the_rest_moved_up(phrase, index, low):
    check_missing(R.cut_out(*phrase, low, index))


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize("phrase", [FIVE, EIGHT])
def test_heldout_false_start(phrase, low):
    s = R.score(R.false_start(*phrase, low, 2))
    data = s.to_json()
    assert all(x.detected for x in s.syllables) and s.melodic >= 90, data
    assert [e["kind"] for e in data["extra"]] == ["false_start"], data


@pytest.mark.parametrize(("phrase", "index", "low"),
                         [(FIVE_B, 3, "E3"), (FIVE_B, 3, "D4"),
                          pytest.param(NINE, 2, "E3", marks=KNOWN), pytest.param(NINE, 2, "D4", marks=KNOWN)])
def test_heldout_repeat(phrase, index, low):
    s = R.score(R.repeated(*phrase, low, index))
    data = s.to_json()
    assert all(x.detected for x in s.syllables) and s.melodic >= 90, data
    assert [e["kind"] for e in data["extra"]] == ["repeat"], data


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("phrase", "scale"), [(FIVE, 2.0), (NINE, 0.625)])
def test_heldout_tempo(phrase, scale, low):
    take = R.stretched(*phrase, low, scale)
    s = R.score(take)
    data = s.to_json()
    assert all(x.detected for x in s.syllables) and s.melodic >= 90, data
    assert s.tempo_ratio == pytest.approx(scale, rel=0.1)


@pytest.mark.parametrize("low", LOWS)
def test_heldout_reverb_and_hum(low):
    for take in (R.reverb(*EIGHT, low), R.hum(*FIVE, low)):
        s = R.score(take)
        data = s.to_json()
        assert s.voiced and all(x.detected for x in s.syllables), data
        assert s.melodic >= 85 and INVERTED not in s.feedback, data


@pytest.mark.parametrize(("phrase", "dropped", "voice"),
                         [pytest.param("thank-you", 1, 2, marks=KNOWN), ("thank-you", 1, 3),
                          ("i-want-to-go-home", 0, 2), ("i-want-to-go-home", 0, 3),
                          ("walk", 7, 2), ("walk", 7, 3)])
def test_heldout_generated_voice_skips(phrase, dropped, voice):
    p = PHRASES[phrase]
    syllables = attempt_syllables(p.pitches, p.beats, seed=voice + 40, drop=(dropped,))
    if dropped == 0:  # the patient starts at the second syllable: no silent beat before it
        syllables = shifted(syllables, -syllables[0].onset_s)
    a = sing(syllables, VOICES[voice], seed=voice + 40)
    s = score(a.y, a.sr, melody(phrase), model=R.TRACKER)
    data = s.to_json()
    assert [not x.detected for x in s.syllables] == [i == dropped for i in range(len(p.pitches))], data
    assert INVERTED not in s.feedback


@pytest.mark.parametrize("voice", [2, 3])
def test_heldout_generated_voice_false_start_and_repeat(voice):
    p = PHRASES["how-are-you-today"]
    whole = attempt_syllables(p.pitches, p.beats, seed=voice + 50)
    restart = whole[:2] + shifted(whole, whole[2].onset_s + 0.9)
    a = sing(restart, VOICES[voice], seed=voice + 50)
    s = score(a.y, a.sr, melody("how-are-you-today"), model=R.TRACKER)
    assert all(x.detected for x in s.syllables) and s.melodic >= 90, s.to_json()
    assert [e.kind for e in s.extra] == ["false_start"], s.to_json()
    a = sing(sung_twice(whole, 1, R.REPEAT_STOP_S), VOICES[voice], seed=voice + 50)
    s = score(np.asarray(a.y), a.sr, melody("how-are-you-today"), model=R.TRACKER)
    assert all(x.detected for x in s.syllables) and s.melodic >= 90, s.to_json()
    assert [e.kind for e in s.extra] == ["repeat"], s.to_json()


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("phrase", "syllables"), [(EIGHT, 3), (NINE, 4), (FIVE, 2)])
def test_heldout_broken_off(phrase, syllables, low):
    check_stopped(R.stopped(*phrase, low, syllables))


@pytest.mark.parametrize("voice", [2, 3])
def test_heldout_generated_voice_broken_off(voice):
    p = PHRASES["walk"]
    syllables = attempt_syllables(p.pitches, p.beats, seed=voice + 130, drop=tuple(range(3, len(p.pitches))))
    a = sing(syllables, VOICES[voice], seed=voice + 130)
    s = score(a.y, a.sr, melody("walk"), model=R.TRACKER)
    data = s.to_json()
    assert [x.detected for x in s.syllables] == [i < 3 for i in range(len(p.pitches))], data
    assert INVERTED not in s.feedback and "Keep singing to the end, from 'to'." in s.feedback, s.feedback
