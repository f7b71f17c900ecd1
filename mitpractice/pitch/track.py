"""The pitch track: what every tracker returns and what scoring and the GUI read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from mitpractice.errors import ParameterError


@dataclass(frozen=True)
class PitchTrack:
    """Frame-wise fundamental frequency of a recording.

    Attributes
    ----------
    times : np.ndarray
        Frame centres in seconds from the start of the audio, increasing, shape (n,).
    f0_hz : np.ndarray
        The tracker's best f0 estimate per frame in Hz, shape (n,). Always finite and
        positive: whether the frame is voiced is said by ``confidence``, not by NaN.
    confidence : np.ndarray
        Voicing confidence in [0, 1] per frame, shape (n,).
    model : str
        Name of the model that made the track, e.g. ``"crepe-tiny"`` or ``"pyin"``.
    """

    times: np.ndarray
    f0_hz: np.ndarray
    confidence: np.ndarray
    model: str

    def __post_init__(self) -> None:
        n = len(self.times)
        if len(self.f0_hz) != n or len(self.confidence) != n:
            raise ParameterError(
                f"pitch track arrays differ in length: times {n}, f0 {len(self.f0_hz)}, "
                f"confidence {len(self.confidence)}"
            )

    @classmethod
    def empty(cls, model: str) -> PitchTrack:
        """A track of no frames, e.g. what a chunk too short to complete a frame gives."""
        return cls(np.zeros(0), np.zeros(0), np.zeros(0), model)

    @classmethod
    def concatenate(cls, tracks: Sequence[PitchTrack]) -> PitchTrack:
        """One track from consecutive pieces, e.g. what a :class:`PitchStream` returned.

        Examples
        --------
        >>> a = PitchTrack(np.array([0.0]), np.array([220.0]), np.array([0.9]), "pyin")
        >>> b = PitchTrack(np.array([0.01]), np.array([221.0]), np.array([0.8]), "pyin")
        >>> PitchTrack.concatenate([a, b]).f0_hz.tolist()
        [220.0, 221.0]
        """
        if not tracks:
            raise ParameterError("no pitch tracks to concatenate")
        models = {t.model for t in tracks}
        if len(models) > 1:
            raise ParameterError(f"cannot join tracks of different models: {', '.join(sorted(models))}")
        return cls(
            np.concatenate([t.times for t in tracks]),
            np.concatenate([t.f0_hz for t in tracks]),
            np.concatenate([t.confidence for t in tracks]),
            tracks[0].model,
        )

    def __len__(self) -> int:
        return len(self.times)

    @property
    def hop_s(self) -> float:
        """Seconds between frames (0.01 for the default 10 ms hop)."""
        return float(np.median(np.diff(self.times))) if len(self.times) > 1 else 0.0

    def voiced(self, threshold: float = 0.5) -> np.ndarray:
        """Boolean mask of frames whose confidence reaches ``threshold``."""
        return self.confidence >= threshold


class LiveFrames(Protocol):
    """A model's live tracker on the frame grid, as :class:`mitpractice.pitch.PitchStream`
    drives it: mono 16 kHz samples in, each grid frame out once the samples it depends on
    have arrived. The frames of all calls together equal the batch tracker's for the same
    samples.
    """

    @property
    def frames_done(self) -> int:
        """How many frames have been returned so far."""
        ...

    def push(self, y16: np.ndarray) -> PitchTrack:
        """The frames these 16 kHz samples completed (possibly none)."""
        ...

    def finish(self) -> PitchTrack:
        """The remaining frames, whose windows reach past the end, up to ``1 + n // hop`` for
        the ``n`` samples received."""
        ...
