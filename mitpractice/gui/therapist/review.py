"""Review: every attempt, filtered; one attempt's pitch over its notes, played, judged.

The list is the store's review query (paged, see :mod:`.attempts_model`). Choosing an
attempt reads its audio and tracks its pitch off the GUI thread, then draws the pitch track
over the target notes with the syllables as the scorer found them, coloured by result, and,
for an attempt whose words were checked, the words row under it (:mod:`.words_row`).
Space plays the attempt (with a moving cursor), T the target; the therapist may override the
score, write a note and flag the attempt.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mitpractice import days as local_days
from mitpractice.errors import MitpracticeError
from mitpractice.gui.therapist.attempts_model import AttemptTableModel, step_label
from mitpractice.gui.therapist.words_row import WordsRow
from mitpractice.gui.widgets import palette
from mitpractice.gui.widgets.pitchview import PitchView, note_at
from mitpractice.gui.workers import failure_text, run_in_thread
from mitpractice.melody import Note, TargetMelody, hz_to_midi, midi_to_hz, target_melody
from mitpractice.practice.spoken import words_from_json
from mitpractice.practice.steps import STEPS
from mitpractice.scoring.placement import target_start
from mitpractice.store import Attempt, AttemptQuery, Patient

#: Pitch frames at least this confident are drawn (CREPE's usual voicing threshold).
VOICED_CONFIDENCE = 0.5
#: Wait (ms) after the list stops moving before an attempt's pitch is tracked: holding the
#: down arrow through the list must not queue a CREPE run per row on two shared cores.
LOAD_DELAY_MS = 150
#: Cursor refresh (ms): 30 frames a second moves smoothly without loading the machine.
CURSOR_MS = 33
#: The phrase filter is as wide as this many characters (the rest of a long phrase is its
#: tooltip), so that the filters fit a small screen.
PHRASE_FILTER_CHARS = 12


@dataclass(frozen=True)
class AttemptDetail:
    """What the review view shows of one attempt (built off the GUI thread)."""

    attempt: Attempt
    phrase_text: str
    audio: np.ndarray
    sr: int
    track: Any  # the attempt's PitchTrack (attempt time)
    midi: np.ndarray  # NaN where unvoiced
    melody: TargetMelody  # in the patient's register and tempo, melody time
    note_times: tuple[tuple[float, float], ...]  # each note's start and end in attempt time
    note_midi: tuple[float, ...]  # each note's pitch as drawn (in the attempt's own key)
    syllables: tuple[dict[str, Any], ...]  # the score's per-syllable results
    scale: float  # attempt seconds per melody second
    offset: float  # attempt time of melody time 0


def load_detail(store, attempt: Attempt) -> AttemptDetail:
    """Read an attempt's audio, track its pitch and lay the target notes on its time axis."""
    from mitpractice.pitch import MODELS, track_pitch

    y, sr = store.attempt_audio(attempt.id)
    phrase = store.phrase_set(attempt.phrase_set_id).phrase(attempt.phrase_id)
    melody = target_melody(phrase, attempt.low_hz, attempt.interval, attempt.tempo)
    model = attempt.model if attempt.model in MODELS else "crepe-tiny"
    track = _sung_along_track(attempt, phrase, melody, y, sr)
    if track is None:
        track = track_pitch(np.asarray(y, dtype=np.float32), sr, model)
    midi = np.where(track.confidence >= VOICED_CONFIDENCE, hz_to_midi(track.f0_hz), np.nan)
    score = attempt.score_json or {}
    return _detail(attempt, phrase.text, y, sr, track, midi, melody, score, tuple(score.get("syllables", ())))


def _sung_along_track(attempt: Attempt, phrase, melody: TargetMelody, y: np.ndarray, sr: int):
    """A sing-along attempt's pitch line as its live take scored it (the app's voice in the
    recording taken off and masked: :func:`~mitpractice.store.rescore.replayed`), in attempt
    time; None for an attempt without its record, or one that cannot be replayed for any
    reason (the raw recording's line is drawn then: the attempt is still reviewed)."""
    if attempt.sing_along is None:
        return None
    from mitpractice.pitch.track import PitchTrack
    from mitpractice.store.rescore import replayed

    try:
        track = replayed(attempt, phrase, melody, y, sr).track
    except MitpracticeError:
        return None
    except Exception:  # unforeseen (a record damaged past its checks): printed for the log
        traceback.print_exc()
        return None
    return PitchTrack(track.times + attempt.latency_s, track.f0_hz, track.confidence, track.model)


