"""One entry point for every pitch model: audio in, :class:`PitchTrack` out."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mitpractice.audiofile import load_audio, resample
from mitpractice.errors import ParameterError
from mitpractice.pitch import MODELS, crepe
from mitpractice.pitch.pyin import pyin_track
from mitpractice.pitch.swift import swift_track
from mitpractice.pitch.track import PitchTrack

#: All models analyse 16 kHz audio, so their frame grids coincide.
SR = crepe.SR


def check_model(model: str) -> str:
    """``model`` if it is one of :data:`MODELS`, else a ParameterError listing them."""
    if model not in MODELS:
        raise ParameterError(f"unknown pitch model {model!r}; choose one of {', '.join(MODELS)}")
    return model


def hop_samples(hop_s: float) -> int:
    """The hop in 16 kHz samples; between 1 ms and 100 ms.

    Examples
    --------
    >>> hop_samples(0.01)
    160
    """
    if not 0.001 <= hop_s <= 0.1:
        raise ParameterError(f"hop must be between 0.001 and 0.1 s, not {hop_s}")
    return round(hop_s * SR)


def to_model_rate(y: np.ndarray, sr: int) -> np.ndarray:
    """Mono float32 samples at 16 kHz; rejects empty, multichannel or non-finite audio."""
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1:
        raise ParameterError(f"pitch tracking takes mono audio of shape (n,), not {y.shape}")
    if len(y) == 0:
        raise ParameterError("pitch tracking needs at least one audio sample")
    if not np.all(np.isfinite(y)):
        raise ParameterError("audio holds samples that are not numbers")
    return resample(y, int(sr), SR)


def track_pitch(
    y: np.ndarray, sr: int, model: str = "crepe-tiny", *, hop_s: float = 0.01, viterbi: bool = False
) -> PitchTrack:
    """Frame-wise f0 and voicing confidence of mono audio.

    Parameters
    ----------
    y : np.ndarray
        Mono samples, shape (n,), any sample rate (resampled to 16 kHz).
    sr : int
        Their sample rate.
    model : str
        One of :data:`MODELS`. ``crepe-tiny`` is fast enough to run live with 32 ms of
        look-ahead; ``swift-f0`` is faster still but needs 176 ms (``docs/pitch.md``).
    hop_s : float
        Seconds between frame centres; frame ``i`` is centred at ``i * hop_s``, and there are
        ``1 + n16 // hop`` frames for ``n16`` samples at 16 kHz.
    viterbi : bool
        CREPE only: decode the smoothest bin path (marl/crepe's Viterbi) instead of each
        frame's peak. Needs the whole recording, so the live tracker does not offer it.
        pYIN always uses its own HMM; SwiftF0 has no such option and ignores it.

    Raises
    ------
    ParameterError
        For an unknown model, bad hop, or empty, multichannel or non-finite audio.
    ModelUnavailableError
        If the model's weights (or the ``swift-f0`` package) are not installed.

    Examples
    --------
    >>> t = np.arange(8000) / 8000
    >>> track = track_pitch(np.sin(2 * np.pi * 220 * t), 8000)
    >>> track.model, len(track), bool(abs(np.median(track.f0_hz[track.voiced()]) - 220) < 3)
    ('crepe-tiny', 101, True)
    """
    check_model(model)
    hop = hop_samples(hop_s)
    y16 = to_model_rate(y, sr)
    if model == "pyin":
        return pyin_track(y16, hop)
    if model == "swift-f0":
        return swift_track(y16, hop)
    return crepe.crepe_track(y16, model.removeprefix("crepe-"), hop, viterbi=viterbi)


def track_file(path: str | Path, model: str = "crepe-tiny", **kw) -> PitchTrack:
    """:func:`track_pitch` of an audio file (WAV, FLAC, ... at any rate, mixed to mono).

    Raises AudioError if the file is missing or unreadable.
    """
    check_model(model)
    y, sr = load_audio(path, sr=SR)
    return track_pitch(y, sr, model, **kw)
