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
from typing import TYPE_CHECKING, Any

import numpy as np

from mitpractice.errors import ParameterError
from mitpractice.levels import to_mono
from mitpractice.melody import TargetMelody, hz_to_midi, midi_to_hz
from mitpractice.pitch.octaves import REFEREE_MODEL, needs_referee, settle_octaves
from mitpractice.pitch.track import PitchTrack
from mitpractice.scoring.align import Extra, SyllableMatch, find_syllables
from mitpractice.scoring.feedback import NOT_HEARD, feedback_lines
from mitpractice.scoring.melodic import MelodicResult, melodic_score, syllable_pitch
from mitpractice.scoring.rhythmic import RhythmicResult, rhythmic_score, steady_tempo
from mitpractice.scoring.segment import Frames, frames_from_track, thresholds

if TYPE_CHECKING:
    from mitpractice.words import WordResult

MODES = ("sung", "sprechgesang")
#: Less voiced sound than this (s), summed over the matched syllables, is not an attempt (a
#: quarter of a second: one short syllable; a cough or a click is less).
MIN_VOICED_S = 0.25
#: The matched syllables must be this much louder (dB, median) than the quietest tenth of
#: the recording (babble and steady noise have no quiet moments), or ``CLEAR_PAUSE_DB``
#: louder than the quietest tenth of its frames outside the syllables or unvoiced (of which
#: there must be ``MIN_FLOOR_FRAMES``, a tenth of a second, for the floor to mean anything).
#: 12 dB: mains hum 15 dB under the voice's loud parts lies 13.5 dB under its median.
MIN_CONTRAST_DB, CLEAR_PAUSE_DB, MIN_FLOOR_FRAMES = 6.0, 12.0, 10
#: Percentile of the frames' loudness taken as the recording's quiet floor.
FLOOR_PERCENTILE = 10


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
class Analysis:
    """How a score was reached: the frames heard, the syllables matched, the judgements."""

    frames: Frames
    match: SyllableMatch
    melodic: MelodicResult
    rhythmic: RhythmicResult


@dataclass(frozen=True)
class Score:
    """The score of one attempt, as the ``mitpractice score --json`` contract describes it.

    Scores are 0–100; ``interval_semitones`` is the sung high minus low level (negative when
    inverted); ``tempo_ratio`` the attempt's length over the target's, from the one tempo
    fitted to the sung onsets. Both are ``None`` when they cannot be measured.
    ``extra`` is the singing that matched no syllable (a false start, a repeat), left out of
    the scores. ``target_start_s`` is where the alignment put the target's start in the
    attempt (s; ``None`` when nothing was heard), the one placement of the target notes for
    the review and the reports (:func:`~mitpractice.scoring.placement.target_start`).
    ``analysis`` holds the intermediate results for the review screen and the
    therapists' recordings; it is not part of the JSON. ``words`` is the word check's result
    (:mod:`mitpractice.words`), ``None`` when the words were not checked; the JSON has
    ``"words"`` only when they were.
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
    extra: tuple[Extra, ...] = ()
    target_start_s: float | None = None
    analysis: Analysis | None = field(default=None, compare=False)
    words: tuple[WordResult, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON object (plus ``mode``, ``model``, ``extra`` and ``target_start_s``;
        and ``words`` when they were checked)."""
        data = {
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
            "extra": [e.to_json() for e in self.extra],
            "target_start_s": _round(self.target_start_s, 3),
        }
        if self.words is not None:
            data["words"] = [w.to_json() for w in self.words]
        return data


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def _unvoiced(melody: TargetMelody, mode: str, model: str) -> Score:
    syllables = tuple(SyllableResult(index=n.index, text=n.syllable, target=n.level, detected=False)
                      for n in melody.notes)
    return Score(
        phrase_id=melody.phrase_id, voiced=False, melodic=0.0, rhythmic=0.0, overall=0.0,
        interval_semitones=None, tempo_ratio=None, syllables=syllables, feedback=tuple(NOT_HEARD),
        mode=mode, model=model,
    )


