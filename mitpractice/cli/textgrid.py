"""``mitpractice textgrid``: an attempt to Praat, as its audio (WAV) and a TextGrid beside it."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "textgrid",
        help="an attempt's audio (WAV) and a Praat TextGrid (syllables, target, pitch_ok)",
        description="Write a stored attempt's recording as WAV and a Praat TextGrid beside it, with "
        "the tiers syllables (detected), target (the notes, text and H/L) and pitch_ok.",
    )
    parser.add_argument("attempt", metavar="ATTEMPT_ID", help="the attempt's id, or a unique start of it")
    parser.add_argument("-o", "--output", required=True, metavar="DIR",
                        help="folder for the two files (created if missing)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mitpractice.cli.options import check_output, open_store
    from mitpractice.reports.textgrid import export_attempt

    check_output(args.output)
    with open_store(read_only=True) as store:
        files = export_attempt(store, args.attempt, args.output)
    print(files.wav)
    print(files.textgrid)
    return 0
