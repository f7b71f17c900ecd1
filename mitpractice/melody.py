"""Target melodies: a phrase laid out on two pitches in time.

A syllable marked ``H`` sits ``interval`` semitones above the patient's low pitch, an ``L``
syllable on it; each syllable lasts ``beats * 60 / tempo`` seconds and follows the previous
one without a gap, as in Melodic Intonation Therapy's steady chanting.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from mitpractice.errors import ParameterError
from mitpractice.phrases import INTERVAL_LIMITS, TEMPO_LIMITS, Phrase, PhraseSet

#: Defaults from the clinical protocol (docs/PROTOCOL facts): a minor third, one syllable a second.
DEFAULT_INTERVAL = 3.0
DEFAULT_TEMPO = 60.0
DEFAULT_LOW = "C3"

_NOTE_RE = re.compile(r"^\s*([A-Ga-g])([#♯b♭]?)(-?\d)\s*$")
_STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
A4_HZ = 440.0
#: Lowest and highest pitch a human voice can be asked to sing, in Hz.
MIN_HZ, MAX_HZ = 40.0, 1500.0


def note_to_hz(note: str | float) -> float:
    """Frequency of a note name (``"C3"``, ``"A#2"``, ``"Bb3"``) or of a number in Hz.

    Parameters
    ----------
    note : str or float
        Scientific pitch notation with an optional sharp or flat, or a frequency in Hz given
        as a number or a numeric string (``"130.8"``, ``"130.8Hz"``).

    Returns
    -------
    float
        Frequency in Hz, equal temperament with A4 = 440 Hz.

    Raises
    ------
    ParameterError
        If ``note`` is neither a note name nor a frequency a voice can sing (40–1500 Hz).

    Examples
    --------
    >>> round(note_to_hz("A3"), 2)
    220.0
    >>> round(note_to_hz("C3"), 2)
    130.81
    >>> note_to_hz("150 Hz")
    150.0
    """
    if isinstance(note, (int, float)):
        hz = float(note)
    else:
        text = str(note).strip()
        m = _NOTE_RE.match(text)
        if m:
            letter, accidental, octave = m.groups()
            midi = 12 * (int(octave) + 1) + _STEPS[letter.upper()]
            midi += {"#": 1, "♯": 1, "b": -1, "♭": -1}.get(accidental, 0)
            hz = midi_to_hz(midi)
        else:
            number = text.lower().removesuffix("hz").strip()
            try:
                hz = float(number)
            except ValueError:
                raise ParameterError(
                    f"not a note or a frequency: {text!r} (use e.g. C3, A#2 or 130.8)"
                ) from None
    if not (math.isfinite(hz) and MIN_HZ <= hz <= MAX_HZ):
        raise ParameterError(f"pitch {note!r} is outside the singing range {MIN_HZ:g}–{MAX_HZ:g} Hz")
    return hz


def midi_to_hz(midi: float) -> float:
    """Frequency of a (fractional) MIDI note number."""
    return A4_HZ * 2.0 ** ((midi - 69.0) / 12.0)


def hz_to_midi(hz: float | np.ndarray) -> float | np.ndarray:
    """Fractional MIDI note number of a frequency (or of each in an array)."""
    return 69.0 + 12.0 * np.log2(np.asarray(hz, dtype=float) / A4_HZ)


def hz_to_note(hz: float) -> str:
    """Nearest note name of a frequency, e.g. ``hz_to_note(131) == "C3"``."""
    midi = round(hz_to_midi(hz))
    return f"{_NAMES[midi % 12]}{midi // 12 - 1}"


@dataclass(frozen=True)
class Note:
    """One syllable of the target: what is sung, when, for how long, and on which pitch."""

    index: int
    syllable: str
    level: str  # "H" or "L"
    onset_s: float
    duration_s: float
    beats: float
    pitch_hz: float

    @property
    def offset_s(self) -> float:
        return self.onset_s + self.duration_s


@dataclass(frozen=True)
class TargetMelody:
    """The notes of one phrase for one patient's register, interval and tempo."""

    phrase_id: str
    notes: tuple[Note, ...]
    low_hz: float
    interval: float
    tempo: float

    @property
    def high_hz(self) -> float:
        return self.low_hz * 2.0 ** (self.interval / 12.0)

    @property
    def duration_s(self) -> float:
        return self.notes[-1].offset_s if self.notes else 0.0

    @property
    def beat_s(self) -> float:
        return 60.0 / self.tempo


