"""Screens for the person setting the app up: the speaker test of the first start, and the
question the first press of "Therapist" asks before the workspace's PIN is chosen.

Like the other screens they only show things and forward presses; the window decides what
happens (:class:`~mitpractice.gui.practice.window.PracticeWindow`).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from mitpractice.gui.practice.screens import BigButton, big_label


def _button_row(*buttons: BigButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(14)
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button, 2 if button.primary else 1)
    row.addStretch(1)
    return row


class SpeakerTestScreen(QWidget):
    """"Can you hear this?": the voice says a few words; yes goes on, no says what to check."""

    yes_clicked = Signal()
    no_clicked = Signal()
    again_clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setSpacing(16)
        layout.addStretch(1)
        self.title = big_label(self.tr("Can you hear this?"), 2.2, True)
        self.title.setAccessibleName(self.tr("Speaker test"))
        layout.addWidget(self.title)
        self.instruction = big_label(
            self.tr("The voice of the app is speaking through the speakers or headphones."), 1.4)
        self.instruction.setAccessibleName(self.tr("What to do"))
        layout.addWidget(self.instruction)
        self.status = big_label("", 1.3, name="speaker-status")
        self.status.setAccessibleName(self.tr("Speaker test status"))
        layout.addWidget(self.status)
        self.yes_button = BigButton(self.tr("Yes, I hear it"), "Space", self.tr("Yes, I hear the voice"),
                                    primary=True)
        self.yes_button.clicked.connect(self.yes_clicked)
        self.no_button = BigButton(self.tr("No"), "N", self.tr("No, I hear nothing"))
        self.no_button.clicked.connect(self.no_clicked)
        self.again_button = BigButton(self.tr("Hear it again"), "A", self.tr("Hear the voice again"))
        self.again_button.clicked.connect(self.again_clicked)
        layout.addLayout(_button_row(self.yes_button, self.no_button, self.again_button))
        layout.addStretch(2)


class TherapistAskScreen(QWidget):
    """Asked at the first press of "Therapist", while no PIN is set: only the therapist goes
    on (and then chooses the PIN); anyone else goes back, and practice works without a PIN."""

    yes_clicked = Signal()
    back_clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setSpacing(16)
        layout.addStretch(1)
        title = big_label(self.tr("Are you the therapist?"), 2.2, True)
        title.setAccessibleName(self.tr("Are you the therapist?"))
        layout.addWidget(title)
        text = big_label(self.tr(
            "The therapist's workspace is where the therapist chooses the phrases and listens "
            "to the recordings. The therapist keeps it safe with a PIN, chosen now. "
            "Practice works without it."), 1.3)
        text.setAccessibleName(self.tr("What the workspace is"))
        layout.addWidget(text)
        self.back_button = BigButton(self.tr("No, back to practice"), "Space",
                                     self.tr("No, back to practice"), primary=True)
        self.back_button.clicked.connect(self.back_clicked)
        self.yes_button = BigButton(self.tr("I am the therapist"), "Enter",
                                    self.tr("I am the therapist: open the workspace"))
        self.yes_button.clicked.connect(self.yes_clicked)
        layout.addLayout(_button_row(self.back_button, self.yes_button))
        layout.addStretch(2)
