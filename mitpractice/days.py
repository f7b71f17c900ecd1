"""Days and times as the people using the app live them.

The store keeps every time in UTC (``store.schema.UTCDateTime``), so stores merge without
clashes. A *day*, though, is what the person looking at it calls a day: the calendar day in
the local time zone of the computer showing it — the patient's computer for the daily goal,
the therapist's for the progress screen and the reports. Daylight saving is followed (a day
may last 23 or 25 hours); the zone is never taken as a fixed offset.

Every function takes ``tz``: a :class:`datetime.tzinfo` such as
``zoneinfo.ZoneInfo("Australia/Sydney")``, or ``None`` for this computer's own zone as the
operating system knows it (``TZ``, ``/etc/localtime``), which is what the app uses.

Examples
--------
>>> from datetime import UTC, date, datetime
>>> from zoneinfo import ZoneInfo
>>> sydney = ZoneInfo("Australia/Sydney")
>>> local_day(datetime(2026, 11, 29, 21, 30, tzinfo=UTC), sydney)   # 08:30 the next morning
datetime.date(2026, 11, 30)
>>> day_start(date(2026, 11, 30), sydney)
datetime.datetime(2026, 11, 29, 13, 0, tzinfo=datetime.timezone.utc)
>>> [(t.isoformat(), s) for t, s in offset_changes(
...     datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC), sydney)[1]]
[('2026-04-04T16:00:00+00:00', 36000)]
"""

from __future__ import annotations

import math
import os
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path

#: How far apart :func:`offset_changes` looks at the zone's offset before narrowing a change
#: down to the second (zones change on a whole second): one day. Zones change their offset a
#: few times a year at most, never twice within a day, so one look a day finds every change;
#: a year costs ~366 lookups (under a millisecond).
SCAN_STEP = timedelta(days=1)


def local_time(t: datetime, tz: tzinfo | None = None) -> datetime:
    """A stored (UTC) time in the local zone ``tz`` (this computer's when ``None``)."""
    return _aware(t).astimezone(tz)


def local_day(t: datetime, tz: tzinfo | None = None) -> date:
    """The local calendar day an instant falls on."""
    return local_time(t, tz).date()


def today(tz: tzinfo | None = None) -> date:
    """Today, in the local zone."""
    return datetime.now(UTC).astimezone(tz).date()


def day_start(day: date, tz: tzinfo | None = None) -> datetime:
    """The first instant of a local calendar day, as an aware UTC time.

    Where a zone skips midnight (a change of offset at 00:00), the day starts at the first
    local time that exists.
    """
    naive = datetime.combine(day, time(0))
    local = naive.astimezone() if tz is None else naive.replace(tzinfo=tz)
    return local.astimezone(UTC)


def day_span(first: date, last: date, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """The instants (UTC) from the start of ``first`` to the start of the day after ``last``."""
    return day_start(first, tz), day_start(last + timedelta(days=1), tz)


def utc_offset(t: datetime, tz: tzinfo | None = None) -> int:
    """Seconds the local clock is ahead of UTC at instant ``t`` (negative west of Greenwich)."""
    offset = local_time(t, tz).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def offset_changes(
    start: datetime, end: datetime, tz: tzinfo | None = None
) -> tuple[int, tuple[tuple[datetime, int], ...]]:
    """The zone's offset at ``start`` and every change of it up to ``end``.

    Returns ``(offset, changes)``: the offset in seconds at ``start``, then for each change
    the instant (UTC) from which the new offset holds and that offset. Between two changes an
    instant's local day is the UTC day of the instant moved by the offset, which is how the
    store groups attempts by local day inside the database.
    """
    start, end = _aware(start).astimezone(UTC), _aware(end).astimezone(UTC)
    first = current = utc_offset(start, tz)
    changes = []
    t = start
    while t < end:
        nxt = min(t + SCAN_STEP, end)
        if utc_offset(nxt, tz) != current:
            lo, hi = int(t.timestamp()), math.ceil(nxt.timestamp())  # `current` at lo, not at hi
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if utc_offset(_instant(mid), tz) == current:
                    lo = mid
                else:
                    hi = mid
            hi = _instant(hi)
            current = utc_offset(hi, tz)
            changes.append((hi, current))
        t = nxt
    return first, tuple(changes)


def zone_name(tz: tzinfo | None = None) -> str:
    """The zone's name for people: its IANA key (``Europe/Berlin``) where known, else its
    abbreviation now (``CET``), else its offset (``UTC+01:00``)."""
    key = getattr(tz, "key", None) if tz is not None else _system_zone_key()
    if key:
        return key
    now = datetime.now(UTC).astimezone(tz)
    return now.tzname() or f"UTC{now:%z}"


def zone_abbreviation(t: datetime, tz: tzinfo | None = None) -> str:
    """The zone as the clock at ``t`` shows it: ``AEDT``, ``EST``, or ``+0530`` if it has no
    abbreviation."""
    local = local_time(t, tz)
    name = local.tzname() or ""
    return name if name and not name.startswith(("+", "-")) else f"UTC{local:%z}"


def format_local(
    t: datetime, tz: tzinfo | None = None, fmt: str = "%Y-%m-%d %H:%M", zone: bool = True
) -> str:
    """A stored time as a person reads it: local, with the zone's abbreviation when ``zone``.

    >>> from zoneinfo import ZoneInfo
    >>> format_local(datetime(2026, 7, 1, 23, 30, tzinfo=UTC), ZoneInfo("America/New_York"))
    '2026-07-01 19:30 EDT'
    """
    text = local_time(t, tz).strftime(fmt)
    return f"{text} {zone_abbreviation(t, tz)}" if zone else text


def _aware(t: datetime) -> datetime:
    """A naive time is taken as UTC (the store's convention)."""
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t


def _instant(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _system_zone_key() -> str | None:
    """This computer's IANA zone name, where it can be told (``TZ``, ``/etc/localtime``)."""
    env = os.environ.get("TZ", "").lstrip(":")
    if env and "/" in env and not env.startswith("/"):
        return env
    try:
        target = str(Path(env or "/etc/localtime").resolve())
    except OSError:
        return None
    marker = "zoneinfo/"
    if marker in target:
        return target.split(marker, 1)[1]
    return None
