"""Singing a phrase: spoken syllables re-timed and re-pitched onto the target notes with WORLD.

How it works (``docs/synth.md`` has the long version):

1. The voice says the phrase (:mod:`mitpractice.synth.speech`) and every syllable's phonemes are
   located in time (:mod:`mitpractice.synth.syllables`).
2. WORLD analyses the speech into f0, spectral envelope and aperiodicity every 5 ms.
3. A time map lays each syllable onto its note: the vowel starts on the beat and its steady
   middle is stretched to fill the note; onset consonants keep their natural length and lead
   into the beat; coda consonants close the note. Only consonants of very short notes are
   squeezed.
4. A new f0 is drawn: the note's pitch with a short glide into it and a light vibrato.
5. For a high (female or child) register the spectral envelope is stretched along frequency
   too, so formants move up with the pitch and the voice does not sound like a chipmunk.
6. WORLD resynthesises; loudness is normalised, and optional taps and fading are added.

Audio time ``start_s + t`` is melody time ``t``: the audio opens with :data:`LEAD_IN_S` of
room for the first syllable's consonants.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pyworld as pw

from mitpractice.errors import ParameterError
from mitpractice.melody import TargetMelody
from mitpractice.phrases import Phrase
from mitpractice.synth.speech import Speech, speak_phonemes
from mitpractice.synth.syllables import STRESS, SyllablePhonemes, hum_syllables, phrase_syllables

#: Bumped whenever a change alters the sound, so cached targets are made again.
SYNTH_VERSION = "6"
#: Silence before melody time 0, room for the first syllable's onset consonants.
LEAD_IN_S = 0.25
#: Silence after the last note.
TAIL_S = 0.25
FRAME_MS = 5.0
#: Vibrato: rate in Hz, depth in cents (peak), and when it starts in a note.
VIBRATO_HZ, VIBRATO_CENTS, VIBRATO_DELAY_S = 5.5, 18.0, 0.3
#: Glide into each note, cents below it at the start of a phrase or after a rest.
SCOOP_CENTS = 80.0
#: RMS level of the sung notes after normalisation (dBFS) and the peak ceiling.
LEVEL_DBFS, PEAK = -18.0, 0.9
#: Peak of a tap: clearly heard, softer than the voice.
TAP_PEAK = 0.3
#: Registers: at or below LOW_MALE_HZ the voice's own formants; from there up to
#: LOW_FEMALE_HZ the formants move up gradually to FORMANT_SHIFT_MAX (the ratio between
#: typical female and male formants), and no further.
LOW_MALE_HZ, LOW_FEMALE_HZ, FORMANT_SHIFT_MAX = 140.0, 220.0, 1.18
#: A held note's fundamental is kept at most this far (dB) below its strongest low formant.
H1_BELOW_PEAK_DB = 6.0
#: The held moment of a vowel is looked for from this long (s) before the voice's vowel start.
HOLD_SEARCH_EARLY_S = 0.06
#: The largest gain (amplitude) that evens out a weak syllable.
MAX_SYLLABLE_GAIN = 16.0


@dataclass(frozen=True)
class SingOptions:
    """How the target is sung.

    Attributes
    ----------
    hum : bool
        Hum the melody on "m" with no words (the first step of MIT).
    taps : bool
        A soft tap on each syllable's beat, the rhythmic cue of left-hand tapping.
    fade : bool
        The voice fades out over the phrase ("unison with fading"); taps do not fade.
    """

    hum: bool = False
    taps: bool = False
    fade: bool = False


@dataclass(frozen=True)
class SungTarget:
    """A sung target phrase ready to play.

    Attributes
    ----------
    audio : np.ndarray
        float32 mono samples.
    sr : int
        Sample rate.
    melody : TargetMelody
        The notes sung, with onsets in melody time.
    start_s : float
        Where melody time 0 lies in ``audio``: a note's vowel starts at
        ``start_s + note.onset_s``.
    source : str
        ``"synth"`` for the synthesised voice, ``"recording"`` for a therapist's model.
    """

    audio: np.ndarray
    sr: int
    melody: TargetMelody
    start_s: float
    source: str = "synth"

    @property
    def duration_s(self) -> float:
        return len(self.audio) / self.sr


@dataclass(frozen=True)
class _Layout:
    """Where one syllable's parts go, in output seconds (audio time)."""

    lead_start: float  # onset consonants start
    vowel_start: float  # on the beat
    coda_start: float
    end: float  # next syllable's consonants start


