"""Review list benchmark: the therapist's review list over 10 000 attempts of one patient.

Run: ``.venv/bin/python benchmarks/review.py`` (about a minute, most of it storing the
attempts; ``--attempts N`` for another size).

A SQLite store in a temporary folder gets N attempts of one patient (a tenth of a second of
quiet audio each, scored with one stored score so the score filters have something to
filter), spread over a year. Then the review screen's list model
(:class:`~mitpractice.gui.therapist.attempts_model.AttemptTableModel`, offscreen Qt) is
timed as the therapist uses it: opening the list (the count and the first page), scrolling
one page further (``fetchMore``), a filter on the score, and sorting by score. For
comparison, the same run reads every attempt at once, as a list model without paging would.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    n = parser.parse_args().attempts

    from mitpractice.gui.app import make_app
    from mitpractice.gui.therapist.attempts_model import PAGE, AttemptTableModel
    from mitpractice.melody import target_melody
    from mitpractice.scoring import score_audio
    from mitpractice.store import AttemptQuery, NewAttempt, Store

    make_app()
    folder = tempfile.mkdtemp()
    store = Store.open(f"sqlite:///{folder}/review.sqlite3")
    patient = store.add_patient("Benchmark", low="A2")
    store.assign(patient.id, "greetings")
    phrases = store.phrase_set("greetings").phrases[:4]
    quiet = np.zeros(1600, dtype=np.float32)
    sr = 16000
    scores = {p.id: score_audio(quiet, sr, target_melody(p, "A2")) for p in phrases}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    t0 = time.perf_counter()
    for i in range(n):
        p = phrases[i % len(phrases)]
        new = NewAttempt(
            patient_id=patient.id,
            set_id="greetings",
            phrase_id=p.id,
            step="unison",
            started_at=start + timedelta(minutes=52 * i),
            low_hz=110.0,
            interval=3,
            tempo=60,
        )
        attempt = store.save_attempt(new, quiet, sr)
        if i % 3 == 0:
            store.set_score(attempt.id, scores[p.id])
            store.review(attempt.id, override=float(i % 101))
    stored_s = time.perf_counter() - t0

    model = AttemptTableModel(store)
    query = AttemptQuery(patient_id=patient.id)
    open_s = _timed(lambda: model.set_query(query))

    def scroll():
        model.set_query(query)
        model.fetchMore()

    scroll_s = _timed(scroll) - open_s
    filter_s = _timed(lambda: model.set_query(replace(query, min_score=40, max_score=60)))
    sort_s = _timed(lambda: model.set_query(replace(query, sort="overall", descending=False)))
    everything_s = _timed(lambda: list(store.iter_attempts(query)), repeat=3)
    print(f"{n} attempts stored in {stored_s:.1f} s ({1000 * stored_s / n:.1f} ms each)")
    print(f"open the list (count + first {PAGE} rows): {1000 * open_s:.1f} ms")
    print(f"scroll one page further (fetchMore):      {1000 * scroll_s:.1f} ms")
    print(f"filter on the score (40-60):              {1000 * filter_s:.1f} ms")
    print(f"sort by score:                            {1000 * sort_s:.1f} ms")
    print(
        f"read all {n} at once (no paging):       {1000 * everything_s:.1f} ms "
        f"({everything_s / open_s:.0f}x opening the paged list)"
    )
    store.close()


if __name__ == "__main__":
    main()
