"""The patient's practice window.

It is shown at once ("Getting ready…") and everything slow happens behind it: opening (and
migrating) the store, recovering takes a crash left in the journal, loading the pitch
tracker and the scorer, then scoring the attempts left without a score (recovered takes,
takes whose scoring failed). Then: a name and a voice check on the first run; with several
patients in the store (a clinic's computer), who is practising (the last on this computer
chosen already; clicking the name at the top comes back to it); then today's practice
(:class:`~mitpractice.gui.practice.session.PracticeController`).

Keys (all under the left hand, shown on screen): Space goes on, A hears the voice, S hears
your own take, R tries again, D takes another phrase, F taps, Esc stops the sound, Ctrl+T
opens the therapist's workspace. Choosing who practises: the arrow keys, then Space.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mitpractice.errors import MitpracticeError
from mitpractice.gui.practice.day import FeelingScreen, SummaryScreen
from mitpractice.gui.practice.screens import (
    Banner,
    ChooserScreen,
    GoalBar,
    KeyLegend,
    LoadingScreen,
    PracticeScreen,
    VoiceCheckScreen,
    WelcomeScreen,
    phrases_text,
    scaled_font,
)
from mitpractice.gui.practice.session import TICK_MS, Phase, PracticeController
from mitpractice.gui.practice.setup_screens import SpeakerTestScreen, TherapistAskScreen
from mitpractice.gui.textsize import fit_text, next_text_size, text_scale
from mitpractice.gui.workers import Tasks
from mitpractice.practice.session import FEELINGS
from mitpractice.practice.voice import VOICE_CHECK_S

#: What the voice says in the speaker test of the first start (translated when it is said).
SPEAKER_TEST_WORDS = QT_TRANSLATE_NOOP("PracticeWindow", "Hello. Can you hear me?")
#: The keys of the feelings check's five faces, under the left hand.
FEELING_KEYS = tuple(str(n) for n in FEELINGS)
#: Seconds a passing note (the workspace is opening) stays before it goes by itself.
INFO_SECONDS = 10
#: The smallest screen the window fits (px): small laptops, tablets with keyboards.
SMALLEST_SCREEN = (1024, 600)
#: The patient who last practised on this computer (a clinic's store is shared by several).
LAST_PATIENT_SETTING = f"practice.last_patient@{socket.gethostname()}"
#: Environment variables naming files the window writes the time (``time.time()``) to when
#: it is first shown, and when today's practice is on it, for benchmarks/startup.py.
SHOWN_FILE_ENV = "MITPRACTICE_SHOWN_FILE"
#: The store's setting holding a patient's own text size (a multiple of the fitted size), one
#: per patient (the patient's id follows), so it goes with them to any computer of the clinic.
TEXT_SIZE_SETTING = "practice.text_size."
READY_FILE_ENV = "MITPRACTICE_READY_FILE"


def _open_store(url: str | None):
    """Open the store and save what a crash left in the journal (behind the window)."""
    from mitpractice.store import Store
    from mitpractice.store.journal import recover_takes

    store = Store.open(url)
    recovered = recover_takes(store)
    return store, recovered


def _score_unscored(store, stop):
    """Score the attempts left without a score (behind the window, after the preload)."""
    from mitpractice.store.rescore import score_unscored

    return score_unscored(store, stop)


def _preload() -> None:
    """Import the tracker and the scorer and load the live models (CREPE and its octave
    referee), so the first take is quick."""
    from mitpractice.gui.practice.workers import OCTAVE_REFEREE
    from mitpractice.pitch.stream import PitchStream
    from mitpractice.practice import live  # noqa: F401 (imports scoring)

    PitchStream(16_000)
    PitchStream(16_000, OCTAVE_REFEREE)


class PracticeWindow(QMainWindow):
    """The patient's window (see the module's notes)."""

    #: The window has a patient and shows today's practice.
    practice_ready = Signal()

    def __init__(self, database_url: str | None = None, *, speak: bool = True) -> None:
        """``speak``: the voice says each step's words and the speaker test's (off, nothing is
        played but the targets and the takes: tests without a sound server)."""
        super().__init__()
        self.speak = speak
        self.setWindowTitle(self.tr("Practice — mitpractice"))
        self.setAccessibleName(self.tr("Practice window"))
        self.database_url = database_url
        self.tasks = Tasks()
        self.store = None
        self.patient = None
        self.controller: PracticeController | None = None
        self.recovered = []
        self.rescored: tuple[list, list] | None = None  # (scored, failed) once done
        self._closing = False
        self._shown_once = False
        self._new_name = ""
        self._voice_recorder = None
        self._voice_audio: list[np.ndarray] = []
        self._voice_pos = 0
        self._voice_low_hz: float | None = None  # the voice check's result, once measured
        self._voice_timer = QTimer(self)
        self._voice_timer.setInterval(TICK_MS)
        self._voice_timer.timeout.connect(self._voice_tick)
        self._keys: dict[str, QShortcut] = {}
        self._speaker = None  # the speaker test's audio.Player, made when first needed
        self._before_ask = None  # the page the therapist question came from
        self._text_scale = 1.0  # the window's text size (resizeEvent)
        self.text_size = 1.0  # the patient's own multiple of it (Ctrl+plus, Ctrl+minus)
        self._build()
        self._bind_keys()
        # The smallest screen the window is made for; the text is sized to the window
        # (resizeEvent), so the layout's own minimum, which follows the text, must not hold
        # the window larger than it was asked to be.
        self.setMinimumSize(*SMALLEST_SCREEN)
        self.resize(1366, 768)
        self.tasks.start(lambda: _open_store(database_url), self._store_opened, self._store_failed)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(8)
        header = QHBoxLayout()
        self.who = QPushButton("")
        self.who.setFont(scaled_font(self.who, 1.2, True))
        self.who.setAccessibleName(self.tr("Who is practising"))
        self.who.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.who.setFlat(True)
        self.who.setStyleSheet(
            "QPushButton { color: #111111; border: none; padding: 4px 10px; }"
            " QPushButton:enabled { background: #e4e8ee; border: 2px solid #5a6b7d; border-radius: 8px; }")
        self.who.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.who.clicked.connect(self.choose_patient)
        self.who.hide()  # shown with a patient's practice
        header.addWidget(self.who)
        self.goal = GoalBar()
        header.addWidget(self.goal, 1)
        self.therapist_button = QPushButton(self.tr("Therapist"))
        self.therapist_button.setAccessibleName(self.tr("Open the therapist's workspace"))
        self.therapist_button.setToolTip(self.tr("For the therapist (Ctrl+T)"))
        self.therapist_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.therapist_button.clicked.connect(self.open_therapist)
        self.therapist_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.done_button = QPushButton(self.tr("Done for today") + "  [Q]")
        self.done_button.setAccessibleName(self.tr("Done for today"))
        self.done_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.done_button.clicked.connect(self.press_done)
        self.done_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.done_button.hide()  # shown with a patient's practice
        header.addStretch(0)
        header.addWidget(self.done_button)
        header.addWidget(self.therapist_button)
        layout.addLayout(header)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.pages = QStackedWidget()
        self.loading = LoadingScreen()
        self.chooser = ChooserScreen()
        self.welcome = WelcomeScreen()
        self.speaker = SpeakerTestScreen()
        self.voice = VoiceCheckScreen()
        self.therapist_ask = TherapistAskScreen()
        self.practice = PracticeScreen()
        self.summary = SummaryScreen()
        self.feelings = FeelingScreen()
        for page in (self.loading, self.chooser, self.welcome, self.speaker, self.voice, self.practice,
                     self.summary, self.feelings, self.therapist_ask):
            self.pages.addWidget(page)
        layout.addWidget(self.pages, 1)
        self.legend = KeyLegend()
        layout.addWidget(self.legend)
        self.setCentralWidget(central)
        self.goal.hide()
        self.welcome.submitted.connect(self._name_given)
        self.chooser.chosen.connect(self._patient_chosen)
        self.speaker.yes_clicked.connect(self._speaker_heard)
        self.speaker.no_clicked.connect(self._speaker_not_heard)
        self.speaker.again_clicked.connect(self._speaker_test)
        self.therapist_ask.yes_clicked.connect(self._therapist_confirmed)
        self.therapist_ask.back_clicked.connect(self._back_from_ask)
        self.voice.start_clicked.connect(self._voice_start)
        self.voice.skip_clicked.connect(self._voice_skip)
        p = self.practice
        p.main_button.clicked.connect(self.press_space)
        p.voice_button.clicked.connect(lambda: self.controller and self.controller.play_target())
        p.me_button.clicked.connect(lambda: self.controller and self.controller.play_attempt())
        p.again_button.clicked.connect(lambda: self.controller and self.controller.again())
        p.other_button.clicked.connect(lambda: self.controller and self.controller.skip_phrase())
        p.done_button.clicked.connect(self.press_done)
        self.summary.close_clicked.connect(self.close)
        self.feelings.answered.connect(self.press_feeling)
        self._show_page(self.loading)

    def _bind_keys(self) -> None:
        for key, action in (
            ("Space", self.press_space),
            ("A", self.press_again),
            ("N", self._speaker_not_heard),
            ("Return", self._therapist_confirmed),
            ("Enter", self._therapist_confirmed),
            ("S", lambda: self.controller and self.controller.play_attempt()),
            ("R", lambda: self.controller and self.controller.again()),
            ("D", lambda: self.controller and self.controller.skip_phrase()),
            ("F", self.press_tap),
            ("Q", self.press_done),
            *((str(n), lambda n=n: self.press_feeling(n)) for n in FEELINGS),
            ("Esc", self.press_escape),
            ("Ctrl+T", self.open_therapist),
            ("Ctrl++", lambda: self.change_text_size(1)),
            ("Ctrl+=", lambda: self.change_text_size(1)),  # the same key, without Shift
            ("Ctrl+-", lambda: self.change_text_size(-1)),
            ("Ctrl+0", lambda: self.change_text_size(0)),
            ("Left", lambda: self.chooser.move("left")),
            ("Right", lambda: self.chooser.move("right")),
            ("Up", lambda: self.chooser.move("up")),
            ("Down", lambda: self.chooser.move("down")),
        ):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setAutoRepeat(False)
            shortcut.activated.connect(action)
            self._keys[key] = shortcut
        self._enable_keys()

    def _enable_keys(self) -> None:
        """Letters and Space go to the name field on the welcome page, to the app elsewhere;
        the arrow keys and Space choose who practises on the chooser."""
        page = self.pages.currentWidget()
        for key, shortcut in self._keys.items():
            if key.startswith("Ctrl+"):
                on = True
            elif page is self.welcome:
                on = False
            elif page is self.chooser:
                on = key in ("Space", "Left", "Right", "Up", "Down")
            elif page is self.feelings:
                on = key in ("Space", "Esc", *FEELING_KEYS)
            elif page is self.speaker:
                on = key in ("Space", "Esc", "A", "N")
            elif page is self.therapist_ask:
                on = key in ("Space", "Esc", "Return", "Enter")
            else:
                on = key not in ("Left", "Right", "Up", "Down", "N", "Return", "Enter")
            shortcut.setEnabled(on)

    def _show_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        self._enable_keys()
        if page is self.welcome:
            self.welcome.name.setFocus()
            self.legend.set_keys([("Enter", self.tr("next"))])
        elif page is self.speaker:
            self.legend.set_keys([("Space", self.tr("yes")), ("N", self.tr("no")),
                                  ("A", self.tr("hear it again"))])
        elif page is self.therapist_ask:
            self.legend.set_keys([("Space", self.tr("back to practice")),
                                  ("Enter", self.tr("I am the therapist"))])
        elif page is self.voice:
            self.legend.set_keys([("Space", self.tr("start")), ("Esc", self.tr("skip")),
                                  ("Ctrl+T", self.tr("therapist"))])
        elif page is self.chooser:
            self.legend.set_keys([("← → ↑ ↓", self.tr("choose")), ("Space", self.tr("start")),
                                  ("Ctrl+T", self.tr("therapist"))])
        elif page is self.loading:
            self.legend.set_keys([])
        elif page is self.summary:
            self.legend.set_keys([("Space", self.tr("close"))])
        elif page is self.feelings:
            self.legend.set_keys([("1 2 3 4 5", self.tr("how you feel")), ("Space", self.tr("skip"))])
        self.done_button.setVisible(page is self.practice)

    # ------------------------------------------------------------------ start-up
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            path = os.environ.get(SHOWN_FILE_ENV)
            if path:
                QTimer.singleShot(0, lambda: _write_time(path))

    def _store_opened(self, opened) -> None:
        self.store, self.recovered = opened
        # The tracker and scorer load now, behind today's practice, not racing the store;
        # then the attempts left without a score are scored, one by one, until closing.
        store = self.store

        def score_unscored(_=None) -> None:
            if not self._closing:
                self.tasks.start(lambda: _score_unscored(store, lambda: self._closing),
                                 self._unscored_scored, lambda exc: None)

        self.tasks.start(_preload, score_unscored, score_unscored, owner=self)
        if self.recovered:
            n = len(self.recovered)
            self.banner.show_message("info", self.tr(
                "{n} recording(s) from last time were kept after the app stopped unexpectedly.").format(n=n))
        try:
            patients = self.store.patients()
            last = self.store.setting(LAST_PATIENT_SETTING)
        except MitpracticeError as exc:
            self._store_failed(exc)
            return
        if not patients:
            self._show_page(self.welcome)
            return
        if len(patients) > 1:
            self._show_chooser(patients, last)
            return
        self._start_practice(patients[0])

    def _unscored_scored(self, outcome) -> None:
        self.rescored = outcome

    def _store_failed(self, exc: Exception) -> None:
        self.loading.label.setText(self.tr("The practice records could not be opened."))
        self.banner.show_message("error", self.tr(
            "The practice records could not be opened. Ask your therapist for help.") + f" ({exc})")

    # ------------------------------------------------------------------ who practises
    def _show_chooser(self, patients, selected: str | None) -> None:
        self.who.hide()
        self.goal.hide()
        self.chooser.set_patients(patients, selected)
        self._show_page(self.chooser)

    def choose_patient(self) -> None:
        """Back to who is practising (the name at the top), when there is more than one."""
        if self.store is None or self.pages.currentWidget() not in (self.practice, self.feelings):
            return
        try:
            patients = self.store.patients()
        except MitpracticeError as exc:
            self._read_failed(exc)
            return
        if len(patients) < 2:
            return
        current = self.patient.id if self.patient is not None else None
        self._stop_practice()
        self.banner.clear()
        self._show_chooser(patients, current)

    def _patient_chosen(self, patient_id: str) -> None:
        if self.pages.currentWidget() is not self.chooser:
            return
        try:
            patient = self.store.patient(patient_id)
        except MitpracticeError as exc:
            self._read_failed(exc)
            return
        self._start_practice(patient)

    def _read_failed(self, exc: Exception) -> None:
        self.banner.show_message("error", self.tr("The practice records could not be read.") + f" ({exc})")

    def _stop_practice(self) -> None:
        controller, self.controller = self.controller, None
        if controller is not None:
            controller.changed.disconnect(self._refresh_practice)
            controller.close()
            controller.deleteLater()

    # ------------------------------------------------------------------ first run
    def _name_given(self, name: str) -> None:
        self._new_name = name
        self._show_page(self.speaker)
        self._speaker_test()

    def _speaker_test(self) -> None:
        """The voice says a few words (made behind the window), so the person setting up
        knows the speakers work before the patient needs them."""
        from mitpractice.synth import spoken_words

        if self.pages.currentWidget() is not self.speaker or not self.speak:
            return
        text = self.tr(SPEAKER_TEST_WORDS)  # translated here: the words are made on a pool thread
        self.tasks.start(lambda: spoken_words(text), self._speaker_play,
                         lambda exc: self.speaker.status.setText(
                             self.tr("The voice could not be made.") + f" ({exc})"), owner=self)

    def _speaker_play(self, spoken) -> None:
        from mitpractice.audio import Player

        if self.pages.currentWidget() is not self.speaker:
            return
        if self._speaker is None:
            self._speaker = Player()
        try:
            self._speaker.play(*spoken)
        except MitpracticeError as exc:
            from mitpractice.errors import DeviceBusyError, NoDeviceError

            if isinstance(exc, DeviceBusyError):
                text = self.tr("The speakers are used by another program. Close it, then press A "
                               "to hear the voice again.")
            else:
                text = self.tr("No sound could be played.") + " " + self._speaker_checks()
                if not isinstance(exc, NoDeviceError):
                    text += f" ({exc})"
            self.speaker.status.setText(text)

    def _speaker_heard(self) -> None:
        """Yes (or Esc, skipped): on to the voice check."""
        if self.pages.currentWidget() is not self.speaker:
            return
        if self._speaker is not None:
            self._speaker.stop()
        self.voice.status.setText("")
        self._show_page(self.voice)

    def _speaker_not_heard(self) -> None:
        """No: what to check, in plain words, and the voice once more."""
        if self.pages.currentWidget() is not self.speaker:
            return
        self.speaker.status.setText(self._speaker_checks())
        self._speaker_test()

    def _speaker_checks(self) -> str:
        return self.tr("Check that the speakers or headphones are plugged in and switched on, and "
                       "that the sound is turned up and not muted. Then press A to hear the voice again.")

    def _voice_start(self) -> None:
        from mitpractice.audio import Recorder

        if self._voice_low_hz is not None:  # measured and shown: go on with it
            self._create_patient(self._voice_low_hz)
            return
        if self._voice_recorder is not None:
            return
        self.banner.clear()
        recorder = Recorder(max_seconds=VOICE_CHECK_S + 10)
        try:
            recorder.start()
        except MitpracticeError as exc:
            self.banner.show_message("error", PracticeController._device_message(exc) + " " + self.tr(
                "Or press Esc to skip the voice check; your therapist can do it later."))
            return
        self._voice_recorder = recorder
        self._voice_pos = 0
        self._voice_audio = []
        self._voice_started = time.monotonic()
        self.voice.status.setText(self.tr("Listening… sing “aah” now."))
        self.voice.start_button.setEnabled(False)
        self._voice_timer.start()

    def _voice_tick(self) -> None:
        from mitpractice.audio import level_dbfs

        recorder = self._voice_recorder
        if recorder is None:
            self._voice_timer.stop()
            return
        block, self._voice_pos = recorder.read_new(self._voice_pos)
        if len(block):
            self._voice_audio.append(block)
            self.voice.set_level(level_dbfs(block))
        status = recorder.status()
        timed_out = not status.started and time.monotonic() - self._voice_started > 6.0
        if status.device_lost or timed_out:
            self._voice_done_recording()
            self.banner.show_message("error", self.tr(
                "No sound comes from the microphone. Check it, then press Space, or press Esc to skip."))
            return
        if self._voice_pos >= VOICE_CHECK_S * recorder.sr:
            audio = self._voice_done_recording()
            self.voice.status.setText(self.tr("Thank you. One moment…"))
            from mitpractice.practice.voice import comfortable_low_hz

            sr = recorder.sr
            self.tasks.start(lambda: comfortable_low_hz(audio, sr), self._voice_measured, self._voice_failed)

    def _voice_done_recording(self) -> np.ndarray:
        self._voice_timer.stop()
        recorder, self._voice_recorder = self._voice_recorder, None
        audio = recorder.stop() if recorder is not None else np.zeros(0, np.float32)
        if recorder is not None:
            recorder.close()
        self.voice.start_button.setEnabled(True)
        self.voice.meter.reset()
        return audio

    def _voice_failed(self, exc: Exception) -> None:
        self.voice.status.setText("")
        self.banner.show_message("warning", self.tr(
            "I could not hear a steady “aah”. Press Space to try again, or Esc to skip."))

    def _voice_measured(self, low_hz: float) -> None:
        from mitpractice.melody import hz_to_note

        # The result stays on screen until the person setting up goes on.
        self._voice_low_hz = low_hz
        self.voice.status.setText(self.tr("Your note is {note}.").format(note=hz_to_note(low_hz)))
        self.voice.start_button.set_text(self.tr("Go on"))
        self.voice.skip_button.hide()
        self.legend.set_keys([("Space", self.tr("go on"))])

    def _voice_skip(self) -> None:
        if self._voice_recorder is not None:
            self._voice_done_recording()
        self._create_patient(self._voice_low_hz)

    def _create_patient(self, low_hz: float | None) -> None:
        from mitpractice.melody import DEFAULT_LOW

        try:
            patient = self.store.add_patient(self._new_name, low=DEFAULT_LOW if low_hz is None else low_hz)
        except MitpracticeError as exc:
            self.banner.show_message("error", self.tr("Your name could not be saved.") + f" ({exc})")
            return
        self.banner.clear()
        self._start_practice(patient)

    # ------------------------------------------------------------------ practice
    def _start_practice(self, patient) -> None:
        self.patient = patient
        with contextlib.suppress(MitpracticeError):
            self.store.set_setting(LAST_PATIENT_SETTING, patient.id)
        self._set_text_size(self._stored_text_size(patient.id))
        self.who.setText(patient.name)
        try:
            several = len(self.store.patients()) > 1
        except MitpracticeError:
            several = False
        self.who.setEnabled(several)
        self.who.show()
        self.who.setToolTip(self.tr("Someone else? Click here to choose who practises.") if several else "")
        self.goal.show()
        controller = PracticeController(self.store, patient, self, tasks=self.tasks, speak=self.speak)
        self.controller = controller
        controller.changed.connect(self._refresh_practice)
        controller.message.connect(self.banner.show_message)
        view = self.practice.score
        controller.level.connect(self.practice.meter.set_level)
        # The view marks the note under the cursor itself, and clears both when the voice
        # stops (the controller stops sending positions then, without always saying so).
        controller.cursor.connect(view.set_playhead)
        controller.highlight.connect(lambda index: index is None and view.set_playhead(None))
        controller.frames.connect(view.append_pitch)
        controller.take_started.connect(self._take_started)
        self._show_page(self.practice)
        controller.start()
        self.practice_ready.emit()
        path = os.environ.get(READY_FILE_ENV)
        if path:
            _write_time(path)

    def _take_started(self) -> None:
        self.practice.score.clear_pitch()
        self.practice.score.set_results(None)
        self.practice.score.place_notes()
        self.practice.meter.reset()

    def _refresh_practice(self) -> None:
        c = self.controller
        p = self.practice
        if c is None:
            return
        from PySide6.QtCore import QCoreApplication

        def steps(text: str) -> str:
            return QCoreApplication.translate("steps", text)

        phase = c.phase
        step = c.step
        item = c.item
        if self.pages.currentWidget() is self.therapist_ask:
            return  # shown when the question is answered
        if self.pages.currentWidget() is self.feelings and phase != Phase.FEELING_AFTER:
            self._show_page(self.practice)  # the question before the session is answered
        between = phase in (Phase.REST, Phase.DONE, Phase.EMPTY, Phase.FEELING_BEFORE, Phase.FEELING_AFTER)
        for widget in (p.score, p.meter, p.meter_label):
            widget.setVisible(not between)
        if phase != Phase.RECORDING:
            p.meter.reset()
        self.who.setText(c.patient.name)
        self.goal.set_progress(c.progress())
        if item is not None and phase not in (Phase.EMPTY, Phase.REST, Phase.DONE):
            # An untrained probe, and the Answer step, are answered from memory: the words
            # are not shown until the patient has answered (they would give the answer away).
            answering = c.probe or (step is not None and step.asks_question)
            hidden = answering and phase not in (Phase.RESULT, Phase.PHRASE_DONE)
            p.phrase_text.setText("?" if hidden else item.phrase.text)
            melody = None if hidden else c.melody
            if p.score.melody() != melody:
                p.score.set_melody(melody)
        if step is not None:
            p.step_label.setText(steps(step.label))
            p.instruction.setText(c.words())  # as the voice says them
        if phase == Phase.LATENCY:  # in full words: what the clicks are, and that it is once
            p.step_label.setText(self.tr("Checking the sound"))
            p.instruction.setText(self.tr("You will hear a few clicks. They time the sound, "
                                          "once, in a few seconds. Then the step starts."))
        main, enabled = self._main_action(phase)
        p.main_button.set_text(main)
        p.main_button.setEnabled(enabled)
        idle = phase in (Phase.READY, Phase.HUSHING, Phase.RESULT, Phase.PHRASE_DONE)
        p.voice_button.setEnabled(idle and step is not None and step.plays_target)
        p.me_button.setEnabled(idle and c._last_take is not None)
        p.again_button.setEnabled(phase in (Phase.RESULT, Phase.READY, Phase.HUSHING))
        p.other_button.setEnabled(idle)
        for button in (p.voice_button, p.me_button, p.again_button, p.other_button):
            button.setVisible(phase != Phase.REST)
        p.done_button.setVisible(phase == Phase.REST)
        if phase == Phase.RESULT and c.result is not None:
            r = c.result
            p.score.set_results(r.syllables)
            self._place_notes()
            head = r.headline if r.overall is None else f"{r.headline}   {round(r.overall)} / 100"
            p.result_label.setText(head)
            extra = tuple(x for x in (r.together, r.tapping) if x)
            p.feedback.setText("  ".join(r.lines + extra))
            p.heard.setText(r.heard or "")
            p.heard.setVisible(bool(r.heard))
        elif phase in (Phase.READY, Phase.HUSHING, Phase.PREPARING, Phase.LATENCY, Phase.PLAYING, Phase.ROOM):
            if phase == Phase.READY:
                p.score.set_results(None)
                p.score.place_notes()
                p.score.clear_pitch()
            p.result_label.setText(self._phase_words(phase))
            p.feedback.setText("")
        else:
            p.result_label.setText(self._phase_words(phase))
            if phase in (Phase.PHRASE_DONE, Phase.REST, Phase.EMPTY, Phase.DONE):
                p.feedback.setText("")
        if phase != Phase.RESULT:
            p.heard.hide()
        if phase == Phase.REST:
            p.phrase_text.setText("")
            p.score.set_melody(None)
            p.step_label.setText(self.tr("Time for a rest"))
            p.instruction.setText(self.tr("You have practised {phrases}. Rest a little. "
                                          "Press Space when you want to go on, "
                                          "or Q when you are done for today.").format(
                                              phrases=phrases_text(c.progress().phrases_done)))
        elif phase == Phase.DONE:
            self.summary.set_progress(c.progress())
            self._show_page(self.summary)
            return
        elif phase in (Phase.FEELING_BEFORE, Phase.FEELING_AFTER):
            self.feelings.ask(after=phase == Phase.FEELING_AFTER)
            self._show_page(self.feelings)
            return
        elif phase == Phase.EMPTY and c.flow.failure:  # the store failed; the banner says why
            p.phrase_text.setText("")
            p.score.set_melody(None)
            p.step_label.setText(self.tr("Your phrases could not be read"))
            p.instruction.setText(self.tr("Press Space to look again."))
        elif phase == Phase.EMPTY:
            p.step_label.setText(self.tr("Nothing to practise"))
            p.instruction.setText(self.tr("Ask your therapist to choose phrases for you."))
        self.legend.set_keys(self._legend(phase))

    def _place_notes(self) -> None:
        """After a take sung in the patient's own time, draw the notes where the scorer judged
        them: at the take's tempo, from its first sung syllable (where the drawing of the take
        starts), so a slow take is not drawn with green notes ending long before the singing.
        Sung along with the voice, the voice's time is the measure: the notes stay."""
        from mitpractice.scoring.placement import target_start  # the review's placement too

        c = self.controller
        score = c.last_result.score if c.last_result is not None else None
        sung = [s.onset_s for s in c.result.syllables if s.detected and s.onset_s is not None]
        if c.step is None or c.step.take == "along" or score is None or not sung or c.melody is None:
            self.practice.score.place_notes()
            return
        scale = score.tempo_ratio if score.tempo_ratio and score.tempo_ratio > 0 else 1.0
        self.practice.score.place_notes(scale, target_start(score.to_json(), c.melody) - min(sung))

    def _main_action(self, phase: Phase) -> tuple[str, bool]:
        c = self.controller
        if phase in (Phase.READY, Phase.HUSHING):  # the words stop; the step starts a moment later
            step = c.step
            if step.take == "none":
                return self.tr("Listen"), True
            if step.take == "along":
                return self.tr("Start singing"), True
            if step.take == "after":
                return self.tr("Listen, then sing"), True
            return self.tr("Answer"), True
        if phase == Phase.RECORDING:
            return self.tr("I have finished"), True
        if phase == Phase.RESULT:
            return (c.result.next_label if c.result is not None else self.tr("Go on")), True
        if phase == Phase.PHRASE_DONE:
            return self.tr("Next phrase"), True
        if phase == Phase.REST:
            return self.tr("Go on"), True
        if phase == Phase.EMPTY:
            return self.tr("Look again"), True
        if phase == Phase.DONE:
            return self.tr("All done"), False
        if phase in (Phase.PREPARING, Phase.LATENCY):  # said in full, large, above the button
            return self.tr("Please wait"), False
        return self._phase_words(phase) or self.tr("Please wait"), False

    def _phase_words(self, phase: Phase) -> str:
        c = self.controller
        return {
            Phase.READY: self.tr("Press Space when you are ready."),
            Phase.HUSHING: self.tr("Press Space when you are ready."),
            Phase.PREPARING: self.tr("Getting the voice ready…"),
            Phase.LATENCY: self.tr("One moment, please…"),
            Phase.PLAYING: self.tr("Listen…"),
            Phase.WAITING: self.tr("Wait a moment…"),
            Phase.ROOM: self.tr("Get ready…"),
            Phase.RECORDING: (self.tr("Sing now!") if c.step and c.step.mode == "sung"
                              else self.tr("Speak now!")),
            Phase.SCORING: self.tr("Listening back…"),
            Phase.PHRASE_DONE: (self.tr("This phrase is done. Well done!") if c.state and c.state.done
                                else self.tr("Let's try another phrase.")),
            Phase.REST: "",
            Phase.EMPTY: "",
        }.get(phase, "")

    def _legend(self, phase: Phase) -> list[tuple[str, str]]:
        if phase == Phase.RECORDING:
            keys = [("Space", self.tr("finish")), ("F", self.tr("tap with the syllables"))]
        elif phase == Phase.REST:
            return [("Space", self.tr("go on")), ("Q", self.tr("done for today"))]
        else:
            keys = [("Space", self.tr("go on"))]
            keys += [("A", self.tr("hear the voice")), ("S", self.tr("hear me")), ("R", self.tr("try again")),
                     ("D", self.tr("another phrase")), ("Q", self.tr("done for today"))]
        keys.append(("Esc", self.tr("stop the sound")))
        return keys

    # ------------------------------------------------------------------ keys
    def press_again(self) -> None:
        """A: the voice again (on the speaker test: its words again)."""
        if self.pages.currentWidget() is self.speaker:
            self._speaker_test()
        elif self.controller is not None:
            self.controller.play_target()

    def press_space(self) -> None:
        page = self.pages.currentWidget()
        if page is self.speaker:
            self._speaker_heard()
        elif page is self.therapist_ask:
            self._back_from_ask()
        elif page is self.chooser:
            self.chooser.choose()
        elif page is self.voice:
            self._voice_start()
        elif page is self.summary:
            self.close()
        elif page is self.feelings:
            self.press_feeling(None)
        elif page is self.practice and self.controller is not None:
            self.banner.clear()  # Space closes a message, and goes on
            self.controller.advance()

    def press_feeling(self, value: int | None) -> None:
        """A face (1–5), or None: the question skipped (Space, Esc)."""
        if self.pages.currentWidget() is self.feelings and self.controller is not None:
            self.controller.feeling(value)

    def press_done(self) -> None:
        """Done for today: the session ends with its summary (not in the middle of a take)."""
        if self.pages.currentWidget() is self.practice and self.controller is not None:
            self.controller.finish()

    def press_tap(self) -> None:
        if self.controller is not None:
            self.controller.tap()

    def press_escape(self) -> None:
        self.banner.clear()
        if self.pages.currentWidget() is self.feelings:
            self.press_feeling(None)
        elif self.pages.currentWidget() is self.voice:
            self._voice_skip()
        elif self.pages.currentWidget() is self.speaker:
            self._speaker_heard()
        elif self.pages.currentWidget() is self.therapist_ask:
            self._back_from_ask()
        elif self.controller is not None:
            self.controller.stop_sound()

    def open_therapist(self) -> None:
        """The therapist's workspace. While no PIN is set, the window first asks whether this
        is the therapist (who then chooses the PIN): a family member can go back, and practice
        works without a PIN."""
        if self.pages.currentWidget() is self.therapist_ask:
            return
        if self.store is not None and not self._pin_set():
            self._before_ask = self.pages.currentWidget()
            self._show_page(self.therapist_ask)
            return
        self._start_therapist()

    def _pin_set(self) -> bool:
        from mitpractice.store.pin import PinGuard

        try:
            return PinGuard(self.store).is_set()
        except MitpracticeError:
            return True  # the workspace asks for the PIN itself, and says what went wrong

    def _therapist_confirmed(self) -> None:
        if self.pages.currentWidget() is self.therapist_ask:
            self._back_from_ask()
            self._start_therapist()

    def _back_from_ask(self) -> None:
        page, self._before_ask = self._before_ask or self.practice, None
        self._show_page(page)
        if page is self.practice:
            self._refresh_practice()

    def _start_therapist(self) -> None:
        """Start the therapist's workspace (it asks for the PIN itself) on the same records."""
        from mitpractice.cli import own_command
        from mitpractice.files import data_dir

        env = dict(os.environ)
        env.setdefault("MITPRACTICE_DATA_DIR", str(data_dir()))
        if self.store is not None:
            env["MITPRACTICE_DATABASE_URL"] = self.store.url
        elif self.database_url:
            env["MITPRACTICE_DATABASE_URL"] = self.database_url
        try:
            subprocess.Popen([*own_command(), "therapist"], env=env,
                             start_new_session=True, stdin=subprocess.DEVNULL)
        except OSError as exc:
            self.banner.show_message(
                "error", self.tr("The therapist's workspace could not be opened.") + f" ({exc})")
            return
        self.banner.show_message("info", self.tr("The therapist's workspace is opening in its own window."),
                                 seconds=INFO_SECONDS)

    def change_text_size(self, steps: int) -> None:
        """Ctrl+plus (1), Ctrl+minus (-1), Ctrl+0 (0: the size fitted to the window): the
        patient's own text size, kept for them in the store."""
        size = 1.0 if steps == 0 else next_text_size(self.text_size, steps)
        self._set_text_size(size)
        if self.patient is not None and self.store is not None:
            try:
                self.store.set_setting(TEXT_SIZE_SETTING + self.patient.id, f"{size:g}")
            except MitpracticeError as exc:
                self.banner.show_message("error", self.tr("The text size could not be kept.") + f" ({exc})")

    def _stored_text_size(self, patient_id: str) -> float:
        try:
            value = self.store.setting(TEXT_SIZE_SETTING + patient_id)
            return 1.0 if value is None else next_text_size(float(value), 0)
        except (MitpracticeError, ValueError):
            return 1.0

    def _set_text_size(self, size: float) -> None:
        self.text_size = size
        self._fit_text(self.width(), self.height())

    def _fit_text(self, width: int, height: int) -> None:
        """The text follows the window's size (:mod:`mitpractice.gui.textsize`), times the
        patient's own size."""
        scale = round(text_scale(width, height) * self.text_size, 3)
        if scale != self._text_scale:
            self._text_scale = scale
            fit_text(self.centralWidget(), scale)

    def resizeEvent(self, event) -> None:
        """The text follows the window's size: all of it fits at 1024x600, and a large screen
        is used."""
        self._fit_text(event.size().width(), event.size().height())
        super().resizeEvent(event)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.controller is not None:
            self.goal.set_progress(self.controller.progress())

    def closeEvent(self, event) -> None:
        self._closing = True  # the scoring of earlier attempts stops after the one in hand
        if self._voice_recorder is not None:
            self._voice_done_recording()
        if self._speaker is not None:
            self._speaker.close()
        if self.controller is not None:
            self.controller.close()
        self.tasks.wait(15_000)
        if self.store is not None:
            self.store.close()
        super().closeEvent(event)


def _write_time(path: str) -> None:
    """Write the time, whole or not at all (a benchmark may be reading the file)."""
    stamp = time.time()
    partial = f"{path}.part"
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(f"{stamp:.6f}\n")
    os.replace(partial, path)
