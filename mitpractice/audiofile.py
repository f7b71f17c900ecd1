"""Reading and writing audio files: one place that turns any file into float32 mono.

Recordings are patient data, so writing is atomic: the samples go to a temporary file in the
same folder, are flushed to disk, and only then renamed over the final name. A crash leaves
either the old file or the new one, never half of one.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile as sf
import soxr

from mitpractice.errors import AudioError, ParameterError
from mitpractice.files import atomic_write, reading
from mitpractice.levels import to_mono

#: Longest audio the app will load; a phrase attempt lasts seconds, a recording of a
#: session a few minutes.
MAX_SECONDS = 15 * 60

#: Highest sample rate read: what studio sound cards record (192 kHz). A higher rate is no
#: recording of a voice, and FLAC, which keeps every attempt, cannot store it.
MAX_SAMPLE_RATE = 192_000
#: Slowest sample rate the app will load (Hz): a telephone's. Below it a voice's harmonics are
#: gone, and the loudness filter (80 Hz high-pass) cannot even be built.
MIN_SAMPLE_RATE = 8_000

#: soxr's filter for every resampling; the live tracker's streaming resampler uses it too, so
#: that its samples equal the one-shot resampler's.
RESAMPLE_QUALITY = "HQ"

def load_audio(path: str | Path, sr: int | None = None, mono: bool = True) -> tuple[np.ndarray, int]:
    """Read an audio file (WAV, FLAC, OGG, MP3) as float32 samples.

    Parameters
    ----------
    path : str or Path
        The file to read.
    sr : int, optional
        Resample to this rate (high-quality soxr); ``None`` keeps the file's rate.
    mono : bool
        Average the channels into one.

    Returns
    -------
    y : np.ndarray
        Samples in [-1, 1], shape (n,) when mono, else (n, channels).
    sr : int
        Their sample rate.

    Raises
    ------
    AudioError
        If the file is missing, not a regular file, unreadable, not audio, empty, longer than
        15 minutes or sampled faster than :data:`MAX_SAMPLE_RATE`.
    """
    path = Path(path)
    with reading(path, AudioError, "an audio file"):
        if path.is_dir():
            raise IsADirectoryError  # as Linux says on opening it; Windows says permission denied
        with path.open("rb") as file:
            y, file_sr = _read_samples(file, path)
    if y.shape[0] == 0:
        raise AudioError(f"{path}: holds no audio samples")
    if mono:
        y = to_mono(y)
    if not np.all(np.isfinite(y)):
        raise AudioError(f"{path}: holds samples that are not numbers")
    if sr is not None and sr != file_sr:
        y = resample(y, file_sr, sr)
        file_sr = sr
    return np.ascontiguousarray(y, dtype=np.float32), int(file_sr)


def _read_samples(file: BinaryIO, path: Path) -> tuple[np.ndarray, int]:
    """Decode an opened file: samples (n, channels) and their rate; AudioError if it is not audio."""
    try:
        with sf.SoundFile(file) as sound:
            if sound.samplerate < MIN_SAMPLE_RATE:
                raise AudioError(f"{path}: sampled at {sound.samplerate} Hz; at least {MIN_SAMPLE_RATE} Hz "
                                 "(a telephone's rate)")
            if sound.samplerate > MAX_SAMPLE_RATE:
                raise AudioError(f"{path}: sampled at {sound.samplerate} Hz; at most {MAX_SAMPLE_RATE} Hz "
                                 "(resample it first)")
            if sound.frames > MAX_SECONDS * sound.samplerate:
                seconds = sound.frames / sound.samplerate
                raise AudioError(f"{path}: {seconds:.0f} s long; at most {MAX_SECONDS} s")
            return sound.read(dtype="float32", always_2d=True), sound.samplerate
    except sf.LibsndfileError as exc:
        raise AudioError(f"{path}: not a readable audio file ({exc.error_string.rstrip('.')})") from None
    except (RuntimeError, ValueError, TypeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise AudioError(f"{path}: not a readable audio file ({reason})") from None


def resample(y: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """Resample ``y`` (time on the first axis) from ``sr_in`` to ``sr_out`` Hz with soxr."""
    if sr_in <= 0 or sr_out <= 0:
        raise ParameterError(f"sample rates must be positive, not {sr_in} and {sr_out}")
    if sr_in == sr_out:
        return y
    return soxr.resample(y, sr_in, sr_out, quality=RESAMPLE_QUALITY).astype(np.float32, copy=False)


def write_audio(path: str | Path, y: np.ndarray, sr: int) -> Path:
    """Write ``y`` to ``path`` atomically; the format follows the suffix (.wav, .flac, .ogg).

    The file is created readable by its owner only, since recordings are health data.
    """
    path = Path(path)
    if path.suffix.lower() not in {".wav", ".flac", ".ogg"}:
        raise ParameterError(f"{path}: write .wav, .flac or .ogg, not {path.suffix or 'no suffix'}")
    # Encoded in memory first: libsndfile writing to a file that fails (a full disk) prints a
    # traceback from each of its callbacks before the error comes back.
    encoded = _encoded(y, sr, path.suffix)
    with atomic_write(path) as handle:
        handle.write(encoded.getbuffer())
    return path


def as_written(y: np.ndarray, sr: int, suffix: str = ".wav") -> np.ndarray:
    """``y`` as a file written by :func:`write_audio` would give it back (its 16-bit samples),
    with no file: what is kept and what is used at once are then the same samples.

    Examples
    --------
    >>> import numpy as np
    >>> as_written(np.array([0.1, -0.5], np.float32), 16_000)
    array([ 0.09997559, -0.5       ], dtype=float32)
    """
    encoded = _encoded(y, sr, suffix)
    encoded.seek(0)
    samples, _ = _read_samples(encoded, Path(f"samples{suffix}"))
    return np.ascontiguousarray(to_mono(samples), dtype=np.float32)


def _encoded(y: np.ndarray, sr: int, suffix: str) -> io.BytesIO:
    """``y`` encoded in memory in the format of ``suffix``."""
    encoded = io.BytesIO()
    sf.write(encoded, np.asarray(y, dtype=np.float32), sr, format=suffix[1:].upper())
    return encoded
