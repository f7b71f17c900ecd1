"""Bad input and hostile files at the command line and the store: each ends in one clear line
and exit 2 (or a clear refusal), and nothing stored is lost or changed.

Most run in one process through ``mitpractice.cli.main``; those that need a process of their
own (no terminal, a killed writer) start one.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from mitpractice.cli import DATABASE_ENV, main
from mitpractice.phrases import bundled_phrases_dir
from mitpractice.store import NewAttempt, Store

ROOT = Path(__file__).resolve().parents[1]
GREETINGS = bundled_phrases_dir() / "greetings.toml"
PASSPHRASE = "correct horse battery"
SR = 16000


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """A fresh data folder per test; the variables main() sets are restored afterwards."""
    folder = tmp_path / "data"
    monkeypatch.setenv("MITPRACTICE_DATA_DIR", str(folder))
    monkeypatch.setenv(DATABASE_ENV, "")
    monkeypatch.delenv(DATABASE_ENV)
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys, *argv: str, words: tuple[str, ...] = ()) -> str:
    """Run a command that must fail: exit 2, one line on stderr, no traceback; returns it."""
    code, _out, err = run(capsys, *argv)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err
    return err


def ann_with_attempts(n: int = 2) -> tuple[str, list[str]]:
    """Ann, with ``n`` saved attempts (a second of noise each)."""
    noise = np.random.default_rng(3).uniform(-0.3, 0.3, SR).astype(np.float32)
    with Store.open() as store:
        ann = store.add_patient("Ann").id
        ids = [store.save_attempt(NewAttempt(patient_id=ann, set_id="greetings", phrase_id="hello",
                                             step="unison",
                                             started_at=datetime(2026, 11, 1, 9, i, tzinfo=UTC),
                                             low_hz=220, interval=3, tempo=60), noise, SR).id
               for i in range(n)]
    return ann, ids


def attempt_ids() -> list[str]:
    with Store.open() as store:
        return sorted(a.id for a in store.iter_attempts())


# --------------------------------------------------------------------- 1. the low pitch
@pytest.mark.parametrize("low", ["0", "-100", "inf", "1e9", "nan"])
def test_a_low_pitch_no_voice_sings_is_refused_and_the_list_still_works(capsys, low):
    refused(capsys, "patients", "add", "X", f"--low={low}", words=("low pitch",))
    assert run(capsys, "patients", "add", "Ann", "--low", "A3")[0] == 0
    refused(capsys, "patients", "edit", "Ann", f"--low={low}", words=("low pitch",))
    code, out, err = run(capsys, "patients", "list", "--json")
    assert code == 0, err
    listed = json.loads(out)  # strict JSON: no Infinity or NaN
    assert [(p["name"], round(p["low_hz"])) for p in listed] == [("Ann", 220)]


def test_a_backup_with_an_impossible_low_pitch_is_refused_and_restores_nothing(tmp_path, capsys):
    ann_with_attempts(1)
    archive = tmp_path / "backup.zip"
    assert run(capsys, "backup", "-o", str(archive))[0] == 0
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(forged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "tables/patients.jsonl":
                row = json.loads(data)
                data = json.dumps({**row, "low_hz": float("inf")}).encode() + b"\n"
            target.writestr(item, data)
    refused(capsys, "restore", str(forged), "--force",
            words=("forged.zip", "low pitch", "nothing was restored"))
    with Store.open() as store:
        assert round(store.find_patient("Ann").low_hz) == 131


@pytest.mark.parametrize("name", ["Ann\nmitpractice: error: forged", "A" * 201, "Ann\x1b[2J"])
def test_a_patient_name_is_one_line_of_reasonable_length(capsys, name):
    refused(capsys, "patients", "add", name, words=("name",))
    code, out, _ = run(capsys, "patients", "list")
    assert code == 0 and out.startswith("no patients yet")


# --------------------------------------------------------------------- 4, 5. hostile bundles
def _bundle(tmp_path: Path, capsys) -> Path:
    passfile = tmp_path / "pass.txt"
    passfile.write_text(PASSPHRASE + "\n")
    out = tmp_path / "ann.mitp"
    code, _, err = run(capsys, "bundle", "export", "Ann", "-o", str(out), "--passphrase-file", str(passfile))
    assert code == 0, err
    return out


def _reseal(path: Path, change) -> None:
    """Decrypt a bundle, let ``change(files)`` edit its members, and seal it again (a forger
    who knows the passphrase)."""
    from mitpractice.store.bundle import decrypt, encrypt

    plain = decrypt(path.read_bytes(), PASSPHRASE, str(path))
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    change(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    path.write_bytes(encrypt(buffer.getvalue(), PASSPHRASE))


# log2 N, r, p: a GiB of scrypt memory; a cheaper key than the app's; any other cost.
@pytest.mark.parametrize("cost", [(20, 8, 1), (10, 8, 1), (15, 8, 2)])
def test_a_bundle_whose_key_settings_were_changed_is_refused_before_any_key_is_made(
        tmp_path, capsys, cost):
    ann_with_attempts(1)
    bundle = _bundle(tmp_path, capsys)
    data = bytearray(bundle.read_bytes())
    data[9:12] = bytes(cost)  # after the magic and the version byte
    bundle.write_bytes(bytes(data))
    started = time.perf_counter()
    refused(capsys, "bundle", "import", str(bundle), "--passphrase-file", str(tmp_path / "pass.txt"),
            words=("ann.mitp", "key settings", "nothing was imported"))
    assert time.perf_counter() - started < 20  # not minutes of scrypt (the app's own: 0.1 s)


def test_a_bundle_carrying_another_patients_rows_changes_only_its_own_patient(tmp_path, capsys):
    ann, _ = ann_with_attempts(1)
    with Store.open() as store:
        bob = store.add_patient("Bob", low="C3")
    bundle = _bundle(tmp_path, capsys)

    def forge(files):
        rows = [json.loads(line) for line in files["tables/patients.jsonl"].decode().splitlines()]
        intruder = {**rows[0], "id": bob.id, "name": "Bob overwritten", "low_hz": 440.0,
                    "updated_at": "2099-01-01T00:00:00+00:00"}
        files["tables/patients.jsonl"] = "\n".join(json.dumps(r) for r in [*rows, intruder]).encode()

    _reseal(bundle, forge)
    code, out, err = run(capsys, "bundle", "import", str(bundle), "--passphrase-file",
                         str(tmp_path / "pass.txt"))
    assert code == 0, err
    assert "refused 1 rows of other patients" in out, out
    with Store.open() as store:
        kept = store.patient(bob.id)
        assert (kept.name, round(kept.low_hz, 1)) == ("Bob", 130.8)
        assert store.patient(ann).name == "Ann"


def test_a_bundle_with_an_impossible_low_pitch_is_refused_whole(tmp_path, capsys):
    ann_with_attempts(1)
    bundle = _bundle(tmp_path, capsys)

    def forge(files):
        row = json.loads(files["tables/patients.jsonl"])
        row.update(low_hz=0.0, updated_at="2099-01-01T00:00:00+00:00")
        files["tables/patients.jsonl"] = json.dumps(row).encode() + b"\n"

    _reseal(bundle, forge)
    refused(capsys, "bundle", "import", str(bundle), "--passphrase-file", str(tmp_path / "pass.txt"),
            words=("low pitch",))
    with Store.open() as store:
        assert round(store.find_patient("Ann").low_hz) == 131  # the default C3, untouched


# --------------------------------------------------------------------- 6. the PIN and the clock
def test_wrong_pins_tried_while_the_clock_ran_a_year_fast_lock_out_for_five_minutes_at_most():
    from mitpractice.store.pin import MAX_DELAY_S, PinGuard

    year = 365 * 24 * 3600.0
    with Store.open() as store:
        PinGuard(store).set_pin("24681357")
        clock = [time.time() + year]
        fast = PinGuard(store, clock=lambda: clock[0])
        for _ in range(12):
            fast.attempt("1111")
            clock[0] += MAX_DELAY_S + 1  # each try after the wait then
        right = PinGuard(store)  # the clock set right again
        assert right.wait_s() <= MAX_DELAY_S
        later = PinGuard(store, clock=lambda: time.time() + MAX_DELAY_S + 1)
        assert later.check("24681357")
