"""Scoring one attempt: segment, align, judge melody and rhythm, give feedback.

``score_track`` needs only the pitch track (the app's streaming tracker gives one while the
patient sings); the audio, when available, helps to cut syllables sung legato apart and to
ignore quiet sounds. ``score_audio`` tracks the pitch first.

Modes
-----
``"sung"`` (the default): ``overall`` is the mean of ``melodic`` and ``rhythmic`` — in MIT
rhythm matters as much as melody (Stahl et al. 2011).
``"sprechgesang"`` (and spoken repetition): the pitch is let go as in speech, so only rhythm
counts: ``overall`` equals ``rhythmic``. ``melodic`` is still measured and reported, for the
therapist's information only, and feedback speaks only of rhythm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mitpractice.errors import ParameterError
from mitpractice.melody import TargetMelody, midi_to_hz
from mitpractice.pitch.track import PitchTrack
from mitpractice.scoring.align import Alignment, align_pieces
from mitpractice.scoring.feedback import NOT_HEARD, feedback_lines
from mitpractice.scoring.melodic import melodic_score, syllable_pitch
from mitpractice.scoring.rhythmic import rhythmic_score, steady_tempo
from mitpractice.scoring.segment import (
    Frames,
    Piece,
    fold_octaves,
    frames_from_track,
    segment_pieces,
    thresholds,
)

MODES = ("sung", "sprechgesang")
#: Less voiced sound than this (s), summed over the matched syllables, is not an attempt.
MIN_VOICED_S = 0.25
#: The matched syllables must be this much louder (dB, median) than the quietest tenth of
#: the recording, or ``CLEAR_PAUSE_DB`` louder than the quietest tenth of its unvoiced
#: frames (of which there must be ``MIN_FLOOR_FRAMES``).
MIN_CONTRAST_DB, CLEAR_PAUSE_DB, MIN_FLOOR_FRAMES = 6.0, 15.0, 10
#: A long piece is cut at a missing note's predicted onset only this far (s) from its ends.
MIN_SPLIT_S = 0.15
#: A piece this many dB quieter than the loudest voiced sound counts as background.
SALIENCE_DB = 15.0
#: Pitch change (semitones per 10 ms) across a cut inside a voiced run above which the sound
#: after it may be another voice.
CONTINUOUS_ST = 1.0


@dataclass(frozen=True)
class SyllableResult:
    """How one target syllable was sung (the ``syllables`` items of the score contract)."""

    index: int
    text: str
    target: str
    detected: bool
    onset_s: float | None = None
    offset_s: float | None = None
    pitch_hz: float | None = None
    pitch_semitones: float | None = None
    pitch_ok: bool = False
    timing_ok: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "text": self.text,
            "target": self.target,
            "detected": self.detected,
            "onset_s": _round(self.onset_s, 3),
            "offset_s": _round(self.offset_s, 3),
            "pitch_hz": _round(self.pitch_hz, 1),
            "pitch_semitones": _round(self.pitch_semitones, 2),
            "pitch_ok": self.pitch_ok,
            "timing_ok": self.timing_ok,
        }


@dataclass(frozen=True)
class Score:
    """The score of one attempt, as the ``mitpractice score --json`` contract describes it.

    Scores are 0–100; ``interval_semitones`` is the sung high minus low level (negative when
    inverted); ``tempo_ratio`` the attempt's length over the target's, from the one tempo
    fitted to the sung onsets. Both are ``None`` when they cannot be measured.
    ``details`` holds the intermediate results (``frames``, ``alignment``, ``melodic``,
    ``rhythmic``) for the review screen; it is not part of the JSON.
    """

    phrase_id: str
    voiced: bool
    melodic: float
    rhythmic: float
    overall: float
    interval_semitones: float | None
    tempo_ratio: float | None
    syllables: tuple[SyllableResult, ...]
    feedback: tuple[str, ...]
    mode: str = "sung"
    model: str = ""
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON object (plus ``mode`` and ``model``)."""
        return {
            "phrase_id": self.phrase_id,
            "voiced": self.voiced,
            "melodic": round(self.melodic, 1),
            "rhythmic": round(self.rhythmic, 1),
            "overall": round(self.overall, 1),
            "interval_semitones": _round(self.interval_semitones, 2),
            "tempo_ratio": _round(self.tempo_ratio, 3),
            "syllables": [s.to_json() for s in self.syllables],
            "feedback": list(self.feedback),
            "mode": self.mode,
            "model": self.model,
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def _unvoiced(melody: TargetMelody, mode: str, model: str) -> Score:
    syllables = tuple(SyllableResult(n.index, n.syllable, n.level, False) for n in melody.notes)
    return Score(melody.phrase_id, False, 0.0, 0.0, 0.0, None, None, syllables, tuple(NOT_HEARD), mode, model)


def find_syllables(
    frames: Frames, onsets: np.ndarray, durations: np.ndarray, beat_s: float, model: str
) -> tuple[list[Piece], Alignment]:
    """Cut the attempt into pieces and match them to the target notes (see module align)."""
    pieces = segment_pieces(frames)
    pitch = piece_pitch(frames, pieces)
    salience = piece_salience(frames, pieces, model)
    alignment = align_pieces(pieces, pitch, onsets, durations, beat_s, salience)
    split = split_at_missing(frames, pieces, alignment.onset_times(onsets), alignment.groups)
    if split is not None:  # legato with no audible boundary: try the cut the tempo predicts
        again = align_pieces(split, piece_pitch(frames, split), onsets, durations, beat_s,
                             piece_salience(frames, split, model))
        if again.cost < alignment.cost:
            return split, again
    return pieces, alignment


def piece_pitch(frames: Frames, pieces: list[Piece]) -> np.ndarray:
    """Median pitch of each piece, the tracker's octave slips folded."""
    return np.array([np.median(fold_octaves(frames.midi[p.start : p.stop])) for p in pieces])


def split_at_missing(
    frames: Frames, pieces: list[Piece], predicted: np.ndarray, groups: tuple
) -> list[Piece] | None:
    """Pieces with a cut where the fitted tempo puts an unmatched note's onset inside one piece.

    Two syllables sung legato on the same pitch, with no dip in loudness or confidence between
    them, make one piece; the alignment then reports one of them missing. The cut goes at the
    least confident frame within 0.1 s of the predicted onset. ``None`` if there is nothing to cut.
    """
    hop = frames.hop_s
    margin = MIN_SPLIT_S
    cuts: dict[int, int] = {}
    for i, group in enumerate(groups):
        if group is not None:
            continue
        for n, p in enumerate(pieces):
            if p.onset_s + margin < predicted[i] < p.offset_s - margin:
                centre = int(np.searchsorted(frames.times, predicted[i]))
                lo = max(p.start + 1, centre - round(0.1 / hop))
                hi = min(p.stop - 1, centre + round(0.1 / hop) + 1)
                if hi > lo:
                    cuts[n] = lo + int(np.argmin(frames.confidence[lo:hi]))
    if not cuts:
        return None
    out = []
    for n, p in enumerate(pieces):
        if n in cuts:
            k = cuts[n]
            middle = float(frames.times[k] - hop / 2)
            out += [Piece(p.start, k, p.onset_s, middle), Piece(k, p.stop, middle, p.offset_s)]
        else:
            out.append(p)
    return out


def piece_salience(frames: Frames, pieces: list[Piece], model: str) -> np.ndarray:
    """How clearly each piece is the patient's voice, in [0.1, 1].

    With the audio: full for pieces as loud as the loudest tenth of the voiced frames,
    falling by 1/15 per dB below (background talk, an echo). From the track alone: by how sure
    the tracker is, between its hold threshold and a clear voice. Pieces cut from one
    unbroken stretch of voice (:func:`one_voice`) share its clearest piece's salience: a last
    syllable sung softly, trailing off, is still the patient's.
    """
    if not pieces:
        return np.zeros(0)
    if frames.energy_db is not None:
        loud = np.percentile(frames.energy_db[frames.voiced], 90)
        level = np.array([np.median(frames.energy_db[p.start : p.stop]) for p in pieces])
        salience = np.clip(1.0 + (level - loud) / SALIENCE_DB, 0.1, 1.0)
    else:
        _, hold, sure = thresholds(model)
        conf = np.array([np.median(frames.confidence[p.start : p.stop]) for p in pieces])
        salience = np.clip((conf - hold) / (sure - hold), 0.1, 1.0)
    stretch = np.cumsum([k == 0 or not one_voice(frames, pieces[k - 1], p) for k, p in enumerate(pieces)])
    for n in np.unique(stretch):
        salience[stretch == n] = salience[stretch == n].max()
    return salience


def one_voice(frames: Frames, before: Piece, after: Piece) -> bool:
    """Whether two pieces are one unbroken voice: no gap, and the pitch glides across the cut.

    Background talk that takes over from the patient's voice without a pause jumps to a
    pitch of its own from one frame to the next; a voice moves by less than
    :data:`CONTINUOUS_ST` per 10 ms.
    """
    k = after.start
    if before.stop != k or k < 3 or k + 3 > len(frames.midi):
        return False
    steps = np.abs(np.diff(frames.midi[k - 3 : k + 3]))
    return bool(np.all(steps <= CONTINUOUS_ST * max(frames.hop_s / 0.01, 1.0)))


def heard_voice(frames: Frames, spans: list[tuple[int, int] | None], model: str) -> bool:
    """Whether the frames matched to the target notes are a voice, not silence or noise.

    There must be :data:`MIN_VOICED_S` of voiced sound. With the audio, it must also stand
    out from the recording's quiet floor: :data:`MIN_CONTRAST_DB` above the quietest tenth
    of all frames (babble and steady noise have no quiet moments), or
    :data:`CLEAR_PAUSE_DB` above the quietest tenth of the frames without voice (a phrase
    sung legato through most of the recording still has a moment of silence and pauses for
    its consonants; babble never falls that far). From the track alone, the tracker must be
    as sure of it as of a clear voice (a crowd of voices makes the tracker unsure).
    """
    idx = np.concatenate([np.arange(a, b) for a, b in filter(None, spans)] or [np.zeros(0, int)])
    idx = idx[frames.voiced[idx]]
    if len(idx) * frames.hop_s < MIN_VOICED_S:
        return False
    if frames.energy_db is not None:
        level = float(np.median(frames.energy_db[idx]))
        rest = frames.energy_db[~frames.voiced]
        pauses = level - np.percentile(rest, 10) if len(rest) >= MIN_FLOOR_FRAMES else 0.0
        return level - np.percentile(frames.energy_db, 10) >= MIN_CONTRAST_DB or pauses >= CLEAR_PAUSE_DB
    return float(np.median(frames.confidence[idx])) >= thresholds(model)[2]


def score_track(
    track: PitchTrack,
    melody: TargetMelody,
    *,
    audio: np.ndarray | None = None,
    sr: int | None = None,
    mode: str = "sung",
) -> Score:
    """Score an attempt at ``melody`` from its pitch track.

    Parameters
    ----------
    track : PitchTrack
        The attempt's pitch track (any model, any hop).
    melody : TargetMelody
        The target notes. Its key and tempo only set the expected interval and rhythm; the
        attempt may be sung in any key and at a steady tempo from 0.65× to 1.55× without loss.
    audio : np.ndarray, optional
        The attempt's samples (mono or (n, channels)), same time origin as ``track``.
    sr : int, optional
        Sample rate of ``audio``.
    mode : {"sung", "sprechgesang"}
        What counts: melody and rhythm, or rhythm only (see the module notes).

    Returns
    -------
    Score
        ``voiced`` False and every score 0 when no singing is found.

    Raises
    ------
    ParameterError
        For an unknown ``mode`` or ``audio`` without ``sr``.
    """
    if mode not in MODES:
        raise ParameterError(f"unknown scoring mode {mode!r} (use {' or '.join(MODES)})")
    if audio is not None and not sr:
        raise ParameterError("audio given without its sample rate")
    notes = melody.notes
    if len(track) < 3 or not notes:
        return _unvoiced(melody, mode, track.model)
    frames = frames_from_track(track, audio, sr)
    onsets = np.array([n.onset_s for n in notes])
    durations = np.array([n.duration_s for n in notes])
    pieces, alignment = find_syllables(frames, onsets, durations, melody.beat_s, track.model)
    spans = [(pieces[g[0]].start, pieces[g[1] - 1].stop) if g else None for g in alignment.groups]
    if not heard_voice(frames, spans, track.model):
        return _unvoiced(melody, mode, track.model)

    pitches = [syllable_pitch(frames.midi[s[0] : s[1]], frames.voiced[s[0] : s[1]], frames.hop_s)
               if s else None for s in spans]
    levels = "".join(n.level for n in notes)
    beats = np.array([n.beats for n in notes])
    melodic = melodic_score(pitches, levels, beats, melody.interval)
    sung_on = np.array([pieces[g[0]].onset_s if g else np.nan for g in alignment.groups])
    sung_off = np.array([pieces[g[1] - 1].offset_s if g else np.nan for g in alignment.groups])
    scale = steady_tempo(sung_on, onsets, fallback=alignment.scale)
    rhythmic = rhythmic_score(sung_on, sung_off, onsets, durations, scale, judge_holds=mode == "sung")
    overall = rhythmic.score if mode == "sprechgesang" else 0.5 * (melodic.score + rhythmic.score)

    syllables = []
    for i, n in enumerate(notes):
        if pitches[i] is None:
            syllables.append(SyllableResult(i, n.syllable, n.level, False))
            continue
        rel = float(melodic.relative[i])
        syllables.append(
            SyllableResult(
                i, n.syllable, n.level, True, float(sung_on[i]), float(sung_off[i]),
                midi_to_hz(melodic.low_midi + rel) if melodic.low_midi is not None else None,
                rel, bool(melodic.pitch_ok[i]), bool(rhythmic.timing_ok[i]),
            )
        )
    lines = feedback_lines(
        overall, melodic if mode == "sung" else None, rhythmic, scale,
        tuple(n.syllable for n in notes), levels, melody.interval,
    )
    return Score(
        melody.phrase_id, True, melodic.score, rhythmic.score, overall, melodic.interval,
        scale, tuple(syllables), tuple(lines), mode, track.model,
        details={"frames": frames, "alignment": alignment, "melodic": melodic, "rhythmic": rhythmic},
    )


def score_audio(
    y: np.ndarray, sr: int, melody: TargetMelody, model: str = "crepe-tiny", mode: str = "sung"
) -> Score:
    """Track the pitch of an attempt's samples with ``model``, then :func:`score_track` it."""
    from mitpractice.pitch import track_pitch

    y = np.asarray(y, dtype=np.float32)
    mono = y.mean(axis=1) if y.ndim > 1 else y
    track = track_pitch(mono, sr, model)
    return score_track(track, melody, audio=mono, sr=sr, mode=mode)
