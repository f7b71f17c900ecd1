"""Sung targets: the phrase sung on its two pitches, by the bundled voice or a therapist.

- :mod:`~mitpractice.synth.speech`: offline English speech with phoneme timing (piper).
- :mod:`~mitpractice.synth.syllables`: the phonemes of each written syllable.
- :mod:`~mitpractice.synth.singing`: the speech re-sung on the target notes with WORLD.
- :mod:`~mitpractice.synth.cache`: synthesised targets (and the window's spoken words) kept in
  the user cache.
- :mod:`~mitpractice.synth.recordings`: therapists' recorded models, checked and kept.
- :mod:`~mitpractice.synth.targets`: :func:`sung_target`, what the app plays.

See docs/synth.md.
"""

from mitpractice.synth.cache import spoken_words, synthesize
from mitpractice.synth.recordings import extract_notes, forget_model, recorded_target, save_model
from mitpractice.synth.singing import LEAD_IN_S, SYNTH_VERSION, SingOptions, SungTarget, apply_options, sing
from mitpractice.synth.speech import Speech, phonemize, speak, speak_phonemes
from mitpractice.synth.targets import sung_target

__all__ = [
    "LEAD_IN_S",
    "SYNTH_VERSION",
    "SingOptions",
    "Speech",
    "SungTarget",
    "apply_options",
    "extract_notes",
    "forget_model",
    "phonemize",
    "recorded_target",
    "save_model",
    "sing",
    "speak",
    "speak_phonemes",
    "spoken_words",
    "sung_target",
    "synthesize",
]
