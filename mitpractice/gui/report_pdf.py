"""The therapist's report as a PDF a clinic can file: Qt's own PDF writer, A4.

The pages hold, in order: the title, the patient and their settings, the period and its
totals, the four progress charts (drawn by :func:`mitpractice.gui.widgets.charts.paint_chart`,
the same drawing as on screen), the summary table per phrase (its header repeated on every
page it runs onto), the clinical test results of the period and the therapist's notes. Each
page ends with the patient, the period and "page N of M".

The layout is worked out first, as a list of drawing steps per page, so the page count is
known before anything is drawn. It runs without a display (``QT_QPA_PLATFORM=offscreen``); it
needs a QGuiApplication, which :func:`write_report_pdf` creates if there is none.

The file is health data: it is written to a private temporary file (0600) beside ``path`` and
renamed over it when complete.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from mitpractice import __version__
from mitpractice.days import format_local, zone_name
from mitpractice.files import atomic_path
from mitpractice.gui import theme
from mitpractice.gui.widgets.charts import CHART_KINDS, paint_chart
from mitpractice.gui.widgets.feelings import paint_feelings
from mitpractice.melody import hz_to_note
from mitpractice.practice.spoken import tally
from mitpractice.reports.report import Report, ReportError

#: Print resolution (dots per inch): fine lines and text at a size that prints crisply.
DPI = 300
#: Page margins (mm): room for a hole punch and a binder on the left.
MARGIN_MM = QMarginsF(20, 15, 15, 15)
#: Body text (pt): a clinical letter's size; titles and small print follow from it.
BODY_PT = 9.5
#: Height of one progress chart (mm), and the least it may shrink to so that
#: ``FIRST_PAGE_CHARTS`` of them share the first page with the header.
CHART_MM, MIN_CHART_MM, FIRST_PAGE_CHARTS = 64, 56, 3
#: The height of the feelings chart (five rows of words, the dates under them), in mm.
FEELINGS_MM = 45
#: Light shade behind every other table row, and the rules between rows.
ZEBRA = "#eef1f5"
SEP = "   ·   "
RULE = "#9aa3ad"

Step = Callable[[QPainter], None]


@dataclass(frozen=True)
class _Column:
    title: str
    width: float  # share of the table's width
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft


def write_report_pdf(report: Report, path: str | os.PathLike) -> Path:
    """Write ``report`` as an A4 PDF at ``path`` (replaced if it exists); returns the path.

    Raises
    ------
    ReportError
        When the folder does not exist or the file cannot be written.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise ReportError(f"{path.parent}: no such folder for the report")
    if QGuiApplication.instance() is None:
        from mitpractice.gui.app import make_app

        make_app()
    try:
        with atomic_path(path) as tmp:
            _write(report, str(tmp))
            if not _complete_pdf(tmp):  # QPdfWriter reports no error, even on a full disk
                raise ReportError(f"{path}: cannot write the report: the PDF came out incomplete "
                                  f"(is the disk full? {_free(path.parent)} free)")
    except OSError as exc:
        raise ReportError(f"{path}: cannot write the report: {exc.strerror or exc}") from None
    return path


def _complete_pdf(path: Path) -> bool:
    """Whether ``path`` holds a whole PDF: its header, and its end-of-file mark at the end."""
    try:
        with path.open("rb") as handle:
            head = handle.read(5)
            handle.seek(max(0, path.stat().st_size - 1024))
            tail = handle.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"%%EOF" in tail


def _free(folder: Path) -> str:
    import shutil

    try:
        return f"{shutil.disk_usage(folder).free / 1e6:.1f} MB"
    except OSError:
        return "unknown space"


def _write(report: Report, filename: str) -> None:
    writer = QPdfWriter(filename)
    writer.setResolution(DPI)
    writer.setPageLayout(
        QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, MARGIN_MM,
                    QPageLayout.Unit.Millimeter)
    )
    writer.setTitle(f"MIT progress report: {report.patient.name}, {report.period}")
    writer.setCreator(f"mitpractice {__version__}")
    painter = QPainter()
    if not painter.begin(writer):
        raise ReportError(f"{filename}: cannot write the report")
    try:
        page = writer.pageLayout().paintRectPixels(DPI)
        pages = _Layout(painter, page.width(), page.height(), report).pages()
        for number, steps in enumerate(pages, 1):
            if number > 1:
                writer.newPage()
            for step in steps:
                step(painter)
            _footer(painter, report, number, len(pages), page.width(), page.height())
    finally:
        painter.end()


