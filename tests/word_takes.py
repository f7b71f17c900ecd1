"""Spoken takes with known words, for the word check's tests and benchmark.

The speakers are espeak-ng's voices (a Debian package; the product speaks with piper, so the
check is not tested on its own voice): several voices and variants at several speeds, with a
room's noise under them. Each take says a phrase, another phrase with as many words, the
first half of the phrase, the phrase's words in reverse order, "la" once per syllable, or hums
the phrase's tune with the mouth closed; its truth is, per word of the phrase, whether the
word was said. Nothing here uses mitpractice's own code but the audio constants.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
from scipy.signal import butter, sosfilt

SR = 16000
KINDS = ("correct", "other", "half", "swapped", "la", "hum")


@dataclass(frozen=True)
class Voice:
    """An espeak-ng voice (``name``: language and variant, e.g. ``en-us+f3``) at ``wpm``."""

    name: str
    wpm: int

    def label(self) -> str:
        return f"{self.name}@{self.wpm}"


@dataclass(frozen=True)
class Take:
    """One take: what was said over which phrase, and per phrase word whether it was said."""

    phrase: str
    kind: str
    said_text: str
    voice: Voice
    snr_db: float | None
    audio: np.ndarray  # float32 at SR
    truth: tuple[bool, ...]


def have_espeak() -> bool:
    return shutil.which("espeak-ng") is not None


def speak(text: str, voice: Voice) -> np.ndarray:
    """espeak-ng saying ``text``, at SR, float32, with 0.3 s of quiet either side."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "take.wav"
        subprocess.run(["espeak-ng", "-v", voice.name, "-s", str(voice.wpm), "-w", str(out), text],
                       check=True, capture_output=True)
        y, sr = sf.read(out, dtype="float32")
    y = soxr.resample(y, sr, SR).astype(np.float32)
    y *= 0.5 / max(float(np.abs(y).max()), 1e-6)
    pad = np.zeros(int(0.3 * SR), np.float32)
    return np.concatenate([pad, y, pad])


def hum(n_notes: int, rng: np.random.Generator, low_hz: float = 130.0) -> np.ndarray:
    """The phrase's tune hummed with the mouth closed: a voiced murmur, one note per syllable
    alternating a minor third apart, each 0.45 s with a short gap, through the nasal tract's
    low-pass (a hum carries little above 500 Hz)."""
    parts = [np.zeros(int(0.3 * SR), np.float32)]
    for i in range(n_notes):
        f0 = low_hz * (2 ** (3 / 12) if i % 2 else 1.0) * (1 + 0.01 * rng.standard_normal())
        t = np.arange(int(0.45 * SR)) / SR
        phase = 2 * np.pi * f0 * t * (1 + 0.004 * np.sin(2 * np.pi * 5.5 * t))
        note = sum(np.sin(k * phase) / k**2 for k in range(1, 25))
        env = np.minimum(1, np.minimum(t / 0.04, (t[-1] - t) / 0.06))
        parts += [(note * env).astype(np.float32), np.zeros(int(0.08 * SR), np.float32)]
    y = np.concatenate([*parts, np.zeros(int(0.3 * SR), np.float32)])
    y = sosfilt(butter(4, 500, "low", fs=SR, output="sos"), y).astype(np.float32)
    return (y * 0.5 / np.abs(y).max()).astype(np.float32)


def room_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """A room's noise: pink-ish (1/f) hiss with a little mains hum."""
    white = rng.standard_normal(n)
    spectrum = np.fft.rfft(white)
    f = np.fft.rfftfreq(n, 1 / SR)
    spectrum /= np.sqrt(np.maximum(f, 20.0))
    pink = np.fft.irfft(spectrum, n)
    pink += 0.3 * np.std(pink) * np.sin(2 * np.pi * 50 * np.arange(n) / SR)
    return (pink / np.std(pink)).astype(np.float32)


def add_noise(y: np.ndarray, snr_db: float | None, rng: np.random.Generator) -> np.ndarray:
    """``y`` with room noise at ``snr_db`` below its speech's power (``None``: clean)."""
    if snr_db is None:
        return y
    loud = y[np.abs(y) > 0.01]
    power = float(np.mean(loud**2)) if loud.size else 1e-4
    return (y + room_noise(len(y), rng) * np.sqrt(power / 10 ** (snr_db / 10))).astype(np.float32)


def _words(text: str) -> list[str]:
    return [w.strip(",.?!").lower() for w in text.split()]


def takes(phrase: str, other: str, syllables: int, voice: Voice, snr_db: float | None,
          rng: np.random.Generator, kinds: tuple[str, ...] = KINDS) -> list[Take]:
    """The takes of one phrase by one voice: ``other`` is a phrase with as many words."""
    words = _words(phrase)
    half = max(1, len(words) // 2)
    said = {
        "correct": " ".join(words),
        "other": " ".join(_words(other)),
        "half": " ".join(words[:half]),
        "swapped": " ".join(reversed(words)),
        "la": " ".join(["la"] * syllables),
    }
    out = []
    for kind in kinds:
        if kind == "hum":
            audio, text = hum(syllables, rng), "(hum)"
        else:
            text = said[kind]
            audio = speak(text, voice)
        spoken = set(text.split()) if kind != "hum" else set()
        truth = tuple(w in spoken for w in words)
        out.append(Take(phrase=phrase, kind=kind, said_text=text, voice=voice, snr_db=snr_db,
                        audio=add_noise(audio, snr_db, rng), truth=truth))
    return out
