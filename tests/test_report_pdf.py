"""The PDF report and the progress charts: the PDF opened with pypdf (pages and text), its pages
rendered by Poppler, the chart widget grabbed at 1366×768, and ``mitpractice report``."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from itertools import pairwise

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
import report_data
from pypdf import PdfReader
from report_data import FIRST_DAY, StoredScore

from mitpractice.cli import main
from mitpractice.gui.app import make_app
from mitpractice.gui.report_pdf import write_report_pdf
from mitpractice.gui.widgets import charts
from mitpractice.reports.report import (
    SERIES_LABELS,
    ClinicalMark,
    DaySeries,
    DayStats,
    Period,
    ProgressSeries,
    ReportError,
    build_report,
)
from mitpractice.store import NewAttempt, Store


@pytest.fixture(scope="module")
def app():
    return make_app()


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    return report_data.shared(tmp_path_factory)


@pytest.fixture(scope="module")
def report(practice):
    return build_report(practice.store, practice.patient_id)


def pdf_text(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_holds_the_patient_period_charts_phrases_tests_and_notes(app, report, tmp_path):
    path = write_report_pdf(report, tmp_path / "ann.pdf")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # health data
    reader = PdfReader(path)
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=1)  # A4: 210 × 297 mm
    assert reader.pages[0].mediabox.height == pytest.approx(842, abs=1)
    pages = pdf_text(path)
    assert len(pages) >= 2
    text = one_line(" ".join(pages))
    first = one_line(pages[0])
    assert "Ann Example" in first
    assert f"Period: {report.period.first:%d %b %Y} to {report.period.last:%d %b %Y}" in first
    for title in charts.TITLES.values():
        assert title in text
    for phrase in report.phrases:  # by their words, which the therapist reads, not their ids
        assert phrase.text and phrase.text in text and phrase.phrase_id not in text.replace(phrase.text, "")
    for test in ("WAB", "BNT", "ANELT"):
        assert test in text
    assert "A-scale 28" in text
    overridden = sum(s.overridden for s in report.phrases)
    assert overridden > 1
    assert f"{overridden} attempts carry a therapist's override; the scores above use them." in text
    for note in ("Second syllable late again; tapping helped.", "Sang 'good night' instead: scored by hand."):
        assert note in text
    assert "[flagged] Second syllable" in text
    assert all(f"page {i} of {len(pages)}" in one_line(p) for i, p in enumerate(pages, 1))


def test_a_long_phrase_table_runs_over_pages_with_its_header_on_each(app, tmp_path):
    from mitpractice.phrases import bundled_phrases_dir, load_phrase_set

    store = Store.open(f"sqlite:///{tmp_path / 'many.sqlite3'}")
    patient = store.add_patient("Bob Many")
    wanted = []
    for path in sorted(bundled_phrases_dir().glob("*.toml"))[:4]:
        phrase_set = load_phrase_set(path)
        wanted += [(phrase_set.id, p.id, p.text) for p in phrase_set.phrases]
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    silence = np.zeros(16_000, np.float32)
    for i, (set_id, phrase_id, _) in enumerate(wanted):
        new = NewAttempt(patient_id=patient.id, set_id=set_id, phrase_id=phrase_id, step="unison",
                         started_at=start + timedelta(minutes=i), low_hz=130.8, interval=3, tempo=60)
        attempt = store.save_attempt(new, silence, 16_000)
        score = {"phrase_id": phrase_id, "voiced": True, "melodic": 60.0, "rhythmic": 70.0, "overall": 65.0,
                 "syllables": [], "feedback": [], "mode": "sung"}
        store.set_score(attempt.id, StoredScore(score))
    report = build_report(store, patient.id, start.date(), start.date())
    store.close()
    assert len(report.phrases) == len(wanted) > 40
    pages = pdf_text(write_report_pdf(report, tmp_path / "many.pdf"))
    with_table = [i for i, page in enumerate(pages) if "Step reached" in one_line(page)]
    assert len(with_table) >= 2  # the header repeats on every page the table runs onto
    text = "".join("".join(pages).split())  # long phrases wrap in their cell
    missing = [words for _, _, words in wanted if "".join(words.split()) not in text]
    assert not missing


def test_the_rendered_pages_show_the_charts_in_their_colours(app, report, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("Poppler's pdftoppm is not installed (apt-get install poppler-utils)")
    from PySide6.QtGui import QImage

    path = write_report_pdf(report, tmp_path / "ann.pdf")
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
                   check=True)
    image = QImage(str(next(tmp_path.glob("p*.png"))))
    assert not image.isNull()
    found = colours_in(image)
    for colour in (charts.MELODIC, charts.RHYTHMIC, charts.GOAL_MET, charts.BELOW_GOAL, charts.TEST_MARK):
        assert found.get(colour.name(), 0) > 5, colour.name()


def colours_in(image) -> dict[str, int]:
    """How many pixels (every second one) lie within a few steps of each chart colour."""
    wanted = [charts.MELODIC, charts.RHYTHMIC, charts.GOAL_MET, charts.BELOW_GOAL, charts.TEST_MARK]
    counts: dict[str, int] = {}
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            pixel = image.pixelColor(x, y)
            for colour in wanted:
                if (abs(pixel.red() - colour.red()) + abs(pixel.green() - colour.green())
                        + abs(pixel.blue() - colour.blue())) < 24:
                    counts[colour.name()] = counts.get(colour.name(), 0) + 1
    return counts


def test_the_chart_widget_at_1366x768(app, report, tmp_path, qtbot):
    widget = charts.ProgressCharts(report.progress)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    image = widget.grab().toImage()
    image.save(str(tmp_path / "charts.png"))
    found = colours_in(image)
    for colour in (charts.MELODIC, charts.RHYTHMIC, charts.GOAL_MET, charts.BELOW_GOAL, charts.TEST_MARK):
        assert found.get(colour.name(), 0) > 20, colour.name()
    for kind in charts.CHART_KINDS:
        chart = widget.chart(kind)
        assert chart.width() >= chart.minimumSizeHint().width()
        assert chart.height() >= chart.minimumSizeHint().height()
        assert chart.accessibleName() == charts.TITLES[kind]
        assert "25 days practised" in chart.accessibleDescription()


def crowded(days: int = 60) -> ProgressSeries:
    first = FIRST_DAY
    stats = tuple(
        DayStats(day=first + timedelta(days=i), attempts=8, minutes=20 + i % 15, melodic=50 + i % 40,
                 rhythmic=40 + i % 50, overall=None, longest_phrase=2 + i % 7)
        for i in range(0, days, 2)
    )
    tests = tuple(
        ClinicalMark(day=first + timedelta(days=d), label=label)
        for d, label in ((10, "WAB 52.5"), (11, "BNT 31"), (12, "ANELT A-scale 28"), (13, "CIU/min 14"),
                         (30, "Communicative Activity Log 2.4"), (59, "WAB 61"))
    )
    return ProgressSeries(
        period=Period(first=first, last=first + timedelta(days=days - 1)),
        series=tuple(DaySeries(key, key, stats) for key in SERIES_LABELS),
        daily_goal_min=30,
        tests=tests,
    )


@pytest.mark.parametrize("size", [(660, 360), (1366, 768), (2200, 900)])
def test_test_labels_and_date_labels_never_overlap(app, size):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    image = QImage(*size, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        for kind in charts.CHART_KINDS:
            drawing = charts._Chart(painter, QRectF(0, 0, *size), crowded(), kind)
            drawing.draw(title=True)
            boxes = []
            for _, row, label, left in drawing.labels:
                w = drawing.fm_small.horizontalAdvance(label) + 2 * drawing.gap * 0.3
                boxes.append(QRectF(left, row * drawing.mark_row_h(), w, 1))
            for i, a in enumerate(boxes):
                assert drawing.plot.left() <= a.left() and a.right() <= drawing.plot.right() + 0.01
                for b in boxes[i + 1:]:
                    assert not a.intersects(b), (kind, size)
            # the rows of labels stay above the data
            assert drawing.y(drawing.y_max) >= drawing.plot.top() + drawing.head - 0.01
            if size[1] >= 768:  # room for every label in full
                assert [label for _, _, label, _ in drawing.labels] == [m.label for m in crowded().tests]
            ticks = drawing.x_tick_boxes
            assert all(a.right() < b.left() for a, b in pairwise(ticks))
            assert all(drawing.rect.left() <= t.left() and t.right() <= drawing.rect.right() for t in ticks)
    finally:
        painter.end()


def test_an_unknown_chart_is_refused_and_an_empty_period_says_so(app, qtbot):
    with pytest.raises(ValueError, match="unknown chart"):
        charts.ProgressChart("pie")
    empty = ProgressSeries(period=Period(first=FIRST_DAY, last=FIRST_DAY), series=(), daily_goal_min=30)
    chart = charts.ProgressChart("scores", empty)
    qtbot.addWidget(chart)
    chart.resize(600, 300)
    image = chart.grab().toImage()
    dark = sum(image.pixelColor(x, y).lightness() < 80 for x in range(0, 600, 3) for y in range(0, 300, 3))
    assert dark > 20  # the title and "No practice in this period"


# --------------------------------------------------------------------- command line
@pytest.fixture
def database(practice, monkeypatch):
    monkeypatch.setenv("MITPRACTICE_DATABASE_URL", practice.store.url)
    return practice.store.url


def test_mitpractice_report_writes_the_pdf(app, database, tmp_path, capsys):
    out = tmp_path / "ann.pdf"
    assert main(["report", "Ann", "-o", str(out), "--from", "2026-10-12", "--to", "2026-10-25"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    text = one_line(" ".join(pdf_text(out)))
    assert "Period: 12 Oct 2026 to 25 Oct 2026 (14 days)" in text
    assert "BNT" in text and "WAB 48" not in text


@pytest.mark.parametrize(
    "argv, message",
    [
        (["report", "Zoe", "-o", "{tmp}/z.pdf"], "no patient 'Zoe'"),
        (["report", "Ann", "-o", "{tmp}/missing/z.pdf"], "no such folder"),
        (["report", "Ann", "-o", "{tmp}"], "is a folder"),
        (["report", "Ann", "-o", "{tmp}/z.pdf", "--from", "12/10/2026"], "not a date"),
        (["report", "Ann", "-o", "{tmp}/z.pdf", "--from", "2026-11-02", "--to", "2026-11-01"], "ends"),
        (["report", "Ann"], "-o/--output"),
    ],
)
def test_mitpractice_report_bad_input_is_one_line_and_exit_2(database, tmp_path, capsys, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "z.pdf").exists()


def test_write_report_pdf_refuses_a_missing_folder(app, report, tmp_path):
    with pytest.raises(ReportError, match="no such folder"):
        write_report_pdf(report, tmp_path / "nowhere" / "r.pdf")
