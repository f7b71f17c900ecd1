"""Scoring from a pitch track alone, as the app's live tracker delivers it (no audio).

The tracks are built from the generator's true pitch and voicing, with the faults real trackers
have added: frame noise, flicker of the confidence at consonants, and whole syllables put an
octave (or a harmonic) off. This reaches cases the audio tests cannot set up exactly.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from attempt_voice import VOICES, Attempt, babble
from scipy.signal import resample_poly
from scoring_cases import PHRASES, attempt, melody, track

from mitpractice.errors import ParameterError
from mitpractice.pitch import PitchTrack
from mitpractice.scoring import MODES, Score, score_track


def tracked(
    a: Attempt,
    *,
    slips: dict[int, float] | None = None,
    hop_s: float = 0.01,
    seed: int = 0,
    model: str = "crepe-tiny",
) -> PitchTrack:
    """A tracker's view of attempt ``a``: ``slips`` maps syllable index -> semitones it is put off."""
    rng = np.random.default_rng(seed)
    times = np.arange(0.0, a.times[-1], hop_s)
    idx = np.minimum(np.round(times / 0.01).astype(int), len(a.times) - 1)
    voiced = a.voiced[idx]
    f0 = np.where(voiced, a.f0_hz[idx], rng.uniform(60, 600, len(times)))
    f0 = f0 * 2 ** (rng.normal(0, 0.05, len(times)) / 12)
    for i, shift in (slips or {}).items():
        s = a.syllables[i]
        inside = (times >= s.onset_s) & (times < s.onset_s + s.duration_s)
        f0[inside] *= 2 ** (shift / 12)
    single = voiced & (rng.random(len(times)) < 0.02)  # the odd frame an octave off
    f0[single] *= 2.0
    conf = np.where(voiced, rng.uniform(0.7, 0.95, len(times)), rng.uniform(0.0, 0.25, len(times)))
    # trackers grow unsure where the voice grows soft (a voiced consonant between legato notes)
    win = int(0.04 * a.sr)
    power = np.convolve(a.y.astype(float) ** 2, np.ones(win) / win, mode="same")
    level = 10 * np.log10(power[np.minimum((times * a.sr).astype(int), len(a.y) - 1)] + 1e-12)
    reach = max(int(0.2 / hop_s), 1)
    peak = np.array([level[max(0, k - reach) : k + reach + 1].max() for k in range(len(level))])
    conf = np.where(voiced, np.clip(conf - 0.04 * np.clip(peak - level - 3.0, 0, None), 0.4, 1), conf)
    return PitchTrack(times, f0, conf, model)


def test_score_json_follows_the_contract():
    a = attempt("good-morning", 1, key_st=3.0)
    s = score_track(tracked(a), melody("good-morning"))
    data = json.loads(json.dumps(s.to_json()))
    assert set(data) >= {
        "phrase_id", "voiced", "melodic", "rhythmic", "overall", "interval_semitones", "tempo_ratio",
        "syllables", "feedback",
    }
    assert data["phrase_id"] == "good-morning" and data["voiced"] is True
    for key in ("melodic", "rhythmic", "overall"):
        assert isinstance(data[key], float) and 0 <= data[key] <= 100
    assert isinstance(data["interval_semitones"], float) and isinstance(data["tempo_ratio"], float)
    assert [x["text"] for x in data["syllables"]] == ["good", "mor", "ning"]
    for i, x in enumerate(data["syllables"]):
        assert list(x) == ["index", "text", "target", "detected", "onset_s", "offset_s", "pitch_hz",
                           "pitch_semitones", "pitch_ok", "timing_ok"]
        assert x["index"] == i and x["target"] == "LHL"[i] and x["detected"] is True
        assert x["onset_s"] < x["offset_s"]
    assert data["syllables"][0]["pitch_semitones"] == pytest.approx(0.0, abs=0.3)
    assert data["syllables"][1]["pitch_semitones"] == pytest.approx(3.0, abs=0.3)
    # the woman's low pitch is 220 Hz and she sang 3 semitones higher
    assert data["syllables"][0]["pitch_hz"] == pytest.approx(VOICES[1].low_hz * 2 ** 0.25, rel=0.02)
    assert all(isinstance(line, str) and line for line in data["feedback"])


