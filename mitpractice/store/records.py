"""What the store gives back: frozen records built by keyword, one per kind of row.

The GUI and the command line read these, never the tables, so a change of schema stays inside
the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

#: The MIT levels (PROTOCOL.md "The steps").
LEVELS = ("elementary", "intermediate", "advanced")
#: Home practice default: 30 minutes a day (PROTOCOL.md "Dose").
DEFAULT_DAILY_GOAL_MIN = 30.0
#: Where, in an attempt's score JSON, its sing-along record is kept (how the live take
#: handled the app's voice: :class:`mitpractice.practice.replay.SingAlongRecord`). It is
#: written with the attempt's row, before any score, and kept when the score is added.
SING_ALONG_KEY = "sing_along"


@dataclass(frozen=True)
class Patient:
    """A patient and the settings the practice window follows."""

    id: str
    name: str
    low_hz: float
    interval: float
    tempo: float
    level: str
    tapping: bool
    daily_goal_min: float
    thresholds: dict[str, float]
    notes: str
    created_at: datetime
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "low_hz": round(self.low_hz, 2),
            "interval": self.interval, "tempo": self.tempo, "level": self.level,
            "tapping": self.tapping, "daily_goal_min": self.daily_goal_min,
            "thresholds": self.thresholds, "notes": self.notes,
            "created_at": iso(self.created_at), "updated_at": iso(self.updated_at),
        }


@dataclass(frozen=True)
class TestResult:
    """A clinical test taken on a date (WAB, BNT, ANELT, CIUs per minute, or free-form)."""

    id: str
    patient_id: str
    test: str
    taken_on: date
    value: float | None
    text: str


@dataclass(frozen=True)
class PhraseSetRecord:
    """One imported version of a phrase set: its TOML text as it was imported."""

    id: str
    set_id: str
    title: str
    toml: str
    sha256: str
    imported_at: datetime


@dataclass(frozen=True)
class Assignment:
    """A phrase a patient is to practise, trained or as an untrained probe."""

    id: str
    patient_id: str
    phrase_set_id: str
    set_id: str
    phrase_id: str
    probe: bool
    assigned_at: datetime


@dataclass(frozen=True)
class PracticeSession:
    id: str
    patient_id: str
    started_at: datetime
    ended_at: datetime | None
    phrases_done: int = 0
    feeling_before: int | None = None
    feeling_after: int | None = None


@dataclass(frozen=True)
class NewAttempt:
    """What the practice window (or ``score --save``) knows of a take when it ends."""

    patient_id: str
    set_id: str
    phrase_id: str
    step: str
    started_at: datetime
    low_hz: float
    interval: float
    tempo: float
    model: str = "crepe-tiny"
    mode: str = "sung"
    session_id: str | None = None
    latency_s: float = 0.0
    tapping: bool = False
    taps_s: tuple[float, ...] = ()
    recovered: bool = False
    id: str | None = None  # given when a journaled take is recovered, so it is stored once
    phrase_set_id: str | None = None  # the imported version sung; default the set's newest
    #: A sing-along take's record (a :class:`mitpractice.practice.replay.SingAlongRecord`),
    #: so that scoring its recording again handles the app's voice as the live take did.
    sing_along: Any = None


@dataclass(frozen=True)
class Attempt:
    """A stored attempt: its settings, its scores once scored, and the therapist's word."""

    id: str
    patient_id: str
    session_id: str | None
    phrase_set_id: str
    set_id: str
    phrase_id: str
    syllables: int
    probe: bool
    step: str
    started_at: datetime
    duration_s: float
    low_hz: float
    interval: float
    tempo: float
    latency_s: float
    tapping: bool
    taps_s: tuple[float, ...]
    model: str
    mode: str
    recovered: bool
    voiced: bool | None
    melodic: float | None
    rhythmic: float | None
    overall: float | None
    score_json: dict[str, Any] | None
    override: float | None
    note: str
    flagged: bool

    @property
    def scored(self) -> bool:
        return self.voiced is not None

    @property
    def sing_along(self) -> dict[str, Any] | None:
        """The sing-along record kept with the attempt (its JSON), or None (not a sing-along
        take, or stored before records were kept)."""
        return (self.score_json or {}).get(SING_ALONG_KEY)

    @property
    def final_score(self) -> float | None:
        """The therapist's override where there is one, else the automatic overall score."""
        return self.override if self.override is not None else self.overall

    def to_json(self) -> dict[str, Any]:
        """The row of ``mitpractice attempts --json`` (DESIGN.md, contract)."""
        return {
            "id": self.id, "patient_id": self.patient_id, "set_id": self.set_id,
            "phrase_id": self.phrase_id, "step": self.step, "started_at": iso(self.started_at),
            "duration_s": round(self.duration_s, 3), "voiced": self.voiced,
            "melodic": self.melodic, "rhythmic": self.rhythmic, "overall": self.overall,
            "override": self.override, "model": self.model, "mode": self.mode,
            "probe": self.probe, "recovered": self.recovered, "flagged": self.flagged,
            "note": self.note, "session_id": self.session_id,
            "tapping": self.tapping, "taps_s": list(self.taps_s),
            "words": (self.score_json or {}).get("words"),
        }


