"""Take end → result on screen, in the practice window's own worker, for a 10 s take.

Run: ``.venv/bin/python benchmarks/take_end.py`` (about two minutes); ``--no-referee`` leaves
SwiftF0 out, to compare (run the two in turns, under the same load).

What the patient waits for after the last note: the window's live worker
(:class:`mitpractice.gui.practice.workers.LiveThread`, on its own thread, as in the window)
is fed a 10 s sung take in 100 ms blocks while it is "recorded", with its journal written as
the window writes it; then the take ends and the worker is told to finish. Timed, on the GUI
thread's clock: until the result reaches the GUI thread (the window draws it on that event),
and until the attempt is stored. The store is a real SQLite file in a fresh data folder.
The takes are :mod:`benchmarks.feedback`'s (the bundled voice's 10 s phrases, 16 kHz).

Each take runs twice in turn, under the same load: scored ahead in its closing pause, as the
window does (:data:`~mitpractice.practice.live.SCORE_AHEAD_S`), and scored only at its end
(``TakePlan.ahead`` False), the alignments remembered forgotten before each.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

#: The phrase the attempts are stored under (the scoring follows each take's own melody).
PHRASE = "my-daughter-is-coming-tomorrow"


def caught_up(take, seconds: float) -> bool:
    """Whether the worker has tracked the whole take (or the take ended on its pause)."""
    return take is None or take.seconds >= seconds - 1e-3 or (
        take.detector is not None and take.detector.ended is not None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each take")
    parser.add_argument("--no-referee", action="store_true",
                        help="score CREPE's track as it is (no SwiftF0 beside it), to compare")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="mitpractice-bench-")
    from feedback import BLOCK_S, takes
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    from mitpractice.audio import RECORD_SR
    from mitpractice.gui.practice.workers import OCTAVE_REFEREE, LiveThread, TakeEnd, TakePlan
    from mitpractice.scoring.align.search import forget_alignments
    from mitpractice.store import Store
    from mitpractice.store.journal import TakeJournal
    from mitpractice.store.records import NewAttempt

    app = QCoreApplication.instance() or QCoreApplication([])

    def wait(ms: int) -> None:
        """Run the GUI thread's event loop for ``ms`` (asleep between events)."""
        loop = QEventLoop(app)
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    store = Store.open()
    patient = store.add_patient("Bench", low="A3")
    store.assign(patient.id, "answers", [PHRASE])
    live = LiveThread(store)
    marks: dict[str, float] = {}
    live.worker.outcome.connect(lambda _: marks.setdefault("result", time.perf_counter()))
    live.worker.saved.connect(lambda _: marks.setdefault("saved", time.perf_counter()))
    live.worker.failed.connect(lambda text: print("failed:", text))
    cases = takes("A3")
    block = int(BLOCK_S * RECORD_SR)
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load average {load:.2f}, octave referee: "
          f"{'none' if args.no_referee else OCTAVE_REFEREE}")
    shown = {True: [], False: []}
    stored = {True: [], False: []}
    for run in range(args.repeat + 1):  # the first run warms up
        for (_, melody, y), ahead in ((case, ahead) for case in cases for ahead in (True, False)):
            forget_alignments()
            new = NewAttempt(patient_id=patient.id, set_id="answers", phrase_id=PHRASE, step="repeat",
                             started_at=datetime.now(UTC), low_hz=220.0, interval=3,
                             tempo=60.0, mode="sung")
            journal = TakeJournal.begin(new, RECORD_SR)
            live.begin.emit(TakePlan(melody, "sung", 0.0, -60.0, 0.0, False, RECORD_SR,
                                     referee=None if args.no_referee else OCTAVE_REFEREE, ahead=ahead))
            for i in range(0, len(y), block):
                journal.append(y[i : i + block])
                live.push.emit(y[i : i + block])
                wait(round(1000 * BLOCK_S / 4))  # the next block is recorded meanwhile
            deadline = time.perf_counter() + 10.0
            while not caught_up(live.worker._take, len(y) / RECORD_SR) and time.perf_counter() < deadline:
                wait(20)  # the worker catches up, as it does while the patient sings
            marks.clear()
            start = time.perf_counter()
            live.finish.emit(TakeEnd(y, RECORD_SR, journal.take, journal, ()))
            while not {"saved", "result"} <= marks.keys() and time.perf_counter() - start < 30.0:
                wait(2)  # the GUI thread sleeps till an event, as the window's does
            if run:
                shown[ahead].append(1000 * (marks["result"] - start))
                stored[ahead].append(1000 * (marks["saved"] - start))
    live.stop()
    store.close()
    for ahead in (True, False):
        print("scored ahead in the closing pause (the window):" if ahead else "scored at the end only:")
        for name, ms in (("take end -> result in the window", shown[ahead]),
                         ("take end -> attempt stored", stored[ahead])):
            print(f"  {name:34s} p50 {np.percentile(ms, 50):6.1f} ms, p95 {np.percentile(ms, 95):6.1f} ms, "
                  f"max {max(ms):6.1f} ms  ({len(ms)} takes)")


if __name__ == "__main__":
    main()