def without_extra(
    onsets: np.ndarray, offsets: np.ndarray, extra: tuple[Extra, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Sung onsets and offsets with the time taken by extra singing inside the phrase taken out.

    A syllable sung twice, or a word put in, delays everything after it; the rhythm of the
    target's syllables is judged as if it had not been sung: every syllable from the next one
    after an extra segment on is moved earlier by the time from the segment's start to it.

    Examples
    --------
    >>> import numpy as np
    >>> on, off = without_extra(np.array([0.0, 2.0]), np.array([0.9, 2.9]), (Extra(1.0, 1.9, "repeat"),))
    >>> on.tolist(), off.tolist()
    ([0.0, 1.0], [0.9, 1.9])
    """
    on, off = np.array(onsets, dtype=float), np.array(offsets, dtype=float)
    for e in sorted(extra, key=lambda e: -e.onset_s):  # latest first: earlier shifts add up
        after = np.flatnonzero(np.isfinite(on) & (on >= e.offset_s))
        before = np.isfinite(on) & (on < e.onset_s)
        if e.kind == "false_start" or not len(after) or not before.any():
            continue
        shift = on[after[0]] - e.onset_s
        on[after] -= shift
        off[after] -= shift
    return on, off


def heard_voice(frames: Frames, spans: list[tuple[int, int] | None], model: str) -> bool:
    """Whether the frames matched to the target notes are a voice, not silence or noise.

    There must be :data:`MIN_VOICED_S` of voiced sound. With the audio, it must also stand
    out from the recording's quiet floor: :data:`MIN_CONTRAST_DB` above the quietest tenth
    of all frames (babble and steady noise have no quiet moments), or
    :data:`CLEAR_PAUSE_DB` above the quietest tenth of the frames outside the syllables or
    without voice (a phrase sung legato through most of the recording still has a moment of
    silence and pauses for its consonants; babble never falls that far; mains hum, which a
    tracker takes for a voice, is heard alone before and after the phrase). From the track
    alone, the tracker must be as sure of it as of a clear voice (a crowd of voices makes the
    tracker unsure).
    """
    idx = np.concatenate([np.arange(a, b) for a, b in filter(None, spans)] or [np.zeros(0, int)])
    idx = idx[frames.voiced[idx]]
    if len(idx) * frames.hop_s < MIN_VOICED_S:
        return False
    outside = np.ones(len(frames.times), dtype=bool)
    for span in filter(None, spans):
        outside[span[0] : span[1]] = False
    _, hold, clear = thresholds(model)
    sure = float(np.median(frames.confidence[idx])) >= clear
    if sure and outside.sum() >= MIN_FLOOR_FRAMES and np.median(frames.confidence[outside]) < hold:
        return True  # a clear voice in the syllables, none around them: noise, not silence
    if frames.energy_db is not None:
        level = float(np.median(frames.energy_db[idx]))
        rest = frames.energy_db[outside | ~frames.voiced]
        pauses = level - np.percentile(rest, FLOOR_PERCENTILE) if len(rest) >= MIN_FLOOR_FRAMES else 0.0
        contrast = level - np.percentile(frames.energy_db, FLOOR_PERCENTILE)
        return contrast >= MIN_CONTRAST_DB or pauses >= CLEAR_PAUSE_DB
    return sure


def score_track(
    track: PitchTrack,
    melody: TargetMelody,
    *,
    audio: np.ndarray | None = None,
    sr: int | None = None,
    mode: str = "sung",
    referee: PitchTrack | None = None,
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
    referee : PitchTrack, optional
        SwiftF0's track of the same audio: a CREPE track's octave slips are settled on it
        (:func:`~mitpractice.pitch.octaves.settle_octaves`) before scoring.

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
    if referee is not None and needs_referee(track.model):
        track = settle_octaves(track, referee)
    if len(track) < 3 or not notes:
        return _unvoiced(melody, mode, track.model)
    frames = frames_from_track(track, audio, sr)
    onsets = np.array([n.onset_s for n in notes])
    durations = np.array([n.duration_s for n in notes])
    levels = "".join(n.level for n in notes)
    register = np.array([hz_to_midi(n.pitch_hz) for n in notes])
    match = find_syllables(frames, onsets, durations, melody.beat_s, levels, track.model, register)
    spans = match.spans()
    if not heard_voice(frames, spans, track.model):
        return _unvoiced(melody, mode, track.model)

    pitches = [syllable_pitch(frames.midi[s[0] : s[1]], frames.voiced[s[0] : s[1]], frames.hop_s)
               if s else None for s in spans]
    beats = np.array([n.beats for n in notes])
    melodic = melodic_score(pitches, levels, beats, melody.interval)
    groups, pieces = match.alignment.groups, match.pieces
    sung_on = np.array([pieces[g[0]].onset_s if g else np.nan for g in groups])
    sung_off = np.array([pieces[g[1] - 1].offset_s if g else np.nan for g in groups])
    timed_on, timed_off = without_extra(sung_on, sung_off, match.extra)
    scale = steady_tempo(timed_on, onsets, durations, fitted=match.alignment.scale)
    rhythmic = rhythmic_score(timed_on, timed_off, onsets, durations, scale, judge_holds=mode == "sung")
    overall = rhythmic.score if mode == "sprechgesang" else 0.5 * (melodic.score + rhythmic.score)

    syllables = []
    for i, n in enumerate(notes):
        if pitches[i] is None:
            syllables.append(SyllableResult(index=i, text=n.syllable, target=n.level, detected=False))
            continue
        rel = float(melodic.relative[i])
        syllables.append(
            SyllableResult(
                index=i, text=n.syllable, target=n.level, detected=True,
                onset_s=float(sung_on[i]), offset_s=float(sung_off[i]),
                pitch_hz=None if melodic.low_midi is None else midi_to_hz(melodic.low_midi + rel),
                pitch_semitones=rel, pitch_ok=bool(melodic.pitch_ok[i]),
                timing_ok=bool(rhythmic.timing_ok[i]),
            )
        )
    lines = feedback_lines(
        overall, melodic if mode == "sung" else None, rhythmic, scale,
        tuple(n.syllable for n in notes), levels, melody.interval,
        extra=tuple(e.kind for e in match.extra),
    )
    return Score(
        phrase_id=melody.phrase_id, voiced=True, melodic=melodic.score, rhythmic=rhythmic.score,
        overall=overall, interval_semitones=melodic.interval, tempo_ratio=scale,
        syllables=tuple(syllables), feedback=tuple(lines), mode=mode, model=track.model,
        extra=match.extra, target_start_s=match.alignment.t0,
        analysis=Analysis(frames=frames, match=match, melodic=melodic, rhythmic=rhythmic),
    )


def score_audio(
    y: np.ndarray, sr: int, melody: TargetMelody, model: str = "crepe-tiny", mode: str = "sung"
) -> Score:
    """Track the pitch of an attempt's samples with ``model``, then :func:`score_track` it.

    A CREPE track has its octave slips settled on SwiftF0's track of the same samples
    (:mod:`mitpractice.pitch.octaves`; 0.009 CPU seconds per audio second).
    """
    from mitpractice.pitch import track_pitch

    mono = to_mono(y)
    track = track_pitch(mono, sr, model)
    referee = track_pitch(mono, sr, REFEREE_MODEL) if needs_referee(model) else None
    return score_track(track, melody, audio=mono, sr=sr, mode=mode, referee=referee)
