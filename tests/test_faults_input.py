"""Bad input and hostile files at the command line and the store: each ends in one clear line
and exit 2 (or a clear refusal), and nothing stored is lost or changed.

Most run in one process through ``mitpractice.cli.main``; those that need a process of their
own (no terminal, a killed writer) start one.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mitpractice.cli import main
from mitpractice.phrases import bundled_phrases_dir
from mitpractice.store import NewAttempt, Store

ROOT = Path(__file__).resolve().parents[1]
GREETINGS = bundled_phrases_dir() / "greetings.toml"
PASSPHRASE = "correct horse battery"
SR = 16000


pytestmark = pytest.mark.usefixtures("data_dir")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # a usage error, found while the arguments are parsed
        code = exc.code
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


# --------------------------------------------------------------------- 2. outputs over the store
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize("command", [("export", "Ann"), ("backup",), ("report", "Ann"),
                                     ("bundle", "export", "Ann")])
def test_no_output_may_be_the_live_database_or_its_side_files(data_dir, tmp_path, capsys, command, suffix):
    _, ids = ann_with_attempts(2)
    target = data_dir / f"mitpractice.sqlite3{suffix}"
    passfile = tmp_path / "pass.txt"
    passfile.write_text(PASSPHRASE + "\n")
    extra = ("--passphrase-file", str(passfile)) if command[0] == "bundle" else ()
    refused(capsys, *command, "-o", str(target), *extra, words=("mitpractice.sqlite3", "the store's own"))
    assert attempt_ids() == sorted(ids)


def test_no_output_may_go_inside_the_data_folders_own_folders(data_dir, capsys):
    _, ids = ann_with_attempts(1)
    (data_dir / "journal").mkdir(exist_ok=True)
    refused(capsys, "export", "Ann", "-o", str(data_dir / "journal" / "x.csv"), words=("the store's own",))
    refused(capsys, "textgrid", ids[0][:8], "-o", str(data_dir / "journal"), words=("the store's own",))
    refused(capsys, "synth", str(GREETINGS), "hello", "-o", str(data_dir / "mitpractice.sqlite3"),
            words=("the store's own",))
    assert attempt_ids() == ids


# --------------------------------------------------------------------- 7. tracebacks
def test_a_backup_with_a_flipped_byte_in_a_compressed_member_restores_nothing(tmp_path, capsys):
    ann_with_attempts(1)
    archive = tmp_path / "backup.zip"
    assert run(capsys, "backup", "-o", str(archive))[0] == 0
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo("tables/patients.jsonl")
        assert info.compress_type == zipfile.ZIP_DEFLATED
    data = bytearray(archive.read_bytes())
    local = info.header_offset  # the member's local header: 30 bytes, its name, its extra field
    start = local + 30 + int.from_bytes(data[local + 26:local + 28], "little") + int.from_bytes(
        data[local + 28:local + 30], "little")
    data[start] ^= 0xFF  # the first block's header: an invalid block type for zlib
    archive.write_bytes(bytes(data))
    refused(capsys, "restore", str(archive), "--force", words=("backup.zip", "damaged"))
    with Store.open() as store:
        assert [p.name for p in store.patients()] == ["Ann"]


def test_textgrid_of_an_attempt_whose_recording_is_damaged_is_one_line(tmp_path, capsys):
    from sqlalchemy import update

    from mitpractice.store.schema import attempt_audio

    _, ids = ann_with_attempts(1)
    with Store.open() as store, store.transaction() as tx:
        tx.execute(update(attempt_audio).values(flac=b"fLaC but not really"))
    refused(capsys, "textgrid", ids[0], "-o", str(tmp_path / "praat"), words=(ids[0][:8], "recording"))


def test_audio_sampled_far_above_any_sound_card_is_refused_in_one_line(tmp_path, capsys):
    run(capsys, "patients", "add", "Ann")
    wav = tmp_path / "fast.wav"
    sf.write(wav, np.zeros(768_000 // 2, dtype=np.float32), 768_000)
    refused(capsys, "score", str(GREETINGS), "hello", str(wav), "--patient", "Ann", "--save",
            words=("fast.wav", "768000"))
    refused(capsys, "synth", str(GREETINGS), "hello", "--from-recording", str(wav),
            words=("fast.wav", "768000"))
    assert attempt_ids() == []


def test_audio_sampled_below_a_telephones_rate_is_refused_in_one_line(tmp_path, capsys):
    # The loudness filter (80 Hz high-pass) could not be built for it: a traceback.
    wav = tmp_path / "slow.wav"
    sf.write(wav, np.random.default_rng(0).uniform(-0.3, 0.3, 300).astype(np.float32), 150)
    refused(capsys, "score", str(GREETINGS), "hello", str(wav), words=("slow.wav", "150 Hz"))


def test_a_passphrase_file_that_never_ends_is_refused(tmp_path, capsys):
    ann, _ = ann_with_attempts(1)
    refused(capsys, "bundle", "export", ann, "-o", str(tmp_path / "ann.mitbundle"),
            "--passphrase-file", "/dev/zero", words=("/dev/zero", "not a regular file"))


@pytest.mark.parametrize("url", ["not a url", "sqlite:////no/such/folder/\0x", "nosuch://x"])
def test_a_database_that_is_not_a_url_is_one_line(capsys, url):
    refused(capsys, "--database", url, "patients", "list", words=("database",))


@pytest.mark.parametrize("argv", [("attempts", "Ann", "--since", "0001-01-01"),
                                  ("export", "Ann", "--since", "0001-01-01", "-o", "OUT"),
                                  ("bundle", "export", "Ann", "--since", "0001-01-01", "-o", "OUT"),
                                  ("report", "Ann", "--from", "0001-01-01", "-o", "OUT"),
                                  ("report", "Ann", "--to", "9999-12-31", "-o", "OUT")])
def test_a_day_at_the_ends_of_the_calendar_is_one_line(tmp_path, capsys, argv):
    ann_with_attempts(1)
    argv = tuple(str(tmp_path / "out") if a == "OUT" else a for a in argv)
    refused(capsys, *argv, words=("01-01" if "0001-01-01" in argv else "9999",))


@pytest.mark.parametrize("argv", [("phrases", "validate", "/dev/zero"), ("restore", "/dev/zero"),
                                  ("bundle", "import", "/dev/zero", "--passphrase-file", "PASS"),
                                  ("assign", "Ann", "/dev/zero"),
                                  ("score", "/dev/zero", "hello", "/dev/zero")])
def test_what_is_not_a_regular_file_is_refused_not_read_forever(tmp_path, capsys, argv):
    ann_with_attempts(1)
    passfile = tmp_path / "pass.txt"
    passfile.write_text(PASSPHRASE + "\n")
    argv = tuple(str(passfile) if a == "PASS" else a for a in argv)
    if argv[:2] == ("phrases", "validate"):  # a line per file, then the count
        code, _, err = run(capsys, *argv)
        assert code == 2 and err.splitlines() == [
            "/dev/zero: not a regular file (a device, a pipe or a socket); give a file",
            "1 of 1 files invalid"]
        return
    refused(capsys, *argv, words=("/dev/zero", "not a regular file"))


# --------------------------------------------------------------------- 8, 9, 11. one line each
def test_a_bundle_export_without_a_terminal_says_to_use_a_passphrase_file(data_dir):
    ann_with_attempts(1)
    argv = ["--data-dir", str(data_dir), "bundle", "export", "Ann", "-o", str(data_dir.parent / "ann.mitp")]
    proc = subprocess.run([sys.executable, "-m", "mitpractice", *argv],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120, start_new_session=True)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "--passphrase-file" in proc.stderr


def test_a_newline_in_a_file_name_stays_inside_one_quoted_line(tmp_path, capsys):
    odd = tmp_path / "two\nlines.toml"
    odd.write_text("id = [unclosed")
    code, _, err = run(capsys, "phrases", "validate", str(odd))
    assert code == 2
    problem, summary = err.strip().splitlines()  # the file's problem, then "1 of 1 files invalid"
    assert "two\\nlines.toml:1:" in problem and summary == "1 of 1 files invalid"
    err = refused(capsys, "assign", "nobody", str(odd))
    assert "nobody" in err


def test_an_empty_data_folder_option_is_refused_not_the_default_written(tmp_path, capsys, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("MITPRACTICE_DATA_DIR")
    refused(capsys, "--data-dir", "", "patients", "add", "Ann", words=("--data-dir",))
    assert not home.exists()


def test_a_recording_of_silence_is_named_in_the_message(tmp_path, capsys):
    wav = tmp_path / "quiet.wav"
    sf.write(wav, np.zeros(3 * SR, dtype=np.float32), SR)
    refused(capsys, "synth", str(GREETINGS), "hello", "--from-recording", str(wav), words=("quiet.wav",))


# --------------------------------------------------------------------- 10. a killed writer's part
WRITER = """
import sys, time
from mitpractice.files import atomic_write
with atomic_write(sys.argv[1]) as handle:
    handle.write(b"names and audio of a backup half written")
    handle.flush()
    print("writing", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _writer(target: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(seconds)], stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout.readline().strip() == "writing"
    return proc


def test_a_killed_writers_hidden_part_is_removed_at_the_next_write_there(tmp_path, capsys):
    ann_with_attempts(1)
    target = tmp_path / "backup.zip"
    killed = _writer(target, 60)
    killed.kill()
    killed.wait()
    [stale] = tmp_path.glob(".backup.zip.*.part")
    busy = _writer(target, 60)  # another writer, still at work: its part is left alone
    try:
        assert run(capsys, "backup", "-o", str(target))[0] == 0
        parts = list(tmp_path.glob(".backup.zip.*.part"))
        assert stale not in parts and len(parts) == 1
    finally:
        busy.kill()
        busy.wait()
    assert zipfile.ZipFile(target).read("manifest.json")


# --------------------------------------------------------------------- 12. damaged and empty databases
def test_an_empty_database_file_is_kept_aside_and_said_not_silently_started_afresh(data_dir, capsys):
    data_dir.mkdir(parents=True)
    (data_dir / "mitpractice.sqlite3").write_bytes(b"")
    code, out, err = run(capsys, "patients", "list")
    assert code == 0 and out.startswith("no patients yet")
    [aside] = data_dir.glob("mitpractice.sqlite3.empty-*")
    assert aside.stat().st_size == 0
    assert err.count("\n") == 1 and "was empty" in err and str(aside) in err


def damage_an_index(database: Path, columns: str = "overall") -> None:
    """Damage the page of an index of attempts that no backup and no listing reads (by
    default, by score): only a check of the whole file finds it."""
    import sqlite3

    db = sqlite3.connect(database)
    page = db.execute("PRAGMA page_size").fetchone()[0]
    [(root,)] = db.execute("SELECT rootpage FROM sqlite_master WHERE type = 'index' "
                           "AND tbl_name = 'attempts' AND sql LIKE ?", (f"%({columns})%",)).fetchall()
    db.close()
    data = bytearray(database.read_bytes())
    data[(root - 1) * page:(root - 1) * page + 16] = b"\x55" * 16
    database.write_bytes(bytes(data))


def test_damage_in_the_middle_of_the_database_stops_a_backup_and_says_so(data_dir, tmp_path, capsys):
    ann_with_attempts(30)
    damage_an_index(data_dir / "mitpractice.sqlite3")
    refused(capsys, "backup", "-o", str(tmp_path / "backup.zip"), words=("mitpractice.sqlite3", "damaged"))
    assert not (tmp_path / "backup.zip").exists()


def test_damage_found_in_the_background_at_start_is_told_after_the_command(data_dir, capsys):
    ann_with_attempts(30)
    damage_an_index(data_dir / "mitpractice.sqlite3")
    code, out, err = run(capsys, "patients", "list")
    assert code == 0 and "Ann" in out
    assert err.count("\n") == 1 and "warning" in err and "damaged" in err and "mitpractice.sqlite3" in err


def test_closing_a_store_while_its_background_check_runs_stops_the_check_first(data_dir):
    # The check had run on a pooled connection that closing pulled from under it: a segfault.
    ann_with_attempts(30)
    for _ in range(20):
        store = Store.open()
        store.start_health_check()
        store.close()
        assert store.health_checked()
