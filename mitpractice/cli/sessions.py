"""``mitpractice sessions PATIENT``: the practice sessions, newest first, with the minutes sung,
phrases finished, takes and how the patient felt before and after (1–5), for people,
machines (``--json``) and spreadsheets (``--csv``)."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from mitpractice.cli.options import add_listing_arguments, open_store, parse_day
from mitpractice.practice.session import FEELING_WORDS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sessions", help="a patient's practice sessions, newest first (minutes, phrases, feelings)")
    add_listing_arguments(parser, "session")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mitpractice.days import format_local
    from mitpractice.reports.csv import cell
    from mitpractice.store.records import SESSION_COLUMNS

    since = parse_day(args.since) if args.since else None
    with open_store(read_only=True) as store:
        patient = store.find_patient(args.patient)
        sessions = store.sessions(patient.id, since=since)
    if args.json:
        print(json.dumps([s.to_json() for s in sessions], ensure_ascii=False, indent=1))
    elif args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(SESSION_COLUMNS)
        for s in sessions:
            data = s.to_json()
            writer.writerow([cell(data[name]) for name in SESSION_COLUMNS])
    else:
        print(f"{patient.name}: {len(sessions)} session{'s' * (len(sessions) != 1)}")
        for s in sessions:
            feelings = " → ".join("–" if f is None else FEELING_WORDS[f - 1].lower()
                                  for f in (s.feeling_before, s.feeling_after))
            print(f"  {s.id[:8]}  {format_local(s.started_at)}  {s.minutes:5.1f} min  "
                  f"{s.phrases_done:2d} phrase{'s' * (s.phrases_done != 1):1}  {s.attempts:3d} takes  "
                  f"feeling {feelings}")
    return 0