def target_melody(
    phrase: Phrase,
    low: str | float = DEFAULT_LOW,
    interval: float = DEFAULT_INTERVAL,
    tempo: float = DEFAULT_TEMPO,
) -> TargetMelody:
    """Lay a phrase out as notes on two pitches.

    Parameters
    ----------
    phrase : Phrase
        The phrase: syllables, their H/L pattern and beats.
    low : str or float
        The patient's comfortable low pitch: a note name (``"C3"``) or Hz.
    interval : float
        Semitones from the low to the high pitch; MIT uses 3 (minor third) to 7 (fifth).
    tempo : float
        Beats per minute; a one-beat syllable lasts ``60 / tempo`` seconds.

    Returns
    -------
    TargetMelody

    Raises
    ------
    ParameterError
        For an unknown note, an interval outside 1–12 semitones or a tempo outside 20–200.

    Examples
    --------
    >>> from mitpractice.phrases import Phrase
    >>> p = Phrase(id="thank-you", text="Thank you", syllables=("thank", "you"),
    ...            pitches="HL", beats=(1.0, 2.0))
    >>> m = target_melody(p, low="A2", interval=3, tempo=60)
    >>> [(n.syllable, n.onset_s, n.duration_s, round(n.pitch_hz, 1)) for n in m.notes]
    [('thank', 0.0, 1.0, 130.8), ('you', 1.0, 2.0, 110.0)]

    References
    ----------
    Norton, Zipse, Marchina & Schlaug (2009), Melodic Intonation Therapy: shared insights on
    how it is done and why it might help. Ann NY Acad Sci 1169:431–436.
    """
    low_hz = note_to_hz(low)
    interval = _checked_number(interval, "interval", *INTERVAL_LIMITS, "semitones")
    tempo = _checked_number(tempo, "tempo", *TEMPO_LIMITS, "beats per minute")
    beat_s = 60.0 / tempo
    high_hz = low_hz * 2.0 ** (interval / 12.0)
    notes = []
    onset = 0.0
    for i, (syllable, level, beats) in enumerate(
        zip(phrase.syllables, phrase.pitches, phrase.beats, strict=True)
    ):
        duration = beats * beat_s
        notes.append(
            Note(
                index=i,
                syllable=syllable,
                level=level,
                onset_s=onset,
                duration_s=duration,
                beats=beats,
                pitch_hz=high_hz if level == "H" else low_hz,
            )
        )
        onset += duration
    return TargetMelody(phrase.id, tuple(notes), low_hz, interval, tempo)


def set_melody(
    phrase_set: PhraseSet,
    phrase: Phrase,
    low: str | float | None = None,
    interval: float | None = None,
    tempo: float | None = None,
) -> TargetMelody:
    """:func:`target_melody` of a phrase of ``phrase_set``: what is not given comes from the
    set's defaults, else from the protocol's (:data:`DEFAULT_INTERVAL`, :data:`DEFAULT_TEMPO`).
    """
    return target_melody(
        phrase,
        low=DEFAULT_LOW if low is None else low,
        interval=next(v for v in (interval, phrase_set.interval, DEFAULT_INTERVAL) if v is not None),
        tempo=next(v for v in (tempo, phrase_set.tempo, DEFAULT_TEMPO) if v is not None),
    )


def _checked_number(value: float, name: str, lo: float, hi: float, unit: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number, not {value!r}") from None
    if not (math.isfinite(number) and lo <= number <= hi):
        raise ParameterError(f"{name} {value!r} is outside {lo:g}–{hi:g} {unit}")
    return number
