"""The phrase-set loader: what it reads from a good file, and how it names every mistake."""

from __future__ import annotations

import doctest
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from phrase_cases import (
    GOOD_MORNING,
    HEADER,
    THANK_YOU,
    VALID_TEXT,
    bad_cases,
    set_text,
    toml_document,
    write_huge_file,
)

import mitpractice.phrases as phrases_module
from mitpractice.errors import MitpracticeError, PhraseError
from mitpractice.melody import target_melody
from mitpractice.phrases import (
    MAX_BEATS,
    MAX_SYLLABLES,
    PhraseSet,
    find_phrase_files,
    iter_phrase_sets,
    load_phrase_set,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "phrase-format.md"


def write(folder: Path, text: str | bytes, name: str = "set.toml") -> Path:
    path = folder / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def problems_of(exc: PhraseError) -> list[str]:
    return getattr(exc, "problems", [str(exc)])


# --- a good file ----------------------------------------------------------------------------------


def test_valid_set_is_read_field_by_field(tmp_path):
    path = write(tmp_path, VALID_TEXT)
    s = load_phrase_set(path)
    assert (s.id, s.title, s.language, s.description) == (
        "test-set",
        "Test set",
        "en",
        "Phrases for the tests",
    )
    assert (s.interval, s.tempo, s.path) == (3.0, 60.0, path)
    thank = s.phrase("thank-you")
    assert thank.syllables == ("thank", "you")
    assert thank.pitches == "HL"
    assert thank.beats == (1.0, 1.0)
    assert thank.question == THANK_YOU["question"]
    assert thank.probe is False
    assert [p.id for p in s.phrases] == ["thank-you", "good-morning"]


def test_beats_default_to_one_each_and_probe_is_read(tmp_path):
    s = load_phrase_set(write(tmp_path, set_text(beats=None, probe=True)))
    p = s.phrase("good-morning")
    assert p.beats == (1.0, 1.0, 1.0)
    assert p.probe is True
    assert p.question is None


def test_fractional_beats_and_defaults_are_optional(tmp_path):
    s = load_phrase_set(
        write(tmp_path, set_text({"defaults": None, "description": None}, beats=[0.5, 1, 2.5]))
    )
    assert s.phrase("good-morning").beats == (0.5, 1.0, 2.5)
    assert (s.interval, s.tempo, s.description) == (None, None, "")


@pytest.mark.parametrize(
    ("n", "level"),
    [
        (2, "elementary"),
        (3, "elementary"),
        (4, "intermediate"),
        (6, "intermediate"),
        (7, "advanced"),
        (9, "advanced"),
    ],
)
def test_level_follows_the_number_of_syllables(tmp_path, n, level):
    text = set_text(text="la " * n, syllables=["la"] * n, pitches="H" + "L" * (n - 1), beats=None)
    assert load_phrase_set(write(tmp_path, text)).phrase("good-morning").level == level


def test_text_fields_are_stripped(tmp_path):
    s = load_phrase_set(
        write(tmp_path, set_text(text="  Good morning ", syllables=[" good", "mor", "ning "]))
    )
    p = s.phrase("good-morning")
    assert p.text == "Good morning"
    assert p.syllables == ("good", "mor", "ning")


def test_a_utf8_file_with_a_byte_order_mark_loads(tmp_path):
    """Windows editors may save UTF-8 with a BOM; therapists should not have to know that."""
    s = load_phrase_set(write(tmp_path, "\ufeff" + VALID_TEXT))
    assert s.id == "test-set"


def test_unicode_text_loads(tmp_path):
    s = load_phrase_set(
        write(tmp_path, set_text(text="Grüß Gott", syllables=["grüß", "gott"], pitches="HH", beats=[1, 2]))
    )
    assert s.phrase("good-morning").text == "Grüß Gott"


def test_unknown_phrase_id_names_the_file(tmp_path):
    path = write(tmp_path, VALID_TEXT)
    with pytest.raises(PhraseError, match=re.escape(str(path)) + ".*'good-evening'"):
        load_phrase_set(path).phrase("good-evening")


# --- every mistake, named ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", bad_cases(), ids=lambda c: c.name)
def test_each_mistake_is_one_phrase_error_naming_file_line_and_phrase(tmp_path, case):
    path = case.write(tmp_path)
    with pytest.raises(PhraseError) as info:
        load_phrase_set(path)
    message = str(info.value)
    assert message.startswith(f"{path}:"), message
    assert "\n" not in message
    for part in case.expected:
        assert part in message, (part, message)
    assert problems_of(info.value) == [message]


def test_a_50_mb_file_is_refused_without_reading_it(tmp_path):
    path = write_huge_file(tmp_path / "huge.toml")
    with pytest.raises(
        PhraseError, match=re.escape(f"{path}: file is 50.0 MB; a phrase set may be at most 1 MB")
    ):
        load_phrase_set(path)


def test_every_problem_of_a_file_is_collected(tmp_path):
    text = toml_document(
        {"title": "T", "language": "en", "colour": "red"},
        [{**THANK_YOU, "pitches": "HX"}, {**GOOD_MORNING, "beats": [1, 0]}, {**GOOD_MORNING}],
    )
    path = write(tmp_path, text)
    with pytest.raises(PhraseError) as info:
        load_phrase_set(path)
    problems = problems_of(info.value)
    assert len(problems) == 5, problems
    assert str(info.value) == problems[0]
    joined = "\n".join(problems)
    for part in (
        "unknown key 'colour'",
        "missing 'id'",
        "phrase 'thank-you': 'pitches' may hold only H and L",
        "phrase 'good-morning': every beat",
        "phrase 'good-morning': duplicate id",
    ):
        assert part in joined
    assert all(p.startswith(str(path)) for p in problems)


def test_a_phrase_error_points_at_its_own_phrase_header(tmp_path):
    phrases = [{**THANK_YOU, "id": f"p{i}"} for i in range(5)]
    phrases[3]["pitches"] = "HHH"
    text = toml_document(HEADER, phrases)
    headers = [i + 1 for i, line in enumerate(text.splitlines()) if line == "[[phrases]]"]
    with pytest.raises(PhraseError, match=rf":{headers[3]}: phrase 'p3': 'pitches' has 3 letters"):
        load_phrase_set(write(tmp_path, text))


def test_a_missing_file_and_a_folder_are_phrase_errors(tmp_path):
    with pytest.raises(PhraseError, match=re.escape(f"{tmp_path / 'nope.toml'}: no such file")):
        load_phrase_set(tmp_path / "nope.toml")
    with pytest.raises(PhraseError, match="is a folder"):
        load_phrase_set(tmp_path)


def test_huge_integers_are_range_errors_not_crashes(tmp_path):
    text = set_text(beats=[1, 10**400, 1], header={"defaults": {"interval": 10**400}})
    with pytest.raises(PhraseError) as info:
        load_phrase_set(write(tmp_path, text))
    joined = "\n".join(problems_of(info.value))
    assert "'defaults.interval' must be" in joined
    assert "every beat must be greater than 0 and at most 16" in joined


# --- finding files ----------------------------------------------------------------------------------


def test_find_phrase_files_searches_folders_recursively_in_order(tmp_path):
    (tmp_path / "b").mkdir()
    a = write(tmp_path, VALID_TEXT, "a.toml")
    b = write(tmp_path / "b", VALID_TEXT, "c.toml")
    write(tmp_path, "not a set", "notes.txt")
    assert find_phrase_files([tmp_path]) == [a, b]
    assert find_phrase_files([b, a]) == [b, a]
    assert [s.path for s in iter_phrase_sets([tmp_path])] == [a, b]


def test_find_phrase_files_names_a_missing_path_or_an_empty_folder(tmp_path):
    with pytest.raises(PhraseError, match=re.escape(f"{tmp_path / 'gone'}: no such file or folder")):
        find_phrase_files([tmp_path / "gone"])
    with pytest.raises(PhraseError, match="holds no phrase-set"):
        find_phrase_files([tmp_path])


# --- the documentation ------------------------------------------------------------------------------


def test_the_documented_example_is_a_valid_set(tmp_path):
    example = re.search(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    s = load_phrase_set(write(tmp_path, example))
    assert len(s.phrases) == 4
    assert [p.id for p in s.phrases if p.probe] == ["i-want-to-see-the-garden"]


@pytest.mark.parametrize("name", ["MAX_FILE_BYTES", "MAX_PHRASES", "MAX_SYLLABLES", "MAX_BEATS", "MAX_TEXT"])
def test_the_documented_limits_are_the_loaders(name):
    value = getattr(phrases_module, name)
    row = next(line for line in DOCS.read_text(encoding="utf-8").splitlines() if f"`{name}" in line)
    stated = f"{name} = {value:_}" if name == "MAX_FILE_BYTES" else f"at most {value:g}"
    assert stated in row


def test_the_loader_examples_run():
    result = doctest.testmod(phrases_module)
    assert result.attempted > 0
    assert result.failed == 0


# --- nothing but PhraseError, whatever the input -----------------------------------------------------

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def check_load(path: Path) -> PhraseSet | None:
    """Load ``path``; a valid result must be usable, an error must be one line naming the file."""
    try:
        s = load_phrase_set(path)
    except PhraseError as exc:
        for problem in problems_of(exc):
            assert problem.startswith(str(path)), problem
            assert "\n" not in problem and "\r" not in problem, problem
        return None
    assert s.phrases
    assert len({p.id for p in s.phrases}) == len(s.phrases)
    for p in s.phrases:
        assert 1 <= len(p.syllables) <= MAX_SYLLABLES
        assert len(p.pitches) == len(p.syllables) == len(p.beats)
        assert set(p.pitches) <= {"H", "L"}
        assert all(0 < b <= MAX_BEATS for b in p.beats)
        melody = target_melody(p)
        assert math.isclose(melody.duration_s, sum(p.beats))
    return s


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for pos, cut, chunk in edits:
        pos %= len(out) + 1
        out[pos : pos + cut] = chunk
    return bytes(out)


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.lists(
            st.tuples(st.integers(0, 10**6), st.integers(0, 8), st.binary(max_size=6)), min_size=1, max_size=6
        ).map(lambda edits: _mutate(VALID_TEXT.encode(), edits)),
    )
)
def test_arbitrary_bytes_give_a_phrase_set_or_a_phrase_error(tmp_path, data):
    check_load(write(tmp_path, data))


