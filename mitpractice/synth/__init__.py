"""Sung targets: the phrase sung on its two pitches, from the bundled voice or a therapist.

``speech`` makes spoken English offline with phoneme timing (piper).
"""

from mitpractice.synth.speech import Speech, phonemize, speak, speak_phonemes

__all__ = ["Speech", "phonemize", "speak", "speak_phonemes"]
