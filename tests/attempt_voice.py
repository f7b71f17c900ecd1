"""A voice-like generator of MIT attempts with known pitch and timing, for the scoring tests.

Independent of mitpractice's own code, so the tests do not check the scorer against itself.
The source is a train of glottal-like pulses (harmonics with a falling spectral tilt) with
jitter, shimmer, vibrato and a scoop into each note; it is shaped by vowel formants, preceded
by a consonant noise burst or a voiced consonant, and syllables are separated by pauses or
joined legato. Voices differ in register, formants, tilt, jitter, vibrato and breathiness.
Noise can be added at a given SNR, white or babble (several synthetic talkers at once).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
from scipy.signal import butter, lfilter, sosfilt

SR = 16000

#: Vowel formants (Hz) and bandwidths of an adult male voice; female voices scale them.
VOWELS = {
    "a": ((730, 1090, 2440), (90, 110, 160)),
    "e": ((530, 1840, 2480), (60, 100, 150)),
    "i": ((270, 2290, 3010), (60, 90, 150)),
    "o": ((570, 840, 2410), (70, 80, 160)),
    "u": ((300, 870, 2240), (60, 80, 150)),
}


@dataclass(frozen=True)
class Voice:
    """Timbre and habits of one singer."""

    name: str
    low_hz: float  # comfortable low pitch
    formant_scale: float = 1.0
    tilt: float = 1.6  # harmonic amplitudes fall as k ** -tilt
    jitter: float = 0.006  # relative f0 perturbation
    shimmer: float = 0.08  # relative amplitude perturbation
    vibrato_hz: float = 5.5
    vibrato_st: float = 0.25  # vibrato extent, semitones either side
    scoop_st: float = 1.2  # semitones below the note where each syllable starts
    breath: float = 0.02  # aspiration noise relative to voice


VOICES = (
    Voice("man", 110.0),
    Voice("woman", 220.0, formant_scale=1.17, tilt=1.4, jitter=0.005, vibrato_hz=5.9, vibrato_st=0.3),
    Voice("older man", 98.0, tilt=1.9, jitter=0.012, shimmer=0.14, vibrato_st=0.1, scoop_st=2.0, breath=0.05),
    Voice("older woman", 185.0, formant_scale=1.12, tilt=1.7, jitter=0.01, shimmer=0.12,
          vibrato_hz=4.8, vibrato_st=0.4, breath=0.04),
)


@dataclass(frozen=True)
class Syllable:
    """One sung (or spoken) syllable of an attempt.

    ``semitones`` is its pitch above the voice's low pitch; ``onset_s`` when the syllable
    starts (its consonant, then the vowel); ``glide_st`` how far the pitch slides over the
    syllable (speech glides several semitones, singing holds the note).
    """

    semitones: float
    onset_s: float
    duration_s: float
    vowel: str = "a"
    consonant: str = "t"  # "t", "s", "k": noise; "m", "n", "l": voiced; "": none
    glide_st: float = 0.0
    gain_db: float = 0.0


@dataclass(frozen=True)
class Attempt:
    """Samples of a generated attempt and the truth about it."""

    y: np.ndarray
    sr: int
    syllables: tuple[Syllable, ...]
    voice: Voice
    times: np.ndarray  # 10 ms frames
    f0_hz: np.ndarray  # the true f0 per frame
    voiced: np.ndarray  # the true voicing per frame


def _smooth_noise(rng: np.random.Generator, n: int, cutoff_hz: float, sr: int) -> np.ndarray:
    sos = butter(2, cutoff_hz / (sr / 2), output="sos")
    x = sosfilt(sos, rng.standard_normal(n))
    return x / (np.std(x) + 1e-12)


def _resonators(x: np.ndarray, formants: tuple, bandwidths: tuple, sr: int) -> np.ndarray:
    for f, bw in zip(formants, bandwidths, strict=True):
        r = np.exp(-np.pi * bw / sr)
        theta = 2 * np.pi * f / sr
        a = [1.0, -2 * r * np.cos(theta), r * r]
        x = lfilter([1.0 - r], a, x)
    return x


def _envelope(n: int, attack: int, release: int) -> np.ndarray:
    env = np.ones(n)
    attack, release = min(attack, n // 2), min(release, n // 2)
    if attack:
        env[:attack] = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, attack))
    if release:
        env[n - release :] = 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, release))
    return env


def sing(
    syllables: list[Syllable] | tuple[Syllable, ...],
    voice: Voice,
    *,
    legato: bool = False,
    lead_s: float = 0.6,
    tail_s: float = 0.6,
    sr: int = SR,
    seed: int = 0,
    max_harmonics: int = 80,
) -> Attempt:
    """Synthesise an attempt; times in ``syllables`` are from the start of singing.

    Each syllable's consonant takes its first 40–70 ms; the voice sounds from there to 90 %
    of the syllable (100 % when legato, where a voiced consonant dips the loudness instead
    of a pause).
    """
    rng = np.random.default_rng(seed)
    syllables = tuple(replace(s, onset_s=s.onset_s + lead_s) for s in syllables)
    end = max(s.onset_s + s.duration_s for s in syllables) if syllables else lead_s
    n = int((end + tail_s) * sr)
    t = np.arange(n) / sr
    f0 = np.zeros(n)
    amp = np.zeros(n)
    sections = []
    for k, s in enumerate(syllables):
        cons = 0.0 if legato and k > 0 else {"": 0.0, "m": 0.06, "n": 0.05, "l": 0.05}.get(s.consonant, 0.06)
        v0 = s.onset_s + cons
        v1 = s.onset_s + s.duration_s * (1.0 if legato and k < len(syllables) - 1 else 0.9)
        a, b = int(v0 * sr), int(v1 * sr)
        if b - a < 10:
            continue
        local = t[a:b] - v0
        note = voice.low_hz * 2 ** (s.semitones / 12)
        st = -voice.scoop_st * np.exp(-local / 0.05)  # scoop into the note
        st += s.glide_st * (local / max(local[-1], 1e-3) - 0.5)
        vib_on = np.clip((local - 0.25) / 0.2, 0, 1)
        st += voice.vibrato_st * vib_on * np.sin(2 * np.pi * voice.vibrato_hz * local + rng.uniform(0, 6.28))
        f0[a:b] = note * 2 ** (st / 12)
        amp[a:b] = 10 ** (s.gain_db / 20) * _envelope(b - a, int(0.03 * sr), int(0.05 * sr))
        sections.append((a, b, s))
    if legato:  # glide between notes through a voiced consonant (m, n, l) about 15 dB softer
        for (a0, b0, _), (a1, _, _s1) in itertools.pairwise(sections):
            lo = max(a0, b0 - int(0.03 * sr))
            hi = min(len(f0), a1 + int(0.05 * sr))
            if f0[lo] > 0 and f0[hi - 1] > 0:
                f0[lo:hi] = np.exp(np.linspace(np.log(f0[lo]), np.log(f0[hi - 1]), hi - lo))
            c0, c1 = a1 - int(0.01 * sr), a1 + int(0.06 * sr)
            ramp = int(0.015 * sr)
            dip = np.full(c1 - c0 + 2 * ramp, 0.18)
            dip[:ramp] = np.linspace(1, 0.18, ramp)
            dip[-ramp:] = np.linspace(0.18, 1, ramp)
            amp[c0 - ramp : c1 + ramp] *= dip[: len(amp[c0 - ramp : c1 + ramp])]
    voiced = f0 > 0
    f0_filled = np.where(voiced, f0, voice.low_hz)
    f0_filled *= 1 + voice.jitter * _smooth_noise(rng, n, 300.0, sr)
    phase = 2 * np.pi * np.cumsum(f0_filled) / sr
    source = np.zeros(n)
    for h in range(1, max_harmonics + 1):
        audible = h * f0_filled < 0.45 * sr
        if not audible.any():
            break
        source += audible * np.sin(h * phase) / h**voice.tilt
    shimmer = 1 + voice.shimmer * _smooth_noise(rng, n, 200.0, sr)
    breath = voice.breath * rng.standard_normal(n) * np.sqrt(np.mean(source**2) / 1.0)
    excitation = (source * shimmer + breath) * amp
    y = np.zeros(n)
    fs = voice.formant_scale
    for a, b, s in sections:  # each syllable through its vowel's formants, with 20 ms overlap
        lo, hi = max(0, a - int(0.02 * sr)), min(n, b + int(0.02 * sr))
        freqs, bws = VOWELS[s.vowel]
        shaped = _resonators(excitation[lo:hi], tuple(f * fs for f in freqs), bws, sr)
        # every vowel about as loud as the others (real vowels differ by a few dB, which gain_db adds)
        core = np.abs(excitation[lo:hi]) > 0
        shaped *= np.sqrt(np.mean(excitation[lo:hi][core] ** 2) / (np.mean(shaped[core] ** 2) + 1e-20))
        y[lo:hi] += shaped
    level = np.sqrt(np.mean(y[voiced] ** 2)) if voiced.any() else 1.0
    for s in syllables:  # consonant noise bursts (unvoiced consonants)
        if s.consonant in ("t", "s", "k"):
            length = {"t": 0.03, "k": 0.04, "s": 0.07}[s.consonant]
            a = int(s.onset_s * sr)
            m = int(length * sr)
            band = {"t": (2500, 6000), "k": (1500, 3500), "s": (4000, 7500)}[s.consonant]
            sos = butter(4, [band[0] / (sr / 2), min(band[1], 0.49 * sr) / (sr / 2)], "band", output="sos")
            burst = sosfilt(sos, rng.standard_normal(m)) * _envelope(m, m // 4, m // 2)
            y[a : a + m] += 0.5 * level * burst / (np.std(burst) + 1e-12)
    y = 0.3 * y / (np.max(np.abs(y)) + 1e-12)
    frames = np.arange(0, n / sr, 0.01)
    idx = np.minimum((frames * sr).astype(int), n - 1)
    return Attempt(y.astype(np.float32), sr, syllables, voice, frames, f0[idx], voiced[idx])


def attempt_syllables(
    levels: str,
    beats: tuple[float, ...] | list[float],
    *,
    interval: float = 3.0,
    beat_s: float = 1.0,
    key_st: float = 0.0,
    tempo_scale: float = 1.0,
    stretch: dict[int, float] | None = None,
    drop: tuple[int, ...] = (),
    pitches: list[float] | None = None,
    speech: bool = False,
    seed: int = 0,
) -> list[Syllable]:
    """The syllables of an attempt at a two-level target.

    Parameters
    ----------
    levels, beats : the target's H/L pattern and beats per syllable.
    interval : sung step from low to high, semitones (the target's, or shrunk, or negative).
    beat_s : target seconds per beat; ``tempo_scale`` stretches the whole attempt.
    key_st : transposition of the whole attempt, semitones.
    stretch : syllable index -> factor by which it lasts longer (the rest move later).
    drop : indices of syllables not sung (their time stays, silent).
    pitches : explicit semitones per syllable instead of ``levels`` and ``interval``.
    speech : spoken, not sung: short syllables at speech rate's length gliding down, with
        the stressed ones starting higher, falling through the phrase (declination).
    """
    rng = np.random.default_rng(seed)
    stretch = stretch or {}
    out = []
    onset = 0.0
    vowels, consonants = "aeiou", ("t", "s", "k", "m", "n", "l")
    n = len(levels)
    for i, (lv, b) in enumerate(zip(levels, beats, strict=True)):
        dur = b * beat_s * tempo_scale * stretch.get(i, 1.0)
        if i not in drop:
            st = pitches[i] if pitches is not None else (interval if lv == "H" else 0.0)
            glide, length = 0.0, dur
            if speech:
                st = 2.0 - 4.0 * i / max(n - 1, 1) + (2.5 if lv == "H" else 0.0)
                glide, length = -rng.uniform(3.0, 5.0), min(dur, rng.uniform(0.22, 0.32))
            out.append(
                Syllable(
                    st + key_st, onset, length, vowel=vowels[rng.integers(5)],
                    consonant=consonants[rng.integers(len(consonants))], glide_st=glide,
                    gain_db=rng.uniform(-3, 3),
                )
            )
        onset += dur
    return out


def add_noise(y: np.ndarray, snr_db: float, kind: str = "white", seed: int = 0) -> np.ndarray:
    """``y`` plus white or babble noise at ``snr_db`` relative to the sounding part of ``y``."""
    rng = np.random.default_rng(seed + 1000)
    active = np.abs(y) > 0.01 * np.max(np.abs(y))
    power = np.mean(y[active] ** 2) if active.any() else np.mean(y**2)
    noise = rng.standard_normal(len(y)) if kind == "white" else babble(len(y) / SR, seed=seed)[: len(y)]
    noise = np.pad(noise, (0, len(y) - len(noise)))
    noise *= np.sqrt(power / 10 ** (snr_db / 10) / np.mean(noise**2))
    return (y + noise).astype(np.float32)


def babble(seconds: float, talkers: int = 6, seed: int = 0) -> np.ndarray:
    """Several synthetic talkers speaking at once: speech-shaped noise with many pitches."""
    rng = np.random.default_rng(seed + 2000)
    total = np.zeros(int(seconds * SR) + SR)
    for k in range(talkers):
        voice = replace(VOICES[k % len(VOICES)], low_hz=float(rng.uniform(90, 240)))
        syl, onset = [], 0.0
        while onset < seconds:
            d = float(rng.uniform(0.15, 0.3))
            syl.append(Syllable(float(rng.uniform(-2, 5)), onset, d, vowel="aeiou"[rng.integers(5)],
                                consonant="tskmnl"[rng.integers(6)], glide_st=float(rng.uniform(-5, 3))))
            onset += d + float(rng.uniform(0.0, 0.1))
        part = sing(syl, voice, lead_s=0.0, tail_s=0.0, seed=seed * 31 + k, max_harmonics=30).y
        part = part / (np.std(part) + 1e-12)
        total[: len(part)] += part[: len(total)]
    return total[: int(seconds * SR)]


def cough(seed: int = 0, sr: int = SR) -> np.ndarray:
    """A cough: a burst of broadband noise, loud at first and dying away over 0.3 s."""
    rng = np.random.default_rng(seed + 3000)
    n = int(0.3 * sr)
    sos = butter(2, [300 / (sr / 2), 5000 / (sr / 2)], "band", output="sos")
    burst = sosfilt(sos, rng.standard_normal(n)) * np.exp(-np.arange(n) / (0.08 * sr))
    return (0.3 * burst / np.max(np.abs(burst))).astype(np.float32)


def shifted(syllables: list[Syllable], seconds: float) -> list[Syllable]:
    """The same syllables ``seconds`` later (to build a restart: a false start, then the phrase)."""
    return [replace(s, onset_s=s.onset_s + seconds) for s in syllables]


def sung_twice(syllables: list[Syllable], index: int, stop_s: float) -> list[Syllable]:
    """Syllable ``index`` sung again ``stop_s`` after the next one was due, the rest moved
    later by the time the copy took (as a patient says a syllable again)."""
    due = syllables[index + 1].onset_s
    return [*syllables[: index + 1], replace(syllables[index], onset_s=due + stop_s),
            *shifted(syllables[index + 1 :], due - syllables[index].onset_s + stop_s)]
