"""Phrase sets: create and edit sets and their phrases, checked as you type.

Each phrase is a row: id, text, syllables (separated by spaces or hyphens), H/L per syllable,
beats (blank for one each) and the probe question. The set is written as TOML (the contract
format) after every edit and read back with :func:`mitpractice.phrases.parse_phrase_set`, so
the message under the table is the loader's own and a set that shows "valid" is one the
practice window and ``mitpractice phrases validate`` accept. Saving puts the text in the store
(a new version; older attempts keep the version they were sung from).

Play sings the chosen phrase in the patient's register; the therapist may also record their
own model of it, checked against the H/L pattern and then moved to each patient's key and
tempo (:mod:`mitpractice.synth.retune`).
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mitpractice.errors import MitpracticeError, PhraseError
from mitpractice.gui.therapist.sets import available_sets
from mitpractice.gui.workers import failure_text, run_in_thread
from mitpractice.phrases import PhraseSet, parse_phrase_set
from mitpractice.store import Patient

COLUMNS = ("id", "text", "syllables", "pitches", "beats", "question")
#: Longest a therapist's model may be recorded (s): the longest phrase at the slowest tempo.
MAX_MODEL_S = 30.0


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s\-·]+", text.strip()) if w]


def rows_to_toml(fields: dict[str, str], rows: list[dict[str, str]]) -> str:
    """The TOML text of what is typed in the editor, as typed: the loader judges it.

    Beats that are not numbers are written as text, so the loader says what is wrong.

    Examples
    --------
    >>> text = rows_to_toml({"id": "mine", "title": "Mine", "language": "en"},
    ...                     [{"id": "hi", "text": "Hi there", "syllables": "hi there",
    ...                       "pitches": "hl", "beats": "1 2", "question": ""}])
    >>> [p.beats for p in parse_phrase_set(text, "mine.toml").phrases]
    [(1.0, 2.0)]
    """
    head = [f"{key} = {_toml(fields.get(key, '').strip())}" for key in ("id", "title", "language")]
    if fields.get("description", "").strip():
        head.append(f"description = {_toml(fields['description'].strip())}")
    parts = ["\n".join(head) + "\n"]
    defaults = []
    for key in ("interval", "tempo"):
        raw = fields.get(key, "").strip()
        if raw:
            defaults.append(f"{key} = {_number_or_text(raw)}")
    if defaults:
        parts.append("[defaults]\n" + "\n".join(defaults) + "\n")
    for row in rows:
        lines = [
            "[[phrases]]",
            f"id = {_toml(row.get('id', '').strip())}",
            f"text = {_toml(row.get('text', '').strip())}",
            f"syllables = [{', '.join(_toml(s) for s in _words(row.get('syllables', '')))}]",
            f"pitches = {_toml(row.get('pitches', '').strip().upper())}",
        ]
        beats = row.get("beats", "").replace(",", " ").split()
        if beats:
            lines.append(f"beats = [{', '.join(_number_or_text(b) for b in beats)}]")
        if row.get("question", "").strip():
            lines.append(f"question = {_toml(row['question'].strip())}")
        if row.get("probe") == "true":
            lines.append("probe = true")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def _number_or_text(raw: str) -> str:
    try:
        value = float(raw)
    except ValueError:
        return _toml(raw)
    return f"{int(value)}" if value.is_integer() else f"{value:g}"


class PhraseEditorPage(QWidget):
    def __init__(self, workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.patient: Patient | None = None
        self.parsed: PhraseSet | None = None
        self.recorder = None
        self.player = None  # kept while it plays: a dropped player's stream would be freed mid-sound
        self._loading = False
        layout = QHBoxLayout(self)

        left = QVBoxLayout()
        left.addWidget(QLabel(self.tr("Sets")))
        self.sets = QListWidget()
        self.sets.setAccessibleName(self.tr("Phrase sets"))
        self.sets.setFixedWidth(200)
        self.sets.setWordWrap(True)
        self.sets.itemClicked.connect(self._set_clicked)
        self.sets.setSpacing(2)
        left.addWidget(self.sets, 1)
        self.new_button = QPushButton(self.tr("New set"))
        self.new_button.clicked.connect(self.new_set)
        self.import_button = QPushButton(self.tr("Import TOML…"))
        self.import_button.clicked.connect(self.import_file)
        left.addWidget(self.new_button)
        left.addWidget(self.import_button)
        layout.addLayout(left)

        right = QVBoxLayout()
        head = QGroupBox(self.tr("Set"))
        form = QFormLayout(head)
        self.fields: dict[str, QLineEdit] = {}
        row1 = QHBoxLayout()
        row2 = QHBoxLayout()
        for key, label, row, stretch in (
            ("id", self.tr("Id"), row1, 2),
            ("title", self.tr("Title"), row1, 3),
            ("language", self.tr("Language"), row1, 1),
            ("description", self.tr("Description"), row2, 5),
            ("interval", self.tr("Interval"), row2, 1),
            ("tempo", self.tr("Tempo"), row2, 1),
        ):
            edit = QLineEdit()
            edit.setAccessibleName(label)
            edit.textEdited.connect(self.validate)
            if key in ("interval", "tempo"):
                edit.setPlaceholderText(self.tr("default"))
                edit.setMaximumWidth(90)
            self.fields[key] = edit
            caption = QLabel(label)
            caption.setBuddy(edit)
            row.addWidget(caption)
            row.addWidget(edit, stretch)
        form.addRow(row1)
        form.addRow(row2)
        right.addWidget(head)

        self.tabs = QTabWidget()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName(self.tr("Phrases"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Id"),
                self.tr("Text"),
                self.tr("Syllables"),
                self.tr("H/L"),
                self.tr("Beats"),
                self.tr("Probe question"),
            ]
        )
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        for col, width in ((0, 150), (1, 175), (2, 175), (3, 75), (4, 80)):
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.itemChanged.connect(self.validate)
        self.table.itemSelectionChanged.connect(self.show_model_state)
        self.tabs.addTab(self.table, self.tr("Phrases"))
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName(self.tr("TOML text"))
        self.tabs.addTab(self.preview, self.tr("TOML"))
        right.addWidget(self.tabs, 1)

        self.validation = QLabel("")
        self.validation.setWordWrap(True)
        self.validation.setAccessibleName(self.tr("Validation"))
        right.addWidget(self.validation)

        row = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add phrase"))
        self.add_button.clicked.connect(self.add_phrase)
        self.remove_button = QPushButton(self.tr("Remove phrase"))
        self.remove_button.clicked.connect(self.remove_phrase)
        self.play_button = QPushButton(self.tr("▶ Play"))
        self.play_button.setAccessibleName(self.tr("Play the phrase in the patient's register"))
        self.play_button.setToolTip(self.tr("Sing the chosen phrase in the patient's register and tempo"))
        self.play_button.clicked.connect(self.play)
        self.record_button = QPushButton(self.tr("● Record my model"))
        self.record_button.setToolTip(
            self.tr(
                "Sing the chosen phrase yourself; it is checked against its H/L pattern, kept, "
                "and played to each patient in their own key and tempo"
            )
        )
        self.record_button.clicked.connect(self.toggle_recording)
        for w in (self.add_button, self.remove_button, self.play_button, self.record_button):
            row.addWidget(w)
        row.addStretch(1)
        right.addLayout(row)
        row = QHBoxLayout()
        self.model_state = QLabel("")
        self.model_state.setWordWrap(True)
        self.model_state.setAccessibleName(self.tr("Your recorded model of the phrase"))
        self.only_patient = QCheckBox(self.tr("Only for this patient"))
        self.only_patient.setToolTip(
            self.tr("Keep the next recording for the patient chosen at the top only, not for everyone")
        )
        self.only_patient.toggled.connect(self.show_model_state)
        self.forget_button = QPushButton(self.tr("Forget model"))
        self.forget_button.setToolTip(
            self.tr("Delete your recorded model: the synthesised voice sings it again")
        )
        self.forget_button.clicked.connect(self.forget_model)
        row.addWidget(self.model_state, 1)
        row.addWidget(self.only_patient)
        row.addWidget(self.forget_button)
        right.addLayout(row)
        row = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save set"))
        self.save_button.clicked.connect(self.save)
        self.export_button = QPushButton(self.tr("Export TOML…"))
        self.export_button.clicked.connect(self.export_file)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Phrase editor status"))
        row.addWidget(self.save_button)
        row.addWidget(self.export_button)
        row.addWidget(self.status, 1)
        right.addLayout(row)
        layout.addLayout(right, 1)
        self.fill_sets()
        if self.sets.count():
            self._set_clicked(self.sets.item(0))

    # ------------------------------------------------------------------ sets
    def shown(self) -> None:
        current = self.fields["id"].text()
        self.fill_sets(select=current)

    def set_patient(self, patient: Patient | None) -> None:
        self.patient = patient
        if hasattr(self, "only_patient"):
            self.only_patient.setEnabled(patient is not None)
            if patient is None:
                self.only_patient.setChecked(False)
            self.show_model_state()

    def model_owner(self) -> str | None:
        """Whose model the next recording is: the patient's if ticked, else everyone's (None)."""
        return self.patient.id if self.patient is not None and self.only_patient.isChecked() else None

    def show_model_state(self) -> None:
        """Say whether the chosen phrase has a recorded model, and whose."""
        phrase = self.current_phrase() if self.parsed is not None else None
        kept = None
        if phrase is not None:
            kept = self.store.recorded_model(self.parsed.id, phrase.id, self.model_owner())
        if kept is None:
            self.model_state.setText(self.tr("Your model: none (the synthesised voice sings it)."))
        else:
            who = self.patient.name if self.model_owner() else self.tr("everyone")
            notes = kept.notes
            self.model_state.setText(
                self.tr("Your model, for %1: sung at %2 Hz, %3 beats/min.")
                .replace("%1", who)
                .replace("%2", f"{notes.get('low_hz', 0):.0f}")
                .replace("%3", f"{notes.get('tempo', 0):.0f}")
            )
        self.forget_button.setEnabled(kept is not None)

    def forget_model(self) -> None:
        from mitpractice.synth import forget_model

        phrase = self.current_phrase()
        if phrase is not None:
            forget_model(self.parsed.id, phrase.id, self.model_owner(), store=self.store)
        self.show_model_state()

    def fill_sets(self, select: str | None = None) -> None:
        self.sets.clear()
        self._texts: dict[str, str] = {}
        for available in available_sets(self.store):
            s = available.phrase_set
            item = QListWidgetItem(self.tr("%1\n%n phrase(s)", "", len(s.phrases)).replace("%1", s.title))
            item.setToolTip(f"{s.id} ({available.origin})")
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            self._texts[s.id] = available.toml
            self.sets.addItem(item)
            if s.id == select:
                self.sets.setCurrentItem(item)

    def select_set(self, set_id: str) -> None:
        """Open a set of the list in the editor, as a click on it does."""
        for i in range(self.sets.count()):
            if self.sets.item(i).data(Qt.ItemDataRole.UserRole) == set_id:
                self._set_clicked(self.sets.item(i))
                return

    def _set_clicked(self, item: QListWidgetItem) -> None:
        self.sets.setCurrentItem(item)
        set_id = item.data(Qt.ItemDataRole.UserRole)
        self.load_text(self._texts[set_id], set_id)

    def load_text(self, text: str, name: str) -> bool:
        """Fill the editor from a set's TOML; False (and the loader's message) if invalid."""
        try:
            parsed = parse_phrase_set(text, name)
        except PhraseError as exc:
            self.status.setText(str(exc))
            return False
        self.load_set(parsed)
        return True

    def load_set(self, s: PhraseSet) -> None:
        self._loading = True
        for key, value in (
            ("id", s.id),
            ("title", s.title),
            ("language", s.language),
            ("description", s.description),
            ("interval", "" if s.interval is None else f"{s.interval:g}"),
            ("tempo", "" if s.tempo is None else f"{s.tempo:g}"),
        ):
            self.fields[key].setText(value)
            self.fields[key].setCursorPosition(0)
        self.table.setRowCount(0)
        for p in s.phrases:
            self._append_row(
                {
                    "id": p.id,
                    "text": p.text,
                    "syllables": " ".join(p.syllables),
                    "pitches": p.pitches,
                    "beats": " ".join(f"{b:g}" for b in p.beats),
                    "question": p.question or "",
                    "probe": "true" if p.probe else "",
                }
            )
        self._loading = False
        self.table.resizeRowsToContents()
        if self.table.rowCount():
            self.table.selectRow(0)
        self.status.setText("")
        self.validate()

    def new_set(self) -> None:
        self.load_set(PhraseSet(id="my-phrases", title="My phrases", language="en", phrases=()))
        self.sets.clearSelection()
        self.add_phrase()

    # ------------------------------------------------------------------ rows
    def _append_row(self, values: dict[str, str]) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, key in enumerate(COLUMNS):
            item = QTableWidgetItem(values.get(key, ""))
            if col == 0:
                item.setData(Qt.ItemDataRole.UserRole, values.get("probe", ""))
            self.table.setItem(row, col, item)
        return row

    def rows(self) -> list[dict[str, str]]:
        out = []
        for r in range(self.table.rowCount()):
            values = {
                key: (self.table.item(r, c).text() if self.table.item(r, c) else "")
                for c, key in enumerate(COLUMNS)
            }
            first = self.table.item(r, 0)
            values["probe"] = (first.data(Qt.ItemDataRole.UserRole) or "") if first else ""
            out.append(values)
        return out

    def add_phrase(self) -> None:
        self._loading = True
        row = self._append_row({"id": f"phrase-{self.table.rowCount() + 1}", "pitches": "", "beats": ""})
        self._loading = False
        self.table.selectRow(row)
        self.table.setCurrentCell(row, 1)
        self.validate()

    def remove_phrase(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.validate()

    def set_cell(self, row: int, key: str, text: str) -> None:
        """Type into a cell as the therapist would (tests, scripted edits)."""
        self.table.item(row, COLUMNS.index(key)).setText(text)

    # ------------------------------------------------------------------ validation
    def text(self) -> str:
        fields = {key: edit.text() for key, edit in self.fields.items()}
        return rows_to_toml(fields, self.rows())

    def validate(self, *_args) -> PhraseSet | None:
        if self._loading:
            return self.parsed
        text = self.text()
        self.preview.setPlainText(text)
        name = f"{self.fields['id'].text().strip() or 'new-set'}.toml"
        try:
            self.parsed = parse_phrase_set(text, name)
        except PhraseError as exc:
            self.parsed = None
            self.validation.setStyleSheet("color: #b3261e;")
            self.validation.setText(str(exc))
        else:
            if not self.parsed.phrases:
                self.validation.setStyleSheet("color: #b86e00;")
                self.validation.setText(self.tr("Valid, but the set has no phrase yet."))
            else:
                self.validation.setStyleSheet("color: #1b7f3b;")
                self.validation.setText(self.tr("Valid: %n phrase(s).", "", len(self.parsed.phrases)))
        for w in (self.save_button, self.export_button, self.play_button, self.record_button):
            w.setEnabled(self.parsed is not None and bool(self.parsed.phrases))
        return self.parsed

    # ------------------------------------------------------------------ files and store
    def save(self):
        parsed = self.validate()
        if parsed is None:
            self.status.setText(self.tr("Fix the set first: see the message above."))
            return None
        try:
            record = self.store.import_phrase_set(f"{parsed.id}.toml", text=self.text())
        except MitpracticeError as exc:
            self.status.setText(str(exc))
            return None
        self.status.setText(
            self.tr("Saved to the store (version of %1).").replace(
                "%1", f"{record.imported_at:%Y-%m-%d %H:%M}"
            )
        )
        self.fill_sets(select=parsed.id)
        return record

    def import_file(self, path: str | None = None) -> bool:
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, self.tr("Import a phrase set"), "", self.tr("Phrase sets (*.toml)")
            )
            if not path:
                return False
        try:
            text = Path(path).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.status.setText(f"{path}: cannot read ({exc})")
            return False
        if not self.load_text(text, path):
            return False
        self.status.setText(
            self.tr("Imported %1: save it to keep it in the store.").replace("%1", Path(path).name)
        )
        return True

    def export_file(self, path: str | None = None) -> bool:
        if self.validate() is None:
            return False
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("Export the phrase set"),
                f"{self.parsed.id}.toml",
                self.tr("Phrase sets (*.toml)"),
            )
            if not path:
                return False
        try:
            Path(path).write_text(self.text(), "utf-8")
        except OSError as exc:
            self.status.setText(f"{path}: cannot write ({exc})")
            return False
        self.status.setText(self.tr("Exported to %1.").replace("%1", str(path)))
        return True

    # ------------------------------------------------------------------ sound
    def current_phrase(self):
        parsed = self.validate()
        row = self.table.currentRow()
        if parsed is None or row < 0 or row >= len(parsed.phrases):
            return None
        return parsed.phrases[row]

    def melody_for(self, phrase):
        from mitpractice.melody import set_melody

        p = self.patient
        if p is None:
            return set_melody(self.parsed, phrase)
        return set_melody(self.parsed, phrase, low=p.low_hz, interval=p.interval, tempo=p.tempo)

    def play(self) -> None:
        phrase = self.current_phrase()
        if phrase is None:
            self.status.setText(self.tr("Choose a valid phrase to play."))
            return
        from mitpractice.synth import SingOptions, sung_target

        melody = self.melody_for(phrase)
        set_id = self.parsed.id
        patient = self.patient
        options = SingOptions(taps=bool(patient and patient.tapping))
        self.play_button.setEnabled(False)
        who = patient.name if patient else self.tr("the default register")
        self.status.setText(self.tr("Preparing “%1” for %2…").replace("%1", phrase.text).replace("%2", who))

        def make():
            return sung_target(
                set_id, phrase, melody, options, patient=patient.id if patient else None, store=self.store
            )

        run_in_thread(make, self._play_ready, self._failed)

    def _play_ready(self, target) -> None:
        from mitpractice.audio import Player

        self.play_button.setEnabled(True)
        self.last_target = target
        kind = (
            self.tr("your recorded model, moved to the patient's key")
            if target.source == "recording"
            else self.tr("the synthesised voice")
        )
        self.status.setText(self.tr("Playing (%1).").replace("%1", kind))
        try:
            if self.player is None:
                self.player = Player()
            self.player.play(target.audio, target.sr)
        except MitpracticeError as exc:
            self.status.setText(str(exc))

    def _failed(self, exc: Exception) -> None:
        self.play_button.setEnabled(True)
        self.record_button.setEnabled(True)
        self.record_button.setText(self.tr("● Record my model"))
        self.status.setText(failure_text(exc))

    def toggle_recording(self) -> None:
        """Start recording the therapist's model of the chosen phrase, or stop it."""
        from mitpractice.gui.therapist.takes import Take

        if self.recorder is not None:
            self.recorder.stop()  # finishes once the sound sung so far has arrived
            return
        phrase = self.current_phrase()
        if phrase is None:
            self.status.setText(self.tr("Choose a valid phrase to record."))
            return
        self.recording_phrase = (self.parsed.id, phrase)
        self.recorder = Take(max_seconds=MAX_MODEL_S, parent=self)
        self.recorder.finished.connect(self._model_recorded)
        try:
            self.recorder.start()
        except MitpracticeError as exc:
            self.recorder = None
            self.status.setText(str(exc))
            return
        self.record_button.setText(self.tr("■ Stop"))
        pattern = " ".join(f"{s}:{h}" for s, h in zip(phrase.syllables, phrase.pitches, strict=True))
        self.status.setText(
            self.tr("Recording: sing “%1” (%2), then press Stop.")
            .replace("%1", phrase.text)
            .replace("%2", pattern)
        )
        QTimer.singleShot(int(MAX_MODEL_S * 1000), self.recorder.stop)

    def _model_recorded(self, y, sr: int) -> None:
        self.recorder = None
        self.record_button.setText(self.tr("● Record my model"))
        self.record_button.setEnabled(False)
        self.status.setText(self.tr("Checking your recording against the H/L pattern…"))
        set_id, phrase = self.recording_phrase
        owner = self.model_owner()
        run_in_thread(
            lambda: keep_model(y, sr, set_id, phrase, self.store, owner), self._model_kept, self._failed
        )

    def keep_recording(self, y, sr) -> None:
        """Check and keep a recorded model of the chosen phrase (as Stop does)."""
        phrase = self.current_phrase()
        self.record_button.setEnabled(False)
        set_id, owner = self.parsed.id, self.model_owner()
        run_in_thread(
            lambda: keep_model(y, sr, set_id, phrase, self.store, owner), self._model_kept, self._failed
        )

    def _model_kept(self, target) -> None:
        self.record_button.setEnabled(True)
        self.show_model_state()
        m = target.melody
        self.status.setText(
            self.tr("Model kept: sung at %1 Hz, interval %2, tempo %3. Play gives it in the patient's key.")
            .replace("%1", f"{m.low_hz:.0f}")
            .replace("%2", f"{m.interval:.1f}")
            .replace("%3", f"{m.tempo:.0f}")
        )

    def stop(self) -> None:
        if self.recorder is not None:
            self.recorder.cancel()
            self.recorder = None
        if self.player is not None:
            self.player.stop()


def keep_model(y, sr: int, set_id: str, phrase, store, patient: str | None = None):
    """Check a recording of ``phrase`` (notes found, H/L pattern followed) and keep it as the
    set's model (or ``patient``'s own); returns the :class:`~mitpractice.synth.SungTarget`, or
    raises AudioError."""
    from mitpractice.audiofile import write_audio
    from mitpractice.synth import save_model

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.wav"
        write_audio(path, y, sr)
        return save_model(path, set_id, phrase, store=store, patient=patient)