def test_unvoiced_score_has_every_score_zero_and_null_measures():
    times = np.arange(0, 3, 0.01)
    quiet = PitchTrack(times, np.full(len(times), 200.0), np.full(len(times), 0.05), "crepe-tiny")
    s = score_track(quiet, melody("thank-you"))
    data = s.to_json()
    assert data["voiced"] is False and data["melodic"] == data["rhythmic"] == data["overall"] == 0
    assert data["interval_semitones"] is None and data["tempo_ratio"] is None
    assert [x["detected"] for x in data["syllables"]] == [False, False]
    assert data["syllables"][0]["pitch_hz"] is None
    empty = PitchTrack(np.zeros(0), np.zeros(0), np.zeros(0), "crepe-tiny")
    assert not score_track(empty, melody("thank-you")).voiced


def test_octave_and_harmonic_slips_of_the_tracker_are_folded():
    phrase = "how-are-you-today"
    a = attempt(phrase, 2, seed=1)
    clean = score_track(tracked(a), melody(phrase))
    slipped = score_track(tracked(a, slips={0: 12.0, 2: -12.0, 4: 19.02}), melody(phrase))
    assert clean.melodic >= 90
    assert slipped.melodic >= 90, slipped.to_json()
    assert slipped.interval_semitones == pytest.approx(3.0, abs=0.5)
    assert [x.pitch_ok for x in slipped.syllables] == [True] * 5


def test_legato_is_cut_into_syllables_from_the_track_alone():
    phrase = "walk"
    a = attempt(phrase, 0, legato=True, seed=2)
    s = score_track(tracked(a), melody(phrase))
    assert all(x.detected for x in s.syllables)
    assert s.overall >= 90, s.to_json()


@pytest.mark.parametrize("hop_s", [0.005, 0.02, 0.032])
def test_any_hop_gives_the_same_judgement(hop_s):
    phrase = "i-want-to-go-home"
    a = attempt(phrase, 3, stretch={2: 2.0}, seed=3)
    base = score_track(tracked(a), melody(phrase))
    other = score_track(tracked(a, hop_s=hop_s), melody(phrase))
    assert abs(other.melodic - base.melodic) <= 5 and abs(other.rhythmic - base.rhythmic) <= 5
    assert [x.timing_ok for x in other.syllables] == [x.timing_ok for x in base.syllables]


@pytest.mark.parametrize("voice", [1, 2])
def test_interval_shrinking_lowers_the_melodic_score_step_by_step(voice):
    target = melody("walk", interval=5.0)
    scores = []
    for shrink in (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0):
        a = attempt("walk", voice, interval=5.0 - shrink, key_st=-2.0, seed=voice)
        scores.append(score_track(tracked(a, seed=voice), target).melodic)
    assert all(b < a for a, b in itertools.pairwise(scores)), scores
    assert scores[0] >= 90 and scores[-1] <= 15


def test_stretching_a_syllable_lowers_the_rhythm_step_by_step():
    target = melody("how-are-you-today")
    scores = []
    for factor in (1.0, 1.5, 2.0, 2.5, 3.0):
        a = attempt("how-are-you-today", 0, stretch={1: factor}, seed=4)
        scores.append(score_track(tracked(a, seed=4), target).rhythmic)
    assert all(b < a for a, b in itertools.pairwise(scores)), scores


def test_tempo_ratio_is_the_attempts_length_over_the_targets():
    target = melody("walk", tempo=72.0)
    for scale in (0.7, 1.0, 1.4):
        a = attempt("walk", 1, tempo=72.0, tempo_scale=scale, seed=5)
        s = score_track(tracked(a), target)
        assert s.tempo_ratio == pytest.approx(scale, rel=0.05)
        assert s.rhythmic >= 90
    for scale in (0.4, 2.5):  # far outside a steady MIT pace
        a = attempt("walk", 1, tempo=72.0, tempo_scale=scale, seed=5)
        s = score_track(tracked(a), target)
        assert s.tempo_ratio == pytest.approx(scale, rel=0.1)
        assert s.rhythmic <= 60
        assert any("faster" in line or "slower" in line for line in s.feedback)


def test_missing_first_and_last_syllables_are_located():
    phrase = "walk"
    for dropped in ((0,), (7,), (0, 4)):
        a = attempt(phrase, 3, drop=dropped, seed=6)
        s = score_track(tracked(a), melody(phrase))
        assert [not x.detected for x in s.syllables] == [i in dropped for i in range(8)], dropped


