"""Building and scoring generated attempts for the scoring tests (real CREPE-tiny tracking).

Tracks are frozen (:mod:`frozen_tracks`): an attempt the tests have tracked before is read
back, not tracked again, and a test that scores the same attempt twice (or in two modes)
tracks it at most once.
"""

from __future__ import annotations

import frozen_tracks
import numpy as np
from attempt_voice import VOICES, Attempt, add_noise, attempt_syllables, sing

from mitpractice.melody import TargetMelody, target_melody
from mitpractice.phrases import Phrase
from mitpractice.pitch import PitchTrack
from mitpractice.scoring import Score, score_track

PHRASES = {
    "thank-you": Phrase(id="thank-you", text="Thank you", syllables=("thank", "you"), pitches="HL",
                        beats=(1.0, 1.0)),
    "good-morning": Phrase(id="good-morning", text="Good morning", syllables=("good", "mor", "ning"),
                           pitches="LHL", beats=(1.0, 1.0, 1.0)),
    "how-are-you-today": Phrase(id="how-are-you-today", text="How are you today?",
                                syllables=("how", "are", "you", "to", "day"), pitches="LLHLH",
                                beats=(1.0, 1.0, 1.0, 1.0, 2.0)),
    "i-want-to-go-home": Phrase(id="i-want-to-go-home", text="I want to go home",
                                syllables=("i", "want", "to", "go", "home"), pitches="LHLLH",
                                beats=(1.0, 1.0, 1.0, 1.0, 2.0)),
    "walk": Phrase(id="walk", text="I would like to go for a walk",
                   syllables=("i", "would", "like", "to", "go", "for", "a", "walk"), pitches="LLHLHLLH",
                   beats=(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0)),
}


def melody(phrase: str, low: str = "C3", interval: float = 3.0, tempo: float = 60.0) -> TargetMelody:
    return target_melody(PHRASES[phrase], low=low, interval=interval, tempo=tempo)


def attempt(
    phrase: str,
    voice: int = 0,
    *,
    interval: float = 3.0,
    tempo: float = 60.0,
    legato: bool = False,
    seed: int = 0,
    **kw,
) -> Attempt:
    """An attempt at ``phrase`` by ``VOICES[voice]``; ``kw`` go to ``attempt_syllables``."""
    p = PHRASES[phrase]
    syllables = attempt_syllables(p.pitches, p.beats, interval=interval, beat_s=60.0 / tempo, seed=seed, **kw)
    return sing(syllables, VOICES[voice], legato=legato, seed=seed)


def track(y: np.ndarray, sr: int, model: str = "crepe-tiny") -> PitchTrack:
    """The attempt's track: frozen (tests/frozen_tracks.py) or tracked once per process."""
    return frozen_tracks.track(y, sr, model)


def score(
    y: np.ndarray, sr: int, target: TargetMelody, mode: str = "sung", model: str = "crepe-tiny"
) -> Score:
    """Track ``y`` (cached) and score it against ``target``."""
    return score_track(track(y, sr, model), target, audio=y, sr=sr, mode=mode)


def noisy(a: Attempt, snr_db: float, kind: str, seed: int = 0) -> np.ndarray:
    return add_noise(a.y, snr_db, kind, seed=seed)
