"""The small values every table of the store makes: ids, times and the FLAC of a recording.

Kept apart from :class:`~mitpractice.store.api.Store` so that migrations, journals and bundles
make them the same way without importing the Store.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

import numpy as np
import soundfile as sf


def now() -> datetime:
    """The time now, in UTC (every time the store keeps is UTC)."""
    return datetime.now(UTC)


def new_id() -> str:
    """A new row id: a random UUID, so stores merge without clashes."""
    return str(uuid.uuid4())


def encode_flac(y: np.ndarray, sr: int) -> bytes:
    """Mono float audio as 16-bit FLAC bytes (lossless for what a microphone gives)."""
    buffer = io.BytesIO()
    sf.write(buffer, np.clip(np.asarray(y, dtype=np.float32), -1.0, 1.0), sr, format="FLAC", subtype="PCM_16")
    return buffer.getvalue()


def decode_flac(data: bytes) -> tuple[np.ndarray, int]:
    """FLAC bytes as mono float audio and its sample rate."""
    y, sr = sf.read(io.BytesIO(data), dtype="float32", always_2d=False)
    return y, int(sr)
