"""Streaming a recording the way the window does, in chunks of awkward sizes, for the tests
that prove streaming equal to batch (one helper for every tracker)."""

from __future__ import annotations

import numpy as np

from mitpractice.pitch import PitchStream, PitchTrack


def stream_in_random_chunks(y: np.ndarray, sr: int, seed: int, **kw) -> tuple[PitchTrack, list[int]]:
    """The track of ``y`` pushed through a :class:`PitchStream` (``kw`` its options) in chunks
    of 0 to 4096 samples, and the frames done after each chunk."""
    rng = np.random.default_rng(seed)
    stream = PitchStream(sr, **kw)
    parts, done, start = [], [], 0
    while start < len(y):
        size = int(rng.choice([0, 1, 7, 160, 441, 1000, 4096]))
        parts.append(stream.push(y[start : start + size]))
        start += size
        done.append(stream.frames_done)
    parts.append(stream.finish())
    return PitchTrack.concatenate(parts), done