def formant_shift(low_hz: float) -> float:
    """Factor the spectral envelope is stretched by for a register whose low note is ``low_hz``.

    1 for a male register, rising smoothly to :data:`FORMANT_SHIFT_MAX` for a female one, so
    there is no sudden change of voice between neighbouring registers.

    Examples
    --------
    >>> formant_shift(130.8), formant_shift(220.0)
    (1.0, 1.18)
    """
    return round(1.0 + (FORMANT_SHIFT_MAX - 1.0) * _female(low_hz), 4)


def _female(low_hz: float) -> float:
    """0 for a male register, 1 for a female one, a smooth step between."""
    x = min(max((low_hz - LOW_MALE_HZ) / (LOW_FEMALE_HZ - LOW_MALE_HZ), 0.0), 1.0)
    return 3 * x**2 - 2 * x**3


def sing(phrase: Phrase, melody: TargetMelody, options: SingOptions | None = None) -> SungTarget:
    """Sing ``phrase`` on the notes of ``melody`` with the bundled voice.

    Parameters
    ----------
    phrase : Phrase
        The words and syllables.
    melody : TargetMelody
        Its notes for the patient's register, interval and tempo (from
        :func:`mitpractice.melody.target_melody`).
    options : SingOptions, optional
        Humming, taps, fading; none by default.

    Returns
    -------
    SungTarget
        Audio at the voice's rate (22050 Hz) whose vowels start on the melody's onsets.

    Raises
    ------
    ParameterError
        If the melody does not have one note per syllable of the phrase.
    """
    if len(melody.notes) != len(phrase.syllables) or not melody.notes:
        raise ParameterError(
            f"phrase {phrase.id!r} has {len(phrase.syllables)} syllables but the melody has "
            f"{len(melody.notes)} notes"
        )
    options = options or SingOptions()
    n = len(melody.notes)
    syllables = hum_syllables(n) if options.hum else phrase_syllables(phrase.text, phrase.syllables)
    speech, frozen_spans, (f0, sp, ap, energy) = spoken(tuple(syllables))
    spans = [dict(span) for span in frozen_spans]
    sr = speech.sr
    period = FRAME_MS / 1000.0
    _anchor_holds(spans, energy, period)

    layouts = _layout(melody, spans)
    total_s = LEAD_IN_S + melody.duration_s + TAIL_S
    times = np.arange(math.ceil(total_s / period) + 1) * period
    src_times, held = _time_map(times, layouts, spans, len(speech.audio) / sr)
    src_idx = np.clip(src_times / period, 0, len(f0) - 1)
    lo = np.floor(src_idx).astype(int)
    hi = np.minimum(lo + 1, len(f0) - 1)
    frac = (src_idx - lo)[:, None]
    out_sp = sp[lo] * (1 - frac) + sp[hi] * frac
    out_ap = ap[lo] * (1 - frac) + ap[hi] * frac
    voiced = (f0[np.rint(src_idx).astype(int)] > 0) | held
    out_ap[held] = np.minimum(out_ap[held], _sung_aperiodicity(out_ap.shape[1], sr))
    out_sp *= _syllable_gains(times, layouts, out_sp.sum(axis=1), held)[:, None] ** 2

    shift = formant_shift(melody.low_hz)
    if shift != 1.0:
        out_sp = _warp_envelope(out_sp, shift)
    out_f0 = np.where(voiced, _f0_contour(times, melody, layouts), 0.0)
    out_sp = _fundamental_floor(out_sp, out_f0, held, sr)
    y = pw.synthesize(out_f0, np.ascontiguousarray(out_sp), np.ascontiguousarray(out_ap), sr, FRAME_MS)

    n_samples = round(total_s * sr)
    y = np.pad(y, (0, max(0, n_samples - len(y))))[:n_samples]
    sample_t = np.arange(n_samples) / sr
    y = y * _envelope(sample_t, layouts, syllables)
    y = _normalise(y, sample_t, layouts)
    return apply_options(SungTarget(y.astype(np.float32), sr, melody, LEAD_IN_S, "synth"), options)


