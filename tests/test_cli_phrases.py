"""``mitpractice phrases validate|list`` as a user runs it: exit codes and what it prints."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from phrase_cases import VALID_TEXT, bad_cases, write_huge_file

from mitpractice.phrases import bundled_phrases_dir, find_phrase_files, load_phrase_set

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = [load_phrase_set(p) for p in find_phrase_files([bundled_phrases_dir()])]


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mitpractice", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr + result.stdout


def test_validate_bundled_phrases_exits_0():
    result = run("phrases", "validate", "phrases")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == len(BUNDLED)
    for s in BUNDLED:
        assert f"phrases/{s.id}.toml: ok ({len(s.phrases)} phrases)" in lines


@pytest.mark.parametrize("case", bad_cases(), ids=lambda c: c.name)
def test_validate_names_the_file_of_each_mistake_and_exits_2(tmp_path, case):
    path = case.write(tmp_path)
    result = run("phrases", "validate", path)
    assert result.returncode == 2
    assert_no_traceback(result)
    problem, summary = result.stderr.splitlines()
    assert problem.startswith(f"{path}:")
    for part in case.expected:
        assert part in problem
    assert summary == "1 of 1 files invalid"
    assert result.stdout == ""


def test_validate_refuses_a_50_mb_file(tmp_path):
    path = write_huge_file(tmp_path / "huge.toml")
    result = run("phrases", "validate", path)
    assert result.returncode == 2
    assert_no_traceback(result)
    assert result.stderr.splitlines() == [
        f"{path}: file is 50.0 MB; a phrase set may be at most 1 MB",
        "1 of 1 files invalid",
    ]


def test_validate_reports_every_file_and_every_problem(tmp_path):
    good = tmp_path / "a-good.toml"
    good.write_text(VALID_TEXT)
    bad = tmp_path / "b-bad.toml"
    bad.write_text(
        VALID_TEXT.replace('pitches = "LHL"', 'pitches = "LXLL"').replace('title = "Test set"', "")
    )
    result = run("phrases", "validate", tmp_path)
    assert result.returncode == 2
    assert_no_traceback(result)
    assert result.stdout.splitlines() == [f"{good}: ok (2 phrases)"]
    problems = result.stderr.splitlines()
    assert problems[-1] == "1 of 2 files invalid"
    assert len(problems) == 3
    assert problems[0] == f"{bad}: missing 'title'"
    assert problems[1].startswith(f"{bad}:") and "'pitches' may hold only H and L, not 'X'" in problems[1]


@pytest.mark.parametrize("action", [("validate",), ("list",), ("list", "--json")])
def test_a_missing_path_is_one_line_and_exit_2(tmp_path, action):
    missing = tmp_path / "no-such-set.toml"
    result = run("phrases", *action, missing)
    assert result.returncode == 2
    assert_no_traceback(result)
    assert result.stderr.splitlines() == [f"mitpractice: error: {missing}: no such file or folder"]


def test_a_folder_without_sets_is_one_line_and_exit_2(tmp_path):
    result = run("phrases", "validate", tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"mitpractice: error: {tmp_path}: folder holds no phrase-set (.toml) files"
    ]


def test_validate_without_a_path_is_a_usage_error(tmp_path):
    result = run("phrases", "validate")
    assert result.returncode == 2
    assert_no_traceback(result)
    assert len(result.stderr.splitlines()) == 1
    assert "PATH" in result.stderr


def test_list_json_lists_every_bundled_set_and_phrase():
    result = run("phrases", "list", "--json", cwd=Path("/"))  # the bundled sets, from anywhere
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    assert [s["id"] for s in listing] == [s.id for s in BUNDLED]
    for entry, s in zip(listing, BUNDLED, strict=True):
        assert entry["title"] == s.title
        assert entry["defaults"] == {"interval": 3.0, "tempo": 60.0}
        assert [p["id"] for p in entry["phrases"]] == [p.id for p in s.phrases]
        for p, phrase in zip(entry["phrases"], s.phrases, strict=True):
            assert p["syllables"] == list(phrase.syllables)
            assert (p["pitches"], p["beats"], p["level"], p["probe"]) == (
                phrase.pitches,
                list(phrase.beats),
                phrase.level,
                phrase.probe,
            )
            assert p["question"] == phrase.question


def test_list_json_of_a_given_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(VALID_TEXT)
    listing = json.loads(run("phrases", "list", "--json", path).stdout)
    assert [(s["id"], s["path"], len(s["phrases"])) for s in listing] == [("test-set", str(path), 2)]
    assert listing[0]["phrases"][1] == {
        "id": "good-morning",
        "text": "Good morning",
        "syllables": ["good", "mor", "ning"],
        "pitches": "LHL",
        "beats": [1.0, 1.0, 1.0],
        "question": None,
        "probe": False,
        "level": "elementary",
    }


def test_list_shows_sets_phrases_and_probes():
    result = run("phrases", "list")
    assert result.returncode == 0, result.stderr
    for s in BUNDLED:
        assert f"{s.id}  {s.title}  ({len(s.phrases)} phrases" in result.stdout
    water = next(line for line in result.stdout.splitlines() if "i-want-some-water " in line)
    assert water.split() == ["i-want-some-water", "LHLHL", "intermediate", "I", "want", "some", "water"]
    probes = [line for line in result.stdout.splitlines() if line.endswith("[probe]")]
    assert len(probes) == sum(p.probe for s in BUNDLED for p in s.phrases)


def test_list_of_an_invalid_file_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_bytes(b"id = \xff\n")
    result = run("phrases", "list", path)
    assert result.returncode == 2
    assert_no_traceback(result)
    assert result.stderr.splitlines() == [f"mitpractice: error: {path}:1: not UTF-8 text (byte 0xff)"]


def test_list_columns_line_up_whatever_the_ids_length():
    """Within a set, each column starts at one place; long ids (``my-daughter-is-coming-tomorrow``)
    pushed their rows' pitches, level and text out of line."""
    sets: list[list[str]] = []
    for line in run("phrases", "list").stdout.splitlines():
        if line.startswith("  "):
            sets[-1].append(line)
        else:
            sets.append([])
    assert any("my-daughter-is-coming-tomorrow" in line for rows in sets for line in rows)
    for rows in sets:
        for column in (1, 2, 3):  # pitches, level, the text's first word
            starts = {_column_start(line, column) for line in rows}
            assert len(starts) == 1, rows


def _column_start(line: str, column: int) -> int:
    """Where the line's column-th space-separated cell starts."""
    return [m.start() for m in re.finditer(r"\S+", line)][column]
