"""The PIN asked before the workspace opens: chosen at first use, then typed each time.

Patients practise on the same computer; the PIN keeps their programme as the therapist set
it. Wrong tries are counted by :class:`mitpractice.store.pin.PinGuard`, which makes each try
past the fifth wait longer; the dialog shows the wait and keeps the OK button off until then.
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

from mitpractice.store.pin import MAX_PIN_DIGITS, PinError, PinGuard


class PinDialog(QDialog):
    """Ask for the PIN (or, at first use, have it chosen twice); ``accept`` only when right."""

    def __init__(self, guard: PinGuard, parent=None) -> None:
        super().__init__(parent)
        self.guard = guard
        self.first_use = not guard.is_set()
        self.setWindowTitle(self.tr("Therapist's workspace"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Choose a PIN of 4 to 12 digits. Patients will not be able to change their "
                "programme without it."
            )
            if self.first_use
            else self.tr("Type your PIN to open the therapist's workspace.")
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.pin = self._field(self.tr("PIN"))
        form.addRow(self.tr("PIN"), self.pin)
        self.again = self._field(self.tr("PIN again"))
        if self.first_use:
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

    def try_pin(self) -> None:
        pin = self.pin.text().strip()
        if self.first_use:
            if pin != self.again.text().strip():
                self.message.setText(self.tr("The two PINs differ. Type the same PIN twice."))
                return
            try:
                self.guard.set_pin(pin)
            except PinError as exc:
                self.message.setText(str(exc).capitalize() + ".")
                return
            self.accept()
            return
        try:
            result = self.guard.attempt(pin)
        except PinError as exc:
            self.message.setText(str(exc).capitalize() + ".")
            self._update_wait()
            return
        if result.ok:
            self.accept()
            return
        self.pin.clear()
        self.message.setText(self.tr("Wrong PIN."))
        self._update_wait()

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
        else:
            if self.timer.isActive():
                self.timer.stop()
                self.message.setText("")
                self.pin.setFocus()
