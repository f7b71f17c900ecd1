"""The store's commands in one process: patients, assign, score --save, attempts, export,
and the global --data-dir / --database options."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3

import pytest
import soundfile as sf

from mitpractice.cli import DATABASE_ENV, main
from mitpractice.phrases import bundled_phrases_dir
from mitpractice.store.engine import DATABASE_ENV as STORE_DATABASE_ENV
from mitpractice.store.records import ATTEMPT_COLUMNS, SESSION_COLUMNS

GREETINGS = bundled_phrases_dir() / "greetings.toml"


pytestmark = pytest.mark.usefixtures("data_dir")


@pytest.fixture(scope="module")
def sung_thank_you(tmp_path_factory):
    """The bundled voice singing greetings/thank-you on A3 at 50 bpm: a correct attempt."""
    from mitpractice.melody import set_melody
    from mitpractice.phrases import load_phrase_set
    from mitpractice.synth import synthesize

    phrase_set = load_phrase_set(GREETINGS)
    phrase = phrase_set.phrase("thank-you")
    target = synthesize(phrase, set_melody(phrase_set, phrase, "A3", 3, 50))
    path = tmp_path_factory.mktemp("sung") / "thank-you.wav"
    sf.write(path, target.audio, target.sr)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_patients_are_added_listed_and_edited(capsys, data_dir):
    code, out, _ = run(capsys, "patients", "add", "Ann Smith", "--low", "A3", "--tempo", "50",
                       "--level", "intermediate")
    assert code == 0
    ann_id = out.strip()
    assert len(ann_id) == 36 and (data_dir / "mitpractice.sqlite3").exists()
    code, out, _ = run(capsys, "patients", "add", "Bob", "--low", "110", "--json")
    bob = json.loads(out)
    assert bob["name"] == "Bob" and bob["low_hz"] == 110.0 and len(bob["id"]) == 36
    code, out, _ = run(capsys, "patients", "list", "--json")
    listed = json.loads(out)
    assert [(p["id"], p["name"], p["tempo"], p["level"]) for p in listed] == [
        (ann_id, "Ann Smith", 50.0, "intermediate"), (bob["id"], "Bob", 60.0, "elementary")]
    code, out, _ = run(capsys, "patients", "edit", "ann", "--interval", "5", "--tapping", "--json")
    assert code == 0 and json.loads(out)["interval"] == 5.0 and json.loads(out)["tapping"] is True
    code, out, _ = run(capsys, "patients", "list")
    assert "Ann Smith" in out and "interval 5" in out and "tapping" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["patients", "add", "Carl", "--low", "Q9"], "low pitch"),
        (["patients", "add", "Carl", "--tempo", "500"], "tempo"),
        (["patients", "edit", "Zoe", "--tempo", "50"], "no patient 'Zoe'"),
        (["assign", "Zoe", "greetings"], "no patient 'Zoe'"),
        (["assign", "A", "greetings"], "several patients"),
        (["assign", "Ann", "no-such-set"], "no-such-set"),
        (["assign", "Ann", "missing.toml"], "missing.toml"),
        (["assign", "Ann", "greetings", "no-such-phrase"], "no-such-phrase"),
        (["attempts", "Ann", "--since", "yesterday"], "yesterday"),
        (["score", str(GREETINGS), "thank-you", "x.wav", "--save"], "--patient"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    run(capsys, "patients", "add", "Ann")
    run(capsys, "patients", "add", "Al")
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_assign_a_file_as_its_text_or_a_set_by_id(capsys, tmp_path):
    run(capsys, "patients", "add", "Ann")
    own = tmp_path / "family.toml"
    own.write_text('id = "family"\ntitle = "Family"\nlanguage = "en"\n[[phrases]]\nid = "hi-mum"\n'
                   'text = "Hi Mum"\nsyllables = ["hi", "mum"]\npitches = "LH"\n', "utf-8")
    code, out, _ = run(capsys, "assign", "Ann", str(own))
    assert code == 0 and "family/hi-mum" in out
    own.unlink()  # kept as its text: the file is no longer needed
    code, out, _ = run(capsys, "assign", "Ann", "greetings", "thank-you", "hello", "--probe")
    assert code == 0 and "2 probe phrases" in out
    from mitpractice.store import Store

    with Store.open() as store:
        ann = store.find_patient("Ann")
        got = {(a.set_id, a.phrase_id, a.probe) for a in store.assignments(ann.id)}
        assert store.phrase_set("family").phrase("hi-mum").text == "Hi Mum"
    assert got == {("family", "hi-mum", False), ("greetings", "thank-you", True),
                   ("greetings", "hello", True)}


def test_score_save_uses_the_patients_settings_and_stores_audio_then_score(capsys, sung_thank_you):
    run(capsys, "patients", "add", "Ann", "--low", "A3", "--tempo", "50")
    code, out, _ = run(capsys, "score", "greetings", "thank-you", str(sung_thank_you), "--patient", "Ann",
                       "--save", "--json")
    assert code == 0
    scored = json.loads(out)
    assert scored["overall"] >= 90 and scored["attempt_id"]
    # Without the patient's settings the same recording is at the wrong tempo (60 bpm).
    code, out, _ = run(capsys, "score", str(GREETINGS), "thank-you", str(sung_thank_you), "--json")
    assert json.loads(out)["tempo_ratio"] == pytest.approx(60 / 50, rel=0.1)

    code, out, _ = run(capsys, "attempts", "Ann", "--json")
    [attempt] = json.loads(out)
    assert attempt["id"] == scored["attempt_id"] and attempt["overall"] == scored["overall"]
    assert attempt["voiced"] is True and attempt["step"] == "repeat" and attempt["model"] == "crepe-tiny"
    from mitpractice.store import Store

    with Store.open() as store:
        saved = store.attempt(attempt["id"])
        y, sr = store.attempt_audio(saved.id)
    assert saved.low_hz == pytest.approx(220.0) and saved.tempo == 50.0
    assert len(y) / sr == pytest.approx(sf.info(str(sung_thank_you)).duration, abs=0.01)


def test_attempts_newest_first_as_json_csv_and_export(capsys, tmp_path, sung_thank_you):
    from datetime import UTC, datetime

    import numpy as np

    from mitpractice.store import NewAttempt, Store

    run(capsys, "patients", "add", "Ann")
    with Store.open() as store:
        ann = store.find_patient("Ann")
        for day in (3, 1, 2):
            taps = (0.52, 1.5) if day == 3 else ()  # the left hand's taps, kept with the take
            store.save_attempt(NewAttempt(patient_id=ann.id, set_id="greetings", phrase_id="hello",
                                          step="unison", started_at=datetime(2026, 11, day, tzinfo=UTC),
                                          low_hz=130.8, interval=3, tempo=60, tapping=bool(taps),
                                          taps_s=taps), np.zeros(8000), 16_000)
    code, out, _ = run(capsys, "attempts", "Ann", "--json")
    days = [a["started_at"][:10] for a in json.loads(out)]
    assert days == ["2026-11-03", "2026-11-02", "2026-11-01"]
    assert set(ATTEMPT_COLUMNS) <= set(json.loads(out)[0])
    code, out, _ = run(capsys, "attempts", "Ann", "--csv", "--since", "2026-11-02")
    table = list(csv.reader(io.StringIO(out)))
    assert tuple(table[0]) == ATTEMPT_COLUMNS
    assert [r[ATTEMPT_COLUMNS.index("started_at")][:10] for r in table[1:]] == ["2026-11-03", "2026-11-02"]
    assert table[1][ATTEMPT_COLUMNS.index("overall")] == ""
    assert table[1][ATTEMPT_COLUMNS.index("probe")] == "false"
    assert [(r[ATTEMPT_COLUMNS.index("tapping")], r[ATTEMPT_COLUMNS.index("taps_s")]) for r in table[1:]] == [
        ("true", "0.52 1.5"), ("false", "")]
    target = tmp_path / "ann.csv"
    code, out, _ = run(capsys, "export", "Ann", "-o", str(target))
    assert code == 0 and "3 attempts" in out
    assert list(csv.reader(target.open())) == list(csv.reader(io.StringIO(
        run(capsys, "attempts", "Ann", "--csv")[1])))
    assert os.stat(target).st_mode & 0o777 == 0o600
    code, _, err = run(capsys, "export", "Ann", "-o", str(tmp_path / "no-such-folder" / "ann.csv"))
    assert code == 2 and "no-such-folder" in err


def test_global_options_choose_the_data_folder_and_the_database(capsys, tmp_path):
    assert DATABASE_ENV == STORE_DATABASE_ENV
    elsewhere = tmp_path / "elsewhere"
    assert main(["--data-dir", str(elsewhere), "patients", "add", "Ann"]) == 0
    assert (elsewhere / "mitpractice.sqlite3").exists()
    assert os.stat(elsewhere).st_mode & 0o777 == 0o700
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert main(["--database", url, "patients", "add", "Bob"]) == 0
    capsys.readouterr()
    names = [r[0] for r in sqlite3.connect(tmp_path / "clinic.sqlite3").execute("select name from patients")]
    assert names == ["Bob"]
    assert main(["--database", "nosuchdb://x", "patients", "list"]) == 2
    err = capsys.readouterr().err
    assert "nosuchdb" in err and len(err.strip().splitlines()) == 1


def test_bundle_passphrases_are_asked_twice_for_a_new_bundle(capsys, tmp_path, monkeypatch):
    run(capsys, "patients", "add", "Ann")
    answers = iter(["a long passphrase", "a long passphrase", "a long passphrase",
                    "a long passphrase", "another one entirely"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    bundle = tmp_path / "ann.mitp"
    assert run(capsys, "bundle", "export", "Ann", "-o", str(bundle))[0] == 0
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "clinic"), "bundle", "import", str(bundle))
    assert code == 0 and "Ann" in out
    code, _, err = run(capsys, "bundle", "export", "Ann", "-o", str(tmp_path / "again.mitp"))
    assert code == 2 and "differ" in err and not (tmp_path / "again.mitp").exists()
    code, _, err = run(capsys, "bundle", "import", str(bundle), "--passphrase-file", str(tmp_path / "nope"))
    assert code == 2 and "nope" in err and len(err.strip().splitlines()) == 1


def test_restore_of_a_missing_or_foreign_file_is_one_line(capsys, tmp_path):
    notes = tmp_path / "notes.zip"
    notes.write_text("not an archive")
    for path, message in ((tmp_path / "missing.zip", "no such file"), (notes, "not a mitpractice backup")):
        code, _, err = run(capsys, "restore", str(path))
        assert code == 2 and message in err and str(path) in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "backup", "-o", str(tmp_path))
    assert code == 2 and "is a folder" in err


def test_an_unknown_step_is_bad_input_and_nothing_is_stored(capsys, sung_thank_you):
    assert run(capsys, "patients", "add", "Ann")[0] == 0
    code, _, err = run(capsys, "score", "greetings", "thank-you", str(sung_thank_you), "--patient", "Ann",
                       "--save", "--step", "bogus")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "bogus" in err and "unison" in err
    code, out, _ = run(capsys, "attempts", "Ann", "--json")
    assert code == 0 and json.loads(out) == []


def test_sessions_newest_first_as_json_and_csv_with_feelings(capsys):
    from datetime import UTC, datetime

    from mitpractice.store import Store
    from mitpractice.store.schema import sessions

    run(capsys, "patients", "add", "Ann")
    with Store.open() as store:
        ann = store.find_patient("Ann")
        old, new = store.start_session(ann.id), store.start_session(ann.id)
        with store.engine.begin() as conn:
            conn.execute(sessions.update().where(sessions.c.id == old.id)
                         .values(started_at=datetime(2026, 11, 2, 9, tzinfo=UTC)))
        store.update_session(new.id, phrases_done=3, feeling_before=2, feeling_after=5)
    code, out, _ = run(capsys, "sessions", "Ann", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["id"] for r in rows] == [new.id, old.id]
    assert tuple(rows[0]) == SESSION_COLUMNS
    assert (rows[0]["phrases_done"], rows[0]["feeling_before"], rows[0]["feeling_after"]) == (3, 2, 5)
    assert rows[1]["feeling_before"] is None and rows[1]["started_at"].startswith("2026-11-02T09:00")
    assert rows[0]["minutes"] == 0 and rows[0]["attempts"] == 0 and rows[0]["ended_at"] is None
    code, out, _ = run(capsys, "sessions", "Ann", "--csv", "--since", "2026-11-03")
    table = list(csv.reader(io.StringIO(out)))
    assert tuple(table[0]) == SESSION_COLUMNS and len(table) == 2
    assert table[1][SESSION_COLUMNS.index("feeling_after")] == "5"
    code, out, _ = run(capsys, "sessions", "Ann")
    assert "2 sessions" in out and "bad → very good" in out
    code, _, err = run(capsys, "sessions", "Nobody")
    assert code == 2 and len(err.strip().splitlines()) == 1
