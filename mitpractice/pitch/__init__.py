"""Pitch tracking: CREPE (run with onnxruntime from the published weights), pYIN and SwiftF0.

``track_pitch`` / ``track_file`` analyse a whole recording; ``PitchStream`` tracks live as
audio arrives. All return a :class:`PitchTrack`.

The names are loaded on first use, so that a command that only needs :data:`MODELS` (to
list them in its ``--help``) does not pay for numpy, the resampler and the model runners.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Every model name :func:`track_pitch` accepts, smallest CREPE first.
MODELS: tuple[str, ...] = (
    "crepe-tiny", "crepe-small", "crepe-medium", "crepe-large", "crepe-full", "pyin", "swift-f0"
)

_MODULE_OF = {"track_pitch": "core", "track_file": "core", "PitchStream": "stream", "PitchTrack": "track"}

__all__ = ["MODELS", "PitchStream", "PitchTrack", "track_file", "track_pitch"]


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
