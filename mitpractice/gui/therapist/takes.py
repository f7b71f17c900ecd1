"""A recording in the workspace (the voice check, the therapist's model) that keeps what was
sung to the end, on the GUI thread without blocking it.

A sound server may hand the recording over late (a PulseAudio monitor source: up to about two
seconds behind), so stopping the stream the moment a button is pressed, or when a timer runs
out, would drop the end. :class:`Take` counts the seconds *received*: a timed take ends when
it holds its length of sound, and a take stopped by hand goes on until it holds as much sound
as time has passed since it started, within :data:`CATCH_UP_S`.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from mitpractice.audio import RECORD_SR, Recorder

#: How often the take looks at what it received (ms).
POLL_MS = 50
#: The longest a take waits, once stopped, for sound the device still owes it (s).
CATCH_UP_S = 3.0


class Take(QObject):
    """One recording: ``start()``, then ``stop()`` (or a fixed length); ``finished(y, sr)``."""

    finished = Signal(object, int)

    def __init__(self, seconds: float | None = None, max_seconds: float = 30.0, parent=None) -> None:
        super().__init__(parent)
        self.seconds = seconds
        self.recorder = Recorder(RECORD_SR, max_seconds=max(max_seconds, (seconds or 0) + CATCH_UP_S))
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self.started_at = 0.0
        self.stop_asked_at: float | None = None
        self.done = False

    def start(self) -> None:
        """Open the microphone (AudioError: none, or busy) and start counting."""
        self.recorder.start()
        self.started_at = time.monotonic()
        self.timer.start()

    def received_s(self) -> float:
        return len(self.recorder.buffer) / self.recorder.sr

    def stop(self) -> None:
        """Stop once the sound sung until now has arrived."""
        if self.stop_asked_at is None:
            self.stop_asked_at = time.monotonic()
        self._poll()

    def cancel(self) -> None:
        self.timer.stop()
        self.recorder.stop()
        self.done = True

    def _poll(self) -> None:
        if self.done:
            return
        now = time.monotonic()
        received = self.received_s()
        full = self.seconds is not None and self.stop_asked_at is None and received >= self.seconds
        failed = self.recorder.status().error is not None
        caught_up = self.stop_asked_at is not None and (
            received >= self.stop_asked_at - self.started_at or now - self.stop_asked_at > CATCH_UP_S
        )
        # A timed take whose device never delivered all of it ends with what came.
        overdue = self.seconds is not None and now - self.started_at > self.seconds + CATCH_UP_S
        if full or failed or caught_up or overdue:
            self._finish()

    def _finish(self) -> None:
        self.done = True
        self.timer.stop()
        y = self.recorder.stop()
        if self.seconds is not None:
            y = y[: round(self.seconds * self.recorder.sr)]
        self.finished.emit(y, self.recorder.sr)
