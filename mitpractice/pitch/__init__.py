"""Pitch tracking: CREPE (run with onnxruntime from the published weights) and pYIN.

``track_pitch`` / ``track_file`` analyse a whole recording; ``PitchStream`` tracks live as
audio arrives. All return a :class:`PitchTrack`.
"""

from mitpractice.pitch.core import MODELS, track_file, track_pitch
from mitpractice.pitch.stream import PitchStream
from mitpractice.pitch.track import PitchTrack

__all__ = ["MODELS", "PitchStream", "PitchTrack", "track_file", "track_pitch"]