def apply_options(target: SungTarget, options: SingOptions) -> SungTarget:
    """Add the fading and the taps of ``options`` to a sung target (synthesised or recorded).

    Humming cannot be added afterwards; it is a way of synthesising.
    """
    y = target.audio.astype(np.float64)
    t = np.arange(len(y)) / target.sr
    if options.fade:
        y = y * fade_gain(t, target.melody, target.start_s)
    if options.taps:
        y = y + taps(len(y), target.sr, target.melody, target.start_s)
    y = np.clip(y, -PEAK, PEAK).astype(np.float32)
    return SungTarget(y, target.sr, target.melody, target.start_s, target.source)


@functools.lru_cache(maxsize=8)
def spoken(
    syllables: tuple[SyllablePhonemes, ...],
) -> tuple[Speech, tuple[dict[str, float], ...], tuple[np.ndarray, ...]]:
    """The syllables spoken and analysed by WORLD, kept for the last few phrases.

    This is most of the work of singing, and it does not depend on the register, interval,
    tempo or options: a phrase sung again in another key, or with taps, reuses it. The
    arrays are read-only.
    """
    speech, spans = _speak(list(syllables))
    analysis = _analyse(speech, spans)
    for array in analysis:
        array.flags.writeable = False
    return speech, tuple(spans), analysis


def _speak(syllables: list[SyllablePhonemes]) -> tuple[Speech, list[dict[str, float]]]:
    """Say all syllables at once; return the speech and each syllable's part boundaries (s).

    A final full stop makes the voice end the last syllable as a statement does, so that
    syllable's vowel is not swallowed by the end of the utterance.
    """
    phonemes: list[str] = []
    index: list[tuple[int, int, int, int, int]] = []
    for k, syl in enumerate(syllables):
        if k and syl.word_start:
            phonemes.append(" ")
        a = len(phonemes)
        b = a + len(syl.onset)
        # The vowel to hold: the nucleus's first vowel, with its stress and length marks.
        v = next((i for i, p in enumerate(syl.nucleus) if p not in STRESS), 0) + 1
        v += 1 if syl.nucleus[v : v + 1] == ("ː",) else 0
        c = b + len(syl.nucleus)
        phonemes.extend(syl.phonemes)
        index.append((a, b, min(b + v, c), c, c + len(syl.coda)))
    speech = speak_phonemes([*phonemes, "."])
    if len(speech.phonemes) != len(phonemes) + 1:
        raise ParameterError(f"the voice cannot say {''.join(phonemes)!r}")
    bounds = speech.bounds / speech.sr
    spans = [
        {"onset": bounds[a], "nucleus": bounds[b], "vowel_end": bounds[v], "coda": bounds[c],
         "end": bounds[d]}
        for a, b, v, c, d in index
    ]
    # The voice starts a first consonant a little before its own timing says (in the
    # silence piper puts before a sentence).
    if syllables[0].onset:
        spans[0]["onset"] = max(0.0, spans[0]["onset"] - 0.02)
    return speech, spans


def _analyse(speech: Speech, spans: list[dict[str, float]]) -> tuple[np.ndarray, ...]:
    """WORLD analysis of the speech: f0, spectral envelope, aperiodicity, frame energy.

    The voice is a low male one (about 65–160 Hz), so dio searches only there, which keeps it
    from octave errors. Vowel frames dio left unvoiced get an f0 interpolated from their
    neighbours, so their envelope and aperiodicity are measured as voiced: they will be held.
    """
    x = speech.audio.astype(np.float64)
    sr = speech.sr
    f0, t = pw.dio(x, sr, frame_period=FRAME_MS, f0_floor=55.0, f0_ceil=165.0)
    f0 = pw.stonemask(x, f0, t, sr)
    vowel = np.zeros(len(f0), dtype=bool)
    for span in spans:
        vowel |= (t >= span["nucleus"]) & (t < span["coda"])
    voiced = f0 > 0
    fill = vowel & ~voiced
    if fill.any():
        f0 = f0.copy()
        f0[fill] = np.interp(t[fill], t[voiced], f0[voiced]) if voiced.any() else 100.0
    sp = pw.cheaptrick(x, f0, t, sr)
    ap = pw.d4c(x, f0, t, sr)
    return f0, sp, ap, sp.sum(axis=1)


