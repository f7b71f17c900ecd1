"""The review list: a table model over the store's review query, fetched page by page.

Only the rows scrolled to are read (``canFetchMore``/``fetchMore``), and the total comes from
one count, so a patient with 10 000 attempts opens as fast as one with ten.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt

from mitpractice import days as local_days
from mitpractice.errors import MitpracticeError
from mitpractice.store import Attempt, AttemptQuery

_ROOT = QModelIndex()  # the table's root: every row hangs from it

#: Rows read from the store at a time: two screens' worth, one quick query.
PAGE = 200

#: (header, store sort key or None) per column.
COLUMNS = (
    ("When", "started_at"),
    ("Phrase", "phrase_id"),
    ("Step", "step"),
    ("Kind", None),
    ("Score", "overall"),
    ("⚑", None),
    ("Note", None),
)
#: The column of the final score (the override, marked *, else the automatic score); melody
#: and rhythm are shown with the attempt, beside the list.
SCORE_COLUMN = 4


def step_label(step_id: str) -> str:
    """A step's name as the patient sees it ("Keep singing"), or its id if it is unknown."""
    from mitpractice.practice.steps import STEPS

    step = STEPS.get(step_id)
    return QCoreApplication.translate("steps", step.label) if step is not None else step_id


class AttemptTableModel(QAbstractTableModel):
    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.query = AttemptQuery(limit=PAGE)
        self.rows: list[Attempt] = []
        self.total = 0
        self.texts: dict[tuple[str, str], str] = {}
        self._versions: dict[str, object] = {}  # phrase set versions read, by id

    # ------------------------------------------------------------------ query
    def set_query(self, query: AttemptQuery) -> None:
        """Show the attempts ``query`` matches, from the first page."""
        self.beginResetModel()
        self.query = replace(query, offset=0, limit=PAGE)
        page = self.store.attempts(self.query)
        self.rows = list(page.attempts)
        self.total = page.total
        self.endResetModel()

    def canFetchMore(self, parent=_ROOT) -> bool:
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent=_ROOT) -> None:
        if parent.isValid() or len(self.rows) >= self.total:
            return
        page = self.store.attempts(replace(self.query, offset=len(self.rows)))
        if not page.attempts:
            self.total = len(self.rows)
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page.attempts) - 1)
        self.rows.extend(page.attempts)
        self.endInsertRows()

    def refresh_row(self, row: int) -> None:
        """Read one attempt again (after an override, a note, a flag)."""
        self.rows[row] = self.store.attempt(self.rows[row].id)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def attempt(self, row: int) -> Attempt | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    # ------------------------------------------------------------------ table
    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section][0])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        a = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(a, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == SCORE_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 2:  # with its id, as the command line and the CSV give it
                return f"{step_label(a.step)} ({a.step})"
            if col == SCORE_COLUMN and a.override is not None:
                return (
                    self.tr("Your score %1 (automatic %2)")
                    .replace("%1", f"{a.override:.0f}")
                    .replace("%2", "—" if a.overall is None else f"{a.overall:.0f}")
                )
            if col == len(COLUMNS) - 1 and a.note:
                return a.note
            return self._text(a, col) or None  # the whole of a cell cut short
        if role == Qt.ItemDataRole.UserRole:
            return a.id
        return None

    def _text(self, a: Attempt, col: int) -> str:
        if col == 0:
            return local_days.format_local(a.started_at, fmt="%d %b %H:%M", zone=False)
        if col == 1:
            return self.phrase_text(a)
        if col == 2:
            return step_label(a.step)
        if col == 3:
            return self.tr("probe") if a.probe else self.tr("trained")
        if col == SCORE_COLUMN:
            final = a.final_score
            if final is None:
                return self.tr("not scored")
            if not a.voiced and a.override is None:
                return self.tr("no voice")
            return f"{final:.0f}{' *' if a.override is not None else ''}"
        if col == 5:
            return "⚑" if a.flagged else ""
        if col == 6:
            return a.note.splitlines()[0] if a.note else ""
        return ""

    def phrase_text(self, a: Attempt) -> str:
        """The words of the phrase attempted: the programme's, else those of the set version
        the attempt was sung from (a phrase no longer assigned, the everyday phrases practised
        while none were); the id only when the phrase has left its set."""
        key = (a.set_id, a.phrase_id)
        if key not in self.texts:
            if a.phrase_set_id not in self._versions:
                try:
                    self._versions[a.phrase_set_id] = self.store.phrase_set(a.phrase_set_id)
                except MitpracticeError:
                    self._versions[a.phrase_set_id] = None
            version = self._versions[a.phrase_set_id]
            try:
                self.texts[key] = version.phrase(a.phrase_id).text if version is not None else a.phrase_id
            except MitpracticeError:
                self.texts[key] = a.phrase_id
        return self.texts[key]

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1]
        if key is None:
            return
        self.set_query(replace(self.query, sort=key, descending=order == Qt.SortOrder.DescendingOrder))
