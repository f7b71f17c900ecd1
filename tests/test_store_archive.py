"""Backups and bundles on real SQLite files and a real PostgreSQL server: everything comes
back whole, across backends; damaged files, wrong passphrases and full stores change nothing."""

from __future__ import annotations

import itertools
import zipfile
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from mitpractice.errors import StoreError
from mitpractice.practice.echo import EchoPath, EchoRecord
from mitpractice.practice.replay import PlayedTarget, SingAlongRecord
from mitpractice.store import AttemptQuery, NewAttempt, Store
from mitpractice.store.backup import backup, restore
from mitpractice.store.bundle import export_bundle, import_bundle

_names = itertools.count()
PASS = "correct horse battery"
#: A sing-along take's record (how its live take handled the app's voice): it must travel
#: with the attempt, or the attempt's rescoring at the clinic hears the voice again.
SING_ALONG = SingAlongRecord(
    target=PlayedTarget(hum=False, taps=True, fade=False, sha256="ab" * 32), target_start_s=0.75,
    echo=EchoRecord(path=EchoPath(sr=16_000, response=np.linspace(0.5, -0.1, 5600), offset_s=0.21,
                                  return_db=-12.5, cancellation_db=24.0, band_hz=1700.0), played_at_s=0.512),
    referee="swift-f0", scored_samples=16_000)


def open_store(request, tmp_path, backend: str, name: str) -> Store:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / name}.sqlite3"
    else:
        url = request.getfixturevalue("postgres_server").create_database(f"arch{next(_names)}")
    store = Store.open(url)
    request.addfinalizer(store.close)
    return store


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


def tone(seconds: float, hz: float) -> np.ndarray:
    t = np.arange(int(seconds * 16_000)) / 16_000
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


class Score:
    model = "crepe-tiny"

    def __init__(self, overall: float) -> None:
        self.overall = overall

    def to_json(self) -> dict:
        return {"voiced": True, "melodic": self.overall, "rhythmic": self.overall, "overall": self.overall,
                "mode": "sung", "syllables": [], "feedback": []}


def fill(store: Store, name: str = "Ann", *, start: datetime | None = None, n: int = 3) -> str:
    """A patient with a programme, a test, a session, scored attempts and a recorded model."""
    patient = store.add_patient(name, low="A3", tempo=50)
    store.assign(patient.id, "greetings", ["thank-you", "hello"])
    store.assign(patient.id, "needs", ["i-want-some-water"], probe=True)
    store.add_test_result(patient.id, "WAB", date(2026, 10, 1), 42.5)
    session = store.start_session(patient.id)
    start = start or datetime(2026, 11, 1, 9, tzinfo=UTC)
    for i in range(n):
        saved = store.save_attempt(
            NewAttempt(patient_id=patient.id, set_id="greetings", phrase_id="thank-you", step="unison",
                       started_at=start + timedelta(days=i), low_hz=220, interval=3, tempo=50,
                       session_id=session.id, sing_along=SING_ALONG if i == 0 else None),
            tone(1.0, 200 + 10 * i), 16_000)
        store.set_score(saved.id, Score(50 + i))
        if i == 0:  # scored, and still with its record
            assert store.attempt(saved.id).sing_along == SING_ALONG.to_json()
    store.review(saved.id, override=90, note="lovely", flagged=True)
    store.save_recorded_model("greetings", "thank-you", patient.id, tone(2.0, 300), 16_000, {"notes": [1]})
    store.set_setting("latency_s", "0.12")
    return patient.id


def snapshot(store: Store) -> dict:
    """Everything a user would notice, audio included."""
    out = {"patients": [p.to_json() for p in store.patients()], "latency": store.setting("latency_s")}
    for p in store.patients():
        out[p.id] = {
            "assignments": [(a.set_id, a.phrase_id, a.probe) for a in store.assignments(p.id)],
            "tests": [(t.test, t.taken_on, t.value) for t in store.test_results(p.id)],
            "attempts": [(a.to_json(), a.sing_along, store.attempt_audio(a.id)[0].tobytes())
                         for a in store.iter_attempts(AttemptQuery(patient_id=p.id))],
            "model": store.recorded_model("greetings", "thank-you", p.id).flac,
        }
    return out