#: The columns of ``attempts --csv`` and ``export``, in order: the JSON keys.
ATTEMPT_COLUMNS = (
    "id", "patient_id", "set_id", "phrase_id", "step", "started_at", "duration_s", "voiced",
    "melodic", "rhythmic", "overall", "override", "model", "mode", "probe", "recovered",
    "flagged", "note", "session_id", "tapping", "taps_s", "words",
)

@dataclass(frozen=True, kw_only=True)
class SessionSummary:
    """One practice session as ``mitpractice sessions`` lists it: its times, the minutes sung
    (the takes' lengths), phrases finished, takes, and how the patient felt (1–5, or None)."""

    id: str
    patient_id: str
    started_at: datetime
    ended_at: datetime | None
    minutes: float
    phrases_done: int
    attempts: int
    feeling_before: int | None
    feeling_after: int | None

    def to_json(self) -> dict[str, Any]:
        """The row of ``mitpractice sessions --json`` (DESIGN.md, contract)."""
        return {
            "id": self.id, "patient_id": self.patient_id, "started_at": iso(self.started_at),
            "ended_at": None if self.ended_at is None else iso(self.ended_at),
            "minutes": round(self.minutes, 2), "phrases_done": self.phrases_done,
            "attempts": self.attempts, "feeling_before": self.feeling_before,
            "feeling_after": self.feeling_after,
        }


#: The columns of ``sessions --csv``, in order: the JSON keys.
SESSION_COLUMNS = ("id", "patient_id", "started_at", "ended_at", "minutes", "phrases_done", "attempts",
                   "feeling_before", "feeling_after")

#: Columns the review list may be sorted by.
SORT_KEYS = ("started_at", "overall", "melodic", "rhythmic", "phrase_id", "step")


@dataclass(frozen=True)
class AttemptQuery:
    """The review query's filters, order and page. Every filter is optional."""

    patient_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    set_id: str | None = None
    phrase_id: str | None = None
    step: str | None = None
    min_score: float | None = None  # on the final score (override, else overall)
    max_score: float | None = None
    flagged: bool | None = None
    probe: bool | None = None
    sort: str = "started_at"
    descending: bool = True
    offset: int = 0
    limit: int = 100


@dataclass(frozen=True)
class AttemptPage:
    """One page of the review query and how many attempts match in all."""

    attempts: tuple[Attempt, ...]
    total: int
    offset: int


@dataclass(frozen=True)
class DayProgress:
    """A day of practice, trained or probe phrases apart: a calendar day in the local zone
    :meth:`Store.progress` was asked for (see :mod:`mitpractice.days`)."""

    day: date
    probe: bool
    attempts: int
    minutes: float
    melodic: float | None  # mean over the voiced attempts
    rhythmic: float | None
    longest_phrase: int  # most syllables in a phrase attempted that day


@dataclass(frozen=True)
class RecordedModel:
    """A therapist's sung model of a phrase: the audio and its notes (synth.recordings' JSON)."""

    id: str
    set_id: str
    phrase_id: str
    patient_id: str | None
    sr: int
    flac: bytes
    notes: dict[str, Any] = field(compare=False)
    created_at: datetime | None = None


def iso(t: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, as the command line prints times."""
    return None if t is None else t.isoformat().replace("+00:00", "Z")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
