"""Phrase sets: loading and validating the TOML files therapists and the app share.

The format is documented in ``docs/phrase-format.md``. Every problem is reported as a
:class:`~mitpractice.errors.PhraseError` whose message names the file, the line where one
is known, the phrase id and what is wrong, so that ``mitpractice phrases validate`` can print
it on one line. Nothing else escapes the loader, whatever the bytes in the file.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mitpractice.errors import PhraseError
from mitpractice.files import reading

#: Limits that keep a mistaken or hostile file from exhausting memory or the screen.
MAX_FILE_BYTES = 1_000_000
MAX_PHRASES = 1_000
MAX_SYLLABLES = 20
MAX_BEATS = 16.0
MAX_TEXT = 200

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_PHRASES_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*phrases[ \t]*\]\]", re.MULTILINE)
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_SET_KEYS = {"id", "title", "language", "description", "defaults", "phrases"}
_DEFAULT_KEYS = {"interval", "tempo"}
#: The intervals (semitones) and tempi (beats per minute) a melody may have.
INTERVAL_LIMITS, TEMPO_LIMITS = (1.0, 12.0), (20.0, 200.0)
_PHRASE_KEYS = {"id", "text", "syllables", "pitches", "beats", "question", "probe"}


@dataclass(frozen=True)
class Phrase:
    """One phrase to practise: its syllables, which are high (H) or low (L), and their beats."""

    id: str
    text: str
    syllables: tuple[str, ...]
    pitches: str
    beats: tuple[float, ...] = ()
    question: str | None = None
    probe: bool = False

    def __post_init__(self) -> None:
        if not self.beats:
            object.__setattr__(self, "beats", (1.0,) * len(self.syllables))

    @property
    def level(self) -> str:
        """MIT level the phrase length suits: elementary (≤3), intermediate (4–6), advanced."""
        n = len(self.syllables)
        return "elementary" if n <= 3 else "intermediate" if n <= 6 else "advanced"


@dataclass(frozen=True)
class PhraseSet:
    """A file of phrases with the defaults a therapist may override per patient."""

    id: str
    title: str
    language: str
    phrases: tuple[Phrase, ...]
    description: str = ""
    interval: float | None = None
    tempo: float | None = None
    path: Path | None = field(default=None, compare=False)

    def phrase(self, phrase_id: str) -> Phrase:
        """The phrase with this id; :class:`PhraseError` naming the file if there is none."""
        for phrase in self.phrases:
            if phrase.id == phrase_id:
                return phrase
        where = self.path if self.path is not None else self.id
        raise PhraseError(f"{where}: no phrase with id {phrase_id!r}")


def bundled_phrases_dir() -> Path:
    """Folder of the phrase sets that ship with the app (in the wheel or the source tree)."""
    packaged = Path(__file__).with_name("phrases_data")
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "phrases"


def find_phrase_files(paths: Iterable[str | Path]) -> list[Path]:
    """The ``.toml`` files named by ``paths``: files as given, folders searched recursively.

    Raises
    ------
    PhraseError
        If a path does not exist, or a folder holds no ``.toml`` file.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.toml") if p.is_file())
            if not found:
                raise PhraseError(f"{path}: folder holds no phrase-set (.toml) files")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise PhraseError(f"{path}: no such file or folder")
    return files


def iter_phrase_sets(paths: Iterable[str | Path]) -> Iterator[PhraseSet]:
    """Load every phrase set under ``paths`` (see :func:`find_phrase_files`)."""
    for path in find_phrase_files(paths):
        yield load_phrase_set(path)


def load_phrase_set(path: str | Path) -> PhraseSet:
    """Read and validate one phrase-set file.

    Parameters
    ----------
    path : str or Path
        A UTF-8 TOML file in the phrase-set format.

    Returns
    -------
    PhraseSet

    Raises
    ------
    PhraseError
        For anything wrong with the file: unreadable, too large, not UTF-8, TOML syntax,
        missing or mistyped fields, unknown keys, duplicate ids. The message is one line.

    Examples
    --------
    >>> s = load_phrase_set(bundled_phrases_dir() / "greetings.toml")
    >>> s.phrase("thank-you").pitches
    'HL'
    """
    path = Path(path)
    return parse_phrase_set(_read_text(path), path)


