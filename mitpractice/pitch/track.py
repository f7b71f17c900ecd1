"""The pitch track: what every tracker returns and what scoring and the GUI read."""

from __future__ import annotations

from dataclasses import dataclass

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

    def __len__(self) -> int:
        return len(self.times)

    @property
    def hop_s(self) -> float:
        """Seconds between frames (0.01 for the default 10 ms hop)."""
        return float(np.median(np.diff(self.times))) if len(self.times) > 1 else 0.0

    def voiced(self, threshold: float = 0.5) -> np.ndarray:
        """Boolean mask of frames whose confidence reaches ``threshold``."""
        return self.confidence >= threshold
