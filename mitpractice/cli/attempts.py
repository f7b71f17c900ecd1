"""``mitpractice attempts PATIENT`` and ``mitpractice export PATIENT -o OUT.csv``: the stored
attempts, newest first, for people, machines (``--json``) and spreadsheets (``--csv``)."""

from __future__ import annotations

import argparse
import json
import sys

from mitpractice.cli.options import add_listing_arguments, check_output, open_store, parse_day


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("attempts", help="a patient's stored attempts, newest first")
    add_listing_arguments(parser, "attempt")
    parser.set_defaults(func=run)

    export = subparsers.add_parser("export", help="a patient's attempts as a CSV file")
    export.add_argument("patient", metavar="PATIENT", help="id or unambiguous name")
    export.add_argument("-o", "--output", required=True, metavar="OUT.csv", help="the file to write")
    export.add_argument("--since", metavar="DATE", help="only from this day on (this computer's calendar)")
    export.set_defaults(func=run_export)


def _attempts(store, args: argparse.Namespace):
    from mitpractice.store import AttemptQuery

    patient = store.find_patient(args.patient)
    since = parse_day(args.since) if args.since else None
    return patient, list(store.iter_attempts(AttemptQuery(patient_id=patient.id, since=since)))


def run(args: argparse.Namespace) -> int:
    from mitpractice.days import format_local
    from mitpractice.reports.csv import write_attempts

    with open_store(read_only=True) as store:
        patient, attempts = _attempts(store, args)
    if args.json:
        print(json.dumps([a.to_json() for a in attempts], ensure_ascii=False, indent=1))
    elif args.csv:
        write_attempts(attempts, sys.stdout)
    else:
        print(f"{patient.name}: {len(attempts)} attempt{'s' * (len(attempts) != 1)}")
        for a in attempts:
            score = "not scored" if not a.scored else (
                "no singing" if not a.voiced else f"{a.final_score:5.1f} (melody {a.melodic:.0f}, "
                f"rhythm {a.rhythmic:.0f}{', override' if a.override is not None else ''})")
            marks = "".join([" [probe]" if a.probe else "", " [recovered]" if a.recovered else "",
                             " [flagged]" if a.flagged else ""])
            print(f"  {a.id[:8]}  {format_local(a.started_at)}  {a.set_id}/{a.phrase_id:<24} "
                  f"{a.step:<12} {score}{marks}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from mitpractice.reports.csv import export_attempts

    check_output(args.output)
    with open_store(read_only=True) as store:
        patient, attempts = _attempts(store, args)
    rows = export_attempts(attempts, args.output)
    print(f"{args.output}: {rows} attempt{'s' * (rows != 1)} of {patient.name}")
    return 0