def parse_phrase_set(text: str, path: str | Path) -> PhraseSet:
    """Validate a phrase set from its TOML text; ``path`` names it in messages.

    The store keeps imported sets as their text, so a set travels with the data and a later
    edit of the file does not change what old attempts meant.

    Examples
    --------
    >>> text = (bundled_phrases_dir() / "greetings.toml").read_text("utf-8")
    >>> parse_phrase_set(text, "greetings.toml").id
    'greetings'
    """
    path = Path(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc).splitlines()[0] if str(exc) else "invalid TOML"
        m = _TOML_LINE.search(message)
        where = f"{path}:{m.group(1)}" if m else str(path)
        raise PhraseError(f"{where}: TOML syntax error: {_TOML_LINE.sub('', message).strip()}") from None
    except RecursionError:
        raise PhraseError(f"{path}: TOML syntax error: arrays or tables nested too deeply") from None
    except ValueError:  # tomllib lets Python's limit on the digits of an integer through
        raise PhraseError(f"{path}: TOML syntax error: a number has too many digits") from None
    return _parse_set(data, path, _phrase_lines(text))


def _read_text(path: Path) -> str:
    with reading(path, PhraseError, "a phrase-set file"):
        if path.is_dir():
            raise IsADirectoryError  # as Linux says on reading it; Windows says permission denied
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PhraseError(
                f"{path}: file is {size / 1e6:.1f} MB; a phrase set may be at most "
                f"{MAX_FILE_BYTES / 1e6:.0f} MB"
            )
        raw = path.read_bytes()
    if b"\x00" in raw:
        raise PhraseError(f"{path}: binary file, not a TOML phrase set")
    try:
        return raw.decode("utf-8-sig")  # Windows editors may start UTF-8 files with a BOM
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PhraseError(f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None


def _phrase_lines(text: str) -> list[int]:
    """Line number of each ``[[phrases]]`` header, to point errors at the right phrase."""
    return [text.count("\n", 0, m.start()) + 1 for m in _PHRASES_HEADER.finditer(text)]


class _Checker:
    """Collects the problems of one file, each with its line and phrase where known."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def add(self, message: str, line: int | None = None, phrase: str | None = None) -> None:
        where = f"{self.path}:{line}" if line else str(self.path)
        who = f" phrase {phrase!r}:" if phrase else ""
        self.problems.append(f"{where}:{who} {message}")

    def raise_if_any(self) -> None:
        if self.problems:
            error = PhraseError(self.problems[0])
            error.problems = list(self.problems)  # type: ignore[attr-defined]
            raise error


def _parse_set(data: dict[str, Any], path: Path, lines: list[int]) -> PhraseSet:
    check = _Checker(path)
    for key in sorted(set(data) - _SET_KEYS):
        check.add(f"unknown key {key!r} (allowed: {', '.join(sorted(_SET_KEYS))})")
    set_id = _slug(data.get("id"), "id", check)
    title = _text(data.get("title"), "title", check, required=True)
    language = _text(data.get("language"), "language", check, required=True)
    description = _text(data.get("description"), "description", check, required=False)
    interval, tempo = _defaults(data.get("defaults"), check)

    raw_phrases = data.get("phrases")
    phrases: list[Phrase] = []
    if raw_phrases is None:
        check.add("no phrases: add at least one [[phrases]] table")
    elif not isinstance(raw_phrases, list) or not all(isinstance(p, dict) for p in raw_phrases):
        check.add("'phrases' must be an array of tables ([[phrases]])")
    elif not raw_phrases:
        check.add("no phrases: add at least one [[phrases]] table")
    elif len(raw_phrases) > MAX_PHRASES:
        check.add(f"{len(raw_phrases)} phrases; a set may hold at most {MAX_PHRASES}")
    else:
        seen: dict[str, int] = {}
        for i, raw in enumerate(raw_phrases):
            line = lines[i] if i < len(lines) else None
            phrase = _parse_phrase(raw, i, line, check)
            pid = raw.get("id")
            if isinstance(pid, str) and pid:  # a duplicate counts even when either copy has other errors
                if pid in seen:
                    check.add(f"duplicate id (phrase {seen[pid] + 1} has it too)", line, pid)
                seen.setdefault(pid, i)
            if phrase is not None:
                phrases.append(phrase)
    check.raise_if_any()
    return PhraseSet(
        id=set_id or "",
        title=title or "",
        language=language or "",
        phrases=tuple(phrases),
        description=description or "",
        interval=interval,
        tempo=tempo,
        path=path,
    )


def _parse_phrase(raw: dict[str, Any], i: int, line: int | None, check: _Checker) -> Phrase | None:
    before = len(check.problems)
    pid = raw.get("id")
    label = pid if isinstance(pid, str) and pid else f"#{i + 1}"

    def add(message: str) -> None:
        check.add(message, line, label)

    for key in sorted(set(raw) - _PHRASE_KEYS):
        add(f"unknown key {key!r} (allowed: {', '.join(sorted(_PHRASE_KEYS))})")
    if pid is None:
        add("missing 'id'")
    elif not isinstance(pid, str) or not _SLUG.match(pid):
        add("'id' must be a slug of lowercase letters, digits and hyphens")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        add("'text' must be a non-empty string")
    elif len(text) > MAX_TEXT:
        add(f"'text' is {len(text)} characters; at most {MAX_TEXT}")

    syllables = raw.get("syllables")
    n = None
    if syllables is None:
        add("missing 'syllables'")
    elif not isinstance(syllables, list) or not syllables:
        add("'syllables' must be a non-empty list of strings")
    elif len(syllables) > MAX_SYLLABLES:
        add(f"{len(syllables)} syllables; a phrase may have at most {MAX_SYLLABLES}")
    elif not all(isinstance(s, str) and s.strip() for s in syllables):
        add("every syllable must be a non-empty string")
    else:
        n = len(syllables)

    pitches = raw.get("pitches")
    if pitches is None:
        add("missing 'pitches' (one H or L per syllable)")
    elif not isinstance(pitches, str) or not pitches:
        add("'pitches' must be a string of H and L, one letter per syllable")
    else:
        bad = sorted({c for c in pitches if c not in "HL"})
        if bad:
            add(f"'pitches' may hold only H and L, not {', '.join(repr(c) for c in bad)}")
        elif n is not None and len(pitches) != n:
            add(f"'pitches' has {len(pitches)} letters but there are {n} syllables")

    beats = raw.get("beats")
    if beats is not None:
        if not isinstance(beats, list):
            add("'beats' must be a list of positive numbers")
        elif not all(_is_number(b) for b in beats):
            add("'beats' must hold only numbers")
        elif not all(0 < b <= MAX_BEATS for b in beats):
            add(f"every beat must be greater than 0 and at most {MAX_BEATS:g}")
        elif n is not None and len(beats) != n:
            add(f"'beats' has {len(beats)} values but there are {n} syllables")

    question = raw.get("question")
    if question is not None and (not isinstance(question, str) or not question.strip()):
        add("'question' must be a non-empty string")
    probe = raw.get("probe", False)
    if not isinstance(probe, bool):
        add("'probe' must be true or false")

    if len(check.problems) > before:
        return None
    return Phrase(
        id=pid,
        text=text.strip(),
        syllables=tuple(s.strip() for s in syllables),
        pitches=pitches,
        beats=tuple(float(b) for b in beats) if beats is not None else (),
        question=question.strip() if question else None,
        probe=probe,
    )


def _is_number(value: Any) -> bool:
    # An int may be too large for a float (and math.isfinite), but every int is finite.
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool)


def _slug(value: Any, key: str, check: _Checker) -> str | None:
    if value is None:
        check.add(f"missing '{key}'")
    elif not isinstance(value, str) or not _SLUG.match(value):
        check.add(f"'{key}' must be a slug of lowercase letters, digits and hyphens")
    else:
        return value
    return None


def _text(value: Any, key: str, check: _Checker, *, required: bool) -> str | None:
    if value is None:
        if required:
            check.add(f"missing '{key}'")
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        check.add(f"'{key}' must be a non-empty string")
        return None
    if len(value) > 10 * MAX_TEXT:
        check.add(f"'{key}' is {len(value)} characters; at most {10 * MAX_TEXT}")
        return None
    return value.strip()


def _within(value: float, limits: tuple[float, float]) -> bool:
    return limits[0] <= value <= limits[1]


def _defaults(value: Any, check: _Checker) -> tuple[float | None, float | None]:
    if value is None:
        return None, None
    if not isinstance(value, dict):
        check.add("'defaults' must be a table ([defaults])")
        return None, None
    for key in sorted(set(value) - _DEFAULT_KEYS):
        check.add(f"unknown key {'defaults.' + key!r} (allowed: interval, tempo)")
    interval = value.get("interval")
    tempo = value.get("tempo")
    if interval is not None and not (_is_number(interval) and _within(interval, INTERVAL_LIMITS)):
        lo, hi = INTERVAL_LIMITS
        check.add(f"'defaults.interval' must be a number of semitones from {lo:g} to {hi:g}")
        interval = None
    if tempo is not None and not (_is_number(tempo) and _within(tempo, TEMPO_LIMITS)):
        lo, hi = TEMPO_LIMITS
        check.add(f"'defaults.tempo' must be a number of beats per minute from {lo:g} to {hi:g}")
        tempo = None
    return (
        float(interval) if interval is not None else None,
        float(tempo) if tempo is not None else None,
    )
