"""Attempts patients really make, built by editing sung targets with numpy.

The bundled voice (:mod:`mitpractice.synth`, cached in the user cache) sings the target; the
edits below make the errors of people with aphasia and apraxia of speech: a syllable left out
(silenced, or cut out with the rest moved up), a phrase broken off part-way, a false start,
a syllable sung twice, the syllables run together, another tempo, reverb, mains hum. Every
builder returns the samples, the rate and the truth the scorer should find.

The tracker used throughout is :data:`TRACKER`, one name, so that the suite can be run with
another tracker.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import frozen_tracks
import numpy as np
from scipy.signal import fftconvolve

from mitpractice.melody import TargetMelody, set_melody
from mitpractice.phrases import Phrase, bundled_phrases_dir, load_phrase_set
from mitpractice.scoring import Score, score_track

#: The pitch tracker of the robustness suite; ``MITPRACTICE_ROBUST_TRACKER=swift-f0 pytest
#: tests/test_scoring_robust.py tests/test_scoring_heldout.py`` runs it with another.
TRACKER = os.environ.get("MITPRACTICE_ROBUST_TRACKER", "crepe-tiny")
#: Seconds before a vowel's onset where its syllable's consonants start (the bundled voice
#: leads a vowel by its onset consonants; cuts are made here)...
CONSONANT_LEAD_S = 0.12
#: ...except at the end of a syllable left out: the syllable before may glide on into the
#: next one's voiced consonant, so the cut goes closer to the next vowel.
VOWEL_LEAD_S = 0.05
#: Fade (s) at every cut, so that an edit does not click.
FADE_S = 0.01


#: The feedback line of an upside-down tune: never right when the notes sung were right.
INVERTED = "Sing the high notes higher than the low notes."
#: Seconds the voice stops before a syllable sung again (as a patient says it again).
REPEAT_STOP_S = 0.25


@dataclass(frozen=True)
class Take:
    """An edited attempt: samples, rate, the target it is scored against, and the truth."""

    y: np.ndarray
    sr: int
    melody: TargetMelody
    missing: tuple[int, ...] = ()
    extra_kind: str | None = None  # "false_start", "repeat", or None


def bundled_phrase(set_id: str, phrase_id: str) -> Phrase:
    """A phrase of the bundled set ``set_id``."""
    return load_phrase_set(bundled_phrases_dir() / f"{set_id}.toml").phrase(phrase_id)


@lru_cache(maxsize=64)
def target(set_id: str, phrase_id: str, low: str, tempo_scale: float = 1.0):
    """The bundled voice singing the phrase at ``low`` (cached); with ``tempo_scale`` != 1
    sung that much slower (2.0) or faster (0.625) than the target's tempo."""
    from mitpractice.synth import synthesize

    phrase_set = load_phrase_set(bundled_phrases_dir() / f"{set_id}.toml")
    phrase = phrase_set.phrase(phrase_id)
    melody = set_melody(phrase_set, phrase, low)
    if tempo_scale == 1.0:
        return synthesize(phrase, melody), melody
    sung = set_melody(phrase_set, phrase, low, tempo=melody.tempo / tempo_scale)
    return synthesize(phrase, sung), melody


def bounds(t, i: int, lead_after: float = CONSONANT_LEAD_S) -> tuple[int, int]:
    """Sample range of syllable ``i`` of a sung target ``t``: from its consonants to the next's
    (to ``lead_after`` before the next vowel)."""
    notes = t.melody.notes
    a = t.start_s + notes[i].onset_s - CONSONANT_LEAD_S if i > 0 else 0.0
    b = (t.start_s + notes[i + 1].onset_s - lead_after if i + 1 < len(notes)
         else len(t.audio) / t.sr)
    return max(int(a * t.sr), 0), min(int(b * t.sr), len(t.audio))


def _faded(y: np.ndarray, sr: int) -> np.ndarray:
    y = np.array(y, dtype=np.float32)
    n = min(int(FADE_S * sr), len(y) // 2)
    if n:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        y[:n] *= ramp
        y[-n:] *= ramp[::-1]
    return y


def _silence(sr: int, seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * sr), dtype=np.float32)


def clean(set_id: str, phrase_id: str, low: str) -> Take:
    t, melody = target(set_id, phrase_id, low)
    return Take(t.audio, t.sr, melody)


