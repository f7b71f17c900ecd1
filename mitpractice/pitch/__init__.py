"""Pitch tracking: CREPE (run with onnxruntime from the published weights) and pYIN."""

from mitpractice.pitch.track import PitchTrack

__all__ = ["PitchTrack"]
