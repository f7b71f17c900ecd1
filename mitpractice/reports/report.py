"""The therapist's report: what a patient practised over a period, as typed records.

:func:`build_report` reads the store once and returns a :class:`Report`: the patient and their
settings, the period, per-day series for the progress charts (trained and probe phrases apart,
tapping on and off apart, every attempt together for the daily goal), a summary per phrase,
the clinical test results taken in the period and the therapist's notes on attempts. The PDF
(``mitpractice.gui.report_pdf``) and the workspace's charts (``mitpractice.gui.widgets.charts``)
draw these records; nothing here knows about Qt.

Days are calendar days in the local zone of the computer making the report (``tz``, by default
this computer's; daylight saving followed), as the store's
:meth:`~mitpractice.store.Store.progress` counts them (:mod:`mitpractice.days`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

from mitpractice import days as local_days
from mitpractice.errors import MitpracticeError, ParameterError, PhraseError
from mitpractice.store.records import Attempt, AttemptQuery, DayProgress, Patient, TestResult

#: The series of a report, by key: every attempt (for minutes against the daily goal),
#: trained and probe phrases (is practice carried over to untrained phrases? PROTOCOL.md),
#: and tapping on and off (some patients do worse with it; its effect must be visible).
SERIES_LABELS = {
    "all": "All phrases",
    "trained": "Trained phrases",
    "probe": "Untrained (probe) phrases",
    "tapping": "Tapping on",
    "no-tapping": "Tapping off",
}


class ReportError(MitpracticeError):
    """A report or an export cannot be written where it was asked (no such folder, no room)."""


@dataclass(frozen=True)
class Period:
    """The days a report covers, both included: calendar days in the zone ``tz`` (``None``:
    this computer's)."""

    first: date
    last: date
    tz: tzinfo | None = field(default=None, compare=False, repr=False)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def start(self) -> datetime:
        """The first instant of the period (UTC), for the store's queries."""
        return local_days.day_start(self.first, self.tz)

    def end(self) -> datetime:
        """The first instant after the period (UTC, exclusive)."""
        return local_days.day_span(self.first, self.last, self.tz)[1]

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last

    def __str__(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


@dataclass(frozen=True)
class DayStats:
    """One day of one series: how much was practised and how well.

    ``melodic``, ``rhythmic`` and ``overall`` are means over the day's voiced attempts
    (``overall`` of the final score: the therapist's override where given); ``None`` when none
    was voiced. ``longest_phrase`` is the most syllables in a phrase attempted that day.
    """

    day: date
    attempts: int
    minutes: float
    melodic: float | None
    rhythmic: float | None
    overall: float | None
    longest_phrase: int


@dataclass(frozen=True)
class DaySeries:
    """A series of the progress charts: the days on which its attempts were made, in order."""

    key: str
    label: str
    days: tuple[DayStats, ...]


@dataclass(frozen=True)
class ClinicalMark:
    """A clinical test result as the charts mark it on the time axis."""

    day: date
    label: str


@dataclass(frozen=True)
class ProgressSeries:
    """What the progress charts draw: the period's days, the series, the goal, the tests.

    Build it with :func:`build_report` (``report.progress``) or, from the store's
    :class:`~mitpractice.store.DayProgress` rows, with :func:`progress_series`.
    """

    period: Period
    series: tuple[DaySeries, ...]
    daily_goal_min: float
    tests: tuple[ClinicalMark, ...] = ()

    def get(self, key: str) -> DaySeries | None:
        """The series with this key (see :data:`SERIES_LABELS`), or ``None``."""
        return next((s for s in self.series if s.key == key), None)

    @property
    def empty(self) -> bool:
        return not any(s.days for s in self.series)


@dataclass(frozen=True)
class PhraseSummary:
    """One phrase over the period: how often, how well, how far up the steps.

    Scores are final scores (the therapist's override where given, else the automatic overall
    score) of the scored attempts; ``step_reached`` is the step of the latest attempt, where
    the patient stands (a failed step backs up one, so the latest is the current one).
    """

    set_id: str
    phrase_id: str
    text: str
    syllables: int
    probe: bool
    attempts: int
    scored: int
    best: float | None
    mean: float | None
    latest: float | None
    overridden: int
    step_reached: str
    last_day: date
    #: The word check of the latest checked attempt at a spoken step the patient speaks alone
    #: (None: none was checked); the PDF's "words said" column
    #: (:func:`~mitpractice.practice.spoken.tally`).
    words: tuple | None = None


@dataclass(frozen=True)
class AttemptNote:
    """The therapist's note on one attempt."""

    attempt_id: str
    started_at: datetime
    set_id: str
    phrase_id: str
    step: str
    score: float | None
    overridden: bool
    flagged: bool
    note: str
    text: str = ""  # the phrase's words ("" when it has left its set since)


@dataclass(frozen=True)
class Totals:
    """The period at a glance."""

    attempts: int
    minutes: float
    days_practised: int
    days_goal_met: int
    mean_trained: float | None  # mean final score of the voiced attempts at trained phrases
    mean_probe: float | None


@dataclass(frozen=True)
class FeelingDay:
    """How the patient said they felt on one day: the mean of the day's answers before and
    after practice (1 very bad … 5 very good; None when none was given)."""

    day: date
    before: float | None
    after: float | None
    sessions: int


@dataclass(frozen=True)
class Report:
    """Everything the therapist's report shows, in the order it shows it."""

    patient: Patient
    period: Period
    generated_at: datetime
    totals: Totals
    progress: ProgressSeries
    phrases: tuple[PhraseSummary, ...]
    tests: tuple[TestResult, ...]
    notes: tuple[AttemptNote, ...]
    #: The zone whose days and clock the report reads, for people (``Europe/Berlin``).
    zone: str = ""
    #: Per day with an answer, how the patient felt before and after practice.
    feelings: tuple[FeelingDay, ...] = ()

    @property
    def tz(self) -> tzinfo | None:
        """The zone of the report's days (``None``: the computer's that made it)."""
        return self.period.tz


def build_report(
    store,
    patient_id: str,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    tz: tzinfo | None = None,
) -> Report:
    """Read a patient's period from the store and build the report's content.

    Parameters
    ----------
    store : mitpractice.store.Store
        The open store.
    patient_id : str
        The patient's id.
    since, until : date or datetime, optional
        The first and last day of the period, both included (a datetime counts by its local
        day). By default from the patient's first attempt (or their creation, if none) to today.
    tz : tzinfo, optional
        The zone whose calendar days the report counts and whose clock its times are read on;
        by default this computer's (:mod:`mitpractice.days`).

    Returns
    -------
    Report

    Raises
    ------
    StoreError
        For an unknown patient.
    ParameterError
        When ``since`` lies after ``until``.
    """
    patient = store.patient(patient_id)
    period = _period(store, patient, since, until, tz)
    attempts = list(
        store.iter_attempts(
            AttemptQuery(patient_id=patient.id, since=period.start(), until=period.end(), descending=False)
        )
    )
    attempts.sort(key=lambda a: (a.started_at, a.id))
    tests = tuple(t for t in store.test_results(patient.id) if t.taken_on in period)
    texts = _phrase_texts(store, attempts)
    series = tuple(
        DaySeries(key=key, label=SERIES_LABELS[key], days=day_stats(chosen, tz))
        for key, chosen in (
            ("all", attempts),
            ("trained", [a for a in attempts if not a.probe]),
            ("probe", [a for a in attempts if a.probe]),
            ("tapping", [a for a in attempts if a.tapping]),
            ("no-tapping", [a for a in attempts if not a.tapping]),
        )
    )
    progress = ProgressSeries(
        period=period, series=series, daily_goal_min=patient.daily_goal_min, tests=clinical_marks(tests)
    )
    return Report(
        patient=patient,
        period=period,
        generated_at=datetime.now(UTC),
        totals=_totals(attempts, series[0], patient.daily_goal_min),
        progress=progress,
        phrases=phrase_summaries(attempts, texts, tz),
        tests=tests,
        notes=tuple(
            AttemptNote(
                attempt_id=a.id,
                started_at=a.started_at,
                set_id=a.set_id,
                phrase_id=a.phrase_id,
                step=a.step,
                score=a.final_score,
                overridden=a.override is not None,
                flagged=a.flagged,
                note=a.note.strip(),
                text=texts.get((a.set_id, a.phrase_id), ""),
            )
            for a in attempts
            if a.note.strip()
        ),
        feelings=feeling_days((x for x in store.sessions(patient.id, since=period.start())
                               if x.started_at < period.end()), tz),
        zone=local_days.zone_name(tz),
    )


def day_stats(attempts: Iterable[Attempt], tz: tzinfo | None = None) -> tuple[DayStats, ...]:
    """Per local calendar day (in ``tz``; ``None``: this computer's zone), in order: attempts,
    minutes, mean scores of the voiced, longest phrase."""
    by_day: dict[date, list[Attempt]] = defaultdict(list)
    for a in attempts:
        by_day[local_days.local_day(a.started_at, tz)].append(a)
    out = []
    for day in sorted(by_day):
        group = by_day[day]
        voiced = [a for a in group if a.voiced]
        out.append(
            DayStats(
                day=day,
                attempts=len(group),
                minutes=sum(a.duration_s for a in group) / 60.0,
                melodic=_mean(a.melodic for a in voiced),
                rhythmic=_mean(a.rhythmic for a in voiced),
                overall=_mean(a.final_score for a in voiced),
                longest_phrase=max(a.syllables for a in group),
            )
        )
    return tuple(out)


def phrase_summaries(
    attempts: Sequence[Attempt], texts: dict[tuple[str, str], str] | None = None, tz: tzinfo | None = None
) -> tuple[PhraseSummary, ...]:
    """One summary per phrase attempted, trained phrases first, then by set and phrase id.

    ``attempts`` in time order; ``texts`` maps ``(set_id, phrase_id)`` to the phrase's text.
    """
    by_phrase: dict[tuple[str, str], list[Attempt]] = defaultdict(list)
    for a in attempts:
        by_phrase[(a.set_id, a.phrase_id)].append(a)
    out = []
    for (set_id, phrase_id), group in by_phrase.items():
        scores = [a.final_score for a in group if a.scored and a.final_score is not None]
        latest = group[-1]
        out.append(
            PhraseSummary(
                set_id=set_id,
                phrase_id=phrase_id,
                text=(texts or {}).get((set_id, phrase_id), ""),
                syllables=latest.syllables,
                probe=latest.probe,
                attempts=len(group),
                scored=len(scores),
                best=max(scores) if scores else None,
                # Voiced attempts only, as the header's means and the daily series: a take in
                # which nothing was sung is practice, not a score of 0 (docs/reports.md).
                mean=_mean(a.final_score for a in group if a.voiced),
                latest=scores[-1] if scores else None,
                overridden=sum(a.override is not None for a in group),
                step_reached=latest.step,
                last_day=local_days.local_day(latest.started_at, tz),
                words=latest_words(group),
            )
        )
    return tuple(sorted(out, key=lambda p: (p.probe, p.set_id, p.phrase_id)))


def latest_words(attempts: Sequence[Attempt]) -> tuple | None:
    """The words of the latest attempt (of ``attempts``, in time order) at a spoken step the
    patient speaks alone whose words were checked, or None. Steps spoken along with the app's
    voice are left out: their microphone heard the voice say the same words
    (:func:`~mitpractice.practice.spoken.words_count`)."""
    from mitpractice.practice.spoken import words_count, words_from_json
    from mitpractice.practice.steps import STEPS

    for a in reversed(attempts):
        step = STEPS.get(a.step)
        words = (a.score_json or {}).get("words")
        if step is not None and words_count(step) and words is not None:
            return words_from_json(words)
    return None


def clinical_marks(tests: Iterable[TestResult]) -> tuple[ClinicalMark, ...]:
    """The charts' labels of clinical test results: ``"WAB 52.5"``, or the test's name."""
    return tuple(ClinicalMark(day=t.taken_on, label=result_label(t)) for t in tests)


def result_label(result: TestResult) -> str:
    """A test result in a few characters: its name and value (``"BNT 31"``)."""
    if result.value is None:
        return result.test
    return f"{result.test} {result.value:g}"


def progress_series(
    days: Sequence[DayProgress],
    *,
    daily_goal_min: float,
    tests: Iterable[TestResult] = (),
    first: date | None = None,
    last: date | None = None,
    tz: tzinfo | None = None,
) -> ProgressSeries:
    """The charts' series from the store's :meth:`~mitpractice.store.Store.progress` rows.

    The store's rows give trained and probe phrases apart (not tapping, and no overall score):
    the series are ``all`` (minutes and attempts added up, scores weighted by attempts),
    ``trained`` and ``probe``. The period runs from ``first`` (else the first row's day, else
    today) to ``last`` (else the last row's day, else today), days of the zone ``tz`` the rows
    were counted in (``None``: this computer's).

    Examples
    --------
    >>> from datetime import date
    >>> from mitpractice.store import DayProgress
    >>> row = DayProgress(day=date(2026, 11, 2), probe=False, attempts=4, minutes=6.5,
    ...                   melodic=80.0, rhythmic=70.0, longest_phrase=3)
    >>> chart = progress_series([row], daily_goal_min=30)
    >>> [s.key for s in chart.series], chart.get("trained").days[0].minutes
    (['all', 'trained', 'probe'], 6.5)
    """
    today = local_days.today(tz)
    known = sorted(d.day for d in days)
    period = Period(
        first=first or (known[0] if known else today), last=last or (known[-1] if known else today), tz=tz
    )
    chosen = [d for d in days if d.day in period]

    def stats(rows: Sequence[DayProgress]) -> tuple[DayStats, ...]:
        return tuple(
            DayStats(
                day=r.day, attempts=r.attempts, minutes=r.minutes, melodic=r.melodic,
                rhythmic=r.rhythmic, overall=None, longest_phrase=r.longest_phrase,
            )
            for r in sorted(rows, key=lambda r: r.day)
        )

    merged = []
    for day in sorted({d.day for d in chosen}):
        rows = [d for d in chosen if d.day == day]
        merged.append(
            DayStats(
                day=day,
                attempts=sum(r.attempts for r in rows),
                minutes=sum(r.minutes for r in rows),
                melodic=_weighted(rows, "melodic"),
                rhythmic=_weighted(rows, "rhythmic"),
                overall=None,
                longest_phrase=max(r.longest_phrase for r in rows),
            )
        )
    trained = stats([d for d in chosen if not d.probe])
    probes = stats([d for d in chosen if d.probe])
    series = (
        DaySeries(key="all", label=SERIES_LABELS["all"], days=tuple(merged)),
        DaySeries(key="trained", label=SERIES_LABELS["trained"], days=trained),
        DaySeries(key="probe", label=SERIES_LABELS["probe"], days=probes),
    )
    marks = clinical_marks(t for t in tests if t.taken_on in period)
    return ProgressSeries(period=period, series=series, daily_goal_min=daily_goal_min, tests=marks)


def as_day(value: date | datetime | str | None, tz: tzinfo | None = None) -> date | None:
    """A day from a date, a datetime (its local day in ``tz``) or ISO text (``2026-11-02``)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ParameterError(f"not a date: {value!r} (use YYYY-MM-DD)") from None
    if isinstance(value, datetime):
        return local_days.local_day(value, tz)
    return value


# --------------------------------------------------------------------- helpers
def _period(store, patient: Patient, since, until, tz: tzinfo | None) -> Period:
    first, last = as_day(since, tz), as_day(until, tz)
    if last is None:
        last = local_days.today(tz)
    if first is None:
        page = store.attempts(AttemptQuery(patient_id=patient.id, descending=False, limit=1))
        oldest = page.attempts[0] if page.attempts else None
        tests = [t.taken_on for t in store.test_results(patient.id)]
        starts = [local_days.local_day(oldest.started_at, tz)] if oldest is not None else []
        first = min(starts + tests[:1] or [local_days.local_day(patient.created_at, tz)])
        first = min(first, last)
    if first > last:
        raise ParameterError(f"the period starts ({first}) after it ends ({last})")
    return Period(first=first, last=last, tz=tz)


def feeling_days(sessions: Iterable, tz: tzinfo | None = None) -> tuple[FeelingDay, ...]:
    """The sessions' answers to "How are you feeling?" by local day, in order; days with no
    answer are left out.

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    >>> feeling_days([S(started_at=at, feeling_before=2, feeling_after=4),
    ...               S(started_at=at, feeling_before=3, feeling_after=None)], UTC)
    (FeelingDay(day=datetime.date(2026, 11, 2), before=2.5, after=4.0, sessions=2),)
    """
    by_day: dict[date, list] = {}
    for s in sessions:
        by_day.setdefault(local_days.local_day(s.started_at, tz), []).append(s)
    out = []
    for day in sorted(by_day):
        group = by_day[day]
        before = _mean(s.feeling_before for s in group)
        after = _mean(s.feeling_after for s in group)
        if before is not None or after is not None:
            out.append(FeelingDay(day=day, before=before, after=after, sessions=len(group)))
    return tuple(out)


def _phrase_texts(store, attempts: Sequence[Attempt]) -> dict[tuple[str, str], str]:
    """The text of each phrase attempted, from the set version its latest attempt used."""
    versions: dict[tuple[str, str], str] = {}
    for a in attempts:
        versions[(a.set_id, a.phrase_id)] = a.phrase_set_id
    parsed = {}
    texts = {}
    for (set_id, phrase_id), version in versions.items():
        if version not in parsed:
            parsed[version] = store.phrase_set(version)
        try:
            texts[(set_id, phrase_id)] = parsed[version].phrase(phrase_id).text
        except PhraseError:  # the phrase left its set since: the report still lists it
            texts[(set_id, phrase_id)] = ""
    return texts


def _totals(attempts: Sequence[Attempt], everything: DaySeries, goal: float) -> Totals:
    return Totals(
        attempts=len(attempts),
        minutes=sum(a.duration_s for a in attempts) / 60.0,
        days_practised=len(everything.days),
        days_goal_met=sum(d.minutes >= goal for d in everything.days),
        mean_trained=_mean(a.final_score for a in attempts if a.voiced and not a.probe),
        mean_probe=_mean(a.final_score for a in attempts if a.voiced and a.probe),
    )


def _mean(values: Iterable[float | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _weighted(rows: Sequence[DayProgress], name: str) -> float | None:
    pairs = [(getattr(r, name), r.attempts) for r in rows if getattr(r, name) is not None]
    weight = sum(n for _, n in pairs)
    return sum(v * n for v, n in pairs) / weight if weight else None
