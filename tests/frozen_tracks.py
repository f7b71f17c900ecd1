"""Frozen pitch tracks for the scoring tests: track once, score many.

Tracking an attempt with CREPE takes about ten times as long as scoring it, and the scoring
tests score hundreds of attempts built the same way every run. :func:`track` returns the
tracker's output for an attempt's samples from ``tests/data/tracks/`` when it is there (one
``.npz`` per attempt, named by a hash of the samples, the rate and the tracker, so a track is
only ever used for exactly the audio it was tracked from), and tracks it otherwise. The arrays
are stored as the tracker gave them, so a frozen track scores exactly as a fresh one.

The stores that fixtures fill with scored attempts (the therapist's demo, the report's
practice) score through the app's own :func:`mitpractice.scoring.score_audio` inside
:func:`tracking`, which hands it these tracks in place of fresh ones.

Regenerate the folder (after changing the attempts, the voices or the tracker) with::

    .venv/bin/python tests/frozen_tracks.py

which empties it, runs the scoring tests with ``MITPRACTICE_FREEZE_TRACKS=1`` and fills those
stores once the same way: every attempt they track is written, and only those. Writes go to a
temporary file in the same folder, then ``os.replace``, so parallel workers may write the same
track at once.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from unittest import mock

import numpy as np

import mitpractice.pitch
from mitpractice.pitch import PitchTrack, track_pitch

#: Where the frozen tracks are kept (committed with the tests).
FROZEN_DIR = Path(__file__).with_name("data") / "tracks"
#: Set to 1 to write every track the tests make into :data:`FROZEN_DIR`.
FREEZE_ENV = "MITPRACTICE_FREEZE_TRACKS"
#: The test files whose attempts are frozen.
SCORING_TESTS = ("tests/test_scoring_robust.py", "tests/test_scoring_heldout.py",
                 "tests/test_scoring_validation.py", "tests/test_scoring_track.py",
                 "tests/test_scoring_together.py", "tests/test_scoring_placement.py")


def key(y: np.ndarray, sr: int, model: str) -> str:
    """The name of the track of samples ``y`` (float32) at ``sr`` by ``model``."""
    h = hashlib.sha256(np.ascontiguousarray(y, dtype=np.float32).tobytes())
    h.update(f"{sr}:{model}".encode())
    return f"{model}-{h.hexdigest()[:24]}"


def _load(path: Path, model: str) -> PitchTrack:
    with np.load(path) as data:
        return PitchTrack(times=data["times"], f0_hz=data["f0_hz"], confidence=data["confidence"],
                          model=model)


def _save(path: Path, track: PitchTrack) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, times=track.times, f0_hz=track.f0_hz, confidence=track.confidence)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@lru_cache(maxsize=256)
def _track(samples: bytes, sr: int, model: str) -> PitchTrack:
    y = np.frombuffer(samples, dtype=np.float32)
    path = FROZEN_DIR / f"{key(y, sr, model)}.npz"
    if path.exists():
        return _load(path, model)
    track = track_pitch(y, sr, model)
    if os.environ.get(FREEZE_ENV) == "1":
        _save(path, track)
    return track


def track(y: np.ndarray, sr: int, model: str) -> PitchTrack:
    """The pitch track of ``y`` by ``model``: frozen if it was, else tracked (and cached in
    this process)."""
    return _track(np.ascontiguousarray(y, dtype=np.float32).tobytes(), sr, model)


def _frozen_or_tracked(y: np.ndarray, sr: int, model: str = "crepe-tiny", **options) -> PitchTrack:
    """:func:`mitpractice.pitch.track_pitch`, from a frozen track when called as the scorer
    calls it (default options)."""
    if options:
        return track_pitch(y, sr, model, **options)
    return track(y, sr, model)


@contextmanager
def tracking() -> Iterator[None]:
    """Within it, the app's ``mitpractice.pitch.track_pitch`` reads frozen tracks (tracking
    what was not frozen), so the app's own code scores from them: same tracks, same scores."""
    with mock.patch.object(mitpractice.pitch, "track_pitch", _frozen_or_tracked):
        yield


def _fill_fixture_stores() -> None:
    """Fill the stores of the fixtures that score inside :func:`tracking` once, into a
    throwaway folder, so that their tracks are frozen too."""
    from report_data import practise
    from therapist_demo import fill_demo

    from mitpractice.store import Store

    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CACHE_HOME"] = os.path.join(folder, "cache")  # sung targets made afresh
        with Store.open(f"sqlite:///{folder}/demo.sqlite3") as store:
            fill_demo(store, days=1)  # every take is scored before the days are filled
        practise(f"sqlite:///{folder}/practice.sqlite3").store.close()


def main() -> int:
    """Track every attempt of the scoring tests and the fixtures' stores again into
    :data:`FROZEN_DIR`."""
    root = Path(__file__).resolve().parents[1]
    for old in FROZEN_DIR.glob("*.npz"):
        old.unlink()
    env = dict(os.environ, **{FREEZE_ENV: "1"})
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SCORING_TESTS],
                          cwd=root, env=env, check=False)
    if done.returncode == 0:
        done = subprocess.run([sys.executable, __file__, "--fixtures"], cwd=root, env=env, check=False)
    count = len(list(FROZEN_DIR.glob("*.npz")))
    size = sum(p.stat().st_size for p in FROZEN_DIR.glob("*.npz"))
    print(f"{count} tracks, {size / 1e6:.1f} MB in {FROZEN_DIR}")
    return done.returncode


if __name__ == "__main__":
    if sys.argv[1:] == ["--fixtures"]:
        _fill_fixture_stores()
        sys.exit(0)
    sys.exit(main())