def _detail(attempt, text, y, sr, track, midi, melody, score, syllables) -> AttemptDetail:
    layout = _layout(melody, score)
    return AttemptDetail(
        attempt=attempt,
        phrase_text=text,
        audio=y,
        sr=sr,
        track=track,
        midi=midi,
        melody=melody,
        syllables=syllables,
        **layout,
    )


def display_melody(detail: AttemptDetail) -> TargetMelody:
    """The target notes on the attempt's own time axis and in its own key, for PitchView
    (which draws a melody's notes from time 0 and pitch relative to its low note)."""
    m = detail.melody
    notes = tuple(
        replace(n, onset_s=start, duration_s=max(end - start, 0.05), pitch_hz=midi_to_hz(midi))
        for n, (start, end), midi in zip(m.notes, detail.note_times, detail.note_midi, strict=True)
    )
    # The low level, even for a phrase sung on high notes only ("Yes!").
    low = detail.note_midi[0] - (m.interval if m.notes[0].level == "H" else 0.0)
    return replace(m, notes=notes, low_hz=midi_to_hz(low))


def syllable_results(detail: AttemptDetail) -> list:
    """The score JSON's per-syllable results as the scorer's records."""
    from dataclasses import fields

    from mitpractice.scoring.score import SyllableResult

    names = {f.name for f in fields(SyllableResult)}
    return [SyllableResult(**{k: v for k, v in s.items() if k in names}) for s in detail.syllables]


def _layout(melody: TargetMelody, score: dict) -> dict:
    """Where the target notes lie on the attempt's time and pitch axes.

    Time: the attempt's own tempo (the score's ``tempo_ratio``) from where the scorer put the
    target's start (:func:`~mitpractice.scoring.placement.target_start`, the placement the
    reports use too). Pitch: the attempt's own key (any key is right in MIT), from
    the sung syllables' pitches relative to the attempt's low note; the patient's key when
    nothing was sung.
    """
    notes: tuple[Note, ...] = melody.notes
    scale = float(score.get("tempo_ratio") or 1.0)
    sung = [s for s in score.get("syllables", ()) if s.get("detected") and s.get("onset_s") is not None]
    offset = target_start(score, melody)
    low = hz_to_midi(melody.low_hz)
    pitched = [s for s in sung if s.get("pitch_hz") and s.get("pitch_semitones") is not None]
    if pitched:
        low = float(np.median([hz_to_midi(s["pitch_hz"]) - s["pitch_semitones"] for s in pitched]))
    return dict(
        note_times=tuple((offset + n.onset_s * scale, offset + n.offset_s * scale) for n in notes),
        note_midi=tuple(low + (melody.interval if n.level == "H" else 0.0) for n in notes),
        scale=scale,
        offset=offset,
    )


def syllable_colour(s: dict) -> Any:
    """The shared result colour (:func:`~mitpractice.gui.widgets.palette.result_colour`) of a
    syllable of the score JSON."""
    return palette.result_colour(bool(s.get("detected")), bool(s.get("pitch_ok")), bool(s.get("timing_ok")))


