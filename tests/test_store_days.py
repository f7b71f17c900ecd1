"""Days as the patient and the therapist live them: the store's progress and the daily goal
count calendar days of the local time zone (daylight saving followed), on a real SQLite file
and a real PostgreSQL server, with this computer's zone set as the operating system sets it."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from mitpractice import days
from mitpractice.store import NewAttempt, Store

SYDNEY, NEW_YORK = ZoneInfo("Australia/Sydney"), ZoneInfo("America/New_York")
SR = 16_000


@pytest.fixture
def store(store_on_each_backend) -> Store:
    return store_on_each_backend


@pytest.fixture
def ann(store):
    patient = store.add_patient("Ann")
    store.assign(patient.id, "greetings")
    return patient


def sing(store: Store, patient_id: str, when: datetime, seconds: float = 3.0) -> None:
    store.save_attempt(
        NewAttempt(patient_id=patient_id, set_id="greetings", phrase_id="hello", step="unison",
                   started_at=when, low_hz=220.0, interval=3.0, tempo=60.0),
        np.zeros(int(seconds * SR), np.float32), SR,
    )


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)


def per_day(rows) -> dict[date, int]:
    out: Counter = Counter()
    for r in rows:
        out[r.day] += r.attempts
    return dict(out)


# Attempts near midnight, as (local time, expected local day). Sydney is UTC+11 in November:
# its morning is the previous UTC day. New York is UTC−5: its evening is the next UTC day.
NEAR_MIDNIGHT = {
    "Australia/Sydney": [
        ((2026, 11, 28, 23, 50), date(2026, 11, 28)),
        ((2026, 11, 29, 0, 10), date(2026, 11, 29)),  # 13:10 UTC on the 28th
        ((2026, 11, 29, 8, 0), date(2026, 11, 29)),  # 21:00 UTC on the 28th
    ],
    "America/New_York": [
        ((2026, 11, 28, 19, 0), date(2026, 11, 28)),  # 00:00 UTC on the 29th
        ((2026, 11, 28, 20, 0), date(2026, 11, 28)),
        ((2026, 11, 29, 0, 10), date(2026, 11, 29)),
    ],
}

# Days on which the clocks change: Sydney goes back an hour on 5 April 2026 (a 25-hour day),
# New York goes forward on 8 March 2026 (23 hours). Either side of each local midnight.
CHANGE_DAYS = {
    "Australia/Sydney": [
        ((2026, 4, 4, 23, 30), date(2026, 4, 4)),  # AEDT, UTC+11
        ((2026, 4, 5, 0, 30), date(2026, 4, 5)),  # AEDT
        ((2026, 4, 5, 23, 30), date(2026, 4, 5)),  # AEST, UTC+10: 13:30 UTC
        ((2026, 4, 6, 0, 30), date(2026, 4, 6)),
    ],
    "America/New_York": [
        ((2026, 3, 7, 23, 30), date(2026, 3, 7)),  # EST, UTC−5
        ((2026, 3, 8, 0, 30), date(2026, 3, 8)),
        ((2026, 3, 8, 23, 30), date(2026, 3, 8)),  # EDT, UTC−4: 03:30 UTC on the 9th
        ((2026, 3, 9, 0, 30), date(2026, 3, 9)),  # 04:30 UTC: 23:30 on the 8th at a fixed UTC−5
    ],
}


@pytest.mark.parametrize("zone_name", sorted(NEAR_MIDNIGHT))
@pytest.mark.parametrize("cases", [NEAR_MIDNIGHT, CHANGE_DAYS], ids=["near-midnight", "clock-change"])
def test_progress_counts_the_days_of_this_computers_zone(store, ann, local_zone, zone_name, cases):
    local_zone(zone_name)
    zone = ZoneInfo(zone_name)
    for parts, _day in cases[zone_name]:
        sing(store, ann.id, local(zone, *parts))
    expected = Counter(day for _parts, day in cases[zone_name])
    assert per_day(store.progress(ann.id)) == dict(expected)
    # The minutes follow the attempts to their day.
    minutes = {r.day: r.minutes for r in store.progress(ann.id)}
    assert minutes == {day: pytest.approx(n * 3.0 / 60) for day, n in expected.items()}


def test_progress_in_a_zone_given_is_that_zones_calendar(store, ann, local_zone):
    local_zone("America/New_York")  # this computer's zone, not the one asked for
    for parts, _day in NEAR_MIDNIGHT["Australia/Sydney"]:
        sing(store, ann.id, local(SYDNEY, *parts))
    assert per_day(store.progress(ann.id, tz=SYDNEY)) == {date(2026, 11, 28): 1, date(2026, 11, 29): 2}
    assert per_day(store.progress(ann.id)) == {date(2026, 11, 28): 3}  # New York's evening
    # A period of local days: the 29th in Sydney runs from 13:00 UTC on the 28th.
    since, until = days.day_span(date(2026, 11, 29), date(2026, 11, 29), SYDNEY)
    assert per_day(store.progress(ann.id, since=since, until=until, tz=SYDNEY)) == {date(2026, 11, 29): 2}


@pytest.mark.parametrize("zone_name", ["Australia/Sydney", "America/New_York"])
def test_the_daily_goal_counts_the_minutes_of_the_local_today(store, ann, local_zone, zone_name):
    local_zone(zone_name)
    now = datetime.now(UTC)
    midnight = days.day_start(days.today())
    assert midnight <= now < midnight + timedelta(hours=25)
    sing(store, ann.id, min(midnight + timedelta(minutes=1), now), seconds=3.0)  # today, just
    sing(store, ann.id, midnight - timedelta(minutes=1), seconds=6.0)  # late last night
    sing(store, ann.id, midnight - timedelta(hours=20), seconds=12.0)  # yesterday
    assert store.minutes_today(ann.id) == pytest.approx(3.0 / 60)
    # Asked for another zone, the same store counts that zone's today.
    other = NEW_YORK if zone_name == "Australia/Sydney" else SYDNEY
    start = days.day_start(days.today(other), other)
    expected = sum(s for t, s in ((min(midnight + timedelta(minutes=1), now), 3.0),
                                  (midnight - timedelta(minutes=1), 6.0),
                                  (midnight - timedelta(hours=20), 12.0)) if t >= start)
    assert store.minutes_today(ann.id, tz=other) == pytest.approx(expected / 60)


def test_day_boundaries_follow_daylight_saving():
    # Sydney's 5 April 2026 lasts 25 hours, New York's 8 March 2026 23 hours.
    start, end = days.day_span(date(2026, 4, 5), date(2026, 4, 5), SYDNEY)
    assert (start, end - start) == (datetime(2026, 4, 4, 13, tzinfo=UTC), timedelta(hours=25))
    start, end = days.day_span(date(2026, 3, 8), date(2026, 3, 8), NEW_YORK)
    assert (start, end - start) == (datetime(2026, 3, 8, 5, tzinfo=UTC), timedelta(hours=23))
    offset, changes = days.offset_changes(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC),
                                          NEW_YORK)
    assert offset == -5 * 3600
    assert changes == ((datetime(2026, 3, 8, 7, tzinfo=UTC), -4 * 3600),
                       (datetime(2026, 11, 1, 6, tzinfo=UTC), -5 * 3600))


def test_this_computers_zone_is_followed_through_the_year(local_zone):
    local_zone("Australia/Sydney")
    assert days.local_day(datetime(2026, 11, 28, 21, tzinfo=UTC)) == date(2026, 11, 29)
    assert days.day_start(date(2026, 4, 6)) == datetime(2026, 4, 5, 14, tzinfo=UTC)  # AEST
    assert days.day_start(date(2026, 4, 5)) == datetime(2026, 4, 4, 13, tzinfo=UTC)  # AEDT
    assert days.format_local(datetime(2026, 7, 1, 2, tzinfo=UTC)) == "2026-07-01 12:00 AEST"
    assert days.zone_name() == "Australia/Sydney"
