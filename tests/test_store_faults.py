"""Faults a store of health data must survive, with real processes, files and file systems:
kill -9 mid-take and mid-save, a full disk, a damaged or foreign database, loose permissions,
an unwritable data folder, and two processes writing at the same moment."""

from __future__ import annotations

import math
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from store_child import CHUNK, SR, ramp

from mitpractice.errors import StoreError
from mitpractice.store import AttemptQuery, NewAttempt, Store, migrate
from mitpractice.store.journal import SYNC_EVERY_S, pending_takes, recover_takes

ROOT = Path(__file__).resolve().parents[1]
CHILD = Path(__file__).with_name("store_child.py")




def child_env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "MITPRACTICE_DATA_DIR": str(data_dir)}


def start_child(data_dir: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(CHILD), *args], env=child_env(data_dir), cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mitpractice", "--data-dir", str(data_dir), *args],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def one_line(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr


def new_patient(url: str | None = None) -> str:
    with Store.open(url) as store:
        return store.add_patient("Ann").id


# --------------------------------------------------------------------- kill -9
def test_a_take_killed_mid_recording_is_recovered_losing_at_most_half_a_second(data_dir):
    patient = new_patient()
    child = start_child(data_dir, "journal", "-", patient)
    reported = 0
    try:
        for line in child.stdout:
            reported = int(line)
            if reported >= 3 * SR:
                break
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert reported >= 3 * SR, child.stderr.read()
    assert len(pending_takes()) == 1

    with Store.open() as store:
        [attempt] = recover_takes(store)
        y, sr = store.attempt_audio(attempt.id)
        assert attempt.recovered and not attempt.scored and attempt.patient_id == patient
        assert store.attempts(AttemptQuery(patient_id=patient)).total == 1
    assert sr == SR and reported - len(y) <= SYNC_EVERY_S * SR, (reported, len(y))
    assert len(y) % CHUNK == 0  # whole chunks, no torn sample
    np.testing.assert_allclose(y, ramp(0, len(y)), atol=1 / 2**15)  # what was sung, in order
    # The left-hand taps come back too: one on each whole second inside the audio kept, and
    # none beyond the chunk after it (a tap is noted just before the chunk it falls in).
    kept_s = len(y) / SR
    assert attempt.tapping and attempt.taps_s
    assert [t for t in attempt.taps_s if t < kept_s] == [float(k) for k in range(1, math.ceil(kept_s))]
    assert all(t <= kept_s + CHUNK / SR for t in attempt.taps_s)
    assert pending_takes() == []
    with Store.open() as store:
        assert recover_takes(store) == []  # stored once


