"""Takes in progress, journaled to disk as they are recorded, and recovered at the next start.

While the patient sings, the practice window hands the new samples to :meth:`TakeJournal.append`
on its timer; they are written to ``<data>/journal/<take id>/audio.f32`` (raw float32) and made
durable at least every :data:`SYNC_EVERY_S` seconds. The take's settings sit beside them in
``take.json``, written once at the start; a sing-along take's record (how it handles the app's
voice: :class:`~mitpractice.practice.replay.SingAlongRecord`) in ``sing_along.json`` as soon as
the take knows it, a second or two in. A crash, a kill or a power cut loses at most that
last half second. When the take ends normally the attempt is saved to the store and the
journal removed; at the next start :func:`recover_takes` saves what is left as attempts marked
``recovered``, under the take's id, so a take is never stored twice, with its sing-along record,
so that it is scored as the live take would have scored it.

A take being recorded holds a lock on its journal (``flock``, released by the system when the
process ends, however it ends), so a second copy of the app started meanwhile leaves it alone.
A journal that cannot be read is moved to ``journal/damaged/`` for a therapist, never deleted.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path

import numpy as np

from mitpractice.errors import MitpracticeError
from mitpractice.files import atomic_write, data_dir, private_folder
from mitpractice.store.api import Store
from mitpractice.store.records import Attempt, NewAttempt
from mitpractice.store.values import new_id

#: At most this much of a take (s) is lost to a crash: the data is made durable this often.
SYNC_EVERY_S = 0.5
#: A journaled take shorter than this (s) holds nothing worth keeping.
MIN_RECOVERED_S = 0.3
AUDIO_FILE, META_FILE, TAPS_FILE, SING_ALONG_FILE = "audio.f32", "take.json", "taps.txt", "sing_along.json"
DAMAGED = "damaged"

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, so never run two copies at once there
    fcntl = None


def journal_dir() -> Path:
    return data_dir() / "journal"


class TakeJournal:
    """The journal of one take. ``append`` from one thread only (the GUI's timer).

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> take = NewAttempt(patient_id="p", set_id="greetings", phrase_id="thank-you", step="unison",
    ...                   started_at=datetime.now(UTC), low_hz=130.8, interval=3, tempo=60)
    >>> journal = TakeJournal.begin(take, sr=16000)
    >>> journal.append(np.zeros(8000, np.float32))
    >>> journal.seconds
    0.5
    >>> journal.discard()
    """

    def __init__(self, folder: Path, take: NewAttempt, sr: int) -> None:
        self.folder, self.take, self.sr = folder, take, sr
        self._handle = (folder / AUDIO_FILE).open("ab")
        os.chmod(folder / AUDIO_FILE, 0o600)
        if fcntl is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._taps = (folder / TAPS_FILE).open("a", encoding="utf-8")
        os.chmod(folder / TAPS_FILE, 0o600)
        self._samples = 0
        self._last_sync = time.monotonic()

    @classmethod
    def begin(cls, take: NewAttempt, sr: int) -> TakeJournal:
        """Start the journal of a take (given an id now, under which it will be stored)."""
        if take.id is None:
            take = replace(take, id=new_id())
        folder = private_folder(journal_dir() / take.id)
        meta = {**asdict(take), "started_at": take.started_at.isoformat(), "sr": sr}
        meta.pop("sing_along")  # noted apart, once the take knows it (note_sing_along)
        with atomic_write(folder / META_FILE, "w") as handle:
            json.dump(meta, handle)
        return cls(folder, take, sr)

    @property
    def seconds(self) -> float:
        return self._samples / self.sr

    def append(self, samples: np.ndarray) -> None:
        """Write new samples; durable on disk at least every :data:`SYNC_EVERY_S`."""
        data = np.ascontiguousarray(samples, dtype=np.float32)
        self._handle.write(data.tobytes())
        self._samples += len(data)
        if time.monotonic() - self._last_sync >= SYNC_EVERY_S:
            self.sync()

    def tap(self, seconds: float) -> None:
        """Note a left-hand tap at ``seconds`` into the take: handed to the system at once (the
        samples around it may already be), made durable with the next samples."""
        self._taps.write(f"{seconds:.3f}\n")
        self._taps.flush()

    def note_sing_along(self, record) -> None:
        """Keep the take's sing-along record (a :class:`~mitpractice.practice.replay.SingAlongRecord`),
        written whole or not at all. Safe from another thread than ``append``'s: it touches
        no file ``append`` writes."""
        with atomic_write(self.folder / SING_ALONG_FILE, "w") as handle:
            json.dump(record.to_json(), handle)

    def sync(self) -> None:
        for handle in (self._taps, self._handle):
            handle.flush()
            os.fsync(handle.fileno())
        self._last_sync = time.monotonic()

    def discard(self) -> None:
        """Remove the journal: the take is saved in the store (or was not worth keeping)."""
        self._taps.close()
        self._handle.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def pending_takes() -> list[Path]:
    """Journals left by a take that did not end normally (none that is still being recorded)."""
    root = journal_dir()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and p.name != DAMAGED and not _in_use(p))


def _in_use(folder: Path) -> bool:
    """True while a running copy of the app records into this journal (it holds the lock)."""
    if fcntl is None:
        return False
    try:
        with (folder / AUDIO_FILE).open("rb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False  # no audio yet or unreadable: recovery sets it aside
    return False


def _read_taps(path: Path) -> tuple[float, ...]:
    """The taps a journal noted; a line torn by the crash (the last) is left out."""
    if not path.exists():
        return ()
    taps = []
    for line in path.read_text("utf-8").splitlines():
        try:
            taps.append(float(line))
        except ValueError:
            break
    return tuple(taps)


def _read_sing_along(path: Path):
    """The sing-along record a journal noted, or None (none noted, or unreadable: the take is
    then scored from its samples alone, as before records were kept)."""
    from mitpractice.practice.replay import SingAlongRecord

    try:
        return SingAlongRecord.from_json(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _set_aside(folder: Path) -> None:
    """Keep an unreadable journal for a therapist to look at, out of recovery's way."""
    damaged = private_folder(journal_dir() / DAMAGED)
    with contextlib.suppress(OSError):
        folder.rename(damaged / folder.name)


def recover_takes(store: Store) -> list[Attempt]:
    """Store every interrupted take as an attempt marked ``recovered`` (unscored), then remove
    its journal. A journal too short to hold singing is removed; one that cannot be read is
    moved to ``journal/damaged/``; one whose patient or phrase is gone is left in place."""
    recovered = []
    for folder in pending_takes():
        try:
            meta = json.loads((folder / META_FILE).read_text("utf-8"))
            sr = int(meta.pop("sr"))
            meta["started_at"] = datetime.fromisoformat(meta["started_at"])
            taps = _read_taps(folder / TAPS_FILE)
            meta["taps_s"] = taps
            meta["tapping"] = bool(meta.get("tapping")) or bool(taps)
            sing_along = _read_sing_along(folder / SING_ALONG_FILE)
            take = NewAttempt(**{**meta, "recovered": True, "sing_along": sing_along})
            audio = np.fromfile(folder / AUDIO_FILE, dtype=np.float32)
        except (OSError, ValueError, KeyError, TypeError):
            _set_aside(folder)
            continue
        if len(audio) < MIN_RECOVERED_S * sr:
            shutil.rmtree(folder, ignore_errors=True)
            continue
        try:
            recovered.append(store.save_attempt(take, audio, sr))
        except MitpracticeError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
    return recovered
