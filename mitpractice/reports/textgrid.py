"""An attempt to Praat: its audio as WAV and a TextGrid beside it (``mitpractice textgrid``).

The TextGrid has three interval tiers (DESIGN.md, contract), and a fourth when the words
were checked:

``syllables``
    Each syllable the scorer detected, from its sung onset to its offset, labelled with the
    syllable's text. Syllables not heard have no interval.
``target``
    The target notes of the phrase for the attempt's own settings (its low pitch, interval
    and tempo, through :func:`mitpractice.melody.target_melody`), labelled ``"text H"`` or
    ``"text L"``, at the target's tempo and starting where the scorer put the attempt's start.
``pitch_ok``
    For each detected syllable, ``"ok"`` if its pitch was right, ``"off"`` if not, over the
    same interval as in ``syllables``.
``words``
    Only when the stored score holds the word check's result (``score --words``, the spoken
    steps): each word heard, from where it starts to where it ends, labelled with the word
    (``thank``), ``thank?`` where the check could not decide and ``(thank)`` where it found the
    word but judged it not said. Words not found have no interval.

The target's start is where the scorer's alignment put it (the score's ``target_start_s``),
through the one placement the review uses too,
:func:`~mitpractice.scoring.placement.target_start` (which places scores stored before it
was kept as they always were).

Written with praatio; the files are health data, so both are 0600 and written whole.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import numpy as np

from mitpractice.files import atomic_path
from mitpractice.melody import TargetMelody, target_melody
from mitpractice.practice.spoken import WORD_LABELS
from mitpractice.reports.report import ReportError
from mitpractice.scoring.placement import target_start
from mitpractice.store.records import Attempt

#: Tier names (DESIGN.md ``mitpractice textgrid`` contract), in the order Praat shows them;
#: ``WORDS_TIER`` follows them when the words were checked.
TIERS = ("syllables", "target", "pitch_ok")
WORDS_TIER = "words"
#: Intervals shorter than this (s) are left out: Praat cannot show or select them.
MIN_INTERVAL_S = 0.001


@dataclass(frozen=True)
class Interval:
    """One labelled interval of a tier (seconds from the start of the recording)."""

    start: float
    end: float
    label: str


@dataclass(frozen=True)
class AttemptTiers:
    """The tiers of an attempt's TextGrid (``words`` None when the words were not checked)
    and the recording's length."""

    duration_s: float
    target_start_s: float
    syllables: tuple[Interval, ...]
    target: tuple[Interval, ...]
    pitch_ok: tuple[Interval, ...]
    words: tuple[Interval, ...] | None = None


@dataclass(frozen=True)
class PraatFiles:
    """What :func:`export_attempt` wrote."""

    wav: Path
    textgrid: Path


def attempt_tiers(attempt: Attempt, melody: TargetMelody, duration_s: float) -> AttemptTiers:
    """The tiers of an attempt whose recording lasts ``duration_s`` seconds.

    Intervals are clipped to the recording and kept in order without overlap (Praat's rule).
    """
    score = attempt.score_json or {}
    detected = [s for s in score.get("syllables", []) if s.get("detected") and s.get("onset_s") is not None]
    syllables = _tier(((s["onset_s"], s["offset_s"], s["text"]) for s in detected), duration_s)
    pitch_ok = _tier(
        ((s["onset_s"], s["offset_s"], "ok" if s.get("pitch_ok") else "off") for s in detected), duration_s
    )
    start = target_start(score, melody)
    target = _tier(
        ((start + n.onset_s, start + n.offset_s, f"{n.syllable} {n.level}") for n in melody.notes), duration_s
    )
    words = None
    if score.get("words") is not None:
        heard = sorted((w for w in score["words"] if w.get("start_s") is not None),
                       key=lambda w: w["start_s"])
        words = _tier(((w["start_s"], w["end_s"], WORD_LABELS[w["said"]].format(w["word"])) for w in heard),
                      duration_s)
    return AttemptTiers(
        duration_s=duration_s, target_start_s=start, syllables=syllables, target=target, pitch_ok=pitch_ok,
        words=words,
    )


def attempt_melody(store, attempt: Attempt) -> TargetMelody:
    """The target notes of an attempt: its phrase (as the set was when it was sung) laid out
    with the attempt's own low pitch, interval and tempo."""
    phrase = store.phrase_set(attempt.phrase_set_id).phrase(attempt.phrase_id)
    return target_melody(phrase, attempt.low_hz, attempt.interval, attempt.tempo)


def export_attempt(store, id_or_prefix: str, folder: str | os.PathLike) -> PraatFiles:
    """Write an attempt's audio (WAV) and its TextGrid into ``folder`` (created if missing).

    The files are named after the phrase, the attempt's start in UTC (marked ``Z``, so the
    same attempt has the same name on the home computer and at the clinic, whatever their
    zones) and the start of its id, e.g. ``thank-you_20261105-090800Z_3f2a9c1d.wav`` and
    ``.TextGrid``, so Praat pairs them.

    Raises
    ------
    StoreError
        For an unknown or ambiguous attempt id.
    ReportError
        When the folder cannot be made or written.
    """
    import soundfile as sf
    from praatio import textgrid as praat_textgrid
    from praatio.data_classes.interval_tier import IntervalTier

    attempt = store.find_attempt(id_or_prefix)
    audio, sr = store.attempt_audio(attempt.id)
    tiers = attempt_tiers(attempt, attempt_melody(store, attempt), len(audio) / sr)
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ReportError(f"{folder}: cannot create the folder: {exc.strerror or exc}") from None
    if not folder.is_dir():
        raise ReportError(f"{folder}: not a folder")
    stem = f"{attempt.phrase_id}_{attempt.started_at.astimezone(UTC):%Y%m%d-%H%M%SZ}_{attempt.id[:8]}"
    wav, grid = folder / f"{stem}.wav", folder / f"{stem}.TextGrid"

    tg = praat_textgrid.Textgrid(0.0, tiers.duration_s)
    for name in TIERS + ((WORDS_TIER,) if tiers.words is not None else ()):
        entries = [(i.start, i.end, i.label) for i in getattr(tiers, name)]
        tg.addTier(IntervalTier(name, entries, 0.0, tiers.duration_s))
    _written(wav, lambda path: sf.write(path, np.clip(audio, -1.0, 1.0), sr, format="WAV", subtype="PCM_16"))
    _written(grid, lambda path: tg.save(path, format="long_textgrid", includeBlankSpaces=True))
    return PraatFiles(wav=wav, textgrid=grid)


def _tier(items, duration_s: float) -> tuple[Interval, ...]:
    out: list[Interval] = []
    for start, end, label in items:
        start = max(float(start), out[-1].end if out else 0.0, 0.0)
        end = min(float(end), duration_s)
        if end - start >= MIN_INTERVAL_S:
            out.append(Interval(start=round(start, 6), end=round(end, 6), label=str(label)))
    return tuple(out)


def _written(path: Path, write) -> None:
    """Call ``write(temporary path)`` on a private file beside ``path``, then rename it
    (:func:`mitpractice.files.atomic_path`); what goes wrong is a :class:`ReportError`."""
    try:
        with atomic_path(path) as tmp:
            write(str(tmp))
    except OSError as exc:
        raise ReportError(f"{path}: cannot write: {exc.strerror or exc}") from None
    except RuntimeError as exc:  # libsndfile's errors (a full disk among them)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReportError(f"{path}: cannot write: {reason}") from None
