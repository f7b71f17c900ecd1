"""``mitpractice phrases validate|list``: check and browse phrase-set files."""

from __future__ import annotations

import argparse
import json
import sys

from mitpractice.cli import one_line
from mitpractice.errors import PhraseError
from mitpractice.phrases import PhraseSet, bundled_phrases_dir, find_phrase_files, load_phrase_set


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("phrases", help="validate and list phrase sets")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    validate = actions.add_parser("validate", help="check phrase-set files; exit 2 if any is invalid")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    validate.set_defaults(func=run_validate)

    listing = actions.add_parser("list", help="list phrase sets and their phrases")
    listing.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: bundled)")
    listing.add_argument("--json", action="store_true", help="print JSON for machines")
    listing.set_defaults(func=run_list)


def run_validate(args: argparse.Namespace) -> int:
    """Report every problem of every file, one per line; exit 2 if there was any."""
    failed = 0
    files = find_phrase_files(args.paths)
    for path in files:
        try:
            phrase_set = load_phrase_set(path)
        except PhraseError as exc:
            failed += 1
            for problem in getattr(exc, "problems", [str(exc)]):
                print(one_line(problem), file=sys.stderr)
            continue
        print(f"{path}: ok ({len(phrase_set.phrases)} phrases)")
    if failed:
        print(f"{failed} of {len(files)} files invalid", file=sys.stderr)
        return 2
    return 0


def run_list(args: argparse.Namespace) -> int:
    sets = [load_phrase_set(p) for p in find_phrase_files(args.paths or [bundled_phrases_dir()])]
    if args.json:
        print(json.dumps([_set_json(s) for s in sets], ensure_ascii=False, indent=2))
        return 0
    for phrase_set in sets:
        print(f"{phrase_set.id}  {phrase_set.title}  ({len(phrase_set.phrases)} phrases, {phrase_set.path})")
        rows = [(p.id, p.pitches, p.level, p.text + ("  [probe]" if p.probe else ""))
                for p in phrase_set.phrases]
        for line in _columns(rows):
            print(f"  {line}")
    return 0


def _columns(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as aligned columns, each as wide as its longest cell (ids of any length line up).

    >>> _columns([("yes", "LH", "Yes"), ("not-yet-long", "LH", "Not yet")])
    ['yes           LH  Yes', 'not-yet-long  LH  Not yet']
    """
    widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)][:-1]
    padded = ([cell.ljust(w) for cell, w in zip(row, widths, strict=False)] + [row[-1]] for row in rows)
    return ["  ".join(cells) for cells in padded]


def _set_json(phrase_set: PhraseSet) -> dict:
    return {
        "id": phrase_set.id,
        "title": phrase_set.title,
        "language": phrase_set.language,
        "description": phrase_set.description,
        "path": str(phrase_set.path),
        "defaults": {"interval": phrase_set.interval, "tempo": phrase_set.tempo},
        "phrases": [
            {
                "id": p.id,
                "text": p.text,
                "syllables": list(p.syllables),
                "pitches": p.pitches,
                "beats": list(p.beats),
                "question": p.question,
                "probe": p.probe,
                "level": p.level,
            }
            for p in phrase_set.phrases
        ],
    }
