"""Store benchmark: SQLite and PostgreSQL side by side, in one run.

Run: ``.venv/bin/python benchmarks/store.py`` as root (it starts its own PostgreSQL server as
the ``postgres`` user, like the test session: ``tests/pg_server.py``), a few minutes.

- ``save_attempt``: p50 and p99 of saving a 3 s take (row + FLAC in one transaction, made
  durable: SQLite ``synchronous=FULL``, PostgreSQL with ``fsync=on``).
- The review query: one page of 100 with filters (patient, date range, score range, sorted
  by score; a phrase; the newest page), over one patient with 10 000 attempts, and over 100
  patients x 1 000 attempts; plus the flagged list across every patient. Median and p95 of
  repeated runs, each counting the matches as the review list does.
- Progress aggregates per day for a year of daily practice (the 10 000 attempts span a year),
  on this computer's calendar and on Sydney's (daylight saving: two changes of offset in the
  year); the minutes of today for the daily goal.
- Backup of 1 000 attempts of 3 s with their audio, and restoring it on the other backend.

The bulk of the attempts is written straight into the tables (setting up 110 000 attempts
through ``save_attempt`` would take long and measure nothing the first case does not), then
``ANALYZE`` is run, as PostgreSQL's autovacuum does on a table that grows.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import case, func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import pg_server  # the test session's server helper

from mitpractice.store import AttemptQuery, DayProgress, NewAttempt, Store
from mitpractice.store.backup import backup, restore
from mitpractice.store.schema import attempt_audio, attempts
from mitpractice.store.values import encode_flac, new_id

SR = 16_000
YEAR_START = datetime(2025, 11, 1, 8, tzinfo=UTC)
SYDNEY = ZoneInfo("Australia/Sydney")
PHRASES = ["thank-you", "good-morning", "hello", "goodbye", "good-night", "how-are-you", "see-you-soon",
           "nice-to-meet-you"]
STEPS = ["unison", "unison-fading", "repetition", "probe-question"]


def voice(seconds: float, seed: int) -> np.ndarray:
    """A take-like signal: a sung tone with vibrato and harmonics, breath noise, pauses."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    f0 = 196 * (1 + 0.01 * np.sin(2 * np.pi * 5.5 * t)) * np.where((t % 1.0) < 0.5, 1.0, 2 ** (3 / 12))
    phase = 2 * np.pi * np.cumsum(f0) / SR
    y = sum(0.3 / k * np.sin(k * phase) for k in range(1, 8))
    y *= ((t % 1.0) < 0.85)
    return (y + 0.01 * rng.standard_normal(len(t))).astype(np.float32)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def bulk_attempts(store: Store, patient_ids: list[str], per_patient: int, seed: int) -> None:
    """``per_patient`` scored attempts per patient, spread over a year, written in bulk."""
    rng = np.random.default_rng(seed)
    set_version = store.phrase_set_record("greetings").id
    blob = encode_flac(voice(0.1, 0), SR)
    span_s = 365 * 86400
    with store.transaction("load the benchmark") as conn:
        for patient in patient_ids:
            offsets = np.sort(rng.uniform(0, span_s, per_patient))
            scores = rng.uniform(20, 100, per_patient)
            rows, audio = [], []
            for i in range(per_patient):
                attempt_id = new_id()
                rows.append(dict(
                    id=attempt_id, patient_id=patient, session_id=None, phrase_set_id=set_version,
                    set_id="greetings", phrase_id=PHRASES[i % len(PHRASES)], syllables=2 + i % 4,
                    probe=i % 5 == 0, step=STEPS[i % len(STEPS)],
                    started_at=YEAR_START + timedelta(seconds=float(offsets[i])), duration_s=3.0,
                    low_hz=220.0, interval=3.0, tempo=60.0, latency_s=0.15, tapping=False, taps_json="[]",
                    model="crepe-tiny", mode="sung", recovered=False, voiced=True,
                    melodic=float(scores[i]), rhythmic=float(scores[i]), overall=float(scores[i]),
                    score_json="{}", override=None, note="", flagged=i % 50 == 0))
                audio.append(dict(attempt_id=attempt_id, sr=SR, flac=blob))
            for start in range(0, per_patient, 2000):
                conn.execute(insert(attempts), rows[start:start + 2000])
                conn.execute(insert(attempt_audio), audio[start:start + 2000])
    # Fresh statistics, as PostgreSQL's autovacuum keeps them on a table that grew over months
    # (right after a bulk load the planner still believes the table empty and picks slow plans).
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def utc_day_progress(store: Store, patient: str) -> list:
    """``Store.progress`` as it was before local days: grouped by the UTC date, in one query."""
    day = func.date(attempts.c.started_at)
    voiced = attempts.c.voiced.is_(True)
    stmt = (
        select(day, attempts.c.probe, func.count(), func.sum(attempts.c.duration_s),
               func.avg(case((voiced, attempts.c.melodic))), func.avg(case((voiced, attempts.c.rhythmic))),
               func.max(attempts.c.syllables))
        .where(attempts.c.patient_id == patient)
        .group_by(day, attempts.c.probe)
        .order_by(day, attempts.c.probe)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [
        DayProgress(day=d if isinstance(d, date) else date.fromisoformat(d), probe=bool(probe), attempts=n,
                    minutes=float(seconds or 0) / 60, melodic=None if m is None else float(m),
                    rhythmic=None if r is None else float(r), longest_phrase=int(longest or 0))
        for d, probe, n, seconds, m, r, longest in rows
    ]


def review_queries(patient: str) -> dict[str, AttemptQuery]:
    spring = YEAR_START + timedelta(days=120)
    return {
        "newest page": AttemptQuery(patient_id=patient),
        "90 days, score 40-80, by score": AttemptQuery(
            patient_id=patient, since=spring, until=spring + timedelta(days=90), min_score=40, max_score=80,
            sort="overall", descending=False),
        "one phrase at one step": AttemptQuery(patient_id=patient, set_id="greetings", phrase_id="hello",
                                               step="repetition", sort="started_at"),
        "page 30 of the patient": AttemptQuery(patient_id=patient, offset=3000),
    }


def measure(name: str, url: str, repeat: int, out: dict) -> Store:
    store = Store.open(url)
    results = out.setdefault(name, {})

    # save_attempt, durable
    patient = store.add_patient("Saver")
    store.assign(patient.id, "greetings")
    takes = [voice(3.0, i) for i in range(5)]
    times, _ = timed(lambda: store.save_attempt(NewAttempt(
        patient_id=patient.id, set_id="greetings", phrase_id="hello", step="unison",
        started_at=datetime.now(UTC), low_hz=220, interval=3, tempo=60), takes[0], SR), repeat * 5)
    results["save p50"], results["save p99"] = pct(times, 50) * 1000, pct(times, 99) * 1000

    # One patient with 10 000 attempts over a year.
    solo = store.add_patient("Solo")
    start = time.perf_counter()
    bulk_attempts(store, [solo.id], 10_000, seed=1)
    results["load 10k"] = time.perf_counter() - start
    for label, query in review_queries(solo.id).items():
        times, page = timed(lambda q=query: store.attempts(q), repeat)
        assert len(page.attempts) == min(100, max(page.total - query.offset, 0))
        results[f"1x10k: {label}"] = (pct(times, 50) * 1000, pct(times, 95) * 1000, page.total)
    # The former query, grouping by UTC day, as a reference measured in the same run.
    times, days = timed(lambda: utc_day_progress(store, solo.id), repeat)
    results["progress, a year, UTC days (before)"] = (pct(times, 50) * 1000, pct(times, 95) * 1000, len(days))
    reference = pct(times, 50)
    times, days = timed(lambda: store.progress(solo.id), repeat)
    results["progress, a year"] = (pct(times, 50) * 1000, pct(times, 95) * 1000, len(days))
    # The same days on a calendar with daylight saving (two changes of offset in the year).
    times, days = timed(lambda: store.progress(solo.id, tz=SYDNEY), repeat)
    results["progress, a year, Sydney's days"] = (pct(times, 50) * 1000, pct(times, 95) * 1000, len(days))
    results["progress: Sydney's days / UTC days ratio"] = pct(times, 50) / reference
    times, _ = timed(lambda: store.minutes_today(solo.id, tz=SYDNEY), repeat)
    results["minutes today"] = (pct(times, 50) * 1000, pct(times, 95) * 1000, 0)

    # 100 patients x 1 000 attempts.
    many = [store.add_patient(f"Patient {i:03d}").id for i in range(100)]
    start = time.perf_counter()
    bulk_attempts(store, many, 1_000, seed=2)
    results["load 100k"] = time.perf_counter() - start
    for label, query in review_queries(many[57]).items():
        if query.offset >= 1000:
            query = AttemptQuery(**{**query.__dict__, "offset": 500})
            label = "page 6 of the patient"
        times, page = timed(lambda q=query: store.attempts(q), repeat)
        results[f"100x1k: {label}"] = (pct(times, 50) * 1000, pct(times, 95) * 1000, page.total)
    times, page = timed(lambda: store.attempts(AttemptQuery(flagged=True)), repeat)
    results["100x1k: flagged, every patient"] = (pct(times, 50) * 1000, pct(times, 95) * 1000, page.total)
    return store


def measure_backup(name: str, url: str, other_url: str, out: dict, folder: Path) -> None:
    store = Store.open(url)
    patient = store.add_patient("Backed up")
    store.assign(patient.id, "greetings")
    for i in range(1000):
        store.save_attempt(NewAttempt(
            patient_id=patient.id, set_id="greetings", phrase_id=PHRASES[i % len(PHRASES)], step="unison",
            started_at=YEAR_START + timedelta(hours=i), low_hz=220, interval=3, tempo=60),
            voice(3.0, i % 20), SR)
    archive = folder / f"{name}.zip"
    start = time.perf_counter()
    backup(store, archive)
    out[name]["backup 1000"] = time.perf_counter() - start
    out[name]["backup MB"] = archive.stat().st_size / 1e6
    target = Store.open(other_url)
    start = time.perf_counter()
    restore(target, archive)
    out[name]["restore 1000 on the other"] = time.perf_counter() - start
    store.close()
    target.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40, help="runs per query")
    args = parser.parse_args()
    if not pg_server.available():
        sys.exit("PostgreSQL is not installed (scripts/setup.sh --test installs it)")
    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp, pg_server.postgres(fsync=True) as server:
        folder = Path(tmp)
        urls = {"SQLite": f"sqlite:///{folder / 'bench.sqlite3'}",
                "PostgreSQL": server.create_database("bench")}
        for name, url in urls.items():
            print(f"measuring {name} ...", flush=True)
            measure(name, url, args.repeat, out).close()
        backup_urls = {"SQLite": f"sqlite:///{folder / 'backup.sqlite3'}",
                       "PostgreSQL": server.create_database("backup")}
        restored_urls = {"SQLite": server.create_database("restored"),
                         "PostgreSQL": f"sqlite:///{folder / 'restored.sqlite3'}"}
        for name in urls:
            measure_backup(name, backup_urls[name], restored_urls[name], out, folder)

    names = list(out)
    print(f"\n{'':44}" + "".join(f"{n:>26}" for n in names))
    for key in out[names[0]]:
        cells = []
        for n in names:
            value = out[n][key]
            if isinstance(value, tuple):
                cells.append(f"{value[0]:7.2f} / {value[1]:6.2f} ms ({value[2]:>5})")
            elif key.startswith(("save", )):
                cells.append(f"{value:9.2f} ms")
            elif key.endswith("ratio"):
                cells.append(f"{value:9.2f} x")
            elif key.endswith("MB"):
                cells.append(f"{value:9.1f} MB")
            else:
                cells.append(f"{value:9.2f} s")
        print(f"{key:44}" + "".join(f"{c:>26}" for c in cells))
    print("\nqueries: median / p95 (matching attempts); save: per attempt of 3 s")


if __name__ == "__main__":
    main()
