"""How the patient felt (the practice window's feelings check) in the report: by day, in the
PDF beside the score charts."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pypdf import PdfReader

from mitpractice.reports.report import build_report
from mitpractice.store.schema import sessions


def _session(store, patient_id, when, before, after):
    session = store.start_session(patient_id)
    with store.engine.begin() as conn:
        conn.execute(sessions.update().where(sessions.c.id == session.id).values(started_at=when))
    store.update_session(session.id, feeling_before=before, feeling_after=after)


def test_the_report_holds_each_day_s_feelings_and_the_pdf_draws_them(store, tmp_path):
    from mitpractice.gui.app import make_app
    from mitpractice.gui.report_pdf import write_report_pdf

    make_app()
    ann = store.add_patient("Ann")
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    _session(store, ann.id, noon - timedelta(days=3), 2, 4)
    _session(store, ann.id, noon - timedelta(days=3, hours=-1), 3, None)  # the same day, after skipped
    _session(store, ann.id, noon - timedelta(days=1), None, 5)
    store.start_session(ann.id)  # today, both skipped: no point
    report = build_report(store, ann.id, since=(noon - timedelta(days=7)).date(), tz=UTC)
    assert [(f.before, f.after, f.sessions) for f in report.feelings] == [(2.5, 4.0, 2), (None, 5.0, 1)]
    earlier = build_report(store, ann.id, since=(noon - timedelta(days=7)).date(),
                           until=(noon - timedelta(days=2)).date(), tz=UTC)
    assert len(earlier.feelings) == 1

    path = write_report_pdf(report, tmp_path / "ann.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)
    assert "How the patient felt" in text and "very good" in text and "very bad" in text


def test_a_first_day_s_marker_keeps_clear_of_the_scale_s_words():
    """The circle of an answer on the period's first day sat on "all right", the scale's word."""
    from datetime import date

    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    from mitpractice.gui.app import make_app
    from mitpractice.gui.widgets.feelings import paint_feelings
    from mitpractice.reports.report import FeelingDay, Period

    make_app()
    period = Period(first=date(2026, 11, 3), last=date(2026, 11, 30))

    def drawn(feelings) -> QImage:
        image = QImage(640, 240, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        paint_feelings(painter, QRectF(0, 0, 640, 240), feelings, period)
        painter.end()
        return image

    def answered(day) -> tuple[FeelingDay, ...]:
        return (FeelingDay(day=day, before=3.0, after=3.0, sessions=1),)

    empty = drawn(answered(period.last))  # the chart without a marker on the left half
    marked = drawn(answered(period.first))
    marker = [(x, y) for x in range(320) for y in range(240) if marked.pixel(x, y) != empty.pixel(x, y)]
    assert marker
    rows = {y for _, y in marker}
    words_right = max(x for x in range(320) for y in rows  # "all right", on the marker's rows
                      if QColor(empty.pixel(x, y)).lightness() < 100)
    assert min(x for x, _ in marker) > words_right + 2