def _layout(melody: TargetMelody, spans: list[dict[str, float]]) -> list[_Layout]:
    """Place each syllable's consonants around its beat, squeezing them only for short notes.

    Onset consonants lead into the beat, taking at most 30 % of the note before; a coda
    closes its note, taking at most 25 % of it, except the phrase's last one, which follows
    the last note's full length (as a singer releases the final consonant).
    """
    notes = melody.notes
    leads = []
    for i, span in enumerate(spans):
        room = LEAD_IN_S * 0.8 if i == 0 else 0.3 * notes[i - 1].duration_s
        leads.append(min(span["nucleus"] - span["onset"], room))
    layouts = []
    for i, (note, span) in enumerate(zip(notes, spans, strict=True)):
        vowel_start = LEAD_IN_S + note.onset_s
        coda = span["end"] - span["coda"]
        if i + 1 < len(notes):
            end = LEAD_IN_S + note.offset_s - leads[i + 1]
            coda_start = end - min(coda, 0.25 * note.duration_s)
        else:
            coda_start = LEAD_IN_S + note.offset_s
            end = coda_start + min(coda, 0.8 * TAIL_S)
        layouts.append(_Layout(vowel_start - leads[i], vowel_start, coda_start, end))
    return layouts


def _sung_aperiodicity(bins: int, sr: int) -> np.ndarray:
    """Most aperiodicity a held vowel may have per frequency bin.

    Spoken vowels are often breathy or creaky, at phrase ends above all; held as they are,
    they become a hiss with no clear pitch. A sung vowel is periodic in its low harmonics and
    breathy only at the top, so its noise is capped: -30 dB below 1 kHz, rising to -6 dB at 8 kHz.
    """
    freqs = np.linspace(0.0, sr / 2.0, bins)
    return 10.0 ** (np.interp(freqs, [0.0, 1000.0, 4000.0, 8000.0], [-30.0, -30.0, -15.0, -6.0]) / 20.0)


def _anchor_holds(spans: list[dict[str, float]], energy: np.ndarray, period: float) -> None:
    """Mark in each span the loudest 20 ms of its vowel, the part that is held on the note.

    The voice's phoneme timing is approximate (a stress mark carries part of the vowel, and
    a phrase's last vowel is often placed late, where the voice already fades), so the
    clearest moment is found from the energy, within the vowel's span or just before it.
    """
    for span in spans:
        end = span["vowel_end"] if span["vowel_end"] - span["nucleus"] >= 0.02 else span["coda"]
        i0 = int(max(span["onset"], span["nucleus"] - HOLD_SEARCH_EARLY_S) / period)
        i1 = max(i0 + 1, min(math.ceil(end / period), len(energy)))
        peak = (i0 + int(np.argmax(energy[i0:i1]))) * period
        span["hold"] = max(span["nucleus"], peak - 0.01)
        span["hold_end"] = min(max(span["coda"], span["hold"]), peak + 0.01)


def _time_map(
    times: np.ndarray, layouts: list[_Layout], spans: list[dict[str, float]], src_end: float
) -> tuple[np.ndarray, np.ndarray]:
    """Source time for every output frame, and which frames hold a vowel.

    Piecewise linear: consonants and the vowel's attack and release at (near) natural speed,
    the vowel's loudest 20 ms stretched over the rest of the note.
    """
    out: list[float] = [0.0]
    src: list[float] = [0.0]
    held = np.zeros(len(times), dtype=bool)
    eps = 1e-6

    def knot(t_out: float, t_src: float) -> None:
        out.append(max(t_out, out[-1] + eps))
        src.append(t_src)

    for lay, span in zip(layouts, spans, strict=True):
        knot(lay.lead_start, span["onset"])
        knot(lay.vowel_start, span["nucleus"])
        room = lay.coda_start - lay.vowel_start
        pre = span["hold"] - span["nucleus"]
        post = span["coda"] - span["hold_end"]
        squeeze = min(1.0, 0.5 * room / max(pre + post, 1e-9))
        knot(lay.vowel_start + pre * squeeze, span["hold"])
        knot(lay.coda_start - post * squeeze, span["hold_end"])
        knot(lay.coda_start, span["coda"])
        knot(lay.end, span["end"])
        held |= (times >= lay.vowel_start) & (times < lay.coda_start)
    knot(times[-1] + 1.0, src_end)
    return np.interp(times, out, src), held


