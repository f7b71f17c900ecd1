"""Progress: a patient's practice over days and weeks, with the clinical tests marked.

The period's attempts are read off the GUI thread (a year of practice is thousands of them).

The charts are the report's own (:mod:`mitpractice.gui.widgets.charts`, drawn by the same
painter as the PDF): melody and rhythm for trained and probe phrases side by side, minutes
against the daily goal, tapping on against off, the longest phrase reached, each with the
clinical test results on the time axis. Below them, per phrase (trained and probe apart) the
step reached and the scores, and per week the totals.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mitpractice import days as local_days
from mitpractice.gui.therapist.attempts_model import step_label
from mitpractice.gui.widgets.charts import ProgressCharts
from mitpractice.gui.widgets.feelings import FeelingsChart
from mitpractice.gui.workers import run_in_thread
from mitpractice.reports.report import Report, build_report
from mitpractice.store import Patient

#: The periods offered, in days (None: from the first attempt).
PERIODS = (("Last 2 weeks", 14), ("Last 6 weeks", 42), ("Last 3 months", 91), ("Everything", None))


def weekly_rows(report: Report) -> list[tuple[str, ...]]:
    """Per ISO week: days practised, minutes (and days the goal was met), mean melody and
    rhythm of trained and of probe phrases (weighted by attempts). No Qt.
    """
    weeks: dict[tuple[int, int], dict] = defaultdict(lambda: defaultdict(list))
    goal = report.progress.daily_goal_min
    for key in ("all", "trained", "probe"):
        series = report.progress.get(key)
        for d in series.days if series else ():
            weeks[d.day.isocalendar()[:2]][key].append(d)

    def mean(days, name):
        pairs = [(getattr(d, name), d.attempts) for d in days if getattr(d, name) is not None]
        n = sum(w for _, w in pairs)
        return "—" if not n else f"{sum(v * w for v, w in pairs) / n:.0f}"

    rows = []
    for (year, week), parts in sorted(weeks.items()):
        days = parts["all"]
        minutes = sum(d.minutes for d in days)
        met = sum(d.minutes >= goal for d in days)
        rows.append(
            (
                f"{year}-W{week:02d}",
                str(len(days)),
                f"{minutes:.0f}",
                f"{met}/{len(days)}",
                mean(parts["trained"], "melodic"),
                mean(parts["trained"], "rhythmic"),
                mean(parts["probe"], "melodic"),
                mean(parts["probe"], "rhythmic"),
            )
        )
    return rows


class ProgressPage(QWidget):
    def __init__(self, workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.patient: Patient | None = None
        self.report: Report | None = None
        self._asked: tuple | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.period = QComboBox()
        self.period.setAccessibleName(self.tr("Period"))
        for label, days in PERIODS:
            self.period.addItem(self.tr(label), days)
        self.period.setCurrentIndex(1)
        self.period.currentIndexChanged.connect(self.refresh)
        self.totals = QLabel("")
        self.totals.setWordWrap(True)
        self.totals.setAccessibleName(self.tr("Totals of the period"))
        self.report_button = QPushButton(self.tr("PDF report…"))
        self.report_button.setToolTip(
            self.tr("The report of this period, with these charts, to file or print")
        )
        self.report_button.clicked.connect(lambda: self.workspace.data.report())
        top.addWidget(self.period)
        top.addWidget(self.totals, 1)
        top.addWidget(self.report_button)
        layout.addLayout(top)
        self.charts = ProgressCharts()
        self.charts.setAccessibleName(self.tr("Progress charts"))
        layout.addWidget(self.charts, 4)  # the charts take the room; the tables keep four rows

        self.tabs = QTabWidget()
        self.phrases = self._table(
            [
                self.tr("Phrase"),
                self.tr("Kind"),
                self.tr("Syll."),
                self.tr("Attempts"),
                self.tr("Best"),
                self.tr("Mean"),
                self.tr("Latest"),
                self.tr("Step reached"),
            ],
            stretch=0,
        )
        self.phrases.setAccessibleName(self.tr("Per phrase"))
        self.weeks = self._table(
            [
                self.tr("Week"),
                self.tr("Days"),
                self.tr("Minutes"),
                self.tr("Goal met"),
                self.tr("Trained melody"),
                self.tr("Trained rhythm"),
                self.tr("Probe melody"),
                self.tr("Probe rhythm"),
            ],
            stretch=None,
        )
        self.weeks.setAccessibleName(self.tr("Per week"))
        self.tabs.addTab(self.phrases, self.tr("Per phrase"))
        self.tabs.addTab(self.weeks, self.tr("Per week"))
        self.feelings = FeelingsChart()  # the patient's answers to "How are you feeling?"
        self.tabs.addTab(self.feelings, self.tr("How the patient felt"))
        self.tabs.setMinimumHeight(round(self.fontMetrics().height() * 7.5))  # the tab, a header, four rows
        layout.addWidget(self.tabs, 1)

    def _table(self, headers: list[str], stretch: int | None) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if stretch is not None:
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        else:
            header.setStretchLastSection(True)
        return table

    def set_patient(self, patient: Patient | None) -> None:
        self.patient = patient
        if self.isVisible():
            self.refresh()

    def shown(self) -> None:
        self.refresh()

    def refresh(self, *_args) -> None:
        if self.patient is None:
            self._asked = None
            self.report = None
            self.charts.set_data(None)
            self.feelings.set_data((), None)
            self.totals.setText(self.tr("Choose or add a patient first."))
            self._fill(self.phrases, [])
            self._fill(self.weeks, [])
            return
        days = self.period.currentData()
        today = local_days.today()  # the therapist's calendar day
        since = None if days is None else today - timedelta(days=days - 1)
        self._asked = (self.patient.id, since, today)
        asked, store = self._asked, self.store
        self.totals.setText(self.tr("Reading the practice…"))
        run_in_thread(lambda: (asked, build_report(store, asked[0], asked[1], asked[2])), self._show)

    def _show(self, result) -> None:
        asked, report = result
        if asked != self._asked:
            return  # another patient or period was chosen meanwhile
        self.report = r = report
        t = r.totals
        trained = "—" if t.mean_trained is None else f"{t.mean_trained:.0f}"
        probe = "—" if t.mean_probe is None else f"{t.mean_probe:.0f}"
        self.totals.setText(
            self.tr("%2 attempts · %3 min on %4 days (goal met on %5) · mean score trained %6, probe %7")
            .replace("%2", str(t.attempts))
            .replace("%3", f"{t.minutes:.0f}")
            .replace("%4", str(t.days_practised))
            .replace("%5", str(t.days_goal_met))
            .replace("%6", trained)
            .replace("%7", probe)
        )
        period = self.tr("%1 (days in %2)").replace("%1", str(r.period)).replace("%2", r.zone)
        self.totals.setToolTip(period)
        self.period.setToolTip(period)
        self.charts.set_data(r.progress)
        self.feelings.set_data(r.feelings, r.period)
        fmt = lambda v: "—" if v is None else f"{v:.0f}"  # noqa: E731
        self._fill(
            self.phrases,
            [
                (
                    p.text or p.phrase_id,
                    self.tr("probe") if p.probe else self.tr("trained"),
                    str(p.syllables),
                    str(p.attempts),
                    fmt(p.best),
                    fmt(p.mean),
                    fmt(p.latest),
                    step_label(p.step_reached),
                )
                for p in r.phrases
            ],
        )
        self._fill(self.weeks, weekly_rows(r))

    @staticmethod
    def _fill(table: QTableWidget, rows) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # the whole of a cell cut short
                table.setItem(r, c, item)