def test_extra_sounds_inside_the_phrase_are_left_unmatched():
    phrase = "how-are-you-today"
    a = attempt(phrase, 1, seed=7)
    track = tracked(a)
    conf = track.confidence.copy()
    f0 = track.f0_hz.copy()
    # a short voiced grunt in the pause between "are" and "you", at an unrelated pitch
    gap = (track.times > a.syllables[1].onset_s + 0.92) & (track.times < a.syllables[1].onset_s + 1.0)
    conf[gap], f0[gap] = 0.8, 400.0
    s = score_track(PitchTrack(track.times, f0, conf, track.model), melody(phrase))
    assert s.overall >= 90 and all(x.detected for x in s.syllables), s.to_json()


def test_a_real_pyin_track_is_understood_from_the_track_alone():
    a = attempt("good-morning", 2, seed=8)  # the older man: pYIN is least sure of him
    s = score_track(track(a.y, a.sr, "pyin"), melody("good-morning"))
    assert s.voiced and all(x.detected for x in s.syllables), s.to_json()
    assert s.overall >= 90, s.to_json()
    quiet = score_track(track(0.02 * babble(3.0, seed=8).astype(np.float32), a.sr, "pyin"),
                        melody("good-morning"))
    assert not quiet.voiced, quiet.to_json()  # babble alone is not the patient singing


def test_sprechgesang_overall_is_the_rhythmic_score():
    a = attempt("i-want-to-go-home", 0, interval=0.0, seed=9)  # on the beat, no tune
    sung = score_track(tracked(a), melody("i-want-to-go-home"))
    sprech = score_track(tracked(a), melody("i-want-to-go-home"), mode="sprechgesang")
    assert sprech.mode == "sprechgesang" and sprech.to_json()["mode"] == "sprechgesang"
    assert sprech.overall == sprech.rhythmic >= 90
    assert sung.overall < 60
    assert sprech.melodic == pytest.approx(sung.melodic)  # still reported, for information


def test_bad_parameters_raise_parameter_error():
    a = attempt("thank-you", 0)
    with pytest.raises(ParameterError, match="mode"):
        score_track(tracked(a), melody("thank-you"), mode="shouted")
    with pytest.raises(ParameterError, match="sample rate"):
        score_track(tracked(a), melody("thank-you"), audio=a.y)
    assert MODES == ("sung", "sprechgesang")


def test_audio_at_another_rate_and_in_stereo_gives_the_same_judgement():
    a = attempt("walk", 1, legato=True, seed=10)  # legato: the loudness dips cut the syllables
    track = tracked(a)
    mono = score_track(track, melody("walk"), audio=a.y, sr=a.sr)
    y44 = resample_poly(a.y.astype(float), 441, 160)  # 16 kHz -> 44.1 kHz
    stereo = np.stack([y44, 0.5 * y44], axis=1).astype(np.float32)
    s = score_track(track, melody("walk"), audio=stereo, sr=44100)
    assert isinstance(s, Score) and s.overall >= 90, s.to_json()
    assert [x.detected for x in s.syllables] == [x.detected for x in mono.syllables]
    assert np.allclose([x.onset_s for x in s.syllables], [x.onset_s for x in mono.syllables], atol=0.03)
    assert abs(s.overall - mono.overall) <= 2


def test_every_phrase_shape_scores_a_correct_attempt_high():
    for name, p in PHRASES.items():
        a = attempt(name, 0, seed=11)
        assert score_track(tracked(a), melody(name)).overall >= 90, (name, p.pitches)


def test_feedback_names_what_to_change():
    phrase = "how-are-you-today"
    target = melody(phrase)

    def lines(**kw) -> list[str]:
        return list(score_track(tracked(attempt(phrase, 2, seed=12, **kw)), target).feedback)

    assert lines() == ["Very good!", "The tune and the rhythm were right."]
    wide = lines(interval=5.0)
    assert "The high notes were a little too high." in wide
    assert not any(line.startswith("Sing '") and line.endswith(" high.") for line in wide)
    assert "Sing the high notes higher than the low notes." in lines(interval=-3.0)
    assert "Move on sooner after 'are'." in lines(stretch={1: 2.0})
    assert "End 'day' a little sooner." in lines(stretch={4: 2.0})
    assert "Hold 'day' a bit longer." in lines(stretch={4: 0.3})
    assert "Try to sing every part, also 'you'." in lines(drop=(2,))
    assert "Try to sing a little slower." in lines(tempo_scale=0.45)