_scalars = st.one_of(
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["", " ", "H", "L", "HL", "LHL", "hl", "0", "-1"]),
)
_anything = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True)
_beat = st.one_of(st.integers(-2, 20), st.floats(-1, 20), st.just(0.5))


@st.composite
def _consistent_phrase(draw) -> dict:
    """A phrase whose lists agree in length, so the deeper checks are reached."""
    n = draw(st.integers(1, MAX_SYLLABLES + 2))
    phrase = {
        "id": draw(_slugs),
        "text": draw(st.text(min_size=1, max_size=30)),
        "syllables": draw(st.lists(st.text(min_size=1, max_size=5), min_size=n, max_size=n)),
        "pitches": draw(st.text(alphabet="HL", min_size=n, max_size=n)),
    }
    if draw(st.booleans()):
        phrase["beats"] = draw(st.lists(_beat, min_size=n, max_size=n))
    if draw(st.booleans()):
        phrase["question"] = draw(st.text(max_size=30))
    if draw(st.booleans()):
        phrase["probe"] = draw(st.booleans())
    return phrase


_wild_phrase = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(_slugs, _anything),
        "text": st.one_of(st.text(max_size=30), _anything),
        "syllables": st.one_of(st.lists(st.text(max_size=5), max_size=25), _anything),
        "pitches": st.one_of(st.text(alphabet="HLhlX ", max_size=25), _anything),
        "beats": st.one_of(st.lists(_beat, max_size=25), _anything),
        "question": _anything,
        "probe": _anything,
        "extra": _anything,
    },
)
_top = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(_slugs, _anything),
        "title": st.one_of(st.text(max_size=20), _anything),
        "language": st.one_of(st.just("en"), _anything),
        "description": _anything,
        "defaults": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "interval": st.one_of(st.integers(-1, 14), _anything),
                    "tempo": st.one_of(st.integers(0, 300), _anything),
                },
            ),
            _anything,
        ),
        "unknown": _anything,
    },
)


