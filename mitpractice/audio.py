"""Playing and recording through PortAudio (sounddevice) without ever blocking the app.

As in Friture, the audio callback does one thing only: copy the new samples into a
preallocated buffer. The practice window reads what is new on a timer (for the live pitch
trace and the streaming pitch tracker) and saves the whole take when recording stops, so a
slow screen never drops audio, and audio never waits for the screen.

A microphone pulled out mid-take ends the stream; :class:`Recorder` then keeps what it had
and says why it stopped, so the app can save the partial take rather than lose it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import sounddevice as sd

from mitpractice.errors import AudioError, ParameterError

#: Rate the app records at: CREPE works at 16 kHz, and speech needs no more.
RECORD_SR = 16_000


class SampleBuffer:
    """A preallocated mono buffer that one thread appends to and others read from.

    ``append`` copies into memory allocated up front and never blocks for long, so it is
    safe in an audio callback. Readers ask for everything after a position they remember.

    Examples
    --------
    >>> buf = SampleBuffer(capacity=8)
    >>> buf.append(np.arange(3, dtype=np.float32))
    >>> new, pos = buf.read_from(0)
    >>> new.tolist(), pos
    ([0.0, 1.0, 2.0], 3)
    """

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ParameterError(f"buffer capacity must be positive, not {capacity}")
        self._data = np.zeros(capacity, dtype=np.float32)
        self._length = 0
        self._lock = threading.Lock()
        self.overflowed = False

    def __len__(self) -> int:
        return self._length

    @property
    def capacity(self) -> int:
        return len(self._data)

    def append(self, samples: np.ndarray) -> None:
        """Copy ``samples`` in; what does not fit is dropped and ``overflowed`` set."""
        with self._lock:
            room = len(self._data) - self._length
            n = min(room, len(samples))
            self._data[self._length : self._length + n] = samples[:n]
            self._length += n
            if n < len(samples):
                self.overflowed = True

    def read_from(self, position: int) -> tuple[np.ndarray, int]:
        """A copy of the samples from ``position`` on, and the position to ask from next."""
        end = self._length
        return self._data[position:end].copy(), end

    def contents(self) -> np.ndarray:
        """A copy of everything appended so far."""
        return self._data[: self._length].copy()


@dataclass
class TakeStatus:
    """How a recording went: whether it is still running, and why it stopped if it did."""

    recording: bool
    seconds: float
    error: str | None = None


class Recorder:
    """Record from an input device into a :class:`SampleBuffer`.

    Parameters
    ----------
    sr : int
        Sample rate to record at.
    max_seconds : float
        Length of the buffer; recording stops filling it after that.
    device : int or str, optional
        A sounddevice input device; the system default when ``None``.
    """

    def __init__(self, sr: int = RECORD_SR, max_seconds: float = 120.0, device: int | str | None = None):
        self.sr = sr
        self.buffer = SampleBuffer(int(max_seconds * sr))
        self._device = device
        self._stream: sd.InputStream | None = None
        self._stopping = False
        self._error: str | None = None

    def start(self) -> None:
        """Open the input stream and start filling the buffer."""
        try:
            self._stream = sd.InputStream(
                samplerate=self.sr,
                channels=1,
                dtype="float32",
                device=self._device,
                latency="low",  # "high" lets some ALSA back ends hold back the first second
                callback=self._callback,
                finished_callback=self._finished,
            )
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            self._stream = None
            raise AudioError(f"cannot open the microphone: {exc}") from None

    def _callback(self, indata: np.ndarray, frames: int, time, status: sd.CallbackFlags) -> None:
        self.buffer.append(indata[:, 0])

    def _finished(self) -> None:
        # Called by PortAudio when the stream ends; unasked for, that is a lost device.
        if not self._stopping:
            self._error = "the microphone stopped sending sound"

    def read_new(self, position: int) -> tuple[np.ndarray, int]:
        """Samples recorded since ``position`` (for the live display and streaming pitch)."""
        return self.buffer.read_from(position)

    def status(self) -> TakeStatus:
        active = self._stream is not None and self._stream.active
        return TakeStatus(active, len(self.buffer) / self.sr, self._error)

    def stop(self) -> np.ndarray:
        """Stop recording and return the whole take (what was recorded, even after an error)."""
        if self._stream is not None:
            self._stopping = True
            try:
                self._stream.stop()
                self._stream.close()
            except sd.PortAudioError as exc:
                self._error = self._error or f"the microphone failed: {exc}"
            self._stream = None
        return self.buffer.contents()


def refresh_devices() -> None:
    """Make PortAudio list the devices anew (a headset plugged in, a sound server started).

    PortAudio reads the device list once, when it starts; sounddevice offers no public call
    to read it again, so restart PortAudio. Only call this with no stream open.
    """
    sd._terminate()
    sd._initialize()


def play(y: np.ndarray, sr: int, device: int | str | None = None, blocking: bool = True) -> None:
    """Play mono audio on the output device (the system default when ``device`` is None)."""
    try:
        sd.play(np.asarray(y, dtype=np.float32), sr, device=device, blocking=blocking)
    except (sd.PortAudioError, ValueError) as exc:
        raise AudioError(f"cannot play sound: {exc}") from None


def play_and_record(
    y: np.ndarray, sr: int, device: int | str | None = None, extra_s: float = 0.5
) -> np.ndarray:
    """Play ``y`` and record at the same time (singing along with the target).

    Returns the recording, ``extra_s`` longer than ``y`` so a late last syllable is kept.
    """
    out = np.concatenate([np.asarray(y, dtype=np.float32), np.zeros(int(extra_s * sr), np.float32)])
    try:
        recorded = sd.playrec(out, sr, channels=1, dtype="float32", device=device, blocking=True)
    except (sd.PortAudioError, ValueError) as exc:
        raise AudioError(f"cannot play and record: {exc}") from None
    return recorded[:, 0]


def measure_latency(sr: int = 48_000, device: int | str | None = None, clicks: int = 4) -> float:
    """Round-trip latency in seconds: play clicks, record them, find their delay.

    Timing scores in unison mode must subtract it; real devices measure 140–330 ms.

    Raises
    ------
    AudioError
        If the clicks do not come back (no loopback, microphone muted, device error).
    """
    period = int(0.25 * sr)
    click = np.zeros(period, dtype=np.float32)
    click[:48] = np.hanning(48) * 0.8
    recorded = play_and_record(np.tile(click, clicks), sr, device=device, extra_s=0.6)
    lag = _click_lag(recorded, click, period, clicks)
    if lag is None:
        raise AudioError("the test clicks did not come back: is the microphone on and near the speaker?")
    return lag / sr


def _click_lag(recorded: np.ndarray, click: np.ndarray, period: int, clicks: int) -> int | None:
    """Delay of a periodic click train in ``recorded``, or None if it is not there."""
    template = np.tile(click, clicks)
    corr = np.correlate(recorded, template[: period * (clicks - 1) + 48], mode="valid")
    best = int(np.argmax(corr))
    energy = float(np.sqrt(np.sum(recorded**2) * np.sum(template**2)))
    return best if energy > 0 and corr[best] / energy > 0.3 else None
