"""Patients: create and edit each patient's settings, and their clinical test results.

The settings are those the practice window follows: low pitch (typed as a note or Hz, or
found with the voice check), interval, tempo, MIT level, tapping, whether the spoken steps
need the words (the word check; by default from the intermediate level on, kept in the settings
table once the therapist chooses), the daily goal, the pass score of each step of the level,
and the therapist's notes.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mitpractice.errors import MitpracticeError
from mitpractice.gui.workers import failure_text, run_in_thread
from mitpractice.melody import DEFAULT_INTERVAL, DEFAULT_LOW, DEFAULT_TEMPO, hz_to_note, note_to_hz
from mitpractice.phrases import INTERVAL_LIMITS, TEMPO_LIMITS
from mitpractice.practice.spoken import words_needed, words_needed_default, words_setting_key
from mitpractice.practice.steps import level_steps
from mitpractice.practice.voice import VOICE_CHECK_S, comfortable_low_hz
from mitpractice.store import Patient
from mitpractice.store.records import DEFAULT_DAILY_GOAL_MIN, LEVELS

#: The clinical tests offered by name (PROTOCOL.md "Outcome measures"); any other may be typed.
TESTS = ("WAB AQ", "BNT", "ANELT", "CIUs per minute", "CAL", "SAQOL-39")
#: The threshold spin box's value meaning "the step's default".
USE_DEFAULT = -1


class PatientsPage(QWidget):
    def __init__(self, workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.patient: Patient | None = None
        self.recorder = None
        layout = QHBoxLayout(self)

        left = QVBoxLayout()
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Patients"))
        self.list.setFixedWidth(180)
        self.list.itemClicked.connect(
            lambda item: workspace.choose_patient(item.data(Qt.ItemDataRole.UserRole))
        )
        self.new_button = QPushButton(self.tr("New patient"))
        self.new_button.clicked.connect(self.new_patient)
        left.addWidget(QLabel(self.tr("Patients")))
        left.addWidget(self.list, 1)
        left.addWidget(self.new_button)
        layout.addLayout(left)

        # ---- settings
        settings = QGroupBox(self.tr("Settings"))
        form = QFormLayout(settings)
        self.name = QLineEdit()
        self.low = QLineEdit()
        self.low.setPlaceholderText(self.tr("note (A2) or Hz"))
        self.low.setToolTip(
            self.tr("The patient's comfortable speaking pitch: a note such as A2 or C3, or Hz.")
        )
        self.check_button = QPushButton(self.tr("Voice check"))
        self.check_button.setToolTip(
            self.tr('Ask the patient to say a long, easy "ah" for %n second(s).', "", int(VOICE_CHECK_S))
        )
        self.check_button.clicked.connect(self.voice_check)
        low_row = QHBoxLayout()
        low_row.addWidget(self.low, 1)
        low_row.addWidget(self.check_button)
        self.interval = QDoubleSpinBox()
        self.interval.setRange(*INTERVAL_LIMITS)
        self.interval.setDecimals(0)
        self.interval.setSuffix(self.tr(" semitones"))
        self.tempo = QDoubleSpinBox()
        self.tempo.setRange(*TEMPO_LIMITS)
        self.tempo.setDecimals(0)
        self.tempo.setSuffix(self.tr(" beats/min"))
        self.level = QComboBox()
        for level in LEVELS:
            self.level.addItem(level.capitalize(), level)
        self.level.currentIndexChanged.connect(self._fill_thresholds)
        self.level.currentIndexChanged.connect(self._follow_level)
        self.tapping = QCheckBox(self.tr("Left-hand tapping"))
        self.words = QCheckBox(self.tr("Spoken steps need the words"))
        self.words.setAccessibleName(self.tr("Spoken steps need the words"))
        self.words.setToolTip(self.tr(
            "In the spoken steps a take passes only when the word check heard the phrase's words "
            "as well as its rhythm. Words it could not decide never fail a take. "
            "On by default from the intermediate level."))
        self.words.clicked.connect(self._words_clicked)
        self._words_chosen = False  # the therapist's own choice, kept whatever the level
        self.goal = QDoubleSpinBox()
        self.goal.setRange(1, 24 * 60)
        self.goal.setDecimals(0)
        self.goal.setSuffix(self.tr(" min a day"))
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(self.fontMetrics().height() * 5)
        for label, widget, name in (
            (self.tr("Name"), self.name, None),
            (self.tr("Low pitch"), low_row, self.low),
            (self.tr("Interval"), self.interval, None),
            (self.tr("Tempo"), self.tempo, None),
            (self.tr("Level"), self.level, None),
            ("", self.tapping, None),
            ("", self.words, None),
            (self.tr("Daily goal"), self.goal, None),
            (self.tr("Notes"), self.notes, None),
        ):
            form.addRow(label, widget)
            target = name or widget
            if label:
                target.setAccessibleName(label)
        self.check_status = QLabel("")
        self.check_status.setWordWrap(True)
        self.check_status.setAccessibleName(self.tr("Voice check result"))
        form.addRow("", self.check_status)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save patient"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.status = QLabel("")
        self.status.setAccessibleName(self.tr("Patient status"))
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.status, 1)
        form.addRow(buttons)
        layout.addWidget(settings, 4)

        # ---- thresholds and tests
        right = QVBoxLayout()
        steps_box = QGroupBox(self.tr("Pass score per step"))
        steps_layout = QVBoxLayout(steps_box)
        self.thresholds = QTableWidget(0, 3)
        self.thresholds.setAccessibleName(self.tr("Pass score per step"))
        self.thresholds.setHorizontalHeaderLabels([self.tr("Step"), self.tr("Default"), self.tr("Pass at")])
        self.thresholds.verticalHeader().hide()
        self.thresholds.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.thresholds.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        steps_layout.addWidget(self.thresholds)
        right.addWidget(steps_box, 4)

        tests_box = QGroupBox(self.tr("Clinical tests"))
        tests_layout = QVBoxLayout(tests_box)
        self.tests = QTableWidget(0, 3)
        self.tests.setAccessibleName(self.tr("Clinical test results"))
        self.tests.setHorizontalHeaderLabels([self.tr("Date"), self.tr("Test"), self.tr("Result")])
        self.tests.verticalHeader().hide()
        self.tests.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.tests.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tests.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        tests_layout.addWidget(self.tests, 1)
        add_row = QHBoxLayout()
        self.test_date = QDateEdit(QDate.currentDate())
        self.test_date.setCalendarPopup(True)
        self.test_date.setDisplayFormat("yyyy-MM-dd")
        self.test_date.setAccessibleName(self.tr("Test date"))
        self.test_name = QComboBox()
        self.test_name.setEditable(True)
        self.test_name.addItems(TESTS)
        self.test_name.setAccessibleName(self.tr("Test"))
        self.test_value = QLineEdit()
        self.test_value.setPlaceholderText(self.tr("score or text"))
        self.test_value.setAccessibleName(self.tr("Test result"))
        add_row.addWidget(self.test_date)
        add_row.addWidget(self.test_name, 1)
        tests_layout.addLayout(add_row)
        test_buttons = QHBoxLayout()
        self.add_test_button = QPushButton(self.tr("Add result"))
        self.add_test_button.clicked.connect(self.add_test)
        self.delete_test_button = QPushButton(self.tr("Delete result"))
        self.delete_test_button.clicked.connect(self.delete_test)
        test_buttons.addWidget(self.test_value, 1)
        test_buttons.addWidget(self.add_test_button)
        test_buttons.addWidget(self.delete_test_button)
        tests_layout.addLayout(test_buttons)
        right.addWidget(tests_box, 5)
        layout.addLayout(right, 6)
        self.set_patient(None)

    # ------------------------------------------------------------------ filling
    def set_patient(self, patient: Patient | None) -> None:
        self.patient = patient
        self.list.clear()
        for p in self.store.patients():
            item = QListWidgetItem(p.name)
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.list.addItem(item)
            if patient is not None and p.id == patient.id:
                self.list.setCurrentItem(item)
        if patient is None:
            self.name.setText("")
            self.low.setText(DEFAULT_LOW)
            self.interval.setValue(DEFAULT_INTERVAL)
            self.tempo.setValue(DEFAULT_TEMPO)
            self.level.setCurrentIndex(0)
            self.tapping.setChecked(False)
            self._words_chosen = False
            self.words.setChecked(words_needed_default(LEVELS[0]))
            self.goal.setValue(DEFAULT_DAILY_GOAL_MIN)
            self.notes.setPlainText("")
            self.save_button.setText(self.tr("Add patient"))
        else:
            self.name.setText(patient.name)
            self.low.setText(
                f"{hz_to_note(patient.low_hz)}" if _is_note(patient.low_hz) else f"{patient.low_hz:.1f}"
            )
            self.interval.setValue(patient.interval)
            self.tempo.setValue(patient.tempo)
            self.level.setCurrentIndex(LEVELS.index(patient.level))
            self.tapping.setChecked(patient.tapping)
            stored = self.store.setting(words_setting_key(patient.id))
            self._words_chosen = stored is not None
            self.words.setChecked(words_needed(patient.level, stored))
            self.goal.setValue(patient.daily_goal_min)
            self.notes.setPlainText(patient.notes)
            self.save_button.setText(self.tr("Save patient"))
        self.check_status.setText("")
        self.status.setText("")
        self._fill_thresholds()
        self._fill_tests()
        for widget in (self.add_test_button, self.delete_test_button, self.test_value):
            widget.setEnabled(patient is not None)

    def _fill_thresholds(self, *_args) -> None:
        level = self.level.currentData() or LEVELS[0]
        saved = self.patient.thresholds if self.patient else {}
        steps = [s for s in level_steps(level) if s.scored]
        self.thresholds.setRowCount(0)
        self.thresholds.setRowCount(len(steps))
        self.threshold_boxes: dict[str, QSpinBox] = {}
        for row, step in enumerate(steps):
            name = QTableWidgetItem(f"{step.label} ({step.id})")
            name.setToolTip(name.text())  # the whole of a name cut short
            self.thresholds.setItem(row, 0, name)
            self.thresholds.setItem(row, 1, QTableWidgetItem(f"{step.threshold:g}"))
            box = QSpinBox()
            box.setRange(USE_DEFAULT, 100)
            box.setSpecialValueText(self.tr("default"))
            box.setAccessibleName(self.tr("Pass score of %1").replace("%1", step.id))
            box.setValue(round(saved[step.id]) if step.id in saved else USE_DEFAULT)
            self.thresholds.setCellWidget(row, 2, box)
            self.threshold_boxes[step.id] = box
        self.thresholds.resizeColumnToContents(1)
        self.thresholds.setColumnWidth(2, 120)

    def _words_clicked(self) -> None:
        self._words_chosen = True

    def _follow_level(self, *_args) -> None:
        """Until the therapist chooses, "the spoken steps need the words" follows the level."""
        if not self._words_chosen:
            self.words.setChecked(words_needed_default(self.level.currentData() or LEVELS[0]))

    def _fill_tests(self) -> None:
        results = self.store.test_results(self.patient.id) if self.patient else []
        self.tests.setRowCount(len(results))
        for row, r in enumerate(results):
            when = QTableWidgetItem(r.taken_on.isoformat())
            when.setData(Qt.ItemDataRole.UserRole, r.id)
            self.tests.setItem(row, 0, when)
            self.tests.setItem(row, 1, QTableWidgetItem(r.test))
            shown = " — ".join(x for x in (f"{r.value:g}" if r.value is not None else "", r.text) if x)
            self.tests.setItem(row, 2, QTableWidgetItem(shown))
        self.tests.resizeColumnsToContents()
        self.tests.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    # ------------------------------------------------------------------ actions
    def new_patient(self) -> None:
        self.workspace.patient_box.setCurrentIndex(-1)
        self.set_patient(None)
        self.name.setFocus()

    def values(self) -> dict:
        thresholds = dict(self.patient.thresholds) if self.patient else {}
        for step_id, box in self.threshold_boxes.items():
            if box.value() == USE_DEFAULT:
                thresholds.pop(step_id, None)
            else:
                thresholds[step_id] = float(box.value())
        low_text = self.low.text().strip()
        try:
            low: str | float = float(low_text)
        except ValueError:
            low = low_text
        return dict(
            name=self.name.text().strip(),
            low=low,
            interval=self.interval.value(),
            tempo=self.tempo.value(),
            level=self.level.currentData(),
            tapping=self.tapping.isChecked(),
            daily_goal_min=self.goal.value(),
            notes=self.notes.toPlainText(),
            thresholds=thresholds,
        )

    def save(self) -> Patient | None:
        values = self.values()
        try:
            if self.patient is None:
                thresholds = values.pop("thresholds")
                patient = self.store.add_patient(**values)
                if thresholds:
                    patient = self.store.update_patient(patient.id, thresholds=thresholds)
            else:
                patient = self.store.update_patient(self.patient.id, **values)
        except MitpracticeError as exc:
            self.status.setText(str(exc))
            self.status.setStyleSheet("color: #b3261e;")
            return None
        if self._words_chosen:
            try:
                choice = "on" if self.words.isChecked() else "off"
                self.store.set_setting(words_setting_key(patient.id), choice)
            except MitpracticeError as exc:
                self.status.setText(str(exc))
                self.status.setStyleSheet("color: #b3261e;")
                return None
        self.workspace.patient_saved(patient)
        self.status.setStyleSheet("color: #1b7f3b;")
        self.status.setText(self.tr("Saved."))
        return patient

    def add_test(self) -> None:
        if self.patient is None:
            return
        raw = self.test_value.text().strip()
        try:
            value, text = float(raw.replace(",", ".")), ""
        except ValueError:
            value, text = None, raw
        taken = self.test_date.date()
        try:
            self.store.add_test_result(
                self.patient.id,
                self.test_name.currentText(),
                date(taken.year(), taken.month(), taken.day()),
                value,
                text,
            )
        except MitpracticeError as exc:
            QMessageBox.warning(self, self.tr("Clinical test"), str(exc))
            return
        self.test_value.clear()
        self._fill_tests()

    def delete_test(self) -> None:
        row = self.tests.currentRow()
        if row < 0:
            return
        self.store.delete_test_result(self.tests.item(row, 0).data(Qt.ItemDataRole.UserRole))
        self._fill_tests()

    # ------------------------------------------------------------------ voice check
    def voice_check(self) -> None:
        """Record a held "ah" for a few seconds; its median pitch becomes the low pitch."""
        from mitpractice.gui.therapist.takes import Take

        if self.recorder is not None:
            return
        self.recorder = Take(seconds=VOICE_CHECK_S, parent=self)
        self.recorder.finished.connect(self._check_recorded)
        try:
            self.recorder.start()
        except MitpracticeError as exc:
            self.recorder = None
            self.check_status.setText(str(exc))
            return
        self.check_button.setEnabled(False)
        self.check_status.setText(self.tr('Listening: ask for a long, easy "ah"…'))

    def _check_recorded(self, y, sr: int) -> None:
        self.recorder = None
        self.check_status.setText(self.tr("Measuring…"))
        run_in_thread(lambda: comfortable_low_hz(y, sr), self._check_done, self._check_failed)

    def _check_done(self, hz: float) -> None:
        self.check_button.setEnabled(True)
        self.low.setText(f"{hz:.1f}")
        self.check_status.setText(
            self.tr("Median pitch %1 Hz (near %2). Save to keep it.")
            .replace("%1", f"{hz:.0f}")
            .replace("%2", hz_to_note(hz))
        )

    def _check_failed(self, exc: Exception) -> None:
        self.check_button.setEnabled(True)
        self.check_status.setText(failure_text(exc))

    def stop(self) -> None:
        if self.recorder is not None:
            self.recorder.cancel()
            self.recorder = None


def _is_note(hz: float) -> bool:
    """Whether ``hz`` is (to 0.05 Hz) the equal-tempered note its name gives."""
    return abs(note_to_hz(hz_to_note(hz)) - hz) < 0.05
