"""Therapists' own sung models of a phrase, kept as that phrase's target.

A therapist records (or imports a WAV/FLAC of) themself singing a phrase. The recording is
analysed with the same pitch tracker and scoring the patients' attempts get, which finds each
syllable's onset, offset and pitch; it is accepted only if every syllable is heard and the
high syllables are sung above the low ones as the phrase's H/L pattern says. The model is kept
in the store (:class:`mitpractice.store.Store`, table ``recorded_models``: the audio as FLAC and
the notes found as JSON), for one patient or for everyone using the set; a patient's own model
is preferred to the set's. This module only analyses; the store keeps. (Models kept before the
store, under ``<data>/recorded-targets/``, are moved into it when the store is first opened:
see :mod:`mitpractice.store.legacy`.)
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from mitpractice.audiofile import load_audio
from mitpractice.errors import AudioError
from mitpractice.melody import Note, TargetMelody, hz_to_midi, target_melody
from mitpractice.phrases import Phrase
from mitpractice.synth.singing import SungTarget

if TYPE_CHECKING:
    from mitpractice.store import Store

#: The high and low syllables of a model must lie at least this far apart (semitones).
MIN_INTERVAL = 1.0
#: Singing outside the phrase's syllables (s) beyond which a recording is another phrase.
MAX_EXTRA_S = 0.3


def extract_notes(
    y: np.ndarray, sr: int, phrase: Phrase, *, model: str = "crepe-tiny"
) -> tuple[TargetMelody, float]:
    """Find the sung syllables of a recorded model and check them against the phrase.

    Parameters
    ----------
    y, sr : np.ndarray, int
        The recording, mono.
    phrase : Phrase
        The phrase sung.
    model : str
        Pitch tracker (see :data:`mitpractice.pitch.MODELS`).

    Returns
    -------
    melody : TargetMelody
        The notes as sung: their own pitches, onsets relative to the first syllable, the
        sung low pitch, interval and tempo.
    start_s : float
        Where the first syllable starts in the recording.

    Raises
    ------
    AudioError
        If no singing is found, a syllable is not heard, more is sung than the phrase, or the
        high and low syllables do not follow the phrase's pattern.
    """
    from mitpractice.pitch import track_pitch
    from mitpractice.scoring import score_track

    reference = target_melody(phrase)
    track = track_pitch(y, sr, model)
    score = score_track(track, reference, audio=y, sr=sr)
    if not score.voiced:
        raise AudioError(f"no singing found in the recording of {phrase.text!r}")
    missing = [s.text for s in score.syllables if not s.detected or s.pitch_hz is None]
    if missing:
        raise AudioError(f"syllables not heard in the recording: {', '.join(missing)}")
    sung = score.analysis.frames.voiced.copy()  # what the scorer heard as voice
    for s in score.syllables:
        sung &= ~((track.times >= s.onset_s - 0.1) & (track.times <= s.offset_s + 0.1))
    extra_s = float(sung.sum()) * track.hop_s
    if extra_s > MAX_EXTRA_S:
        raise AudioError(
            f"the recording holds {extra_s:.1f} s of singing outside the {len(phrase.syllables)} "
            f"syllables of {phrase.text!r}: is it another phrase?"
        )
    pitches = [float(s.pitch_hz) for s in score.syllables]
    problem = check_pattern(pitches, phrase)
    if problem:
        raise AudioError(f"the recording does not follow the pattern {phrase.pitches}: {problem}")
    onsets = [float(s.onset_s) for s in score.syllables]
    start = onsets[0]
    ends = [*onsets[1:], float(score.syllables[-1].offset_s)]
    notes = tuple(
        Note(i, s.text, s.target, on - start, max(end - on, 0.05), phrase.beats[i], hz)
        for i, (s, on, end, hz) in enumerate(zip(score.syllables, onsets, ends, pitches, strict=True))
    )
    low, interval = _levels(pitches, phrase.pitches)
    tempo = reference.tempo / score.tempo_ratio if score.tempo_ratio else reference.tempo
    return TargetMelody(phrase.id, notes, low, interval, tempo), start


def check_pattern(pitches_hz: list[float], phrase: Phrase) -> str | None:
    """What is wrong with sung syllable pitches for the phrase's H/L pattern, or None.

    Each syllable must lie nearer its own level (the median of its kind) than the other, and
    the high level at least :data:`MIN_INTERVAL` above the low one. A phrase on one level
    only has nothing to check.

    Examples
    --------
    >>> p = Phrase(id="good-morning", text="Good morning", syllables=("good", "mor", "ning"),
    ...            pitches="LHL")
    >>> check_pattern([131.0, 156.0, 130.0], p) is None
    True
    >>> check_pattern([131.0, 131.0, 130.0], p)
    "the high notes are not above the low ones ('mor' should be high)"
    >>> check_pattern([156.0, 130.0, 155.0], p)
    "it is sung upside down ('mor' should be high, the others low)"
    """
    if "H" not in phrase.pitches or "L" not in phrase.pitches:
        return None
    semis = hz_to_midi(pitches_hz)
    is_high = np.array([c == "H" for c in phrase.pitches])
    high, low = float(np.median(semis[is_high])), float(np.median(semis[~is_high]))
    highs = ", ".join(repr(s) for s, h in zip(phrase.syllables, is_high, strict=True) if h)
    if high - low <= -MIN_INTERVAL:
        return f"it is sung upside down ({highs} should be high, the others low)"
    if high - low < MIN_INTERVAL:
        return f"the high notes are not above the low ones ({highs} should be high)"
    middle = 0.5 * (high + low)
    wrong = [
        f"{syl!r} should be {'high' if h else 'low'}"
        for syl, h, m in zip(phrase.syllables, is_high, semis, strict=True)
        if (m > middle) != h
    ]
    return "; ".join(wrong) or None


def save_model(
    audio_path: str | Path,
    set_id: str,
    phrase: Phrase,
    *,
    store: Store,
    patient: str | None = None,
    model: str = "crepe-tiny",
) -> SungTarget:
    """Check a therapist's recording of ``phrase`` and keep it in the store as its target.

    Parameters
    ----------
    audio_path : str or Path
        WAV, FLAC (or OGG, MP3) of the therapist singing the phrase.
    set_id : str
        The phrase set the model belongs to.
    phrase : Phrase
        The phrase sung.
    store : Store
        Where the model is kept (replacing an older model of the same phrase and patient).
    patient : str, optional
        Keep it for this patient (a patient id in the store) only; by default for everyone
        practising the set.
    model : str
        Pitch tracker used to find the notes.

    Returns
    -------
    SungTarget
        The recording with its notes, ``source == "recording"``.

    Raises
    ------
    AudioError
        For an unreadable file or a recording that does not fit the phrase (nothing is kept).
    StoreError
        An unknown patient, or the store cannot be written.
    """
    y, sr = load_audio(audio_path)
    melody, start = extract_notes(y, sr, phrase, model=model)
    if patient is not None:
        store.patient(patient)
    store.save_recorded_model(set_id, phrase.id, patient, y, sr, melody_json(melody, start))
    return SungTarget(y, sr, melody, start, "recording")


def recorded_target(
    set_id: str, phrase: Phrase, patient: str | None = None, *, store: Store
) -> SungTarget | None:
    """The kept model of a phrase: the patient's own if there is one, else the set's, else None."""
    from mitpractice.store.values import decode_flac

    for owner in ([patient] if patient is not None else []) + [None]:
        kept = store.recorded_model(set_id, phrase.id, owner)
        if kept is None:
            continue
        try:
            melody, start = melody_from_json(kept.notes, phrase)
            y, sr = decode_flac(kept.flac)
        except (ValueError, KeyError, TypeError, RuntimeError):
            continue  # made for another version of the phrase, or damaged: synthesis takes over
        return SungTarget(y, sr, melody, start, "recording")
    return None


def forget_model(set_id: str, phrase_id: str, patient: str | None = None, *, store: Store) -> bool:
    """Delete a kept model; True if there was one."""
    return store.forget_recorded_model(set_id, phrase_id, patient)


def _levels(pitches: list[float], pattern: str) -> tuple[float, float]:
    lows = [p for p, c in zip(pitches, pattern, strict=True) if c == "L"] or pitches
    highs = [p for p, c in zip(pitches, pattern, strict=True) if c == "H"]
    low = float(np.median(lows))
    interval = 12.0 * math.log2(float(np.median(highs)) / low) if highs and "L" in pattern else 0.0
    return low, interval


def melody_json(melody: TargetMelody, start: float) -> dict:
    """The notes of a recorded model as the store keeps them (``RecordedModel.notes``)."""
    return {
        "phrase_id": melody.phrase_id,
        "start_s": start,
        "low_hz": melody.low_hz,
        "interval": melody.interval,
        "tempo": melody.tempo,
        "notes": [
            {"syllable": n.syllable, "level": n.level, "onset_s": n.onset_s, "duration_s": n.duration_s,
             "pitch_hz": n.pitch_hz}
            for n in melody.notes
        ],
    }


def melody_from_json(data: dict, phrase: Phrase) -> tuple[TargetMelody, float]:
    """The notes and start of a kept model; ValueError if made for another version of the phrase."""
    raw = data["notes"]
    if len(raw) != len(phrase.syllables) or data["phrase_id"] != phrase.id:
        raise ValueError("the model was made for another version of the phrase")
    notes = tuple(
        Note(i, n["syllable"], n["level"], float(n["onset_s"]), float(n["duration_s"]), phrase.beats[i],
             float(n["pitch_hz"]))
        for i, n in enumerate(raw)
    )
    low, interval, tempo = (float(data[k]) for k in ("low_hz", "interval", "tempo"))
    return TargetMelody(phrase.id, notes, low, interval, tempo), float(data["start_s"])