# --------------------------------------------------------------------- backup and restore
@pytest.mark.parametrize("target", ["sqlite", "postgresql"])
def test_a_backup_restores_whole_on_either_backend(request, tmp_path, backend, target):
    home = open_store(request, tmp_path, backend, "home")
    fill(home, "Ann")
    fill(home, "Bob", n=2)
    summary = backup(home, tmp_path / "backup.zip")
    assert summary.rows["attempts"] == 5 and summary.rows["attempt_audio"] == 5
    assert (tmp_path / "backup.zip").stat().st_mode & 0o777 == 0o600

    elsewhere = open_store(request, tmp_path, target, "elsewhere")
    restore(elsewhere, tmp_path / "backup.zip")
    assert snapshot(elsewhere) == snapshot(home)


def test_restore_refuses_a_store_with_data_unless_forced(request, tmp_path, backend):
    home = open_store(request, tmp_path, backend, "home")
    fill(home, "Ann")
    backup(home, tmp_path / "backup.zip")
    other = open_store(request, tmp_path, backend, "other")
    fill(other, "Zoe")
    before = snapshot(other)
    with pytest.raises(StoreError, match=r"not empty.*--force"):
        restore(other, tmp_path / "backup.zip")
    assert snapshot(other) == before
    restore(other, tmp_path / "backup.zip", force=True)
    assert [p.name for p in other.patients()] == ["Ann"]
    assert snapshot(other) == snapshot(home)


