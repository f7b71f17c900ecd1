"""A therapist's recorded model moved to a patient's key and tempo with WORLD.

A therapist sings a phrase once, in their own voice, key and tempo
(:mod:`~mitpractice.synth.recordings` finds its notes). Every patient needs it in their own
register, interval and tempo. :func:`retune` analyses the recording with WORLD (f0, spectral
envelope, aperiodicity), moves each syllable by the semitones between the note it was sung on
and the patient's note for it, and stretches or squeezes each syllable so it starts on the
patient's beat; the spectral envelope is kept, so the words and the therapist's voice stay as
they were. The sung contour within each note (scoop, vibrato) is kept as sung.

One recording then serves every patient: the store keeps the model once and
:func:`~mitpractice.synth.targets.sung_target` plays it retuned for each patient.
"""

from __future__ import annotations

import math

import numpy as np
import pyworld as pw

from mitpractice.errors import ParameterError
from mitpractice.melody import TargetMelody
from mitpractice.synth.singing import SungTarget

#: WORLD frame period (ms), as the voice synthesis uses.
FRAME_MS = 5.0
#: The pitch search range is the sung notes' range widened by this factor either way, so a
#: scoop into a note or vibrato is tracked yet an octave error is not (2 = one octave).
F0_MARGIN = 2.0
#: How long the move from one note's shift to the next takes (s): short enough to sound like
#: a new note, long enough not to click.
GLIDE_S = 0.03
#: Peak level of the result, as the synthesised targets have it (singing.PEAK).
PEAK = 0.9


def retune(model: SungTarget, melody: TargetMelody) -> SungTarget:
    """Move a recorded model to the notes of ``melody`` (a patient's key, interval and tempo).

    Parameters
    ----------
    model : SungTarget
        A recorded model with its notes as sung (``model.melody``, onsets from
        ``model.start_s``), as :func:`~mitpractice.synth.recordings.recorded_target` gives.
    melody : TargetMelody
        The patient's notes for the same phrase (:func:`~mitpractice.melody.target_melody`).

    Returns
    -------
    SungTarget
        The model sung on ``melody``'s pitches and timing: each syllable starts at
        ``start_s + note.onset_s``; ``source`` stays ``"recording"``.

    Raises
    ------
    ParameterError
        If the two do not have the same number of notes.

    Examples
    --------
    >>> from mitpractice.melody import Note
    >>> sr = 16000
    >>> t = np.arange(int(2.5 * sr)) / sr
    >>> f = np.where(t < 1.25, 220.0, 262.0)
    >>> y = 0.3 * np.sin(2 * np.pi * np.cumsum(f) / sr)
    >>> sung = TargetMelody("hi", (Note(0, "a", "L", 0.0, 1.0, 1, 220.0),
    ...                            Note(1, "b", "H", 1.0, 1.0, 1, 262.0)), 220.0, 3.0, 60.0)
    >>> want = TargetMelody("hi", (Note(0, "a", "L", 0.0, 0.8, 1, 110.0),
    ...                            Note(1, "b", "H", 0.8, 0.8, 1, 138.6)), 110.0, 4.0, 75.0)
    >>> out = retune(SungTarget(y.astype(np.float32), sr, sung, 0.25, "recording"), want)
    >>> round(out.duration_s, 2), out.melody is want
    (2.1, True)
    """
    if len(model.melody.notes) != len(melody.notes) or not melody.notes:
        raise ParameterError(
            f"the model of {model.melody.phrase_id!r} has {len(model.melody.notes)} notes, "
            f"the patient's melody {len(melody.notes)}"
        )
    x = np.asarray(model.audio, dtype=np.float64)
    sr = model.sr
    period = FRAME_MS / 1000.0
    sung_hz = np.array([n.pitch_hz for n in model.melody.notes])
    f0, t = pw.dio(
        x, sr, frame_period=FRAME_MS,
        f0_floor=max(40.0, float(sung_hz.min()) / F0_MARGIN),
        f0_ceil=min(1600.0, float(sung_hz.max()) * F0_MARGIN),
    )
    f0 = pw.stonemask(x, f0, t, sr)
    sp = pw.cheaptrick(x, f0, t, sr)
    ap = pw.d4c(x, f0, t, sr)

    src_knots, out_knots = time_knots(model, melody, len(x) / sr)
    out_times = np.arange(math.ceil(out_knots[-1] / period) + 1) * period
    src_idx = np.clip(np.interp(out_times, out_knots, src_knots) / period, 0, len(f0) - 1)
    lo = np.floor(src_idx).astype(int)
    hi = np.minimum(lo + 1, len(f0) - 1)
    frac = src_idx - lo
    out_sp = sp[lo] * (1 - frac[:, None]) + sp[hi] * frac[:, None]
    out_ap = ap[lo] * (1 - frac[:, None]) + ap[hi] * frac[:, None]
    near = f0[np.rint(src_idx).astype(int)]
    both = (f0[lo] > 0) & (f0[hi] > 0)
    src_f0 = np.where(both, f0[lo] * (1 - frac) + f0[hi] * frac, near)
    shift = semitone_shift(out_times, model, melody)
    out_f0 = np.where(src_f0 > 0, src_f0 * 2.0 ** (shift / 12.0), 0.0)

    y = pw.synthesize(out_f0, np.ascontiguousarray(out_sp), np.ascontiguousarray(out_ap), sr, FRAME_MS)
    n = round(out_knots[-1] * sr)
    y = np.pad(y, (0, max(0, n - len(y))))[:n]
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    if peak > 0:
        y = y * (PEAK / peak)
    return SungTarget(y.astype(np.float32), sr, melody, model.start_s, model.source)