@FUZZ
@given(
    top=_top,
    phrases=st.lists(st.one_of(_consistent_phrase(), _wild_phrase), max_size=4),
    inline=st.booleans(),
)
@example(top={"defaults": {"\n": False}}, phrases=[], inline=False)  # an unknown key with a newline
def test_arbitrary_toml_structures_give_a_phrase_set_or_a_phrase_error(tmp_path, top, phrases, inline):
    """Well-formed TOML of any shape: the loader must judge it, never crash on it."""
    text = toml_document({**top, "phrases": phrases}) if inline else toml_document(top, phrases)
    check_load(write(tmp_path, text))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(phrases=st.lists(_consistent_phrase(), min_size=1, max_size=4))
def test_consistent_phrases_load_unless_a_limit_or_id_is_broken(tmp_path, phrases):
    path = write(tmp_path, toml_document(HEADER, phrases))
    broken = (
        any(len(p["syllables"]) > MAX_SYLLABLES for p in phrases)
        or any(not s.strip() for p in phrases for s in p["syllables"])
        or any(not p["text"].strip() for p in phrases)
        or any(not all(0 < b <= MAX_BEATS for b in p.get("beats", [1])) for p in phrases)
        or any("question" in p and not p["question"].strip() for p in phrases)
        or len({p["id"] for p in phrases}) < len(phrases)
    )
    loaded = check_load(path)
    assert (loaded is None) == broken


def test_phrase_error_is_the_one_error_family():
    assert issubclass(PhraseError, MitpracticeError)
