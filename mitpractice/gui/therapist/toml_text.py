"""A phrase set written back as TOML text, in the bundled files' layout (no Qt).

Python reads TOML but does not write it; the phrase-set contract needs only strings, numbers,
lists of them and booleans, which this writes. A JSON string is a valid TOML basic string.

Examples
--------
>>> from mitpractice.phrases import Phrase, PhraseSet, parse_phrase_set
>>> s = PhraseSet(id="mine", title="Mine", language="en",
...               phrases=(Phrase(id="hi", text="Hi \\"you\\"", syllables=("hi", "you"), pitches="HL"),))
>>> parse_phrase_set(set_to_toml(s), "mine.toml") == s
True
"""

from __future__ import annotations

import json

from mitpractice.phrases import Phrase, PhraseSet


def _s(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _n(value: float) -> str:
    return f"{int(value)}" if float(value).is_integer() else f"{value:g}"


def phrase_to_toml(p: Phrase) -> str:
    lines = [
        "[[phrases]]",
        f"id = {_s(p.id)}",
        f"text = {_s(p.text)}",
        f"syllables = [{', '.join(_s(s) for s in p.syllables)}]",
        f"pitches = {_s(p.pitches)}",
        f"beats = [{', '.join(_n(b) for b in p.beats)}]",
    ]
    if p.question:
        lines.append(f"question = {_s(p.question)}")
    if p.probe:
        lines.append("probe = true")
    return "\n".join(lines) + "\n"


def set_to_toml(s: PhraseSet) -> str:
    """The TOML text of a whole set."""
    head = [f"id = {_s(s.id)}", f"title = {_s(s.title)}", f"language = {_s(s.language)}"]
    if s.description:
        head.append(f"description = {_s(s.description)}")
    parts = ["\n".join(head) + "\n"]
    defaults = [f"{k} = {_n(v)}" for k, v in (("interval", s.interval), ("tempo", s.tempo)) if v is not None]
    if defaults:
        parts.append("[defaults]\n" + "\n".join(defaults) + "\n")
    parts.extend(phrase_to_toml(p) for p in s.phrases)
    return "\n".join(parts)