def time_knots(model: SungTarget, melody: TargetMelody, length_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Matching times (s) in the recording and in the result: each note's onset, the last
    note's end, and the recording's start and end (the lead-in and tail are not stretched).

    Examples
    --------
    >>> from mitpractice.melody import Note
    >>> a = TargetMelody("x", (Note(0, "a", "L", 0.0, 1.0, 1, 200.0),), 200.0, 3.0, 60.0)
    >>> b = TargetMelody("x", (Note(0, "a", "L", 0.0, 2.0, 1, 100.0),), 100.0, 3.0, 30.0)
    >>> src, out = time_knots(SungTarget(np.zeros(8000), 4000, a, 0.5), b, 2.0)
    >>> src.tolist(), out.tolist()
    ([0.0, 0.5, 1.5, 2.0], [0.0, 0.5, 2.5, 3.0])
    """
    start = model.start_s
    src = [start + n.onset_s for n in model.melody.notes] + [start + model.melody.notes[-1].offset_s]
    out = [start + n.onset_s for n in melody.notes] + [start + melody.notes[-1].offset_s]
    tail = max(length_s - src[-1], 0.0)
    src, out = [0.0, *src, src[-1] + tail], [0.0, *out, out[-1] + tail]
    keep = [0]  # knots must rise strictly in both (a model sung from its very first sample)
    for i in range(1, len(src)):
        if src[i] > src[keep[-1]] and out[i] > out[keep[-1]]:
            keep.append(i)
    return np.array(src)[keep], np.array(out)[keep]


def semitone_shift(times: np.ndarray, model: SungTarget, melody: TargetMelody) -> np.ndarray:
    """Semitones to move the voice by at each output time: from the note it was sung on to
    the patient's note, gliding over :data:`GLIDE_S` from one note to the next."""
    steps = np.array(
        [12.0 * math.log2(want.pitch_hz / sung.pitch_hz)
         for sung, want in zip(model.melody.notes, melody.notes, strict=True)]
    )
    onsets = np.array([model.start_s + n.onset_s for n in melody.notes])
    index = np.clip(np.searchsorted(onsets, times, side="right") - 1, 0, len(steps) - 1)
    shift = steps[index]
    width = max(1, round(GLIDE_S / (FRAME_MS / 1000.0)))
    if width > 1 and len(shift) > width:
        padded = np.pad(shift, (width // 2, width - 1 - width // 2), mode="edge")
        shift = np.convolve(padded, np.ones(width) / width, mode="valid")
    return shift
