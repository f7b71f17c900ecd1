"""A simulated home room for the scorer's tests: the microphone, the room and the app's voice.

Two families of builders, both pure numpy/scipy over the bundled voice's sung targets
(:mod:`robust_attempts`):

- **the microphone and the house** (:func:`degraded`): DC offset, mains hum (50/60 Hz with
  harmonics), rumble below 80 Hz, white or pink noise at a given SNR, clipping, another sample
  rate, stereo with one dead channel — what a cheap USB microphone, a fan and a television
  next door do to a take;
- **the app's voice leaking into the microphone** (:func:`in_room`): the patient's attempt
  mixed with the target as the laptop's speaker plays it, some 0.15–0.35 s late (the audio
  round trip), 3–12 dB below the patient, through a small room's impulse response, with a
  little noise. The attempt can be correct, a monotone, upside down or stopped halfway.

Every builder is deterministic for its arguments (seeded), so a failing case can be rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import robust_attempts as R
from scipy.signal import butter, fftconvolve, sosfilt

from mitpractice.audio import click_train
from mitpractice.audiofile import resample
from mitpractice.melody import TargetMelody

#: A quiet room's hiss under everything the microphone hears (dB below the voice's level).
ROOM_HISS_DB = 45.0


def _power(y: np.ndarray) -> float:
    """Mean power of the sounding part of ``y`` (as the scoring tests measure an SNR)."""
    y = np.asarray(y, dtype=float)
    active = np.abs(y) > 0.05 * np.max(np.abs(y))
    return float(np.mean(y[active] ** 2)) if active.any() else float(np.mean(y**2))


def _scaled(noise: np.ndarray, like: np.ndarray, snr_db: float) -> np.ndarray:
    return noise * np.sqrt(_power(like) / 10 ** (snr_db / 10) / max(np.mean(noise**2), 1e-20))


def pink(n: int, seed: int = 0) -> np.ndarray:
    """Pink (1/f) noise: white noise shaped by 1/sqrt(f) in the frequency domain."""
    rng = np.random.default_rng(seed + 4000)
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spec), dtype=float)
    spec[1:] /= np.sqrt(f[1:])
    spec[0] = 0.0
    return np.fft.irfft(spec, n)


def hum(n: int, sr: int, mains_hz: float, seed: int = 0) -> np.ndarray:
    """Mains hum: the fundamental and six harmonics falling as 1/k."""
    t = np.arange(n) / sr
    return sum(np.sin(2 * np.pi * k * mains_hz * t + k + seed) / k for k in range(1, 8))


def rumble(n: int, sr: int, seed: int = 0) -> np.ndarray:
    """Low rumble (traffic, a fan's motor, handling): noise low-passed below 80 Hz."""
    rng = np.random.default_rng(seed + 5000)
    sos = butter(4, 80.0 / (sr / 2), "low", output="sos")
    return sosfilt(sos, rng.standard_normal(n))


@dataclass(frozen=True)
class Recording:
    """What the app would load: samples (``(n,)`` or ``(n, channels)``), rate, the target."""

    y: np.ndarray
    sr: int
    melody: TargetMelody
    missing: tuple[int, ...] = ()


#: The microphone and house conditions of :func:`degraded` (issue 19, point 4).
CONDITIONS = ("dc", "hum50", "hum60", "rumble", "white10", "pink10", "clipped", "sr8000",
              "sr44100", "sr48000", "stereo-dead")


def degraded(take: R.Take, condition: str, seed: int = 0) -> Recording:
    """``take`` as a cheap microphone in an ordinary home records it.

    ``dc``: a DC offset half the voice's peak; ``hum50``/``hum60``: mains hum (an earthing
    fault) 10 dB under the voice; ``rumble``: noise below 80 Hz as loud as the voice;
    ``white10``/``pink10``: noise 10 dB under the voice; ``clipped``: the voice driven 12 dB
    into clipping; ``srN``: the take at N Hz; ``stereo-dead``: two channels, the second dead
    (a faint hiss only).
    """
    y = take.y.astype(float)
    n, sr = len(y), take.sr
    peak = float(np.max(np.abs(y)))
    out: np.ndarray
    if condition == "dc":
        out = y + 0.5 * peak
    elif condition in ("hum50", "hum60"):
        out = y + _scaled(hum(n, sr, float(condition[3:]), seed), y, 10.0)
    elif condition == "rumble":
        out = y + _scaled(rumble(n, sr, seed), y, 0.0)
    elif condition == "white10":
        out = y + _scaled(np.random.default_rng(seed + 6000).standard_normal(n), y, 10.0)
    elif condition == "pink10":
        out = y + _scaled(pink(n, seed), y, 10.0)
    elif condition == "clipped":
        out = np.clip(y * (10 ** (12 / 20)), -peak, peak)
    elif condition.startswith("sr"):
        rate = int(condition[2:])
        return Recording(resample(y.astype(np.float32), sr, rate).astype(np.float32), rate, take.melody,
                         take.missing)
    elif condition == "stereo-dead":
        dead = _scaled(np.random.default_rng(seed + 7000).standard_normal(n), y, 60.0)
        return Recording(np.stack([y, dead], axis=1).astype(np.float32), sr, take.melody, take.missing)
    else:
        raise ValueError(f"unknown condition {condition!r}")
    out = out / max(1.0, float(np.max(np.abs(out))) / 0.99)
    return Recording(out.astype(np.float32), sr, take.melody, take.missing)


# --- the app's voice in the room -----------------------------------------------------------


def room_response(sr: int, rt60_s: float = 0.25, seed: int = 0) -> np.ndarray:
    """A small room's impulse response: the direct sound, then a decaying noise tail."""
    rng = np.random.default_rng(seed + 8000)
    n = int(rt60_s * sr)
    tail = rng.standard_normal(n) * 10 ** (-3 * np.arange(n) / n)
    gap = int(0.003 * sr)
    ir = np.r_[1.0, np.zeros(gap), 0.4 * tail / np.sqrt(np.sum(tail**2))]
    return ir / np.sqrt(np.sum(ir**2))


@dataclass(frozen=True)
class RoomTake:
    """A sing-along take in a room: what the microphone heard and what the app played.

    ``mic`` starts when the recording did; the app started playing ``played`` (the sung
    target, its notes ``melody.notes`` from ``played_start_s`` in it) at ``play_at_s`` of the
    recording, and the speaker's sound reached the microphone ``delay_s`` later (the round
    trip the click test measures), ``leak_db`` dB relative to the patient's voice.
    ``patient`` is what the patient alone sang (for measuring what a canceller leaves).
    """

    mic: np.ndarray
    sr: int
    played: np.ndarray
    play_at_s: float
    delay_s: float
    leak_db: float
    melody: TargetMelody
    patient: np.ndarray
    kind: str
    missing: tuple[int, ...] = ()
    #: The true path from a sample handed to the speaker to the microphone (delay, room,
    #: level and the input's scaling), for :func:`click_test`; empty with headphones.
    echo_path: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: The room's hiss as the microphone records it (RMS).
    hiss_rms: float = 0.0


#: How much slower and lower (a fraction) the patient sings than the voice they follow: 1 %,
#: 17 cents and 30 ms over a 3 s phrase.
PATIENT_DRIFT = 0.01
#: The kinds of attempt :func:`in_room` builds.
KINDS = ("correct", "monotone", "upside-down", "halfway", "silent")


def _attempt(kind: str, set_id: str, phrase_id: str, low: str) -> tuple[np.ndarray, int, TargetMelody,
                                                                       tuple[int, ...]]:
    """The patient's own singing of ``kind`` (the bundled voice, edited), in time with the target."""
    t, melody = R.target(set_id, phrase_id, low)
    y = t.audio.astype(float)
    n = len(melody.notes)
    if kind == "correct":
        return y, t.sr, melody, ()
    if kind == "silent":
        return np.zeros_like(y), t.sr, melody, tuple(range(n))
    if kind == "halfway":
        keep = max(1, n // 2)
        a, _ = R.bounds(t, keep, R.VOWEL_LEAD_S)
        out = np.zeros_like(y)
        out[:a] = R._faded(y[:a], t.sr)
        return out, t.sr, melody, tuple(range(keep, n))
    # Monotone / upside down: the same voice, each syllable shifted onto the wrong note.
    import librosa

    out = y.copy()
    for i, note in enumerate(melody.notes):
        if kind == "monotone":
            steps = -melody.interval if note.level == "H" else 0.0
        else:  # upside down
            steps = -melody.interval if note.level == "H" else melody.interval
        if not steps:
            continue
        a, b = R.bounds(t, i)
        out[a:b] = librosa.effects.pitch_shift(y[a:b].astype(np.float32), sr=t.sr, n_steps=steps)
    return out, t.sr, melody, ()


def in_room(kind: str, set_id: str, phrase_id: str, low: str, *, delay_s: float, leak_db: float,
            seed: int = 0, lead_s: float = 0.5, voice_later_s: float = 0.1) -> RoomTake:
    """A sing-along take of ``kind`` with the app's voice leaking into the microphone.

    The app starts playing the target ``lead_s`` into the recording; the patient, hearing it,
    sings ``voice_later_s`` behind it (people singing along trail the voice); the speaker's
    sound reaches the microphone ``delay_s`` after it was played, through a small room, at
    ``leak_db`` relative to the patient's singing (negative: quieter); a room hiss lies under
    it all. ``kind="silent"``: the patient does not sing (the voice alone must not score).
    """
    played, sr, melody, _ = _attempt("correct", set_id, phrase_id, low)
    patient, _, _, missing = _attempt(kind, set_id, phrase_id, low)
    # A person singing along is never a sample-exact copy of the voice: a few cents off and a
    # little slower (or the echo's waveform would match the patient's, which no room does).
    patient = resample(patient.astype(np.float32), sr, round(sr * (1 + PATIENT_DRIFT))).astype(float)
    rng = np.random.default_rng(seed)
    total = int((lead_s + delay_s + voice_later_s + 1.5) * sr) + len(played)
    mic = np.zeros(total)
    p0 = int((lead_s + voice_later_s) * sr)
    mic[p0 : p0 + len(patient)] += patient
    ref_level = _power(played)
    ir = room_response(sr, seed=seed)
    echo = fftconvolve(played, ir)[: len(played) + int(0.3 * sr)]
    gain = np.sqrt(ref_level * 10 ** (leak_db / 10) / max(_power(echo), 1e-20))
    echo *= gain
    e0 = int((lead_s + delay_s) * sr)
    mic[e0 : e0 + len(echo)] += echo[: total - e0]
    mic += rng.standard_normal(total) * np.sqrt(ref_level * 10 ** (-ROOM_HISS_DB / 10))
    scale = min(1.0, 0.99 / max(float(np.max(np.abs(mic))), 1e-9))  # the input never clips
    alone = np.zeros(total)
    alone[p0 : p0 + len(patient)] = patient
    return RoomTake(mic=(mic * scale).astype(np.float32), sr=sr, played=played.astype(np.float32),
                    play_at_s=lead_s, delay_s=delay_s, leak_db=leak_db, melody=melody,
                    patient=(alone * scale).astype(np.float32), kind=kind, missing=missing,
                    echo_path=np.r_[np.zeros(int(delay_s * sr)), scale * gain * ir],
                    hiss_rms=scale * float(np.sqrt(ref_level * 10 ** (-ROOM_HISS_DB / 10))))


def click_test(take: RoomTake, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The window's click test in ``take``'s room: (the clicks played, what the microphone heard).

    The same clicks as :func:`mitpractice.audio.click_train`, through the same speaker, room
    and input as the take's echo, over the same hiss; single talk (nobody sings). With
    headphones only the hiss comes back.
    """
    played = click_train(take.sr)
    n = len(played) + int(1.4 * take.sr)
    heard = np.zeros(n)
    if len(take.echo_path):
        echo = fftconvolve(played, take.echo_path)[:n]
        heard[: len(echo)] += echo
    rng = np.random.default_rng(seed + 9000)
    heard += rng.standard_normal(n) * take.hiss_rms
    return played, heard.astype(np.float32)


def with_headphones(take: RoomTake) -> RoomTake:
    """The same take with no leak: only the patient and the hiss reach the microphone."""
    rng = np.random.default_rng(1)
    hiss = rng.standard_normal(len(take.patient)) * np.sqrt(_power(take.patient) * 10 ** (-ROOM_HISS_DB / 10))
    return replace(take, mic=(take.patient + hiss).astype(np.float32), leak_db=-np.inf, echo_path=np.zeros(0))