def _syllable_gains(
    times: np.ndarray, layouts: list[_Layout], energy: np.ndarray, held: np.ndarray
) -> np.ndarray:
    """Gain per frame that brings every syllable's held vowel to the same loudness.

    Speech falls in loudness towards its end and unstressed vowels are weak; sung syllables
    are even; the voice says a phrase's last syllable 10–25 dB weaker than its loudest one,
    which a sung model must not swallow. Gains are limited to +24 dB (the envelope is
    re-synthesised, so no noise is raised with it) and change smoothly between syllables.
    """
    gains = np.ones(len(times))
    levels = []
    for lay in layouts:
        mask = held & (times >= lay.vowel_start) & (times < lay.coda_start)
        levels.append(float(np.mean(energy[mask])) if mask.any() else 0.0)
    ref = max(levels)
    if ref <= 0:
        return gains
    for i, (lay, level) in enumerate(zip(layouts, levels, strict=True)):
        gain = np.clip(np.sqrt(ref / level), 1.0, MAX_SYLLABLE_GAIN) if level > 0 else 1.0
        end = layouts[i + 1].lead_start if i + 1 < len(layouts) else times[-1] + 1.0
        gains[(times >= (lay.lead_start if i else 0.0)) & (times < end)] = gain
    kernel = np.hanning(9)
    return np.convolve(np.pad(gains, 4, mode="edge"), kernel / kernel.sum(), mode="valid")


def _f0_contour(times: np.ndarray, melody: TargetMelody, layouts: list[_Layout]) -> np.ndarray:
    """The sung f0 (Hz) at every frame: notes, glides into them, and a light vibrato."""
    cents = np.zeros(len(times))
    ref = melody.low_hz
    first = layouts[0].lead_start
    note_cents = [1200.0 * math.log2(note.pitch_hz / ref) for note in melody.notes]
    cents[:] = note_cents[0] - SCOOP_CENTS
    for i, (lay, c) in enumerate(zip(layouts, note_cents, strict=True)):
        prev = note_cents[i - 1] if i else c - SCOOP_CENTS
        # Glide from the previous note, arriving just after the beat.
        g0 = min(lay.lead_start, lay.vowel_start - 0.04) if i else first
        g1 = lay.vowel_start + 0.04
        ramp = np.clip((times - g0) / (g1 - g0), 0.0, 1.0)
        shape = 0.5 - 0.5 * np.cos(np.pi * ramp)
        mask = times >= g0
        cents[mask] = prev + (c - prev) * shape[mask]
        # Vibrato, fading in after the note is established, out before the next one.
        age = times - lay.vowel_start - VIBRATO_DELAY_S
        depth = np.clip(age / 0.3, 0.0, 1.0) * np.clip((lay.coda_start - times) / 0.15, 0.0, 1.0)
        depth *= (times >= lay.vowel_start) & (times < lay.coda_start)
        cents += VIBRATO_CENTS * depth * np.sin(2 * np.pi * VIBRATO_HZ * np.maximum(age, 0.0))
    return ref * 2.0 ** (cents / 1200.0)


def _fundamental_floor(sp: np.ndarray, f0: np.ndarray, held: np.ndarray, sr: int) -> np.ndarray:
    """Keep the fundamental of every held note within :data:`H1_BELOW_PEAK_DB` of the
    strongest low formant.

    Some spoken vowels (/ɑ/, /æ/) have a sharp first formant several harmonics up; sung on a
    note, their fundamental would be 15 dB weaker than that harmonic, which sounds thin and
    lets a listener or a tracker hear the note an octave or a twelfth too high. Around each
    held frame's f0 the envelope is raised to that floor, tapering off by twice f0.
    """
    freqs = np.linspace(0.0, sr / 2.0, sp.shape[1])
    rows = np.flatnonzero(held & (f0 > 0))
    if not len(rows):
        return sp
    peak = sp[rows][:, freqs < 1200.0].max(axis=1, keepdims=True)
    ratio = freqs[None, :] / f0[rows, None]
    taper = np.clip((2.0 - ratio) / (2.0 - 1.25), 0.0, 1.0)  # 1 up to 1.25 f0, 0 from 2 f0
    floor = peak * 10.0 ** (-H1_BELOW_PEAK_DB * (1.0 + 3.0 * (1.0 - taper)) / 10.0) * (taper > 0)
    sp = sp.copy()
    sp[rows] = np.maximum(sp[rows], floor)
    return sp