def test_kill_9_in_the_middle_of_saving_leaves_every_attempt_whole_or_absent(data_dir):
    patient = new_patient()
    url = f"sqlite:///{data_dir / 'mitpractice.sqlite3'}"
    rng = random.Random(8)
    committed = set()
    savers = start_child(data_dir, "save-loops", url, patient)  # each saver a fork of it
    try:
        for _ in range(20):
            savers.stdin.write("next\n")
            savers.stdin.flush()
            said = savers.stdout.readline().split()
            if said[:1] != ["ready"]:
                savers.kill()
                pytest.fail(savers.communicate()[1])
            time.sleep(rng.uniform(0.0, 0.6))
            os.kill(int(said[1]), signal.SIGKILL)
            for line in savers.stdout:  # what it said before it died
                if line.strip() == "gone":
                    break
                if len(line.strip()) == 36:
                    committed.add(line.strip())
    finally:
        savers.kill()
        savers.wait()

    db = sqlite3.connect(data_dir / "mitpractice.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    rows = dict(db.execute("SELECT id, duration_s FROM attempts").fetchall())
    audio_ids = {r[0] for r in db.execute("SELECT attempt_id FROM attempt_audio")}
    db.close()
    assert set(rows) == audio_ids  # no row without its audio, no audio without its row
    assert committed <= set(rows)  # everything reported saved is there
    assert len(rows) >= 20
    with Store.open() as store:
        for attempt_id, duration in rows.items():
            y, sr = store.attempt_audio(attempt_id)
            assert len(y) / sr == pytest.approx(duration)
            np.testing.assert_allclose(y, ramp(0, len(y)), atol=1 / 2**15)


def test_two_processes_writing_at_the_same_moment_lose_nothing(data_dir):
    patient = new_patient()
    url = f"sqlite:///{data_dir / 'mitpractice.sqlite3'}"
    children = [start_child(data_dir, "save", url, patient, "40"),
                start_child(data_dir, "patients", url, "25"),
                start_child(data_dir, "save", url, patient, "40")]
    for child in children:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
    with Store.open() as store:
        assert store.attempts(AttemptQuery(patient_id=patient)).total == 80
        assert len(store.patients()) == 1 + 25
        assert all(store.assignments(p.id) for p in store.patients() if p.id != patient)


# --------------------------------------------------------------------- the disk
@contextmanager
def tmpfs(folder: Path, options: str):
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot mount a tmpfs for the test: {done.stderr.decode().strip()}")
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def test_a_full_disk_is_a_clear_error_and_keeps_everything_saved_before(tmp_path, monkeypatch):
    with tmpfs(tmp_path / "small", "size=3m,mode=0700") as disk:
        monkeypatch.setenv("MITPRACTICE_DATA_DIR", str(disk))
        patient = new_patient()
        noise = np.random.default_rng(1).uniform(-0.5, 0.5, 2 * SR).astype(np.float32)  # FLAC can't shrink it
        saved = []
        with Store.open() as store, pytest.raises(StoreError) as info:
            for i in range(100):
                saved.append(store.save_attempt(
                    NewAttempt(patient_id=patient, set_id="greetings", phrase_id="hello", step="unison",
                               started_at=_now(i), low_hz=220, interval=3,
                               tempo=60), noise, SR).id)
        message = str(info.value)
        assert "no room left on the disk" in message and "mitpractice.sqlite3" in message
        assert "\n" not in message
        assert len(saved) >= 3
        filler = disk / "filler"
        with filler.open("wb", buffering=0) as handle, pytest.raises(OSError):  # not a byte left
            while True:
                handle.write(b"\0" * 4096)
        sung = tmp_path / "attempt.wav"
        sf.write(sung, np.tile(noise, 3), SR)
        greetings = str(ROOT / "phrases" / "greetings.toml")
        save = ("score", greetings, "hello", str(sung), "--patient", "Ann", "--save")
        one_line(cli(disk, *save), "no room left on the disk")
        one_line(cli(disk, "backup", "-o", str(disk / "backup.zip")), "backup.zip", "No space left")
        assert sorted(p.name for p in disk.iterdir() if "backup" in p.name) == []  # no half archive
        filler.unlink()
        assert cli(disk, "patients", "add", "Bob").returncode == 0  # room again: it works again
        with Store.open() as store:
            assert [a.id for a in store.iter_attempts(AttemptQuery(patient_id=patient))][::-1] == saved
            for attempt_id in saved:
                y, _ = store.attempt_audio(attempt_id)
                np.testing.assert_allclose(y, noise, atol=1 / 2**15)
            store.close()
        db = sqlite3.connect(disk / "mitpractice.sqlite3")
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        db.close()


def _now(seconds: int):
    from datetime import UTC, datetime, timedelta

    return datetime(2026, 11, 1, tzinfo=UTC) + timedelta(seconds=seconds)


def test_an_unwritable_data_folder_is_one_clear_line(tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    one_line(cli(a_file / "data", "patients", "list"), str(a_file / "data"))
    with tmpfs(tmp_path / "readonly", "ro,size=1m,mode=0755") as disk:
        one_line(cli(disk, "patients", "list"), str(disk), "data folder")


# --------------------------------------------------------------------- the database file
def test_a_foreign_or_damaged_database_is_named_never_a_traceback(data_dir):
    new_patient()
    db_file = data_dir / "mitpractice.sqlite3"
    kept = migrate.keep_copy(db_file, "0000")  # as a migration would have kept it

    # A damaged file with a sound header: pages overwritten in the middle.
    with db_file.open("r+b") as handle:
        handle.seek(4096)
        handle.write(os.urandom(4096 * 8))
    for proc in (cli(data_dir, "patients", "list"), cli(data_dir, "attempts", "Ann")):
        one_line(proc, str(db_file), "damaged", str(kept))

    db_file.write_bytes(b"My shopping list: eggs, milk, bread\n" * 100)  # not a database at all
    one_line(cli(data_dir, "patients", "list"), str(db_file), "not a mitpractice database", str(kept))

    db_file.unlink()
    kept.unlink()
    other = sqlite3.connect(db_file)  # another program's database
    other.execute("CREATE TABLE recipes (name TEXT)")
    other.commit()
    other.close()
    one_line(cli(data_dir, "patients", "list"), str(db_file), "not a mitpractice database", "recipes")
    assert sqlite3.connect(db_file).execute("SELECT name FROM sqlite_master").fetchall() == [("recipes",)]


def test_loose_permissions_are_tightened_at_start(data_dir):
    new_patient()
    (data_dir / "journal" / "old-take").mkdir(parents=True)
    (data_dir / "journal" / "old-take" / "audio.f32").write_bytes(b"\0" * 8)
    for path in data_dir.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    data_dir.chmod(0o755)
    assert cli(data_dir, "patients", "list").returncode == 0
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for path in data_dir.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def test_a_backup_taken_while_another_process_saves_is_consistent(data_dir, tmp_path):
    from mitpractice.store.backup import backup, restore

    patient = new_patient()
    url = f"sqlite:///{data_dir / 'mitpractice.sqlite3'}"
    child = start_child(data_dir, "save-loop", url, patient)
    try:
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        time.sleep(0.5)
        with Store.open(url) as store:
            summary = backup(store, tmp_path / "backup.zip")
    finally:
        child.kill()
        child.wait()
    assert summary.rows["attempts"] == summary.rows["attempt_audio"] >= 1
    with Store.open(f"sqlite:///{tmp_path / 'restored.sqlite3'}") as restored:
        restore(restored, tmp_path / "backup.zip")
        attempts = list(restored.iter_attempts(AttemptQuery(patient_id=patient)))
        assert len(attempts) == summary.rows["attempts"]
        for attempt in attempts:
            y, sr = restored.attempt_audio(attempt.id)
            assert len(y) / sr == pytest.approx(attempt.duration_s)


def test_a_take_still_being_recorded_by_another_copy_of_the_app_is_left_alone(data_dir):
    patient = new_patient()
    child = start_child(data_dir, "journal", "-", patient)
    try:
        for line in child.stdout:
            if int(line) >= SR:
                break
        # A second copy starts while the first records: the take is not cut short.
        assert pending_takes() == []
        with Store.open() as store:
            assert recover_takes(store) == []
    finally:
        child.kill()
        child.wait()
    # Once that copy is gone (killed here), the take is recovered at the next start.
    assert len(pending_takes()) == 1
    with Store.open() as store:
        [attempt] = recover_takes(store)
        assert attempt.recovered and attempt.duration_s >= 1.0


def test_a_journal_that_cannot_be_read_is_set_aside_not_deleted(data_dir):
    new_patient()
    broken = data_dir / "journal" / "7f1e1a52-0000-4000-8000-0000000000aa"
    broken.mkdir(parents=True)
    (broken / "audio.f32").write_bytes(np.ones(SR, np.float32).tobytes())
    (broken / "take.json").write_text("{not json", "utf-8")
    with Store.open() as store:
        assert recover_takes(store) == []
    kept = data_dir / "journal" / "damaged" / broken.name / "audio.f32"
    assert kept.read_bytes() == np.ones(SR, np.float32).tobytes()
    assert pending_takes() == []
