"""The issue's "done when", from the command line alone, on SQLite and on PostgreSQL: on a
fresh data folder a patient is created, assigned sets, has sung attempts scored and saved,
listed and exported, backed up and restored elsewhere, and carried to another store by a
bundle twice with no duplicates."""

from __future__ import annotations

import csv
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mitpractice.store.records import ATTEMPT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
PHRASES = ROOT / "phrases"
_names = itertools.count()


class Computer:
    """One computer's store: its own data folder and database, used only through the command."""

    def __init__(self, folder: Path, database: str | None) -> None:
        self.folder, self.database = folder, database

    def run(self, *args: str, code: int = 0) -> str:
        options = ["--data-dir", str(self.folder)] + (["--database", self.database] if self.database else [])
        proc = subprocess.run([sys.executable, "-m", "mitpractice", *options, *args], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == code, (args, proc.stdout, proc.stderr)
        if code == 2:
            assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr, proc.stderr
            return proc.stderr
        return proc.stdout

    def attempts(self, patient: str) -> list[dict]:
        return json.loads(self.run("attempts", patient, "--json"))


@pytest.fixture
def computers(request, tmp_path):
    """``computers(name)``: a new computer on the test class's ``backend``."""

    def make(name: str) -> Computer:
        database = None
        if request.cls.backend == "postgresql":
            database = request.getfixturevalue("postgres_server").create_database(f"e2e{next(_names)}")
        return Computer(tmp_path / name, database)

    return make


@pytest.mark.slow
class CommandLineAlone:
    backend: str

    def test_from_the_command_line_alone(self, computers, tmp_path):
        home = computers("home")
        ann = home.run("patients", "add", "Ann Smith", "--low", "A3", "--tempo", "50").strip()
        home.run("patients", "add", "Bob Jones")
        names = [p["name"] for p in json.loads(home.run("patients", "list", "--json"))]
        assert names == ["Ann Smith", "Bob Jones"]
        home.run("assign", "ann", "greetings", "thank-you", "good-morning")
        home.run("assign", "ann", str(PHRASES / "needs.toml"), "i-want-some-water", "--probe")

        # Sung targets in Ann's register, sung back as her attempts: the scores are real.
        scores = {}
        for set_file, phrase in [("greetings.toml", "thank-you"), ("greetings.toml", "good-morning"),
                                 ("needs.toml", "i-want-some-water")]:
            sung = tmp_path / f"{phrase}.wav"
            home.run("synth", str(PHRASES / set_file), phrase, "-o", str(sung), "--low", "A3",
                     "--tempo", "50")
            result = json.loads(home.run("score", str(PHRASES / set_file), phrase, str(sung), "--patient",
                                         "Ann Smith", "--save", "--json"))
            assert result["voiced"] and result["overall"] >= 85, result
            scores[phrase] = result

        listed = home.attempts("ann")
        newest_first = ["i-want-some-water", "good-morning", "thank-you"]
        assert [a["phrase_id"] for a in listed] == newest_first
        assert [a["probe"] for a in listed] == [True, False, False]
        for a in listed:
            assert a["patient_id"] == ann and a["overall"] == scores[a["phrase_id"]]["overall"]
            assert a["id"] == scores[a["phrase_id"]]["attempt_id"] and a["override"] is None
        assert home.attempts("bob") == []
        rows = list(csv.DictReader(home.run("attempts", "ann", "--csv").splitlines()))
        assert tuple(rows[0]) == ATTEMPT_COLUMNS and [r["id"] for r in rows] == [a["id"] for a in listed]
        home.run("export", "ann", "-o", str(tmp_path / "ann.csv"))
        with open(tmp_path / "ann.csv", newline="") as handle:
            assert list(csv.DictReader(handle)) == rows

        # Backed up, and restored on another computer.
        home.run("backup", "-o", str(tmp_path / "backup.zip"))
        elsewhere = computers("elsewhere")
        elsewhere.run("restore", str(tmp_path / "backup.zip"))
        assert elsewhere.attempts("ann") == listed
        assert json.loads(elsewhere.run("patients", "list", "--json")) == json.loads(
            home.run("patients", "list", "--json"))
        assert "not empty" in elsewhere.run("restore", str(tmp_path / "backup.zip"), code=2)
        elsewhere.run("restore", str(tmp_path / "backup.zip"), "--force")
        assert elsewhere.attempts("ann") == listed

        # Carried to the clinic by bundle, twice: nothing doubles.
        secret = tmp_path / "passphrase.txt"
        secret.write_text("tea at the clinic on Tuesdays\n")
        home.run("bundle", "export", "ann", "-o", str(tmp_path / "ann.mitp"), "--passphrase-file",
                 str(secret))
        clinic = computers("clinic")
        wrong = tmp_path / "wrong.txt"
        wrong.write_text("coffee at home\n")
        assert "wrong passphrase" in clinic.run("bundle", "import", str(tmp_path / "ann.mitp"),
                                                "--passphrase-file", str(wrong), code=2)
        assert "nothing new" not in clinic.run("bundle", "import", str(tmp_path / "ann.mitp"),
                                               "--passphrase-file", str(secret))
        assert "nothing new" in clinic.run("bundle", "import", str(tmp_path / "ann.mitp"),
                                           "--passphrase-file", str(secret))
        assert clinic.attempts("ann") == listed
        assert [p["name"] for p in json.loads(clinic.run("patients", "list", "--json"))] == ["Ann Smith"]


# One class each, so that pytest-xdist (--dist loadscope) can run the two on different workers.
class TestOnSQLite(CommandLineAlone):
    backend = "sqlite"


class TestOnPostgreSQL(CommandLineAlone):
    backend = "postgresql"
