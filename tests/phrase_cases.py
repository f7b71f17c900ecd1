"""Phrase-set files for the loader and command-line tests: a small TOML writer, a valid set and
one bad file for every kind of mistake the loader must name.

Each bad case holds exactly one problem, so the command line prints exactly one problem line
for it, and says which file, line and phrase it found the problem in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_string(text: str) -> str:
    """A TOML basic string (tomllib reads TOML but cannot write it)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else toml_string(key)


def toml_value(value: Any) -> str:
    """Any bool, int, float, str, list or dict as an inline TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def toml_document(top: dict[str, Any], phrases: Sequence[dict[str, Any]] = ()) -> str:
    """Top-level keys, then ``[table]`` sections for dict values, then one ``[[phrases]]`` each."""
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in top.items() if not isinstance(v, dict)]
    for key, table in top.items():
        if isinstance(table, dict):
            lines += ["", f"[{toml_key(key)}]"]
            lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items()]
    for phrase in phrases:
        lines += ["", "[[phrases]]"]
        lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in phrase.items()]
    return "\n".join(lines) + "\n"


HEADER = {
    "id": "test-set",
    "title": "Test set",
    "language": "en",
    "description": "Phrases for the tests",
    "defaults": {"interval": 3, "tempo": 60},
}
THANK_YOU = {
    "id": "thank-you",
    "text": "Thank you",
    "syllables": ["thank", "you"],
    "pitches": "HL",
    "beats": [1, 1],
    "question": "What do you say when someone helps you?",
}
GOOD_MORNING = {
    "id": "good-morning",
    "text": "Good morning",
    "syllables": ["good", "mor", "ning"],
    "pitches": "LHL",
    "beats": [1, 1, 1],
}


def set_text(header: dict[str, Any] | None = None, **second: Any) -> str:
    """A set of two phrases; ``second`` replaces fields of the second (``None`` drops one)."""
    phrase = {k: v for k, v in {**GOOD_MORNING, **second}.items() if v is not None}
    top = {k: v for k, v in {**HEADER, **(header or {})}.items() if v is not None}
    return toml_document(top, [THANK_YOU, phrase])


VALID_TEXT = set_text()


def header_line(text: str, n: int = 2) -> int:
    """1-based line number of the ``n``-th ``[[phrases]]`` header of ``text``."""
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if line.strip() == "[[phrases]]"]
    return lines[n - 1]


@dataclass(frozen=True)
class BadCase:
    """A file with one mistake and the parts of the message that must locate and explain it."""

    name: str
    content: bytes
    expected: tuple[str, ...]

    def write(self, folder: Path) -> Path:
        path = folder / f"{self.name}.toml"
        path.write_bytes(self.content)
        return path


def _phrase_case(name: str, message: str, label: str = "good-morning", **second: Any) -> BadCase:
    text = set_text(**second)
    return BadCase(name, text.encode(), (f":{header_line(text)}:", f"phrase {label!r}", message))


def _set_case(name: str, message: str, header: dict[str, Any]) -> BadCase:
    return BadCase(name, set_text(header).encode(), (message,))


def _syntax_error_case() -> BadCase:
    text = VALID_TEXT.replace('pitches = "LHL"', 'pitches = "LHL')
    line = text.splitlines().index('pitches = "LHL') + 1
    return BadCase("toml-syntax", text.encode(), (f":{line}:", "TOML syntax error"))


def _not_utf8_case() -> BadCase:
    text = VALID_TEXT.replace('text = "Good morning"', 'text = "Good morning, Ren\u00e9e"')
    line = text.splitlines().index('text = "Good morning, Ren\u00e9e"') + 1
    return BadCase("not-utf8", text.encode("latin-1"), (f":{line}:", "not UTF-8"))


def _many_syllables_case() -> BadCase:
    n = 10_000
    return _phrase_case(
        "ten-thousand-syllables",
        f"{n} syllables",
        text="la " * 20,
        syllables=["la"] * n,
        pitches="HL" * (n // 2),
        beats=[1] * n,
    )


def _many_phrases_case() -> BadCase:
    phrases = [{**THANK_YOU, "id": f"p{i}"} for i in range(1001)]
    return BadCase("too-many-phrases", toml_document(HEADER, phrases).encode(), ("1001 phrases",))


def bad_cases() -> list[BadCase]:
    """Every kind of bad input the loader must report, one problem per file."""
    no_phrases = toml_document(HEADER)
    return [
        _syntax_error_case(),
        _set_case("missing-title", "missing 'title'", {"title": None}),
        _set_case("missing-set-id", "missing 'id'", {"id": None}),
        _set_case("missing-language", "missing 'language'", {"language": None}),
        _phrase_case("missing-syllables", "missing 'syllables'", syllables=None),
        _phrase_case("missing-pitches", "missing 'pitches'", pitches=None),
        _phrase_case("missing-text", "'text' must be a non-empty string", text=None),
        _phrase_case("missing-phrase-id", "missing 'id'", label="#2", id=None),
        _phrase_case("pitch-letter-x", "only H and L, not 'X'", pitches="LXL"),
        _phrase_case("pitch-letters-lowercase", "only H and L, not 'h', 'l'", pitches="lhl"),
        _phrase_case("pitches-too-short", "'pitches' has 2 letters but there are 3 syllables", pitches="LH"),
        _phrase_case("beats-too-long", "'beats' has 4 values but there are 3 syllables", beats=[1, 1, 1, 1]),
        _phrase_case("beat-zero", "greater than 0", beats=[1, 0, 1]),
        _phrase_case("beat-negative", "greater than 0", beats=[1, -1, 1]),
        _phrase_case("beat-huge", "at most 16", beats=[1, 1, 17]),
        _phrase_case("beat-string", "'beats' must hold only numbers", beats=[1, "1", 1]),
        _phrase_case("beat-bool", "'beats' must hold only numbers", beats=[1, True, 1]),
        _phrase_case("beat-nan", "'beats' must hold only numbers", beats=[1, math.nan, 1]),
        _phrase_case("beats-not-list", "'beats' must be a list", beats=2),
        _phrase_case("duplicate-id", "duplicate id", label="thank-you", id="thank-you"),
        _phrase_case("id-not-slug", "'id' must be a slug", label="Good Morning", id="Good Morning"),
        _phrase_case("probe-not-bool", "'probe' must be true or false", probe="yes"),
        _phrase_case("question-not-text", "'question' must be a non-empty string", question=3),
        _phrase_case("unknown-phrase-key", "unknown key 'pitch'", pitch="LHL"),
        _set_case("unknown-set-key", "unknown key 'author'", {"author": "me"}),
        _set_case("unknown-defaults-key", "unknown key 'defaults.speed'", {"defaults": {"speed": 60}}),
        _set_case("tempo-out-of-range", "'defaults.tempo'", {"defaults": {"tempo": 500}}),
        BadCase("no-phrases", no_phrases.encode(), ("no phrases",)),
        BadCase("empty-phrases", toml_document({**HEADER, "phrases": []}).encode(), ("no phrases",)),
        BadCase(
            "phrases-not-tables", toml_document({**HEADER, "phrases": [1, 2]}).encode(), ("array of tables",)
        ),
        _not_utf8_case(),
        BadCase("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), ("binary file",)),
        BadCase("deep-nesting", b"id = " + b"[" * 50_000 + b"]" * 50_000 + b"\n", ("nested too deeply",)),
        BadCase("number-too-long", b"id = " + b"9" * 5000 + b"\n", ("too many digits",)),
        _many_syllables_case(),
        _many_phrases_case(),
    ]


def write_huge_file(path: Path, size: int = 50_000_000) -> Path:
    """A sparse file of ``size`` bytes: as large as a wrong file can be, written in no time."""
    with path.open("wb") as f:
        f.truncate(size)
    return path