def silenced(set_id: str, phrase_id: str, low: str, index: int) -> Take:
    """Syllable ``index`` not sung, its time left silent."""
    t, melody = target(set_id, phrase_id, low)
    a, b = bounds(t, index, VOWEL_LEAD_S)
    y = t.audio.copy()
    y[a:b] = 0.0
    y[:a] = _faded(y[:a], t.sr) if a else y[:a]
    y[b:] = _faded(y[b:], t.sr) if b < len(y) else y[b:]
    return Take(y, t.sr, melody, missing=(index,))


def cut_out(set_id: str, phrase_id: str, low: str, index: int) -> Take:
    """Syllable ``index`` not sung and the rest moved up: no gap is left."""
    t, melody = target(set_id, phrase_id, low)
    a, b = bounds(t, index, VOWEL_LEAD_S)
    y = np.concatenate([_faded(t.audio[:a], t.sr), _faded(t.audio[b:], t.sr)])
    return Take(y, t.sr, melody, missing=(index,))


#: Seconds of silence after a phrase broken off (the recording runs on until the patient or
#: the app stops it).
STOPPED_TAIL_S = 1.0


def stopped(set_id: str, phrase_id: str, low: str, syllables: int) -> Take:
    """The phrase broken off after its first ``syllables``, the rest of the take silent."""
    t, melody = target(set_id, phrase_id, low)
    _, b = bounds(t, syllables - 1)
    y = np.concatenate([_faded(t.audio[:b], t.sr), _silence(t.sr, STOPPED_TAIL_S)])
    return Take(y, t.sr, melody, missing=tuple(range(syllables, len(melody.notes))))


def false_start(set_id: str, phrase_id: str, low: str, syllables: int, pause_s: float = 0.8) -> Take:
    """The first ``syllables`` sung, a pause, then the whole phrase."""
    t, melody = target(set_id, phrase_id, low)
    _, b = bounds(t, syllables - 1)
    y = np.concatenate([_faded(t.audio[:b], t.sr), _silence(t.sr, pause_s), t.audio])
    return Take(y, t.sr, melody, extra_kind="false_start")


def repeated(set_id: str, phrase_id: str, low: str, index: int, pause_s: float = REPEAT_STOP_S) -> Take:
    """Syllable ``index`` sung twice, a short stop between (as a patient says it again)."""
    t, melody = target(set_id, phrase_id, low)
    a, _ = bounds(t, index, VOWEL_LEAD_S)
    _, b = bounds(t, index, CONSONANT_LEAD_S)
    a = max(a, int((t.start_s + melody.notes[index].onset_s - VOWEL_LEAD_S) * t.sr))
    y = np.concatenate([_faded(t.audio[:b], t.sr), _silence(t.sr, pause_s), _faded(t.audio[a:b], t.sr),
                        _faded(t.audio[b:], t.sr)])
    return Take(y, t.sr, melody, extra_kind="repeat")


def gaps_closed(set_id: str, phrase_id: str, low: str, floor_db: float = -35.0) -> Take:
    """The pauses between syllables cut out: everything sung legato, one note running into
    the next (moments more than ``floor_db`` below the loudest 20 ms are removed)."""
    t, melody = target(set_id, phrase_id, low)
    y, sr = t.audio, t.sr
    hop = int(0.01 * sr)
    frames = len(y) // hop
    power = np.array([np.mean(y[k * hop : (k + 2) * hop] ** 2) for k in range(frames)])
    db = 10 * np.log10(power + 1e-12)
    keep = np.repeat(db > db.max() + floor_db, hop)
    keep = np.r_[keep, np.zeros(len(y) - len(keep), bool)]
    first, last = np.flatnonzero(keep)[[0, -1]]
    inner = y[first:last][keep[first:last]]
    pad = _silence(sr, 0.5)
    return Take(np.concatenate([pad, _faded(inner, sr), pad]), sr, melody)


def tempo(set_id: str, phrase_id: str, low: str, scale: float) -> Take:
    """The phrase sung ``scale`` times as long as the target (2.0: half the tempo)."""
    t, melody = target(set_id, phrase_id, low, scale)
    return Take(t.audio, t.sr, melody)