class ReviewPage(QWidget):
    def __init__(self, workspace) -> None:
        super().__init__()
        from mitpractice.audio import Player

        self.workspace = workspace
        self.store = workspace.store
        self.patient: Patient | None = None
        self.detail: AttemptDetail | None = None
        self.target = None
        self.playing: str | None = None
        self.player = Player()
        self._loading_id: str | None = None
        outer = QVBoxLayout(self)

        # ---- filters
        filters = QHBoxLayout()
        self.since_on = QCheckBox(self.tr("From"))
        self.since = QDateEdit(QDate.currentDate().addDays(-28))
        self.until_on = QCheckBox(self.tr("to"))
        self.until = QDateEdit(QDate.currentDate())
        for edit, name in ((self.since, self.tr("From date")), (self.until, self.tr("To date"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.dateChanged.connect(self.apply_filters)
        self.phrase = QComboBox()
        self.phrase.setAccessibleName(self.tr("Phrase filter"))
        self.step = QComboBox()
        self.step.setAccessibleName(self.tr("Step filter"))
        self.step.addItem(self.tr("Any step"), None)
        for step_id in STEPS:
            if STEPS[step_id].scored:
                self.step.addItem(step_label(step_id), step_id)
        for box in (self.phrase, self.step):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(PHRASE_FILTER_CHARS)
            box.currentIndexChanged.connect(lambda _=0, box=box: box.setToolTip(box.currentText()))
        self.min_score = QSpinBox()
        self.min_score.setRange(0, 100)
        self.min_score.setPrefix(self.tr("score ≥ "))
        self.min_score.setAccessibleName(self.tr("Lowest score"))
        self.max_score = QSpinBox()
        self.max_score.setRange(0, 100)
        self.max_score.setValue(100)
        self.max_score.setPrefix(self.tr("≤ "))
        self.max_score.setAccessibleName(self.tr("Highest score"))
        self.flagged_only = QCheckBox(self.tr("Flagged"))
        for w in (self.since_on, self.until_on, self.flagged_only):
            w.toggled.connect(self.apply_filters)
        for w in (self.phrase, self.step):
            w.currentIndexChanged.connect(self.apply_filters)
        for w in (self.min_score, self.max_score):
            w.valueChanged.connect(self.apply_filters)
        for w in (self.since_on, self.since, self.until_on, self.until, self.phrase):
            filters.addWidget(w)
        filters.addStretch(1)
        outer.addLayout(filters)
        filters = QHBoxLayout()
        for w in (self.step, self.min_score, self.max_score, self.flagged_only):
            filters.addWidget(w)
        filters.addStretch(1)

        body = QHBoxLayout()
        left = QVBoxLayout()
        self.model = AttemptTableModel(self.store, self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Attempts"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self._size_columns()
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.installEventFilter(self)
        left.addLayout(filters)
        left.addWidget(self.table, 1)
        self.count = QLabel("")
        self.count.setAccessibleName(self.tr("How many attempts match"))
        keys = QLabel(self.tr("↑↓ next attempt · Space play/stop · T target"))
        keys.setAccessibleName(self.tr("Keys"))
        keys.setWordWrap(True)
        keys.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = QHBoxLayout()
        row.addWidget(self.count)
        row.addWidget(keys, 1)
        left.addLayout(row)
        body.addLayout(left, 2)  # the list: room for the phrases' words

        right = QVBoxLayout()
        self.title = QLabel(self.tr("Choose an attempt."))
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        right.addWidget(self.title)
        self.view = ReviewPitchView()
        self.view.setAccessibleName(self.tr("Pitch of the attempt over the target notes"))
        right.addWidget(self.view, 1)
        self.words_row = WordsRow(self.view)
        right.addWidget(self.words_row)
        self.syllable_line = QLabel("")
        self.syllable_line.setWordWrap(True)
        self.syllable_line.setAccessibleName(self.tr("Per-syllable results"))
        right.addWidget(self.syllable_line)
        play_row = QHBoxLayout()
        self.play_attempt_button = QPushButton(self.tr("▶ Attempt"))
        self.play_attempt_button.setToolTip(self.tr("Play the attempt (Space in the list)"))
        self.play_attempt_button.clicked.connect(self.play_attempt)
        self.play_target_button = QPushButton(self.tr("▶ Target"))
        self.play_target_button.setToolTip(
            self.tr("Play the target in the patient's register (T in the list)")
        )
        self.play_target_button.clicked.connect(self.play_target)
        self.stop_button = QPushButton(self.tr("■ Stop"))
        self.stop_button.clicked.connect(self.stop_playing)
        self.praat_button = QPushButton(self.tr("Praat…"))
        self.praat_button.setToolTip(
            self.tr("The attempt's audio (WAV) and a Praat TextGrid of its syllables")
        )
        self.praat_button.clicked.connect(self.to_praat)
        for w in (self.play_attempt_button, self.play_target_button, self.stop_button, self.praat_button):
            play_row.addWidget(w)
        play_row.addStretch(1)
        right.addLayout(play_row)

        judge = QGroupBox(self.tr("Your review"))
        judge_layout = QVBoxLayout(judge)
        row = QHBoxLayout()
        self.override_on = QCheckBox(self.tr("Override score"))
        self.override = QSpinBox()
        self.override.setRange(0, 100)
        self.override.setAccessibleName(self.tr("Your score"))
        self.override_on.toggled.connect(self.override.setEnabled)
        self.flag = QCheckBox(self.tr("Flag"))
        self.flag.setToolTip(self.tr("Mark the attempt to come back to it or discuss it"))
        row.addWidget(self.override_on)
        row.addWidget(self.override)
        row.addWidget(self.flag)
        row.addStretch(1)
        judge_layout.addLayout(row)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(self.tr("Note on this attempt"))
        self.note.setAccessibleName(self.tr("Note on this attempt"))
        self.note.setFixedHeight(self.fontMetrics().height() * 3)
        judge_layout.addWidget(self.note)
        row = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save review"))
        self.save_button.clicked.connect(self.save_review)
        self.status = QLabel("")
        self.status.setAccessibleName(self.tr("Review status"))
        row.addWidget(self.save_button)
        row.addWidget(self.status, 1)
        judge_layout.addLayout(row)
        right.addWidget(judge)
        body.addLayout(right, 1)
        outer.addLayout(body, 1)

        self.load_timer = QTimer(self)
        self.load_timer.setSingleShot(True)
        self.load_timer.setInterval(LOAD_DELAY_MS)
        self.load_timer.timeout.connect(self._load_chosen)
        self.cursor_timer = QTimer(self)
        self.cursor_timer.setInterval(CURSOR_MS)
        self.cursor_timer.timeout.connect(self._move_cursor)
        self._enable_detail(False)

    def _size_columns(self) -> None:
        """Every column as wide as its text in the list's font, the phrase taking the rest;
        again when the font changes (a smaller screen), so that none is pushed off the list."""
        fm = self.table.fontMetrics()
        pad = fm.averageCharWidth() * 2  # the cell's margins
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(fm.horizontalAdvance("⚑") + 12)
        self.table.verticalHeader().setDefaultSectionSize(fm.height() + 8)
        for col, sample in (
            (0, "27 Nov 10:12"),
            (2, "Keep singing"),
            (3, "trained"),
            (4, "Score"),
            (5, "⚑"),
            (6, "Note"),
        ):
            self.table.setColumnWidth(col, fm.horizontalAdvance(sample) + (pad if col != 5 else 12))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._size_columns()
        super().changeEvent(event)

    # ------------------------------------------------------------------ filters
    def set_patient(self, patient: Patient | None) -> None:
        self.patient = patient
        self.phrase.blockSignals(True)
        self.phrase.clear()
        self.phrase.addItem(self.tr("Any phrase"), None)
        texts = {}
        if patient is not None:
            sets = {}
            for a in self.store.assignments(patient.id):
                if a.phrase_set_id not in sets:
                    sets[a.phrase_set_id] = self.store.phrase_set(a.phrase_set_id)
                text = sets[a.phrase_set_id].phrase(a.phrase_id).text
                texts[(a.set_id, a.phrase_id)] = text
                self.phrase.addItem(text, (a.set_id, a.phrase_id))
        self.model.texts = texts
        self.phrase.blockSignals(False)
        self.apply_filters()

    def shown(self) -> None:
        self.set_patient(self.patient)
        self.table.setFocus()

    def query(self) -> AttemptQuery:
        def day(edit: QDateEdit, extra: int = 0) -> datetime:
            d = edit.date()  # a day on the therapist's calendar (a DST day is 23 or 25 hours)
            return local_days.day_start(date(d.year(), d.month(), d.day()) + timedelta(days=extra))

        chosen = self.phrase.currentData()
        return AttemptQuery(
            patient_id=self.patient.id if self.patient else "",
            since=day(self.since) if self.since_on.isChecked() else None,
            until=day(self.until, 1) if self.until_on.isChecked() else None,
            set_id=chosen[0] if chosen else None,
            phrase_id=chosen[1] if chosen else None,
            step=self.step.currentData(),
            min_score=self.min_score.value() or None,
            max_score=self.max_score.value() if self.max_score.value() < 100 else None,
            flagged=True if self.flagged_only.isChecked() else None,
            sort=self.model.query.sort,
            descending=self.model.query.descending,
        )

    def apply_filters(self, *_args) -> None:
        self.model.set_query(self.query())
        self.count.setText(self.tr("%n attempt(s)", "", self.model.total))
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self.detail = None
            self.view.set_melody(None)
            self.title.setText(self.tr("No attempt matches."))
            self.syllable_line.setText("")
            self._enable_detail(False)

    # ------------------------------------------------------------------ one attempt
    def _row_changed(self, current, _previous) -> None:
        attempt = self.model.attempt(current.row())
        if attempt is None:
            return
        self.stop_playing()
        self._show_review(attempt)
        self.title.setText(self._title(attempt))
        self.syllable_line.setText(self.tr("Tracking the pitch…"))
        self.words_row.set_words(None)
        self._loading_id = attempt.id
        self.target = None
        self.detail = None
        self._enable_detail(False)
        self.load_timer.start()  # the pitch is tracked once the therapist stops on an attempt

    def _load_chosen(self) -> None:
        attempt = self.model.attempt(self.table.currentIndex().row())
        if attempt is None or attempt.id != self._loading_id:
            return
        run_in_thread(lambda: load_detail(self.store, attempt), self._detail_ready, self._detail_failed)

    def _title(self, a: Attempt) -> str:
        text = self.model.phrase_text(a)
        when = local_days.format_local(a.started_at)  # with the zone: AEDT, EST
        scores = (
            self.tr("not scored")
            if a.overall is None
            else self.tr("melody %1 · rhythm %2 · score %3")
            .replace("%1", f"{a.melodic:.0f}")
            .replace("%2", f"{a.rhythmic:.0f}")
            .replace("%3", f"{a.overall:.0f}")
        )
        return f"“{text}” — {step_label(a.step)}, {when} — {scores}"

    def _detail_ready(self, detail: AttemptDetail) -> None:
        if detail.attempt.id != self._loading_id:
            return  # the therapist moved on
        self.detail = detail
        self.view.show_attempt(detail)
        self.words_row.set_words(words_from_json((detail.attempt.score_json or {}).get("words")))
        self.syllable_line.setText(_syllable_html(detail))
        self._enable_detail(True)

    def _detail_failed(self, exc: Exception) -> None:
        self.syllable_line.setText(failure_text(exc))
        self._enable_detail(self.model.attempt(self.table.currentIndex().row()) is not None)

    def _show_review(self, a: Attempt) -> None:
        self.override_on.setChecked(a.override is not None)
        self.override.setEnabled(a.override is not None)
        self.override.setValue(round(a.override if a.override is not None else (a.overall or 0)))
        self.flag.setChecked(a.flagged)
        self.note.setPlainText(a.note)
        self.status.setText("")

    def _enable_detail(self, on: bool) -> None:
        for w in (
            self.play_attempt_button,
            self.play_target_button,
            self.stop_button,
            self.save_button,
            self.praat_button,
            self.override_on,
            self.flag,
            self.note,
        ):
            w.setEnabled(on)
        self.override.setEnabled(on and self.override_on.isChecked())
        data = getattr(self.workspace, "data", None)
        if data is not None and data.running == "praat":
            self.praat_button.setEnabled(False)  # until the files being written are done

    def save_review(self) -> None:
        row = self.table.currentIndex().row()
        attempt = self.model.attempt(row)
        if attempt is None:
            return
        try:
            self.store.review(
                attempt.id,
                override=float(self.override.value()) if self.override_on.isChecked() else None,
                note=self.note.toPlainText(),
                flagged=self.flag.isChecked(),
            )
        except MitpracticeError as exc:
            self.status.setText(str(exc))
            return
        self.model.refresh_row(row)
        self.status.setText(self.tr("Saved."))

    def to_praat(self, folder: str | None = None):
        """The chosen attempt's WAV and TextGrid, written on the thread pool (the Data menu's
        runner): the Praat button is greyed until the files are written or the error shown."""
        attempt = self.model.attempt(self.table.currentIndex().row())
        if attempt is None:
            return None
        task = self.workspace.data.textgrid(attempt.id, folder)
        if task is not None:
            self.praat_button.setEnabled(False)
            self.praat_button.setText(self.tr("Writing…"))
        return task

    def data_finished(self, name: str, _made) -> None:
        """A Data action ended (the workspace connects it): the Praat button comes back."""
        if name == "praat":
            self.praat_button.setText(self.tr("Praat…"))
            self.praat_button.setEnabled(self.detail is not None)

    # ------------------------------------------------------------------ sound
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Space:
                self.toggle_attempt()
                return True
            if event.key() == Qt.Key.Key_T:
                self.play_target()
                return True
        return super().eventFilter(watched, event)

    def toggle_attempt(self) -> None:
        if self.playing:
            self.stop_playing()
        else:
            self.play_attempt()

    def play_attempt(self) -> None:
        if self.detail is None:
            return
        try:
            self.player.play(self.detail.audio, self.detail.sr)
        except MitpracticeError as exc:
            self.status.setText(str(exc))
            return
        self.playing = "attempt"
        self.cursor_timer.start()

    def play_target(self) -> None:
        detail = self.detail
        if detail is None:
            return
        if self.target is not None:
            self._play_target_ready(self.target)
            return
        from mitpractice.synth import sung_target

        a = detail.attempt
        phrase = self.store.phrase_set(a.phrase_set_id).phrase(a.phrase_id)
        self.play_target_button.setEnabled(False)
        self.status.setText(self.tr("Preparing the target…"))
        run_in_thread(
            lambda: sung_target(a.set_id, phrase, detail.melody, patient=a.patient_id, store=self.store),
            self._play_target_ready,
            self._detail_failed,
        )

    def _play_target_ready(self, target) -> None:
        self.play_target_button.setEnabled(True)
        self.status.setText("")
        self.target = target
        try:
            self.player.play(target.audio, target.sr)
        except MitpracticeError as exc:
            self.status.setText(str(exc))
            return
        self.playing = "target"
        self.cursor_timer.start()

    def _move_cursor(self) -> None:
        if not self.player.playing or self.detail is None:
            self.stop_playing()
            return
        t = self.player.position_s()
        if self.playing == "target" and self.target is not None:
            t = self.detail.offset + (t - self.target.start_s) * self.detail.scale
        self.view.set_cursor(t)
        self.view.set_current_syllable(note_at(self.view.melody(), t))

    def stop_playing(self) -> None:
        self.cursor_timer.stop()
        self.player.stop()
        self.playing = None
        self.view.set_cursor(None)
        self.view.set_current_syllable(None)

    def stop(self) -> None:
        self.load_timer.stop()
        self.stop_playing()


class ReviewPitchView(PitchView):
    """The practice window's PitchView (one view, two uses), showing a stored attempt: the
    target notes on the attempt's time axis and in its own key, its pitch track, each note
    coloured by its result, and the syllables as the scorer found them marked by dashed lines
    at their onsets and offsets."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._spans: list[tuple[float, float, Any]] = []

    def show_attempt(self, detail: AttemptDetail) -> None:
        from mitpractice.pitch.track import PitchTrack

        self.set_melody(display_melody(detail))
        t = detail.track
        self.append_pitch(PitchTrack(times=t.times, f0_hz=t.f0_hz, confidence=t.confidence, model=t.model))
        self.set_results(syllable_results(detail))
        self._spans = [
            (float(s["onset_s"]), float(s["offset_s"]), syllable_colour(s))
            for s in detail.syllables
            if s.get("detected") and s.get("onset_s") is not None and s.get("offset_s") is not None
        ]
        self.update()

    def cursor_s(self) -> float | None:
        """Where the playback cursor is drawn (s of the attempt), or None."""
        return self._cursor

    def set_melody(self, melody) -> None:
        self._spans = []
        super().set_melody(melody)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._spans or self.melody() is None:
            return
        from PySide6.QtGui import QPainter, QPen

        painter = QPainter(self)
        rect = self.plot_rect()
        for onset, offset, colour in self._spans:
            painter.setPen(QPen(colour, 2, Qt.PenStyle.DashLine))
            for t in (onset, offset):
                x = self.point_at(t, 0.0).x()
                painter.drawLine(int(x), int(rect.top()), int(x), int(rect.bottom()))
        painter.end()


def _syllable_html(detail: AttemptDetail) -> str:
    parts = []
    for s in detail.syllables or ():
        colour = syllable_colour(s).name()
        if not s.get("detected"):
            mark = "not heard"
        else:
            mark = " ".join(
                x
                for x in (
                    "pitch ✓" if s.get("pitch_ok") else "pitch ✗",
                    "timing ✓" if s.get("timing_ok") else "timing ✗",
                )
            )
        parts.append(
            f"<span style='color:{colour}'><b>{s.get('text', '')}</b> ({s.get('target', '')}) {mark}</span>"
        )
    return " &nbsp; ".join(parts) or "Not scored yet."
