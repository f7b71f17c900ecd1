"""The report's content, built from a real SQLite store holding five weeks of practice (some
attempts sung by the bundled voice and scored by the real scorer), checked against the
attempts themselves and against the store's own daily progress."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
import report_data
from report_data import FIRST_DAY, PROBES, TRAINED, WEEKS

from mitpractice import days as local_days
from mitpractice.errors import ParameterError, StoreError
from mitpractice.reports.report import Period, build_report, progress_series
from mitpractice.store import AttemptQuery


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    return report_data.shared(tmp_path_factory)


@pytest.fixture(scope="module")
def attempts(practice):
    return list(practice.store.iter_attempts(AttemptQuery(patient_id=practice.patient_id, descending=False)))


def test_the_default_period_runs_from_the_baseline_test_to_today_and_holds_everything(practice, attempts):
    report = build_report(practice.store, practice.patient_id)
    assert report.period.first == FIRST_DAY - timedelta(days=2)  # the WAB taken before practice began
    assert report.period.last == local_days.today()  # the local calendar's today
    assert report.patient.name == "Ann Example"
    assert report.totals.attempts == len(attempts) == len(practice.all_ids)
    assert report.totals.minutes == pytest.approx(sum(a.duration_s for a in attempts) / 60)
    assert report.totals.days_practised == WEEKS * 5
    assert [t.test for t in report.tests] == ["WAB", "BNT", "ANELT", "WAB"]
    assert [m.label for m in report.progress.tests] == ["WAB 41.5", "BNT 22", "ANELT", "WAB 48"]


def test_a_chosen_period_keeps_only_its_attempts_and_tests(practice, attempts):
    first, last = FIRST_DAY + timedelta(days=14), FIRST_DAY + timedelta(days=20)
    report = build_report(practice.store, practice.patient_id, first, last)
    inside = [a for a in attempts if first <= local_days.local_day(a.started_at) <= last]
    assert report.period == Period(first=first, last=last)
    assert report.totals.attempts == len(inside) > 0
    assert [t.test for t in report.tests] == ["BNT", "ANELT"]
    days = {d.day for s in report.progress.series for d in s.days}
    assert days <= {first + timedelta(days=i) for i in range(7)}


def test_the_phrase_table_uses_final_scores_with_the_therapists_overrides(practice, attempts):
    report = build_report(practice.store, practice.patient_id)
    rows = {p.phrase_id: p for p in report.phrases}
    assert list(rows) == [*sorted(TRAINED), *PROBES]  # trained first, then the probes
    for phrase_id, row in rows.items():
        mine = [a for a in attempts if a.phrase_id == phrase_id]
        finals = [a.override if a.override is not None else a.overall for a in mine]
        assert row.attempts == len(mine)
        assert row.best == pytest.approx(max(finals))
        voiced = [f for a, f in zip(mine, finals, strict=True) if a.voiced]
        assert row.mean == pytest.approx(sum(voiced) / len(voiced))
        assert row.latest == pytest.approx(finals[-1])
        assert row.step_reached == "repetition"  # the later weeks' step
        assert row.probe == (phrase_id in PROBES)
        assert row.text  # the phrase's words, from the set the attempts used
    goodbye = rows["goodbye"]
    assert goodbye.overridden == 1 and goodbye.best == 95.0  # the override, not the automatic score
    assert rows["thank-you"].text == "Thank you"


def test_series_keep_trained_and_probe_and_tapping_apart_and_agree_with_the_store(practice, attempts):
    report = build_report(practice.store, practice.patient_id)
    progress = report.progress
    stored = {(d.day, d.probe): d for d in practice.store.progress(practice.patient_id)}
    for key, probe in (("trained", False), ("probe", True)):
        series = progress.get(key)
        assert len(series.days) == WEEKS * 5
        for day in series.days:
            theirs = stored[(day.day, probe)]
            assert day.attempts == theirs.attempts
            assert day.minutes == pytest.approx(theirs.minutes)
            assert day.melodic == pytest.approx(theirs.melodic)
            assert day.rhythmic == pytest.approx(theirs.rhythmic)
            assert day.longest_phrase == theirs.longest_phrase
    tapping, plain = progress.get("tapping"), progress.get("no-tapping")
    assert {d.day.weekday() for d in tapping.days} == {0, 2, 4}
    assert {d.day.weekday() for d in plain.days} == {1, 3}
    # the longer phrase joins in the second week: the longest trained phrase grows from 2 to 3
    longest = [d.longest_phrase for d in progress.get("trained").days]
    assert longest[:5] == [2] * 5 and set(longest[5:]) == {3}
    # practice shows: trained phrases improve more than the untrained ones
    trained, probe = progress.get("trained").days, progress.get("probe").days
    assert trained[-1].melodic - trained[1].melodic > probe[-1].melodic - probe[1].melodic
    everything = progress.get("all")
    assert sum(d.attempts for d in everything.days) == len(attempts)


def test_a_take_with_no_singing_counts_as_practice_but_not_in_the_mean_scores(practice, attempts):
    silent = [a for a in attempts if a.voiced is False]
    assert len(silent) == 1
    day = silent[0].started_at.date()
    report = build_report(practice.store, practice.patient_id, day, day)
    voiced = [a for a in attempts if a.started_at.date() == day and a.voiced and not a.probe]
    trained = report.progress.get("trained").days[0]
    assert trained.attempts == len(voiced) + 1
    assert trained.melodic == pytest.approx(sum(a.melodic for a in voiced) / len(voiced))
    # The phrase's own row agrees with the header: its silent take is an attempt, not a 0.
    (row,) = [p for p in report.phrases if p.phrase_id == silent[0].phrase_id]
    sung = [a.final_score for a in voiced if a.phrase_id == row.phrase_id]
    assert row.attempts == len(sung) + 1
    assert row.mean == pytest.approx(sum(sung) / len(sung))


def test_the_therapists_notes_are_listed_in_time_order(practice):
    report = build_report(practice.store, practice.patient_id)
    assert [n.note for n in report.notes] == [
        "Second syllable late again; tapping helped.",
        "Sang 'good night' instead: scored by hand.",
    ]
    assert report.notes[0].flagged and not report.notes[1].flagged
    assert report.notes[1].overridden and report.notes[1].score == 30.0


def test_minutes_against_the_daily_goal(practice):
    report = build_report(practice.store, practice.patient_id)
    days = report.progress.get("all").days
    goal = report.patient.daily_goal_min
    assert report.progress.daily_goal_min == goal
    assert report.totals.days_goal_met == sum(d.minutes >= goal for d in days)
    assert 0 < report.totals.days_goal_met < len(days)  # the data has both kinds of day


def test_bad_periods_and_patients_are_one_clear_error(practice):
    with pytest.raises(ParameterError, match=r"starts .* after it ends"):
        build_report(practice.store, practice.patient_id, date(2026, 11, 2), date(2026, 11, 1))
    with pytest.raises(ParameterError, match="not a date"):
        build_report(practice.store, practice.patient_id, "yesterday")
    with pytest.raises(StoreError, match="no patient"):
        build_report(practice.store, "no-such-id")


def test_progress_series_from_the_stores_daily_rows(practice):
    rows = practice.store.progress(practice.patient_id)
    tests = practice.store.test_results(practice.patient_id)
    series = progress_series(rows, daily_goal_min=2, tests=tests)
    assert series.period.first == FIRST_DAY
    assert series.period.last == FIRST_DAY + timedelta(weeks=WEEKS, days=-3)  # the last Friday
    # the period is the rows' days: the WABs before the first and after the last are left out
    assert [m.label for m in series.tests] == ["BNT 22", "ANELT"]
    per_day = defaultdict(int)
    for r in rows:
        per_day[r.day] += r.attempts
    assert {d.day: d.attempts for d in series.get("all").days} == dict(per_day)
    assert series.get("tapping") is None  # the store's rows do not tell tapping apart