def reverb(set_id: str, phrase_id: str, low: str, rt60_s: float = 0.6, seed: int = 0) -> Take:
    """The phrase in a reverberant room: convolved with decaying noise of ``rt60_s``."""
    t, melody = target(set_id, phrase_id, low)
    rng = np.random.default_rng(seed)
    n = int(rt60_s * t.sr)
    tail = rng.standard_normal(n) * 10 ** (-3 * np.arange(n) / n)  # -60 dB at rt60_s
    ir = np.r_[1.0, np.zeros(int(0.005 * t.sr)), 0.7 * tail / np.sqrt(np.sum(tail**2))]
    wet = fftconvolve(t.audio.astype(float), ir)[: len(t.audio) + n]
    return Take((0.3 * wet / np.max(np.abs(wet))).astype(np.float32), t.sr, melody)


def hum(set_id: str, phrase_id: str, low: str, snr_db: float = 15.0, mains_hz: float = 50.0) -> Take:
    """Mains hum (the fundamental and its odd and even harmonics) ``snr_db`` under the voice."""
    t, melody = target(set_id, phrase_id, low)
    y = t.audio.astype(float)
    time = np.arange(len(y)) / t.sr
    buzz = sum(np.sin(2 * np.pi * k * mains_hz * time + k) / k for k in range(1, 8))
    active = np.abs(y) > 0.05 * np.max(np.abs(y))
    power = np.mean(y[active] ** 2)
    buzz *= np.sqrt(power / 10 ** (snr_db / 10) / np.mean(buzz**2))
    return Take((y + buzz).astype(np.float32), t.sr, melody)


def sung_share(take: Take) -> float:
    """Share of the target's beats that were sung: the best melodic score a take can have."""
    beats = np.array([n.beats for n in take.melody.notes])
    return 100.0 * (1.0 - beats[list(take.missing)].sum() / beats.sum())


def score(take: Take, model: str = TRACKER) -> Score:
    """Score a take with the audio, from its frozen track (:mod:`frozen_tracks`; tracked once
    per process when it is not frozen)."""
    y = np.ascontiguousarray(take.y, dtype=np.float32)
    return score_track(frozen_tracks.track(y, take.sr, model), take.melody, audio=y, sr=take.sr)


def stretched(set_id: str, phrase_id: str, low: str, scale: float) -> Take:
    """The sung target made ``scale`` times as long by a phase vocoder (pitch kept)."""
    import librosa

    t, melody = target(set_id, phrase_id, low)
    y = librosa.effects.time_stretch(t.audio.astype(np.float32), rate=1.0 / scale)
    return Take(y.astype(np.float32), t.sr, melody)


def run_together(set_id: str, phrase_id: str, low: str, window_s: float = 0.08) -> Take:
    """Everything sung legato with no dip in loudness: the pauses closed (:func:`gaps_closed`)
    and the loudness evened out over ``window_s``, so that syllables on one note run into
    each other with nothing but the timing to tell them apart."""
    take = gaps_closed(set_id, phrase_id, low)
    y, sr = take.y.astype(float), take.sr
    n = max(int(window_s * sr), 1)
    env = np.sqrt(np.convolve(y * y, np.ones(n) / n, mode="same"))
    sounding = env > 0.05 * env.max()
    flat = np.where(sounding, y / np.maximum(env, 1e-9) * np.median(env[sounding]), y)
    return Take((0.3 * flat / np.max(np.abs(flat))).astype(np.float32), sr, take.melody)


def alone(set_id: str, phrase_id: str, low: str, index: int, lead_s: float = 0.6,
          tail_s: float = 0.6) -> Take:
    """Only syllable ``index`` sung, ``lead_s`` of silence before its consonants and ``tail_s``
    after it (one syllable of a short phrase: the patient stops, or starts late)."""
    t, melody = target(set_id, phrase_id, low)
    a, b = bounds(t, index, VOWEL_LEAD_S)
    y = np.concatenate([_silence(t.sr, lead_s), _faded(t.audio[a:b], t.sr), _silence(t.sr, tail_s)])
    return Take(y, t.sr, melody, missing=tuple(i for i in range(len(melody.notes)) if i != index))


def false_start_and_repeat(set_id: str, phrase_id: str, low: str, syllables: int, index: int,
                           pause_s: float = 0.8) -> Take:
    """The first ``syllables`` sung, a pause, then the whole phrase with syllable ``index``
    sung twice (:func:`repeated`): two additions in one attempt."""
    t, melody = target(set_id, phrase_id, low)
    _, b = bounds(t, syllables - 1)
    again = repeated(set_id, phrase_id, low, index)
    y = np.concatenate([_faded(t.audio[:b], t.sr), _silence(t.sr, pause_s), again.y])
    return Take(y, t.sr, melody, extra_kind="false_start")
