"""The practice window's screens: who is practising (a clinic's computer), welcome (a name),
the voice check, practice, and the pieces
they share (big buttons, the message banner, the key legend).

Screens only show things and forward presses; what happens next is decided by
:class:`~mitpractice.gui.practice.session.PracticeController` (practice) and the window.
Every size is a multiple of the application's font, so the screens grow with high-DPI
scaling and a larger system font; every control has an accessible name.
"""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from mitpractice.gui import theme
from mitpractice.gui.textsize import set_text_factor
from mitpractice.gui.widgets import LevelMeter, PitchView, palette


def scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    """``widget``'s font ``factor`` times larger; the widget keeps the factor for :func:`fit_text`."""
    font = QFont(widget.font())
    font.setPointSizeF(widget.font().pointSizeF() * factor)
    font.setBold(bold)
    set_text_factor(widget, font)
    return font


def big_label(text: str, factor: float = 1.0, bold: bool = False, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setFont(scaled_font(label, factor, bold))
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    if name:
        label.setObjectName(name)
    return label


class BigButton(QPushButton):
    """A button large enough for an unsteady hand, with its key shown on it."""

    def __init__(self, text: str, key: str = "", accessible: str = "", primary: bool = False) -> None:
        super().__init__()
        self._key = key
        self.primary = primary
        self.setFont(scaled_font(self, 1.05, bold=True))
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space belongs to the window, not a button
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._size_to_font()
        if primary:
            self.setStyleSheet(
                f"QPushButton {{ background: {theme.ACCENT.name()}; color: white; border-radius: 10px;"
                f" padding: 6px 10px; }} QPushButton:disabled {{ background: #8a9bb0; color: #f2f2f2; }}"
            )
        else:
            self.setStyleSheet(
                "QPushButton { background: #e4e8ee; color: #111111; border: 2px solid #5a6b7d;"
                " border-radius: 10px; padding: 6px 10px; }"
                " QPushButton:disabled { color: #8a8a8a; border-color: #b8c0ca; }"
            )
        self.set_text(text, accessible)

    def set_text(self, text: str, accessible: str = "") -> None:
        self.setText(f"{text}\n[{self._key}]" if self._key else text)
        self.setAccessibleName(accessible or text)

    def _size_to_font(self) -> None:
        """Large for an unsteady hand: two lines of text and room around them."""
        self.setMinimumHeight(int(self.fontMetrics().height() * 2.8))
        self.setMinimumWidth(int(self.fontMetrics().height() * 6))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._size_to_font()
        super().changeEvent(event)


class Banner(QFrame):
    """One short message inside the window, with a way on (never a stack of dialogs)."""

    COLOURS: ClassVar[dict] = {"error": ("#fde7e5", palette.MISSED), "warning": ("#fff3dc", palette.CLOSE),
               "info": ("#e6eef8", theme.ACCENT)}

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName(self.tr("Message"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setFont(scaled_font(self.label, 1.1, bold=True))
        self.label.setAccessibleName(self.tr("Message"))
        layout.addWidget(self.label, 1)
        self.close_button = QPushButton(self.tr("OK"))
        self.close_button.setAccessibleName(self.tr("Close the message"))
        self.close_button.setFont(scaled_font(self.close_button, 1.1, bold=True))
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        line = self.fontMetrics().height()
        self.close_button.setMinimumSize(int(line * 4), int(line * 1.8))
        self.close_button.clicked.connect(self.clear)
        layout.addWidget(self.close_button)
        self.kind = ""
        self.hide()

    def show_message(self, kind: str, text: str, seconds: float = 0) -> None:
        """Show one message (kind "" clears); a passing note goes by itself after ``seconds``."""
        if not kind or not text:
            self.clear()
            return
        if seconds:
            QTimer.singleShot(int(1000 * seconds), self, lambda: self.label.text() == text and self.clear())
        background, edge = self.COLOURS.get(kind, self.COLOURS["info"])
        self.setStyleSheet(f"Banner {{ background: {background}; border: 3px solid {edge.name()};"
                           " border-radius: 8px; }")
        self.kind = kind
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.show()

    def clear(self) -> None:
        self.kind = ""
        self.label.setText("")
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


class KeyLegend(QLabel):
    """The keys, always on screen, all under the left hand."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAccessibleName(self.tr("Keys"))
        self.setStyleSheet("color: #111111; background: #eef1f5; border-radius: 6px; padding: 6px;")

    def set_keys(self, keys: list[tuple[str, str]]) -> None:
        text = "     ".join(f"<b>{key}</b> {what}" for key, what in keys)
        self.setText(text)


def phrases_text(n: int) -> str:
    """"1 phrase", "5 phrases"."""
    if n == 1:
        return QCoreApplication.translate("practice", "1 phrase")
    return QCoreApplication.translate("practice", "{n} phrases").format(n=n)


class GoalBar(QProgressBar):
    """Minutes sung today towards the day's goal: progress, never a countdown."""

    def __init__(self) -> None:
        super().__init__()
        self.setRange(0, 100)
        self.setTextVisible(True)
        self.setAccessibleName(self.tr("Today's practice"))
        self._size_to_font()
        self.setStyleSheet(
            "QProgressBar { border: 2px solid #5a6b7d; border-radius: 6px; background: white; color: #111111;"
            " text-align: center; } QProgressBar::chunk { background: #9cc8a8; }"
        )

    def _size_to_font(self) -> None:
        self.setMinimumHeight(int(self.fontMetrics().height() * 1.6))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._size_to_font()
        super().changeEvent(event)

    def set_progress(self, progress) -> None:
        """Show a ``practice.plan.Progress``: minutes today of the goal, phrases done."""
        self.setValue(int(progress.fraction * 100))
        if progress.goal_reached:
            text = self.tr("You reached today's goal: {m} minutes. {phrases} done.")
        else:
            text = self.tr("{m} of {g} minutes today. {phrases} done.")
        text = text.format(m=progress.whole_minutes, g=round(progress.goal_minutes),
                           phrases=phrases_text(progress.phrases_done))
        self.setFormat(text)
        self.setAccessibleDescription(text)


class LoadingScreen(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.label = big_label(self.tr("Getting ready…"), 2.0, True)
        self.label.setAccessibleName(self.tr("Getting ready"))
        layout.addWidget(self.label)
        layout.addStretch(1)


class ChooserScreen(QWidget):
    """Who is practising: every patient's name as a big button (a shared clinic computer).

    The arrow keys move the choice and Space takes it (the window forwards them: see
    :meth:`move` and :meth:`choose`); a click takes a name at once. The chosen name is drawn
    like the main button, the others like the rest.
    """

    #: A patient was chosen (their id).
    chosen = Signal(str)
    #: Names per row.
    COLUMNS = 3

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        title = big_label(self.tr("Who is practising?"), 2.2, True)
        title.setAccessibleName(self.tr("Who is practising?"))
        layout.addWidget(title)
        self.hint = big_label(self.tr("Press the arrow keys to choose your name, then Space. "
                                      "Or click your name."), 1.2)
        layout.addWidget(self.hint)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setAccessibleName(self.tr("Names"))
        inner = QWidget()
        self.grid = QGridLayout(inner)
        self.grid.setSpacing(18)
        self.scroll.setWidget(inner)
        layout.addWidget(self.scroll, 1)
        self.buttons: list[BigButton] = []
        self.ids: list[str] = []
        self.current = 0

    def set_patients(self, patients, selected: str | None = None) -> None:
        """Show these patients (``store.Patient``), with ``selected`` (an id) chosen."""
        for button in self.buttons:
            self.grid.removeWidget(button)
            button.deleteLater()
        self.buttons, self.ids = [], []
        for i, patient in enumerate(patients):
            button = BigButton(patient.name, accessible=patient.name)
            button.setFont(scaled_font(button, 1.35, bold=True))
            button.setMinimumHeight(int(button.fontMetrics().height() * 2.6))
            button.clicked.connect(lambda _=False, pid=patient.id: self.chosen.emit(pid))
            self.grid.addWidget(button, i // self.COLUMNS, i % self.COLUMNS)
            self.buttons.append(button)
            self.ids.append(patient.id)
        self.grid.setRowStretch(len(patients) // self.COLUMNS + 1, 1)
        self.select(self.ids.index(selected) if selected in self.ids else 0)

    def select(self, index: int) -> None:
        if not self.buttons:
            return
        self.current = index % len(self.buttons)
        for i, button in enumerate(self.buttons):
            on = i == self.current
            button.setStyleSheet(
                f"QPushButton {{ background: {theme.ACCENT.name()}; color: white; border: 4px solid #111111;"
                " border-radius: 12px; padding: 6px 14px; }" if on else
                "QPushButton { background: #e4e8ee; color: #111111; border: 2px solid #5a6b7d;"
                " border-radius: 12px; padding: 6px 14px; }"
            )
            button.setAccessibleDescription(self.tr("chosen") if on else "")
        self.scroll.ensureWidgetVisible(self.buttons[self.current])

    def move(self, key: str) -> None:
        """Move the choice: ``left``/``right`` by one name, ``up``/``down`` by a row (round)."""
        step = {"left": -1, "right": 1, "up": -self.COLUMNS, "down": self.COLUMNS}[key]
        n = len(self.buttons)
        if not n:
            return
        target = self.current + step
        if abs(step) > 1 and not 0 <= target < n:  # past the top or bottom row: the same column
            column = self.current % self.COLUMNS  # at the other end
            target = column if step > 0 else column + self.COLUMNS * ((n - 1 - column) // self.COLUMNS)
        self.select(target)

    def choose(self) -> None:
        """Take the chosen name."""
        if self.ids:
            self.chosen.emit(self.ids[self.current])


class WelcomeScreen(QWidget):
    """First run: the patient's name."""

    submitted = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setSpacing(18)
        layout.addStretch(1)
        title = big_label(self.tr("Welcome!"), 2.4, True)
        title.setAccessibleName(self.tr("Welcome"))
        layout.addWidget(title)
        ask = big_label(self.tr("What is your name?"), 1.6)
        layout.addWidget(ask)
        self.name = QLineEdit()
        self.name.setFont(scaled_font(self.name, 2.0))
        self.name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name.setMaxLength(80)
        self.name.setAccessibleName(self.tr("Your name"))
        self.name.setPlaceholderText(self.tr("Type your name"))
        self.name.setMinimumHeight(int(self.name.fontMetrics().height() * 1.6))
        self.name.returnPressed.connect(self._submit)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.name, 3)
        row.addStretch(1)
        layout.addLayout(row)
        self.next_button = BigButton(self.tr("Next"), "Enter", self.tr("Next: the voice check"), primary=True)
        self.next_button.clicked.connect(self._submit)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.next_button, 2)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)

    def _submit(self) -> None:
        name = self.name.text().strip()
        if name:
            self.submitted.emit(name)


class VoiceCheckScreen(QWidget):
    """A short 'ah' that sets the patient's low note."""

    start_clicked = Signal()
    skip_clicked = Signal()
    done_clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setSpacing(16)
        layout.addStretch(1)
        self.title = big_label(self.tr("Voice check"), 2.2, True)
        layout.addWidget(self.title)
        self.instruction = big_label(
            self.tr("Sing a long, comfortable “aah”, as if you were sighing. Not high, not loud."), 1.5)
        self.instruction.setAccessibleName(self.tr("What to do"))
        layout.addWidget(self.instruction)
        self.meter = LevelMeter()
        self.meter.setAccessibleName(self.tr("How loud the microphone hears you"))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.meter, 3)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = big_label("", 1.3, name="voice-status")
        self.status.setAccessibleName(self.tr("Voice check status"))
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.start_button = BigButton(self.tr("Start"), "Space", self.tr("Start the voice check"),
                                      primary=True)
        self.start_button.clicked.connect(self.start_clicked)
        self.skip_button = BigButton(self.tr("Skip"), "Esc", self.tr("Skip the voice check"))
        self.skip_button.clicked.connect(self.skip_clicked)
        buttons.addWidget(self.start_button, 2)
        buttons.addWidget(self.skip_button, 1)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(2)

    def set_level(self, dbfs: float) -> None:
        self.meter.set_level(dbfs)


class PracticeScreen(QWidget):
    """One phrase at a time: the step, the phrase, its tune, the live pitch, the result."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 8, 24, 8)
        layout.setSpacing(8)
        self.step_label = big_label("", 1.8, True, "step")
        self.step_label.setAccessibleName(self.tr("Step"))
        layout.addWidget(self.step_label)
        self.instruction = big_label("", 1.5, name="instruction")  # large: it is also spoken
        self.instruction.setAccessibleName(self.tr("What to do"))
        layout.addWidget(self.instruction)
        self.phrase_text = big_label("", 2.8, True, "phrase")
        self.phrase_text.setAccessibleName(self.tr("The phrase"))
        layout.addWidget(self.phrase_text)
        # The phrase as a tune: the notes high and low, the syllable playing now, then the
        # patient's pitch line over them and each syllable's result.
        self.score = PitchView()
        self.score.setAccessibleName(self.tr("The tune, and your voice over it"))
        layout.addWidget(self.score, 1)
        meter_row = QHBoxLayout()
        meter_label = QLabel(self.tr("Microphone"))
        meter_label.setFont(scaled_font(meter_label, 1.1, bold=True))
        meter_label.setAccessibleName(self.tr("Microphone"))
        self.meter_label = meter_label
        meter_row.addWidget(meter_label)
        self.meter = LevelMeter()
        self.meter.setAccessibleName(self.tr("How loud the microphone hears you"))
        meter_row.addWidget(self.meter, 1)
        layout.addLayout(meter_row)
        self.result_label = big_label("", 1.6, True, "result")
        self.result_label.setAccessibleName(self.tr("Result"))
        layout.addWidget(self.result_label)
        # What the word check heard in a spoken step ("I heard: thank …"): shown after the
        # result, only once the check is done, so it takes no room otherwise.
        self.heard = big_label("", 1.4, name="heard")
        self.heard.setAccessibleName(self.tr("Words heard"))
        self.heard.hide()
        layout.addWidget(self.heard)
        self.feedback = big_label("", 1.2, name="feedback")
        self.feedback.setAccessibleName(self.tr("Feedback"))
        layout.addWidget(self.feedback)
        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        self.main_button = BigButton("", "Space", primary=True)
        self.voice_button = BigButton(self.tr("Hear the voice"), "A")
        self.me_button = BigButton(self.tr("Hear me"), "S")
        self.again_button = BigButton(self.tr("Try again"), "R")
        self.other_button = BigButton(self.tr("Another phrase"), "D")
        self.done_button = BigButton(self.tr("Done for today"), "Q")  # on the rest screen
        self.done_button.hide()
        # The others as wide as their words; Space's, whose words are the longest ("One step
        # back: …") and which matters most, takes the rest of the row.
        buttons.addWidget(self.main_button, 1)
        for button in (self.voice_button, self.me_button, self.again_button, self.other_button,
                       self.done_button):
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            buttons.addWidget(button, 0)
        layout.addLayout(buttons)
