"""``mitpractice patients add|list|edit`` and ``mitpractice assign``: patients and their programme."""

from __future__ import annotations

import argparse
import contextlib
import json
from pathlib import Path

from mitpractice.cli.options import open_store

LEVELS = ("elementary", "intermediate", "advanced")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("patients", help="add, list and edit patients")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add a patient; prints the new id")
    add.add_argument("name", metavar="NAME")
    _settings(add)
    add.add_argument("--json", action="store_true", help="print the patient as a JSON object")
    add.set_defaults(func=run_add)

    listing = actions.add_parser("list", help="every patient and their settings")
    listing.add_argument("--json", action="store_true", help="print JSON for machines")
    listing.set_defaults(func=run_list)

    edit = actions.add_parser("edit", help="change a patient's settings")
    edit.add_argument("patient", metavar="PATIENT", help="id or unambiguous name")
    edit.add_argument("--name", help="a new name")
    _settings(edit)
    edit.add_argument("--json", action="store_true", help="print the patient as a JSON object")
    edit.set_defaults(func=run_edit)

    assign = subparsers.add_parser(
        "assign",
        help="assign a phrase set (or some of its phrases) to a patient",
        description="Assign a bundled or imported phrase set, or a phrase-set file (imported as "
        "its text), to a patient: all of it, or the phrases named.",
    )
    assign.add_argument("patient", metavar="PATIENT", help="id or unambiguous name")
    assign.add_argument("set", metavar="SET_FILE_OR_ID", help="a phrase-set file, or a set id")
    assign.add_argument("phrases", nargs="*", metavar="PHRASE_ID", help="only these phrases")
    assign.add_argument("--probe", action="store_true", help="untrained probes (progress shown apart)")
    assign.set_defaults(func=run_assign)


def _settings(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--low", metavar="NOTE_OR_HZ", help="comfortable low pitch: C3, A#2 or Hz")
    parser.add_argument("--interval", type=float, metavar="SEMITONES",
                        help="low to high, 1 to 12 (therapists use 3 to 7; default 3)")
    parser.add_argument("--tempo", type=float, metavar="BPM", help="beats per minute (about 60)")
    parser.add_argument("--level", choices=LEVELS, help="MIT level")
    parser.add_argument("--tapping", action=argparse.BooleanOptionalAction, default=None,
                        help="left-hand tapping, one tap per syllable")
    parser.add_argument("--daily-goal", type=float, metavar="MINUTES", help="minutes a day")
    parser.add_argument("--notes", help="free text for the therapist")


def _changes(args: argparse.Namespace) -> dict:
    low = args.low
    if low is not None:
        with contextlib.suppress(ValueError):  # else a note name
            low = float(low)
    given = dict(low=low, interval=args.interval, tempo=args.tempo, level=args.level,
                 tapping=args.tapping, daily_goal_min=args.daily_goal, notes=args.notes)
    return {k: v for k, v in given.items() if v is not None}


def run_add(args: argparse.Namespace) -> int:
    with open_store() as store:
        patient = store.add_patient(args.name, **_changes(args))
    print(json.dumps(patient.to_json(), ensure_ascii=False) if args.json else patient.id)
    return 0


def run_edit(args: argparse.Namespace) -> int:
    changes = _changes(args)
    if args.name is not None:
        changes["name"] = args.name
    with open_store() as store:
        patient = store.find_patient(args.patient)
        if changes:
            patient = store.update_patient(patient.id, **changes)
    print(json.dumps(patient.to_json(), ensure_ascii=False) if args.json else _line(patient))
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_store(read_only=True) as store:
        everyone = store.patients()
    if args.json:
        print(json.dumps([p.to_json() for p in everyone], ensure_ascii=False, indent=2))
        return 0
    if not everyone:
        print("no patients yet (add one: mitpractice patients add NAME)")
    for patient in everyone:
        print(_line(patient))
    return 0


def _line(patient) -> str:
    from mitpractice.melody import hz_to_note

    return (
        f"{patient.id}  {patient.name}  low {hz_to_note(patient.low_hz)} ({patient.low_hz:.1f} Hz), "
        f"interval {patient.interval:g}, tempo {patient.tempo:g}, {patient.level}"
        f"{', tapping' if patient.tapping else ''}"
    )


def run_assign(args: argparse.Namespace) -> int:
    with open_store() as store:
        patient = store.find_patient(args.patient)
        set_id = args.set
        if _looks_like_file(args.set):
            set_id = store.import_phrase_set(args.set).set_id
        assigned = store.assign(patient.id, set_id, args.phrases, probe=args.probe)
    kind = "probe" if args.probe else "trained"
    print(f"{patient.name}: {len(assigned)} {kind} phrase{'s' * (len(assigned) != 1)} of {set_id!r} assigned")
    for a in assigned:
        print(f"  {a.set_id}/{a.phrase_id}")
    return 0


def _looks_like_file(text: str) -> bool:
    path = Path(text)
    return path.suffix == ".toml" or path.exists() or "/" in text or "\\" in text