def _footer(painter: QPainter, report: Report, number: int, total: int, width: float, height: float) -> None:
    font = _font(BODY_PT * 0.8)
    painter.setFont(font)
    painter.setPen(theme.TEXT)
    fm = QFontMetricsF(font, painter.device())
    y = height - fm.descent()
    painter.drawText(QPointF(0, y), f"{report.patient.name} · {report.period} · mitpractice {__version__}")
    text = f"page {number} of {total}"
    painter.drawText(QPointF(width - fm.horizontalAdvance(text), y), text)


class _Layout:
    """Flows the report's blocks down the pages; each block's drawing is kept as a step."""

    def __init__(self, painter: QPainter, width: float, height: float, report: Report) -> None:
        self.p = painter
        self.width = float(width)
        self.report = report
        self.body = _font(BODY_PT)
        self.fm = QFontMetricsF(self.body, painter.device())
        self.line = self.fm.height()
        self.bottom = float(height) - self.line * 2  # the footer's room
        self.y = 0.0
        self.steps: list[list[Step]] = [[]]

    # ----------------------------------------------------------------- flow
    def pages(self) -> list[list[Step]]:
        self.header()
        self.charts()
        self.feelings()
        self.phrase_table()
        self.tests()
        self.notes()
        return self.steps

    def new_page(self) -> None:
        self.steps.append([])
        self.y = 0.0

    def room(self, height: float) -> None:
        """Start a new page unless ``height`` fits below the cursor."""
        if self.y + height > self.bottom and self.y > 0:
            self.new_page()

    def add(self, step: Step) -> None:
        self.steps[-1].append(step)

    def text(self, text: str, size: float = BODY_PT, *, bold: bool = False, colour=None, gap: float = 0.3,
             indent: float = 0.0) -> None:
        """A paragraph, wrapped to the page's width (kept on one page)."""
        font = _font(size, bold)
        rect = QRectF(indent, 0, self.width - indent, 1e6)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
        self.p.setFont(font)
        height = self.p.boundingRect(rect, flags, text).height()
        self.room(height)
        box = QRectF(indent, self.y, self.width - indent, height)

        def step(p: QPainter) -> None:
            p.setFont(font)
            p.setPen(colour or theme.TEXT)
            p.drawText(box, flags, text)

        self.add(step)
        self.y += height + self.line * gap

    def heading(self, text: str) -> None:
        self.room(self.line * 5)  # never a heading alone at the foot of a page
        self.y += self.line * 0.6
        self.text(text, BODY_PT * 1.3, bold=True, gap=0.3)

    # ----------------------------------------------------------------- blocks
    def header(self) -> None:
        r, p = self.report, self.report.patient
        self.text("Melodic Intonation Therapy: progress report", BODY_PT * 1.8, bold=True, gap=0.2)
        self.text(f"{p.name}", BODY_PT * 1.4, bold=True, gap=0.1)
        period = f"{r.period.first:%d %b %Y} to {r.period.last:%d %b %Y} ({_count(r.period.days, 'day')})"
        made = format_local(r.generated_at, r.tz, "%d %b %Y %H:%M")
        self.text(f"Period: {period}{SEP}made {made}", gap=0.6)
        settings = _items(
            (
                f"Patient id {p.id[:8]}",
                f"level {p.level}",
                f"low pitch {p.low_hz:.0f} Hz ({hz_to_note(p.low_hz)})",
                f"interval {p.interval:g} semitones",
                f"tempo {p.tempo:g} beats/min",
                f"tapping {'on' if p.tapping else 'off'}",
                f"daily goal {p.daily_goal_min:g} min",
            )
        )
        self.text(settings, gap=0.3)
        if p.thresholds:
            passes = ", ".join(f"{step} {score:g}" for step, score in sorted(p.thresholds.items()))
            self.text(f"Pass scores per step: {passes}", gap=0.3)
        t = r.totals
        totals = _items(
            (
                _count(t.attempts, "attempt"),
                f"{_count(round(t.minutes), 'minute')} sung",
                f"{_count(t.days_practised, 'day')} practised, {t.days_goal_met} reaching the daily goal",
                f"mean score trained {_score(t.mean_trained)}, untrained (probe) {_score(t.mean_probe)}",
            )
        )
        self.text(totals, bold=True, gap=0.3)
        if p.notes.strip():
            self.text(f"Notes: {p.notes.strip()}", gap=0.3)
        self.text(
            "Scores are 0–100; the final score of an attempt is the therapist's override where given, else "
            "the automatic score (the mean of melody and rhythm). Days and times are local to "
            f"{r.zone or zone_name(r.tz)}, where the report was made.",
            BODY_PT * 0.85,
            colour=theme.LOW_NOTE,
            gap=0.4,
        )

    def charts(self) -> None:
        self.heading("Progress")
        height = CHART_MM / 25.4 * DPI
        gap = self.line * 0.8
        # three charts on the first page if they can keep MIN_CHART_MM each
        shared = (self.bottom - self.y) / FIRST_PAGE_CHARTS - gap
        if shared < height and shared >= MIN_CHART_MM / 25.4 * DPI:
            height = shared
        font = _font(BODY_PT)
        data = self.report.progress
        for kind in CHART_KINDS:
            self.room(height)
            rect = QRectF(0, self.y, self.width, height)

            def step(p: QPainter, rect=rect, kind=kind) -> None:
                p.setFont(font)
                paint_chart(p, rect, data, kind)

            self.add(step)
            self.y += height + gap

    def feelings(self) -> None:
        """How the patient felt before and after practice, beside the score charts."""
        height = FEELINGS_MM / 25.4 * DPI
        self.room(height)
        rect = QRectF(0, self.y, self.width, height)
        font, report = _font(BODY_PT), self.report

        def step(p: QPainter) -> None:
            p.setFont(font)
            paint_feelings(p, rect, report.feelings, report.period)

        self.add(step)
        self.y += height + self.line * 0.8

    def phrase_table(self) -> None:
        self.heading("Phrases")
        columns = (
            _Column("Phrase", 0.14),  # the words wrap in their cell
            _Column("Set", 0.10),
            _Column("Kind", 0.08),
            _Column("Syll.", 0.06, Qt.AlignmentFlag.AlignRight),
            _Column("Attempts", 0.10, Qt.AlignmentFlag.AlignRight),
            _Column("Best", 0.07, Qt.AlignmentFlag.AlignRight),
            _Column("Mean", 0.07, Qt.AlignmentFlag.AlignRight),
            _Column("Latest", 0.07, Qt.AlignmentFlag.AlignRight),
            _Column("Step reached", 0.14),
            _Column("Words said", 0.09, Qt.AlignmentFlag.AlignRight),
            _Column("Last", 0.08, Qt.AlignmentFlag.AlignRight),
        )
        rows = []
        for s in self.report.phrases:
            latest = _score(s.latest)
            rows.append(
                (
                    s.text or s.phrase_id,  # people read the words; the id only without them
                    s.set_id,
                    "probe" if s.probe else "trained",
                    str(s.syllables),
                    str(s.attempts),
                    _score(s.best),
                    _score(s.mean),
                    latest,
                    s.step_reached,
                    tally(s.words),
                    f"{s.last_day:%d %b}",
                )
            )
        if not rows:
            self.text("No attempts in this period.")
            return
        self.table(columns, rows)
        overridden = sum(s.overridden for s in self.report.phrases)
        if any(s.words is not None for s in self.report.phrases):
            self.text("Words said: of the phrase's words, in the latest word-checked attempt at a spoken "
                      "step without the app's voice; '?' counts the words the check could not decide.",
                      BODY_PT * 0.85,
                      colour=theme.LOW_NOTE)
        if overridden:
            said = ("1 attempt carries a therapist's override; the scores above use it." if overridden == 1
                    else f"{overridden} attempts carry a therapist's override; the scores above use them.")
            self.text(said, BODY_PT * 0.85, colour=theme.LOW_NOTE)

    def tests(self) -> None:
        self.heading("Clinical tests in the period")
        if not self.report.tests:
            self.text("None recorded.")
            return
        columns = (_Column("Date", 0.18), _Column("Test", 0.22), _Column("Result", 0.60))
        rows = [
            (f"{t.taken_on:%d %b %Y}", t.test, " · ".join(x for x in (_value(t.value), t.text) if x))
            for t in self.report.tests
        ]
        self.table(columns, rows)

    def notes(self) -> None:
        self.heading("Therapist's notes on attempts")
        if not self.report.notes:
            self.text("None in this period.")
            return
        columns = (
            _Column("When", 0.19),  # "23 Nov 10:00 AEDT" on one line
            _Column("Phrase", 0.18),
            _Column("Step", 0.12),
            _Column("Score", 0.11, Qt.AlignmentFlag.AlignRight),
            _Column("Note", 0.40),
        )
        rows = []
        for n in self.report.notes:
            score = _score(n.score) + ("\n(override)" if n.overridden else "")
            rows.append(
                (format_local(n.started_at, self.report.tz, "%d %b %H:%M"), n.text or n.phrase_id, n.step,
                 score,
                 ("[flagged] " if n.flagged else "") + n.note)
            )
        self.table(columns, rows)

    # ----------------------------------------------------------------- tables
    def table(self, columns: Sequence[_Column], rows: Sequence[Sequence[str]]) -> None:
        """Rows wrapped in their cells; a row never splits, the header repeats on each page."""
        font, bold = _font(BODY_PT * 0.92), _font(BODY_PT * 0.92, True)
        pad = self.line * 0.25
        xs = [0.0]
        for c in columns:
            xs.append(xs[-1] + c.width * self.width)
        flags = [int(c.align | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap) for c in columns]

        def measure(cells: Sequence[str], f: QFont) -> float:
            self.p.setFont(f)
            return max(
                self.p.boundingRect(QRectF(0, 0, xs[i + 1] - xs[i] - 2 * pad, 1e6), flags[i], cell).height()
                for i, cell in enumerate(cells)
            ) + 2 * pad

        header = [c.title for c in columns]
        header_h = measure(header, bold)

        def draw_row(cells: Sequence[str], top: float, height: float, f: QFont, shade: bool, rule: float):
            def step(p: QPainter) -> None:
                if shade:
                    p.fillRect(QRectF(0, top, self.width, height), _colour(ZEBRA))
                p.setFont(f)
                p.setPen(theme.TEXT)
                for i, cell in enumerate(cells):
                    box = QRectF(xs[i] + pad, top + pad, xs[i + 1] - xs[i] - 2 * pad, height - 2 * pad)
                    p.drawText(box, flags[i], cell)
                p.setPen(QPen(_colour(RULE), rule))
                p.drawLine(QPointF(0, top + height), QPointF(self.width, top + height))

            return step

        def put_header() -> None:
            self.add(draw_row(header, self.y, header_h, bold, False, self.line * 0.08))
            self.y += header_h

        self.room(header_h + measure(rows[0], font))
        put_header()
        for n, cells in enumerate(rows):
            height = measure(cells, font)
            if self.y + height > self.bottom:
                self.new_page()
                put_header()
            self.add(draw_row(cells, self.y, height, font, n % 2 == 1, self.line * 0.03))
            self.y += height
        self.y += self.line * 0.5


def _font(size: float, bold: bool = False) -> QFont:
    """The app's font at ``size`` points, without ligatures, so that a PDF reader finds and
    copies "off" and "final" as typed (a ligature is one glyph, extracted as "ﬀ")."""
    font = QFont(QGuiApplication.font())
    font.setPointSizeF(size)
    font.setBold(bold)
    for tag in ("liga", "clig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def _colour(name: str) -> QColor:
    return QColor(name)


def _items(items: Sequence[str]) -> str:
    """Items joined by :data:`SEP`, each kept whole on its line (a line breaks between items)."""
    return SEP.join(item.replace(" ", "\u00a0") for item in items)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _value(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
