"""Programme: which phrases a patient practises, trained or kept untrained as probes.

Bundled and imported sets are listed on the left with their phrases; the therapist ticks a
whole set or single phrases and assigns them as trained phrases or as probes. The practice
window reads the assignments from the store each time it starts a phrase, so it follows at
once. Progress on probes (untrained phrases) is shown apart on the progress screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mitpractice.errors import MitpracticeError
from mitpractice.gui.therapist.sets import available_sets
from mitpractice.store import Patient

KEY_ROLE = Qt.ItemDataRole.UserRole
#: Phrases named as examples of what a patient with an empty programme practises.
EXAMPLES = 3


class ProgrammePage(QWidget):
    def __init__(self, workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.patient: Patient | None = None
        layout = QHBoxLayout(self)

        sets_box = QGroupBox(self.tr("Phrase sets (tick sets or phrases)"))
        left = QVBoxLayout(sets_box)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName(self.tr("Phrase sets to assign"))
        self.tree.setHeaderLabels([self.tr("Set / phrase"), self.tr("Size")])
        self.tree.headerItem().setToolTip(1, self.tr("Phrases in a set, syllables in a phrase"))
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        left.addWidget(self.tree, 1)
        row = QHBoxLayout()
        self.assign_trained = QPushButton(self.tr("Assign as trained"))
        self.assign_trained.clicked.connect(lambda: self.assign(probe=False))
        self.assign_probe = QPushButton(self.tr("Assign as probes"))
        self.assign_probe.clicked.connect(lambda: self.assign(probe=True))
        row.addWidget(self.assign_trained)
        row.addWidget(self.assign_probe)
        left.addLayout(row)
        layout.addWidget(sets_box, 5)

        mine = QGroupBox(self.tr("The patient's programme"))
        right = QVBoxLayout(mine)
        self.table = QTableWidget(0, 4)
        self.table.setAccessibleName(self.tr("Assigned phrases"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Set"), self.tr("Phrase"), self.tr("Syllables"), self.tr("Kind")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        right.addWidget(self.table, 1)
        self.count = QLabel("")
        self.count.setWordWrap(True)
        self.count.setAccessibleName(self.tr("Programme summary"))
        right.addWidget(self.count)
        row = QHBoxLayout()
        self.toggle_button = QPushButton(self.tr("Trained ↔ probe"))
        self.toggle_button.setToolTip(self.tr("Make the selected phrases probes, or trained again"))
        self.toggle_button.clicked.connect(self.toggle_probe)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setToolTip(self.tr("Take the selected phrases off the programme"))
        self.remove_button.clicked.connect(self.remove)
        row.addWidget(self.toggle_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        right.addLayout(row)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        right.addWidget(self.message)
        layout.addWidget(mine, 6)
        self.fill_sets()

    def shown(self) -> None:
        self.fill_sets()
        self.fill_programme()

    def set_patient(self, patient: Patient | None) -> None:
        self.patient = patient
        for w in (self.assign_trained, self.assign_probe, self.toggle_button, self.remove_button):
            w.setEnabled(patient is not None)
        self.fill_programme()

    def fill_sets(self) -> None:
        self.tree.clear()
        for available in available_sets(self.store):
            s = available.phrase_set
            imported = self.tr(" (imported)") if available.origin == "store" else ""
            top = QTreeWidgetItem([f"{s.title}{imported}", str(len(s.phrases))])
            top.setToolTip(0, f"{s.id}: {s.description}" if s.description else s.id)
            top.setFlags(top.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsAutoTristate)
            top.setCheckState(0, Qt.CheckState.Unchecked)
            top.setData(0, KEY_ROLE, (s.id, None))
            for p in s.phrases:
                child = QTreeWidgetItem([p.text, str(len(p.syllables))])
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(0, Qt.CheckState.Unchecked)
                child.setData(0, KEY_ROLE, (s.id, p.id))
                child.setToolTip(0, f"{' · '.join(p.syllables)}  {p.pitches}")
                top.addChild(child)
            self.tree.addTopLevelItem(top)
        self.tree.resizeColumnToContents(1)

    def checked(self) -> dict[str, list[str]]:
        """Set id → phrase ids ticked (every phrase of a fully ticked set)."""
        wanted: dict[str, list[str]] = {}
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            set_id = top.data(0, KEY_ROLE)[0]
            for j in range(top.childCount()):
                child = top.child(j)
                if child.checkState(0) == Qt.CheckState.Checked:
                    wanted.setdefault(set_id, []).append(child.data(0, KEY_ROLE)[1])
        return wanted

    def expand(self, set_id: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            top.setExpanded(top.data(0, KEY_ROLE)[0] == set_id)

    def check(self, set_id: str, phrase_ids: list[str] | None = None) -> None:
        """Tick a set (all of it) or some of its phrases, as a click would."""
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top.data(0, KEY_ROLE)[0] != set_id:
                continue
            for j in range(top.childCount()):
                child = top.child(j)
                if phrase_ids is None or child.data(0, KEY_ROLE)[1] in phrase_ids:
                    child.setCheckState(0, Qt.CheckState.Checked)

    def assign(self, probe: bool) -> None:
        if self.patient is None:
            return
        wanted = self.checked()
        if not wanted:
            self.message.setText(self.tr("Tick a set or some phrases on the left first."))
            return
        n = 0
        try:
            for set_id, phrase_ids in wanted.items():
                n += len(self.store.assign(self.patient.id, set_id, phrase_ids, probe=probe))
        except MitpracticeError as exc:
            self.message.setText(str(exc))
            return
        kind = self.tr("probes") if probe else self.tr("trained phrases")
        self.message.setText(
            self.tr("%1 phrase(s) assigned as %2.").replace("%1", str(n)).replace("%2", kind)
        )
        for i in range(self.tree.topLevelItemCount()):
            self.tree.topLevelItem(i).setCheckState(0, Qt.CheckState.Unchecked)
        self.fill_programme()

    def fill_programme(self) -> None:
        rows = self.store.assignments(self.patient.id) if self.patient else []
        self.table.setRowCount(len(rows))
        parsed = {}
        probes = 0
        for r, a in enumerate(rows):
            if a.phrase_set_id not in parsed:
                parsed[a.phrase_set_id] = self.store.phrase_set(a.phrase_set_id)
            s = parsed[a.phrase_set_id]
            phrase = s.phrase(a.phrase_id)
            cells = [
                s.title,
                phrase.text,
                str(len(phrase.syllables)),
                self.tr("probe") if a.probe else self.tr("trained"),
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # the whole of a cell cut short
                item.setData(KEY_ROLE, (a.set_id, a.phrase_id, a.probe))
                self.table.setItem(r, c, item)
            probes += a.probe
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(2)
        self.table.resizeColumnToContents(3)
        if self.patient is None:
            text = self.tr("Choose or add a patient first.")
        elif not rows:
            text = self._meanwhile()
        else:
            text = (self.tr("%1 trained, %2 probe phrase(s).")
                    .replace("%1", str(len(rows) - probes)).replace("%2", str(probes)))
        self.count.setText(text)

    def _meanwhile(self) -> str:
        """What an empty programme means for the patient: the practice window's everyday phrases."""
        from mitpractice.practice.plan import bundled_assignment

        everyday = bundled_assignment()
        examples = ", ".join(f"“{a.phrase.text}”" for a in everyday[:EXAMPLES])
        return (self.tr("Nothing assigned yet. Meanwhile %1 practises %2 everyday phrases of the "
                        "bundled Greetings set (%3, …). Tick phrases on the left and assign them "
                        "to choose instead.")
                .replace("%1", self.patient.name).replace("%2", str(len(everyday)))
                .replace("%3", examples))

    def selected(self) -> list[tuple[str, str, bool]]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.table.item(r, 0).data(KEY_ROLE) for r in rows]

    def toggle_probe(self) -> None:
        if self.patient is None:
            return
        for set_id, phrase_id, probe in self.selected():
            self.store.assign(self.patient.id, set_id, [phrase_id], probe=not probe)
        self.fill_programme()

    def remove(self) -> None:
        if self.patient is None:
            return
        for set_id, phrase_id, _probe in self.selected():
            self.store.unassign(self.patient.id, set_id, [phrase_id])
        self.fill_programme()