def _warp_envelope(sp: np.ndarray, factor: float) -> np.ndarray:
    """Move the formants up by ``factor``: new envelope at f is the old one at f / factor."""
    bins = sp.shape[1]
    pos = np.arange(bins) / factor
    lo = np.floor(pos).astype(int)
    frac = pos - lo
    hi = np.minimum(lo + 1, bins - 1)
    return sp[:, lo] * (1 - frac) + sp[:, hi] * frac


def _envelope(t: np.ndarray, layouts: list[_Layout], syllables: list[SyllablePhonemes]) -> np.ndarray:
    """Silence before and after the phrase, and a short dip between syllables that no
    consonant separates (vowel to vowel, or humming) so every note is heard to start."""
    ramp = 0.015
    gain = np.clip((t - layouts[0].lead_start + ramp) / ramp, 0.0, 1.0)
    gain *= np.clip((layouts[-1].end + 0.03 - t) / 0.03, 0.0, 1.0)
    for i in range(1, len(layouts)):
        if syllables[i].onset or syllables[i - 1].coda:
            continue
        beat = layouts[i].vowel_start
        dip = np.clip(np.abs(t - (beat - 0.03)) / 0.05, 0.0, 1.0)
        gain *= 0.25 + 0.75 * (0.5 - 0.5 * np.cos(np.pi * dip))
    return gain


def _normalise(y: np.ndarray, t: np.ndarray, layouts: list[_Layout]) -> np.ndarray:
    """Scale so the held vowels sit at :data:`LEVEL_DBFS` RMS, whatever the phrase."""
    held = np.zeros(len(y), dtype=bool)
    for lay in layouts:
        held |= (t >= lay.vowel_start) & (t < lay.coda_start)
    rms = float(np.sqrt(np.mean(y[held] ** 2))) if held.any() else 0.0
    if rms <= 1e-9:
        return y
    y = y * (10 ** (LEVEL_DBFS / 20) / rms)
    peak = float(np.max(np.abs(y)))
    return y * (PEAK / peak) if peak > PEAK else y


def fade_gain(t: np.ndarray, melody: TargetMelody, start_s: float) -> np.ndarray:
    """Voice gain at audio times ``t`` for "unison with fading": full on the first syllable,
    gone by the start of the last one (by the middle of the last note of a two-syllable
    phrase), so the patient finishes the phrase alone."""
    notes = melody.notes
    begin = start_s + notes[0].offset_s
    last = notes[-1]
    end = start_s + (last.onset_s if len(notes) > 2 else last.onset_s + 0.5 * last.duration_s)
    if end <= begin:
        return np.ones_like(t)
    x = np.clip((t - begin) / (end - begin), 0.0, 1.0)
    return 0.5 + 0.5 * np.cos(np.pi * x)


def taps(n: int, sr: int, melody: TargetMelody, start_s: float) -> np.ndarray:
    """``n`` samples holding a soft wooden tap (two damped partials, 40 ms) on every beat a
    syllable starts on: the rhythmic cue of MIT's left-hand tapping."""
    length = int(0.04 * sr)
    k = np.arange(length) / sr
    tap = np.exp(-k / 0.006) * (np.sin(2 * np.pi * 1700 * k) + 0.5 * np.sin(2 * np.pi * 2900 * k))
    tap *= TAP_PEAK / np.max(np.abs(tap))
    out = np.zeros(n)
    for note in melody.notes:
        i = round((start_s + note.onset_s) * sr)
        j = min(i + length, n)
        if 0 <= i < j:
            out[i:j] += tap[: j - i]
    return out
