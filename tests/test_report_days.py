"""The report and the command line count the therapist's local days: attempts made near
midnight in Sydney and New York land on the day the people there lived them, in the report's
period and per-day table, in its PDF, and behind --from/--to and --since."""

from __future__ import annotations

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from pypdf import PdfReader

from mitpractice.cli import main
from mitpractice.reports.report import build_report
from mitpractice.store import NewAttempt, Store

SYDNEY, NEW_YORK = ZoneInfo("Australia/Sydney"), ZoneInfo("America/New_York")
SR = 16_000

#: Sydney in November is UTC+11: all three are on the 28th in UTC.
SYDNEY_TIMES = [
    datetime(2026, 11, 28, 23, 50, tzinfo=SYDNEY),
    datetime(2026, 11, 29, 0, 10, tzinfo=SYDNEY),  # 13:10 UTC on the 28th
    datetime(2026, 11, 29, 8, 0, tzinfo=SYDNEY),  # 21:00 UTC on the 28th
]
#: New York in November is UTC−5: the evening is the next UTC day.
NEW_YORK_TIMES = [
    datetime(2026, 11, 28, 19, 0, tzinfo=NEW_YORK),  # 00:00 UTC on the 29th
    datetime(2026, 11, 28, 20, 0, tzinfo=NEW_YORK),
    datetime(2026, 11, 29, 0, 10, tzinfo=NEW_YORK),
]


@pytest.fixture(scope="module", autouse=True)
def app():
    from mitpractice.gui.app import make_app

    return make_app()




def practise(times, note_on: int | None = None) -> str:
    """Ann's attempts at these instants in the store of the data folder; her id."""
    with Store.open() as store:
        ann = store.add_patient("Ann")
        store.assign(ann.id, "greetings")
        for i, when in enumerate(times):
            saved = store.save_attempt(
                NewAttempt(patient_id=ann.id, set_id="greetings", phrase_id="hello", step="unison",
                           started_at=when, low_hz=220.0, interval=3.0, tempo=60.0),
                np.zeros(3 * SR, np.float32), SR,
            )
            if i == note_on:
                store.review(saved.id, note="sang just after midnight")
        return ann.id


def per_day(report) -> dict[date, int]:
    return {d.day: d.attempts for d in report.progress.get("all").days}


def pdf_text(path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_the_reports_days_are_the_local_calendars(data_dir, local_zone):
    local_zone("Australia/Sydney")
    ann = practise(SYDNEY_TIMES)
    with Store.open() as store:
        whole = build_report(store, ann, date(2026, 11, 20), date(2026, 11, 30))
        day = build_report(store, ann, date(2026, 11, 29), date(2026, 11, 29))
        # Asked for New York's calendar, the same attempts are New York's 28th.
        elsewhere = build_report(store, ann, date(2026, 11, 20), date(2026, 11, 30), tz=NEW_YORK)
    assert per_day(whole) == {date(2026, 11, 28): 1, date(2026, 11, 29): 2}
    assert whole.totals.days_practised == 2
    assert day.totals.attempts == 2 and per_day(day) == {date(2026, 11, 29): 2}
    assert {p.last_day for p in whole.phrases} == {date(2026, 11, 29)}
    assert per_day(elsewhere) == {date(2026, 11, 28): 3}
    assert whole.zone == "Australia/Sydney" and elsewhere.zone == "America/New_York"


def test_the_pdf_shows_local_times_and_names_the_zone(data_dir, local_zone, tmp_path):
    from mitpractice.gui.report_pdf import write_report_pdf

    local_zone("America/New_York")
    ann = practise(NEW_YORK_TIMES, note_on=2)
    with Store.open() as store:
        report = build_report(store, ann, date(2026, 11, 28), date(2026, 11, 28))
    assert report.totals.attempts == 2  # the evening of the 28th, the 29th in UTC
    text = pdf_text(write_report_pdf(report, tmp_path / "r.pdf"))
    assert "America/New_York" in text
    assert "made" in text and ("EST" in text or "EDT" in text)  # the making time, on the local clock
    with Store.open() as store:
        night = build_report(store, ann, date(2026, 11, 29), date(2026, 11, 29))
    text = pdf_text(write_report_pdf(night, tmp_path / "n.pdf"))
    assert "29 Nov 00:10 EST" in text and "sang just after midnight" in text


def test_the_command_lines_days_are_this_computers(data_dir, local_zone, tmp_path, capsys):
    local_zone("Australia/Sydney")
    practise(SYDNEY_TIMES)
    assert main(["attempts", "Ann", "--since", "2026-11-29", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2
    assert [r["started_at"] for r in rows] == ["2026-11-28T21:00:00Z", "2026-11-28T13:10:00Z"]  # UTC, as ever
    assert main(["attempts", "Ann"]) == 0
    listing = capsys.readouterr().out
    assert "2026-11-29 08:00 AEDT" in listing and "2026-11-28 23:50 AEDT" in listing
    # A time without a zone is on this computer's clock too; one with a zone is that zone's.
    assert main(["attempts", "Ann", "--since", "2026-11-29T08:00", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert main(["attempts", "Ann", "--since", "2026-11-28T13:00Z", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2

    out = tmp_path / "ann.pdf"
    assert main(["report", "Ann", "-o", str(out), "--from", "2026-11-29", "--to", "2026-11-29"]) == 0
    capsys.readouterr()
    text = pdf_text(out)
    assert "2 attempts" in text and "1 day practised" in text
    assert "Australia/Sydney" in text