def _damaged_copies(tmp_path, good):
    data = good.read_bytes()
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(data[: len(data) // 2])
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("shopping list")
    no_audio = tmp_path / "no-audio.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(no_audio, "w") as dst:
        for item in src.infolist():
            if not item.filename.startswith("blobs/attempt_audio/"):
                dst.writestr(item, src.read(item))
    bad_row = tmp_path / "bad-row.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad_row, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "tables/attempts.jsonl":
                body = body.replace(b'"started_at":', b'"started_at_":', 1)
            dst.writestr(item, body)
    return [(truncated, "not a mitpractice backup"), (not_zip, "not a mitpractice backup"),
            (no_audio, "audio of attempt_audio .* is missing"), (bad_row, "attempts row is damaged"),
            (tmp_path / "missing.zip", "no such file")]


def test_a_damaged_backup_is_one_clear_error_and_restores_nothing(request, tmp_path, backend):
    home = open_store(request, tmp_path, backend, "home")
    fill(home, "Ann")
    good = tmp_path / "backup.zip"
    backup(home, good)
    empty = open_store(request, tmp_path, backend, "empty")
    for path, message in _damaged_copies(tmp_path, good):
        with pytest.raises(StoreError, match=message) as info:
            restore(empty, path)
        assert str(path) in str(info.value) and "\n" not in str(info.value)
        assert empty.is_empty(), path


def test_a_backup_that_cannot_be_written_leaves_nothing_behind(request, tmp_path, backend):
    home = open_store(request, tmp_path, backend, "home")
    fill(home, "Ann")
    with pytest.raises(StoreError, match="no-such-folder"):
        backup(home, tmp_path / "no-such-folder" / "backup.zip")
    with pytest.raises(StoreError, match="is a folder"):
        backup(home, tmp_path)


# --------------------------------------------------------------------- bundles
def test_a_bundle_carries_a_patient_to_another_store_once(request, tmp_path, backend):
    clinic = open_store(request, tmp_path, backend, "clinic")
    ann = fill(clinic, "Ann")
    fill(clinic, "Bob")  # not in Ann's bundle
    export_bundle(clinic, ann, tmp_path / "ann.mitp", PASS)
    assert (tmp_path / "ann.mitp").stat().st_mode & 0o777 == 0o600
    # encrypted: not even the zip's file names (stored uncompressed) can be read. Three bytes
    # such as the name "Ann" turn up in a large ciphertext by chance now and then.
    assert b"manifest.json" not in (tmp_path / "ann.mitp").read_bytes()

    home = open_store(request, tmp_path, "postgresql" if backend == "sqlite" else "sqlite", "home")
    first = import_bundle(home, tmp_path / "ann.mitp", PASS)
    assert first.added["attempts"] == 3 and first.added["assignments"] == 3
    assert [p.name for p in home.patients()] == ["Ann"]
    wanted = snapshot(clinic)[ann]
    assert snapshot(home)[ann] == wanted
    again = import_bundle(home, tmp_path / "ann.mitp", PASS)
    assert not any(again.added.values()) and not any(again.updated.values())
    assert snapshot(home)[ann] == wanted


def test_attempts_go_back_and_a_newer_programme_wins(request, tmp_path, backend):
    clinic = open_store(request, tmp_path, backend, "clinic")
    ann = fill(clinic, "Ann", n=1)
    export_bundle(clinic, ann, tmp_path / "programme.mitp", PASS)
    home = open_store(request, tmp_path, backend, "home")
    import_bundle(home, tmp_path / "programme.mitp", PASS)

    # At home: a week of practice. At the clinic: the therapist changes the programme.
    for day in range(7):
        home.save_attempt(NewAttempt(patient_id=ann, set_id="greetings", phrase_id="hello", step="repetition",
                                     started_at=datetime(2026, 11, 10 + day, tzinfo=UTC), low_hz=220,
                                     interval=3, tempo=50), tone(0.5, 220), 16_000)
    clinic.update_patient(ann, tempo=45)
    clinic.assign(ann, "greetings", ["hello"], probe=True)

    export_bundle(home, ann, tmp_path / "week.mitp", PASS, since=datetime(2026, 11, 13, tzinfo=UTC))
    back = import_bundle(clinic, tmp_path / "week.mitp", PASS)
    assert back.added["attempts"] == 4  # the 13th to the 16th
    assert clinic.attempts(AttemptQuery(patient_id=ann)).total == 1 + 4
    assert clinic.patient(ann).tempo == 45  # the clinic's change is newer than home's copy
    assert [a.probe for a in clinic.assignments(ann) if a.phrase_id == "hello"] == [True]

    export_bundle(clinic, ann, tmp_path / "new-programme.mitp", PASS)
    import_bundle(home, tmp_path / "new-programme.mitp", PASS)
    assert home.patient(ann).tempo == 45
    assert [a.probe for a in home.assignments(ann) if a.phrase_id == "hello"] == [True]
    assert home.attempts(AttemptQuery(patient_id=ann)).total == 1 + 7


def test_a_wrong_passphrase_or_damaged_bundle_changes_nothing(request, tmp_path, backend):
    clinic = open_store(request, tmp_path, backend, "clinic")
    ann = fill(clinic, "Ann")
    good = tmp_path / "ann.mitp"
    export_bundle(clinic, ann, good, PASS)
    data = good.read_bytes()
    flipped = tmp_path / "flipped.mitp"
    flipped.write_bytes(data[:200] + bytes([data[200] ^ 1]) + data[201:])
    truncated = tmp_path / "truncated.mitp"
    truncated.write_bytes(data[:-10])
    other = tmp_path / "other.mitp"
    other.write_text("not a bundle at all")
    home = open_store(request, tmp_path, backend, "home")
    for path, passphrase, message in [
        (good, "wrong horse battery", "wrong passphrase, or the bundle is damaged"),
        (flipped, PASS, "wrong passphrase, or the bundle is damaged"),
        (truncated, PASS, "wrong passphrase, or the bundle is damaged"),
        (other, PASS, "not a mitpractice bundle"),
        (tmp_path / "missing.mitp", PASS, "no such file"),
    ]:
        with pytest.raises(StoreError, match=message) as info:
            import_bundle(home, path, passphrase)
        assert str(path) in str(info.value) and "\n" not in str(info.value)
        assert home.is_empty()
    with pytest.raises(StoreError, match="at least 8"):
        export_bundle(clinic, ann, tmp_path / "short.mitp", "short")


def _programme(store: Store, patient_id: str) -> set[tuple[str, str, bool]]:
    return {(a.set_id, a.phrase_id, a.probe) for a in store.assignments(patient_id)}


def test_a_removal_reaches_the_other_side_and_a_later_assignment_comes_back(request, tmp_path, backend):
    clinic = open_store(request, tmp_path, backend, "clinic")
    ann = fill(clinic, "Ann", n=1)
    export_bundle(clinic, ann, tmp_path / "programme.mitp", PASS)
    home = open_store(request, tmp_path, "postgresql" if backend == "sqlite" else "sqlite", "home")
    import_bundle(home, tmp_path / "programme.mitp", PASS)
    assert len(_programme(home, ann)) == 3

    # At the clinic the therapist takes two phrases off; the next bundle takes them off at home.
    assert clinic.unassign(ann, "greetings", ["thank-you", "hello"]) == 2
    assert clinic.unassign(ann, "greetings", ["thank-you", "hello"]) == 0  # off already
    sent = export_bundle(clinic, ann, tmp_path / "smaller.mitp", PASS)
    assert sent.removed["assignments"] == 2
    came = import_bundle(home, tmp_path / "smaller.mitp", PASS)
    assert came.removed["assignments"] == 2 and came.added["assignments"] == 0
    assert _programme(home, ann) == {("needs", "i-want-some-water", True)} == _programme(clinic, ann)
    again = import_bundle(home, tmp_path / "smaller.mitp", PASS)
    assert not any(again.added.values()) and not any(again.updated.values())
    assert not any(again.removed.values())
    assert _programme(home, ann) == {("needs", "i-want-some-water", True)}

    # Later, at home, "hello" is assigned again (as a probe): it goes back to the clinic, and
    # the clinic's older bundle, imported once more at home, does not take it off again.
    home.assign(ann, "greetings", ["hello"], probe=True)
    export_bundle(home, ann, tmp_path / "week.mitp", PASS)
    back = import_bundle(clinic, tmp_path / "week.mitp", PASS)
    assert back.added["assignments"] == 1 and back.removed["assignments"] == 0
    wanted = {("needs", "i-want-some-water", True), ("greetings", "hello", True)}
    assert _programme(clinic, ann) == wanted
    twice = import_bundle(clinic, tmp_path / "week.mitp", PASS)
    assert not any(twice.added.values()) and not any(twice.updated.values())
    assert not any(twice.removed.values())
    assert _programme(clinic, ann) == wanted
    stale = import_bundle(home, tmp_path / "smaller.mitp", PASS)
    assert not any(stale.removed.values())
    assert _programme(home, ann) == wanted


def test_a_removal_never_seen_here_is_kept_and_passed_on(request, tmp_path, backend):
    clinic = open_store(request, tmp_path, backend, "clinic")
    ann = fill(clinic, "Ann", n=1)
    export_bundle(clinic, ann, tmp_path / "first.mitp", PASS)
    clinic.unassign(ann, "needs")
    export_bundle(clinic, ann, tmp_path / "second.mitp", PASS)
    # A laptop that gets only the second bundle never shows the removed phrase...
    laptop = open_store(request, tmp_path, backend, "laptop")
    first = import_bundle(laptop, tmp_path / "second.mitp", PASS)
    assert first.added["assignments"] == 2 and first.removed["assignments"] == 0
    assert _programme(laptop, ann) == _programme(clinic, ann)
    # ...and, through the laptop, takes it off at home, where the older programme was imported.
    home = open_store(request, tmp_path, backend, "home")
    import_bundle(home, tmp_path / "first.mitp", PASS)
    export_bundle(laptop, ann, tmp_path / "from-laptop.mitp", PASS)
    assert import_bundle(home, tmp_path / "from-laptop.mitp", PASS).removed["assignments"] == 1
    assert _programme(home, ann) == _programme(clinic, ann)


@pytest.mark.parametrize("target", ["sqlite", "postgresql"])
def test_a_backup_keeps_the_removals(request, tmp_path, backend, target):
    clinic = open_store(request, tmp_path, backend, "clinic")
    ann = fill(clinic, "Ann", n=1)
    export_bundle(clinic, ann, tmp_path / "programme.mitp", PASS)
    home = open_store(request, tmp_path, backend, "home")
    import_bundle(home, tmp_path / "programme.mitp", PASS)
    clinic.unassign(ann, "greetings", ["hello"])
    backup(clinic, tmp_path / "backup.zip")

    # The clinic moves to a new computer; its next bundle still takes "hello" off at home.
    moved = open_store(request, tmp_path, target, "moved")
    restore(moved, tmp_path / "backup.zip")
    assert _programme(moved, ann) == _programme(clinic, ann)
    assert ("greetings", "hello", False) not in _programme(moved, ann)
    export_bundle(moved, ann, tmp_path / "after-move.mitp", PASS)
    assert import_bundle(home, tmp_path / "after-move.mitp", PASS).removed["assignments"] == 1
    assert _programme(home, ann) == _programme(clinic, ann)
