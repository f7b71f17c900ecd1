"""The PIN asked before the workspace opens: chosen at first use, then typed each time.

Patients practise on the same computer; the PIN keeps their programme as the therapist set
it. Wrong tries are counted by :class:`mitpractice.store.pin.PinGuard`, which makes each try
past the fifth wait longer; the dialog shows the wait and keeps the OK button off until then.
The same dialog changes the PIN (the current one first, then the new one twice).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from mitpractice.store.pin import MAX_PIN_DIGITS, PinError, PinGuard, check_new_pin


class PinDialog(QDialog):
    """Ask for the PIN (or, at first use, have it chosen twice); ``accept`` only when right.

    With ``change=True`` (and a PIN set) it asks the current PIN and the new one twice; a
    wrong current PIN counts as a wrong try.
    """

    def __init__(self, guard: PinGuard, parent=None, *, change: bool = False) -> None:
        super().__init__(parent)
        self.guard = guard
        self.first_use = not guard.is_set()
        self.change = change and not self.first_use
        self.setWindowTitle(self.tr("Therapist's workspace"))
        layout = QVBoxLayout(self)
        if self.first_use:
            text = self.tr(
                "Choose a PIN of 4 to 12 digits. Patients will not be able to change their "
                "programme without it."
            )
        elif self.change:
            text = self.tr("Type your PIN, then the new PIN (4 to 12 digits) twice.")
        else:
            text = self.tr("Type your PIN to open the therapist's workspace.")
        intro = QLabel(text)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.pin = self._field(self.tr("PIN"))
        self.new = self._field(self.tr("New PIN"))
        self.again = self._field(self.tr("PIN again"))
        form.addRow(self.tr("PIN"), self.pin)
        if self.change:
            form.addRow(self.tr("New PIN"), self.new)
        if self.first_use or self.change:
            form.addRow(self.tr("PIN again"), self.again)
        layout.addLayout(form)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e;")
        self.message.setAccessibleName(self.tr("PIN message"))
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.try_pin)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self._update_wait)
        self._update_wait()
        self.setMinimumWidth(460)

    def _field(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setMaxLength(MAX_PIN_DIGITS)
        field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        field.setAccessibleName(name)
        return field

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _say(self, text: str) -> None:
        self.message.setText(text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))

    def try_pin(self) -> None:
        pin = self.pin.text().strip()
        if self.first_use:
            self._choose(pin, self.again.text().strip())
            return
        if self.change:
            new, again = self.new.text().strip(), self.again.text().strip()
            problem = check_new_pin(new)
            if problem or new != again:  # checked first: a typo here costs no try
                self._say(problem or self.tr("The two new PINs differ. Type the same PIN twice."))
                return
        try:
            result = self.guard.attempt(pin)
        except PinError as exc:
            self._say(str(exc))
            self._update_wait()
            return
        if not result.ok:
            self.pin.clear()
            self._say(self.tr("Wrong PIN"))
            self._update_wait()
            return
        if self.change:
            self.guard.set_pin(new)
        self.accept()

    def _choose(self, pin: str, again: str) -> None:
        if pin != again:
            self._say(self.tr("The two PINs differ. Type the same PIN twice."))
            return
        try:
            self.guard.set_pin(pin)
        except PinError as exc:
            self._say(str(exc))
            return
        self.accept()

    def _update_wait(self) -> None:
        if self.first_use:
            return
        wait = self.guard.wait_s()
        self.ok_button.setEnabled(wait <= 0)
        self.pin.setEnabled(wait <= 0)
        if wait > 0:
            self.message.setText(
                self.tr("Too many wrong PINs. Try again in %n second(s).", "", int(wait + 0.999))
            )
            if not self.timer.isActive():
                self.timer.start()
        elif self.timer.isActive():
            self.timer.stop()
            self.message.setText("")
            self.pin.setFocus()
