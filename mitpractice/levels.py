"""Blocks of samples as the meters, the take detector and the live tracker see them: mono
float32, and their RMS level in dB re full scale (dBFS).

0 dBFS is a square wave at full scale, a full-scale sine is −3 dBFS, digital silence is
:data:`SILENCE_DBFS` rather than minus infinity, so that levels can be compared and drawn.
"""

from __future__ import annotations

import numpy as np

from mitpractice.errors import ParameterError

#: The level reported for digital silence (dBFS), instead of minus infinity.
SILENCE_DBFS = -120.0


def to_mono(block: np.ndarray, *, dtype: type = np.float32) -> np.ndarray:
    """``block`` as mono samples of ``dtype``: shape (n,) as it is, (n, channels) averaged
    over channels (in ``dtype``). Float32 is what the meters and trackers take; analyses that
    sum many squares ask for float64.

    Examples
    --------
    >>> to_mono(np.array([[0.5, 0.1], [0.2, 0.0]]))
    array([0.3, 0.1], dtype=float32)
    >>> to_mono(np.array([[0.5, 0.1], [0.2, 0.0]]), dtype=np.float64)
    array([0.3, 0.1])
    """
    y = np.asarray(block, dtype=dtype)
    if y.ndim == 2:
        y = y.mean(axis=1, dtype=dtype)
    if y.ndim != 1:
        raise ParameterError(f"audio blocks must be shape (n,) or (n, channels), not {y.shape}")
    return y


def power_dbfs(mean_square: np.ndarray | float) -> np.ndarray:
    """Mean squares of samples as levels in dBFS, never below :data:`SILENCE_DBFS`.

    Examples
    --------
    >>> power_dbfs([0.25, 0.0]).round(2)
    array([  -6.02, -120.  ])
    """
    ms = np.asarray(mean_square, dtype=np.float64)
    with np.errstate(divide="ignore"):
        db = 10.0 * np.log10(ms)
    return np.maximum(np.nan_to_num(db, nan=SILENCE_DBFS, neginf=SILENCE_DBFS), SILENCE_DBFS)


def level_dbfs(block: np.ndarray) -> float:
    """RMS level of a block of samples, (n,) or (n, channels), in dBFS (for the level meter).

    Examples
    --------
    >>> round(level_dbfs(np.full(100, 0.5)), 2), level_dbfs(np.zeros(10)), level_dbfs(np.zeros(0))
    (-6.02, -120.0, -120.0)
    """
    y = to_mono(block).astype(np.float64)
    if not len(y):
        return SILENCE_DBFS
    return float(power_dbfs(np.mean(y * y)))
