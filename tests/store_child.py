"""A second process for the store's fault tests: it writes while the test kills it or writes too.

Run as ``python tests/store_child.py MODE URL ...`` with the worktree on PYTHONPATH:

- ``journal URL PATIENT``: journal a take in real time (0.1 s of a known ramp every 0.1 s, a
  tap on every whole second), printing the samples appended so far after each append, until
  killed.
- ``save-loop URL PATIENT``: save attempts for ever, printing each id once committed.
- ``save-loops URL PATIENT``: for each line read, fork a process that does what
  ``save-loop`` does (saying ``ready PID``) until it is killed, then print ``gone``. The forked
  process opens the store afresh, as a new copy of the app would, without the start-up of
  Python and the app's imports (the kill -9 test kills twenty of them).
- ``save URL PATIENT N``: save N attempts as fast as it can, then exit 0.
- ``patients URL N``: add N patients and assign each a set, then exit 0.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime

import numpy as np

SR = 16_000
CHUNK = SR // 10


def ramp(start: int, n: int) -> np.ndarray:
    """Samples the test can check: a saw-tooth of known values."""
    return (((np.arange(start, start + n) % 1000) / 1000.0) - 0.5).astype(np.float32)


def take(patient: str, **extra):
    from mitpractice.store import NewAttempt

    return NewAttempt(patient_id=patient, set_id="greetings", phrase_id="thank-you", step="unison",
                      started_at=datetime.now(UTC), low_hz=220.0, interval=3.0, tempo=60.0, **extra)


def save_loop(url: str, patient: str, ready: str = "ready") -> None:
    """Save attempts of random length for ever, printing each id once committed."""
    from mitpractice.store import Store

    store = Store.open(url)
    rng = np.random.default_rng()
    print(ready, flush=True)
    while True:
        n = int(rng.integers(SR // 4, 3 * SR))
        saved = store.save_attempt(take(patient), ramp(0, n), SR)
        print(saved.id, flush=True)


def save_loops(url: str, patient: str) -> None:
    """A :func:`save_loop` in a forked process for each line read from stdin."""
    import mitpractice.store  # noqa: F401  (imported once, before forking)

    for _ in sys.stdin:
        pid = os.fork()
        if pid == 0:
            try:
                save_loop(url, patient, ready=f"ready {os.getpid()}")
            finally:
                os._exit(1)
        os.waitpid(pid, 0)
        print("gone", flush=True)


def main(mode: str, url: str, *rest: str) -> int:
    from mitpractice.store import Store

    if mode == "journal":
        from mitpractice.store.journal import TakeJournal

        journal = TakeJournal.begin(take(rest[0], id="00000000-0000-4000-8000-00000000beef"), sr=SR)
        sent = 0
        while True:
            if sent and sent % SR == 0:
                journal.tap(sent / SR)  # a left-hand tap on every whole second
            journal.append(ramp(sent, CHUNK))
            sent += CHUNK
            print(sent, flush=True)
            time.sleep(CHUNK / SR)
    if mode == "save-loop":
        save_loop(url, rest[0])
    if mode == "save-loops":
        save_loops(url, rest[0])
        return 0
    store = Store.open(url)
    if mode == "save":
        for _ in range(int(rest[1])):
            store.save_attempt(take(rest[0]), ramp(0, SR // 2), SR)
    if mode == "patients":
        for i in range(int(rest[0])):
            patient = store.add_patient(f"Patient {i} of {id(store)}")
            store.assign(patient.id, "greetings", ["hello"])
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
