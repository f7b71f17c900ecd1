"""``mitpractice report``: the therapist's PDF report on a patient's practice over a period."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="the therapist's PDF report on a patient (charts, phrases, tests, notes)",
        description="Write the therapist's report on a patient as an A4 PDF: the period, progress "
        "charts, a summary per phrase, clinical test results and the therapist's notes. Days are "
        "calendar days of this computer's time zone (daylight saving followed), and times are "
        "shown on its clock.",
    )
    parser.add_argument("patient", metavar="PATIENT", help="the patient's id or an unambiguous name")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.pdf", help="the PDF to write")
    parser.add_argument("--from", dest="since", type=day, metavar="DATE",
                        help="first day (YYYY-MM-DD; default: the first attempt or test result)")
    parser.add_argument("--to", dest="until", type=day, metavar="DATE",
                        help="last day, included (YYYY-MM-DD; default: today)")
    parser.set_defaults(func=run)


def day(text: str) -> date:
    """An argparse type: an ISO date, or a usage error naming what was given."""
    from mitpractice.cli.options import check_day
    from mitpractice.errors import ParameterError

    try:
        return check_day(date.fromisoformat(text.strip()), "the day")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None
    except ParameterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mitpractice.cli.options import check_output, open_store
    from mitpractice.reports.report import ReportError, build_report

    check_output(args.output)
    output = Path(args.output)
    if not output.parent.is_dir():
        raise ReportError(f"{output.parent}: no such folder for the report")
    if output.is_dir():
        raise ReportError(f"{output}: is a folder; give the PDF's file name")
    use_offscreen_without_display()
    with open_store(read_only=True) as store:
        patient = store.find_patient(args.patient)
        report = build_report(store, patient.id, args.since, args.until)
    from mitpractice.gui.report_pdf import write_report_pdf

    write_report_pdf(report, output)
    print(output)
    return 0


def use_offscreen_without_display() -> None:
    """Qt's offscreen platform when there is no screen (a server, a cron job, CI)."""
    screen = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if sys.platform.startswith("linux") and not screen:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
