"""Playing and recording through PortAudio (sounddevice) without ever blocking the app.

As in Friture, an audio callback does one thing only: copy samples between the sound card
and memory allocated beforehand. The practice window reads what is new on a timer (for the
live pitch line, the level meter and the streaming pitch tracker), so a slow screen never
drops audio, and audio never waits for the screen.

Threading rule
--------------
* One :class:`Recorder` or :class:`Player` belongs to one thread (the GUI thread): only that
  thread calls ``start``, ``play``, ``stop``, ``read_new``, ``status`` and so on.
* The only other thread is PortAudio's, which runs the callbacks. A callback writes to the
  state of *its own* take or playback (a fresh object for every take), never to the
  recorder's, so a late callback from a stream being closed cannot touch the next take.
* :class:`SampleBuffer` has one writer (the callback) and any number of readers. The writer
  copies the samples in and then publishes the new length, both under the buffer's lock;
  readers take the lock only to read that length, then copy outside the lock. Samples
  below a published length are never written again (a buffer is never reset: each take gets
  a new one), so readers see every sample exactly once and in order, and the callback waits
  at most for a reader to read one integer.

What can go wrong is reported, never hidden: :class:`TakeStatus` says when PortAudio lost
input (overflow), when the buffer filled up, and when the device went away mid-take (the
take recorded so far is kept). Opening a device that is not there raises
:class:`~mitpractice.errors.NoDeviceError`; one that is there but cannot be opened raises
:class:`~mitpractice.errors.DeviceBusyError`. :func:`take_levels` checks a take for clipping
and for a voice too quiet to score.

sounddevice is imported on first use, not with this module: PortAudio reads the list of
devices once, when it starts, so starting it late lets a sound server started after the app
(or by the test session) be seen, and keeps it out of the app's start-up time.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mitpractice.errors import AudioError, DeviceBusyError, NoDeviceError, ParameterError
from mitpractice.levels import SILENCE_DBFS, level_dbfs

if TYPE_CHECKING:
    import sounddevice

__all__ = [
    "CLIP_LEVEL",
    "CLIP_MAX_FRACTION",
    "DEVICE_HOLE_LASTS_S",
    "DEVICE_HOLE_S",
    "DEVICE_LOST_S",
    "FIRST_BLOCK_TIMEOUT_S",
    "LEVEL_WINDOW_S",
    "LOUD_DBFS",
    "PLAYBACK_START_BLOCKS",
    "QUIET_DBFS",
    "RECORD_SR",
    "SILENCE_DBFS",
    "ClickTest",
    "Player",
    "Recorder",
    "SampleBuffer",
    "TakeLevels",
    "TakeStatus",
    "click_test",
    "click_train",
    "clipped_fraction",
    "level_dbfs",
    "measure_latency",
    "play",
    "play_and_record",
    "round_trip_latency",
    "take_levels",
    "target_in_take_s",
]

#: Rate the app records at: CREPE works at 16 kHz, and speech needs no more.
RECORD_SR = 16_000

#: Seconds without a block, once sound has flowed, after which the input device counts as
#: gone. Blocks come every 10–50 ms; PulseAudio, when a microphone is unplugged, keeps the
#: stream open but silent instead of ending it, so only the gap tells.
DEVICE_LOST_S = 1.0

#: Seconds of sound missing from a take, PortAudio's clock against the samples that arrived,
#: after which the input device counts as gone even if sound comes back. When a microphone is
#: unplugged, PulseAudio's ALSA plug-in reconnects the stream to another source after 1.1–2 s
#: (measured), so the silent gap alone can end before anyone looks; the missing sound stays.
#: (The plug-in's capture times jump by 0.7 s on a healthy stream, so the clock is the time the
#: block is handed over.)
DEVICE_HOLE_S = 0.5

#: Seconds a hole must last before it counts: a process starved of the CPU gets the sound it
#: missed in a burst moments later (the sound server kept it), a reconnected stream never does.
DEVICE_HOLE_LASTS_S = 0.25

#: Blocks of a sound whose DAC times place its first sample. The time of the first block is
#: no guide: PulseAudio's plug-in reports it as playing at once, while it plays after the
#: silence PortAudio primed the buffer with, and that buffer was 25 ms in one context and
#: 80 ms in another (the window's click test then measured 0.29 s where its takes had
#: 0.37 s). The median over the next blocks of their DAC time less their place in the sound
#: agreed to 1 ms in every context measured.
PLAYBACK_START_BLOCKS = 16

#: Seconds a new input stream may take to deliver its first block. Real devices start in
#: well under 0.5 s; PulseAudio's null sinks (the test session) take about 2 s.
FIRST_BLOCK_TIMEOUT_S = 5.0

#: Magnitude at which a sample counts as clipped: 16-bit converters stop at 32767/32768, and
#: the limiters of many built-in microphones just below; a voice does not reach it unclipped.
CLIP_LEVEL = 0.98

#: Fraction of a take's samples at :data:`CLIP_LEVEL` above which the take is clipped
#: (0.1 %). A voice that overdrives the input clips on every cycle, thousands of samples a
#: second; a single knock on the table clips a handful.
CLIP_MAX_FRACTION = 0.001

#: Length in seconds of the windows :func:`take_levels` measures loudness over: about one
#: short syllable, so a take with one clear syllable is not called quiet.
LEVEL_WINDOW_S = 0.1

#: A take whose loudest :data:`LEVEL_WINDOW_S` stays below this RMS level (dB re full scale)
#: is too quiet. Sung vowels a forearm from a laptop microphone measure about -30 to -12 dBFS;
#: a quiet room about -60 to -50 dBFS; below -40 dBFS the pitch tracker loses soft syllables.
QUIET_DBFS = -40.0

#: A live level (RMS over a few tens of ms, dB re full scale) above which the voice is about
#: to clip: a sung vowel's peaks stand 6–10 dB over its RMS. The level meter's "too loud".
LOUD_DBFS = -10.0

#: Input buffering asked of PortAudio: "low", since with ALSA's PulseAudio plug-in the
#: default ("high") held back the first second of a take.
_INPUT_LATENCY = "low"

#: Output buffering asked of PortAudio (s). At "low" the PulseAudio plug-in ran dry between
#: Python callbacks on a busy machine, and every underrun pushed the rest of the sound later,
#: which no latency measured once can correct, nor the echo canceller's fixed alignment
#: (practice.echo). On the two-core test machine: "high" (35 ms there) ran dry in the first
#: blocks of 6 of 8 click tests (load 5–7), moving the later clicks 30–140 ms; 0.2 s in none
#: of 8 click tests, but at load 7–11, with the live tracker beside it, in 8 of 17 runs of the
#: window's echo test (tests/test_room_echo_window.py), mostly mid-take; 0.5 s in none of
#: the runs since. Where a sound starts is placed by the device's clock
#: (PLAYBACK_START_BLOCKS), and Stop still stops it at once.
_OUTPUT_LATENCY = 0.5

#: Seconds of silence handed to the speaker after each sound: a stream that ends drops what
#: the sound server has not played yet (PulseAudio's ALSA plug-in: 50–75 ms with a 35 ms
#: buffer, 150–225 ms with 0.2 s), which cut the end of every sound; the click test lost its
#: last click, and its echo path, deconvolved by four clicks of which three came back, took
#: at most 6 dB off its own echo. The buffer asked for and a little more: the stream ends,
#: and the player is done, about when the sound's end has been heard.
_OUTPUT_END_S = _OUTPUT_LATENCY + 0.1


def _sounddevice():
    """sounddevice, imported (and PortAudio started) on first use."""
    import sounddevice

    return sounddevice


# --------------------------------------------------------------------------- sample buffer


class SampleBuffer:
    """A preallocated mono buffer that one thread appends to and others read from.

    ``append`` copies into memory allocated up front and holds the lock only while it
    copies one block, so it is safe in an audio callback. Readers ask for everything after
    a position they remember; see the module's threading rule.

    Examples
    --------
    >>> buf = SampleBuffer(capacity=8)
    >>> buf.append(np.arange(3, dtype=np.float32))
    3
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
        with self._lock:
            return self._length

    @property
    def capacity(self) -> int:
        return len(self._data)

    def append(self, samples: np.ndarray) -> int:
        """Copy ``samples`` in; what does not fit is dropped and ``overflowed`` set.

        Returns the length after the append.
        """
        with self._lock:
            room = len(self._data) - self._length
            n = min(room, len(samples))
            self._data[self._length : self._length + n] = samples[:n]
            self._length += n
            if n < len(samples):
                self.overflowed = True
            return self._length

    def read_from(self, position: int) -> tuple[np.ndarray, int]:
        """A copy of the samples from ``position`` on, and the position to ask from next."""
        with self._lock:
            end = self._length
        position = min(max(position, 0), end)
        return self._data[position:end].copy(), end

    def last(self, n: int) -> np.ndarray:
        """A copy of the last ``n`` samples (fewer at the start of a take)."""
        with self._lock:
            end = self._length
        return self._data[max(0, end - n) : end].copy()

    def contents(self) -> np.ndarray:
        """A copy of everything appended so far."""
        return self.read_from(0)[0]


# --------------------------------------------------------------------------- levels


def clipped_fraction(y: np.ndarray, level: float = CLIP_LEVEL) -> float:
    """Fraction of samples whose magnitude reaches ``level`` (0 for an empty take).

    Examples
    --------
    >>> clipped_fraction(np.array([0.1, 1.0, -1.0, 0.5]))
    0.5
    """
    return float(np.count_nonzero(np.abs(y) >= level) / len(y)) if len(y) else 0.0


@dataclass(frozen=True)
class TakeLevels:
    """How loud a take was, and whether that is a problem the patient can fix.

    Attributes
    ----------
    peak_dbfs : float
        Largest sample magnitude, dB re full scale.
    loudest_dbfs : float
        RMS level of the loudest :data:`LEVEL_WINDOW_S` window, dB re full scale.
    clipped_fraction : float
        Fraction of samples at :data:`CLIP_LEVEL` or above.
    """

    peak_dbfs: float
    loudest_dbfs: float
    clipped_fraction: float

    @property
    def clipped(self) -> bool:
        """Too loud: the voice hit full scale often enough to distort (move back a little)."""
        return self.clipped_fraction > CLIP_MAX_FRACTION

    @property
    def too_quiet(self) -> bool:
        """Too quiet to score (come closer, or sing louder)."""
        return self.loudest_dbfs < QUIET_DBFS


def take_levels(y: np.ndarray, sr: int) -> TakeLevels:
    """Peak, loudest-window level and clipping of a take (see :class:`TakeLevels`).

    Examples
    --------
    >>> t = np.arange(16000) / 16000
    >>> levels = take_levels(0.3 * np.sin(2 * np.pi * 220 * t), 16000)
    >>> levels.clipped, levels.too_quiet, round(levels.loudest_dbfs)
    (False, False, -13)
    >>> take_levels(np.clip(3 * np.sin(2 * np.pi * 220 * t), -1, 1), 16000).clipped
    True
    >>> take_levels(0.003 * np.sin(2 * np.pi * 220 * t), 16000).too_quiet
    True
    """
    y = np.asarray(y, dtype=np.float32)
    if len(y) == 0:
        return TakeLevels(peak_dbfs=SILENCE_DBFS, loudest_dbfs=SILENCE_DBFS, clipped_fraction=0.0)
    peak = float(np.max(np.abs(y)))
    window = max(1, int(LEVEL_WINDOW_S * sr))
    n = len(y) // window
    if n == 0:
        loudest = level_dbfs(y)
    else:
        power = np.mean(np.square(y[: n * window].reshape(n, window), dtype=np.float64), axis=1)
        loudest = level_dbfs(np.array([np.sqrt(power.max())]))
    return TakeLevels(
        peak_dbfs=max(SILENCE_DBFS, 20.0 * float(np.log10(peak))) if peak > 0 else SILENCE_DBFS,
        loudest_dbfs=loudest,
        clipped_fraction=clipped_fraction(y),
    )


# --------------------------------------------------------------------------- recording


@dataclass(frozen=True)
class TakeStatus:
    """How a take is going, or went.

    Attributes
    ----------
    recording : bool
        The input stream is running.
    seconds : float
        Length of the take so far.
    error : str or None
        One line saying what went wrong, for the log; ``None`` when nothing did. The window
        words it for the patient from the flags below.
    started : bool
        Sound has arrived from the device (the first block can take a moment).
    overflows : int
        Blocks in which PortAudio reported input lost (the computer was too busy).
    buffer_full : bool
        The take reached the recorder's ``max_seconds``; nothing after that was kept.
    device_lost : bool
        The device stopped sending sound (unplugged, or the sound server went away); it stays
        so when sound comes back from another source, since the take has a hole.
    """

    recording: bool
    seconds: float
    error: str | None = None
    started: bool = False
    overflows: int = 0
    buffer_full: bool = False
    device_lost: bool = False

    @property
    def complete(self) -> bool:
        """Nothing was lost: no overflow, no full buffer, no lost device."""
        return not (self.overflows or self.buffer_full or self.device_lost)


class _Take:
    """The state one input stream writes to; a new one for every take."""

    def __init__(self, capacity: int, sr: int) -> None:
        self.sr = sr
        self.buffer = SampleBuffer(capacity)
        self.overflows = 0
        self.first_block = threading.Event()
        self.last_block_at = 0.0  # time.monotonic() of the latest block
        self.stopping = False  # stop() asked for the end, so a finished stream is no loss
        self.finished_unasked = False
        self.clock: float | None = None  # PortAudio time at which sample 0 was captured
        self.hole_since: float | None = None  # PortAudio time the current hole was first seen
        self.hole = False  # sound went missing for good (see DEVICE_HOLE_S); stays so for the take

    def callback(self, indata: np.ndarray, frames: int, time_info, status) -> None:
        if status.input_overflow:
            self.overflows += 1
        end = self.buffer.append(indata[:, 0])
        self._keep_time(time_info.currentTime, end)
        self.last_block_at = time.monotonic()
        if not self.first_block.is_set():
            self.first_block.set()
        if self.buffer.overflowed:
            raise _sounddevice().CallbackStop

    def _keep_time(self, now: float, end: int) -> None:
        """Place the take on PortAudio's clock, and watch for holes (see DEVICE_HOLE_S).

        A block is handed over some time after its last sample was captured: a moment
        normally, far longer on a busy machine. The block handed over soonest places the take
        best, so sample 0 is put at the least ``now - end / sr`` seen; blocks far later than
        that, for a while, mean sound went missing.
        """
        zero = now - end / self.sr
        if self.clock is None or zero < self.clock:
            self.clock = zero
        if zero - self.clock <= DEVICE_HOLE_S:
            self.hole_since = None
        elif self.hole_since is None:
            self.hole_since = now
        elif now - self.hole_since >= DEVICE_HOLE_LASTS_S:
            self.hole = True

    def finished(self) -> None:
        if not self.stopping and not self.buffer.overflowed:
            self.finished_unasked = True


class Recorder:
    """Record takes from an input device, one after another, each into its own buffer.

    Parameters
    ----------
    sr : int
        Sample rate to record at.
    max_seconds : float
        Longest take; when a take reaches it, recording stops and the status says so.
    device : int or str, optional
        A sounddevice input device; the system default when ``None``.

    Examples
    --------
    The window's loop, on a timer (not run here: it needs a microphone)::

        recorder = Recorder()
        recorder.start()                        # a new take; the previous one is closed
        new, position = recorder.read_new(0)    # again every 20 ms: the pitch line, the meter
        status = recorder.status()              # overflow, full buffer, lost device
        take = recorder.stop()                  # the whole take, even after a problem
    """

    def __init__(self, sr: int = RECORD_SR, max_seconds: float = 120.0, device: int | str | None = None):
        if sr <= 0 or max_seconds <= 0:
            raise ParameterError(f"recorder needs a positive rate and length, not {sr} Hz, {max_seconds} s")
        self.sr = sr
        self.max_seconds = max_seconds
        self._device = device
        self._stream: sounddevice.InputStream | None = None
        self._take = _Take(1, sr)
        self._error: str | None = None

    @property
    def buffer(self) -> SampleBuffer:
        """The current take's buffer."""
        return self._take.buffer

    def start(self) -> None:
        """Start a new take: close the previous stream, empty the take, open the input.

        Raises
        ------
        NoDeviceError
            If there is no input device (no microphone).
        DeviceBusyError
            If the device is there but cannot be opened (busy, or refused the settings).
        """
        sd = _sounddevice()
        self.stop()
        _check_device(sd, self._device, "input")
        self._take = _Take(round(self.max_seconds * self.sr), self.sr)
        self._error = None
        try:
            self._stream = sd.InputStream(
                samplerate=self.sr,
                channels=1,
                dtype="float32",
                device=self._device,
                latency=_INPUT_LATENCY,
                callback=self._take.callback,
                finished_callback=self._take.finished,
            )
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            self._close_stream()
            raise DeviceBusyError(f"cannot open the microphone: {_one_line(exc)}") from None

    def wait_started(self, timeout: float = FIRST_BLOCK_TIMEOUT_S) -> bool:
        """Wait until sound arrives from the device; False if none came within ``timeout`` s."""
        return self._take.first_block.wait(timeout)

    def read_new(self, position: int) -> tuple[np.ndarray, int]:
        """Samples recorded since ``position`` in this take, and the position to ask from next."""
        return self._take.buffer.read_from(position)

    def level_dbfs(self, seconds: float = 0.05) -> float:
        """RMS level of the last ``seconds`` of the take (for a level meter), dB re full scale."""
        return level_dbfs(self._take.buffer.last(max(1, int(seconds * self.sr))))

    def sample_at(self, stream_time: float) -> float | None:
        """Where in the take the sound that reached PortAudio at ``stream_time`` lies, in samples.

        ``stream_time`` is on PortAudio's clock, e.g. :attr:`Player.started_at`; this is
        how a target played while recording is placed in the take. ``None`` before the take
        has any sound. May be negative (before the take began) or past its end.
        """
        clock = self._take.clock
        return None if clock is None else (stream_time - clock) * self.sr

    def status(self) -> TakeStatus:
        """How the take is going (see :class:`TakeStatus`)."""
        take = self._take
        running = self._stream is not None and self._stream.active
        started = take.first_block.is_set()
        silent_for = time.monotonic() - take.last_block_at
        lost = take.finished_unasked or take.hole or (running and started and silent_for > DEVICE_LOST_S)
        full = take.buffer.overflowed
        error = self._error
        if error is None:
            if lost:
                error = "the microphone stopped sending sound"
            elif full:
                error = f"the take reached its {self.max_seconds:g} s limit; later sound was not kept"
            elif take.overflows:
                error = f"sound was lost {take.overflows} time(s): the computer was too busy"
        return TakeStatus(
            recording=running and not lost,
            seconds=len(take.buffer) / self.sr,
            error=error,
            started=started,
            overflows=take.overflows,
            buffer_full=full,
            device_lost=lost,
        )

    def stop(self) -> np.ndarray:
        """Stop recording and return the whole take (what was recorded, even after an error).

        Safe to call more than once, and before any take.
        """
        if self._stream is not None:
            self._take.stopping = True
            self._close_stream()
        return self._take.buffer.contents()

    def close(self) -> None:
        """Stop recording and let the device go."""
        self.stop()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        sd = _sounddevice()
        try:
            stream.stop()
        except sd.PortAudioError as exc:
            self._error = self._error or f"the microphone failed: {_one_line(exc)}"
        finally:
            with contextlib.suppress(sd.PortAudioError):
                stream.close()


# --------------------------------------------------------------------------- playback


class _Playback:
    """The state one output stream reads from; a new one for every sound played."""

    def __init__(self, y: np.ndarray, sr: int) -> None:
        self.y = y
        self.sr = sr
        self.position = 0  # samples handed to PortAudio (the silence after the sound too)
        self.end = len(y) + round(_OUTPUT_END_S * sr)  # ... when it stops
        self.anchor: tuple[int, float] | None = None  # (samples handed, DAC time) at a block
        self.shown = 0.0  # the furthest position told (samples)
        self.stopped = False  # by Player.stop, before its end: ``shown`` is where it stopped
        self.starts: list[float] = []  # each block's DAC time less its place in the sound
        self.started_at: float | None = None
        self.done = threading.Event()

    def callback(self, outdata: np.ndarray, frames: int, time_info, status) -> None:
        start = self.position
        n = max(0, min(frames, len(self.y) - start))
        outdata[:n, 0] = self.y[start : start + n]
        outdata[n:] = 0.0
        dac = time_info.outputBufferDacTime or time_info.currentTime
        self.anchor = (start, dac)
        self.position = start + frames
        if self.started_at is None:
            self._place_start(dac - start / self.sr, last=n < frames)
        if self.position >= self.end:
            raise _sounddevice().CallbackStop

    def _place_start(self, start_s: float, last: bool) -> None:
        """Settle when the sound's first sample plays, from its first blocks (see
        PLAYBACK_START_BLOCKS)."""
        self.starts.append(start_s)
        if len(self.starts) > PLAYBACK_START_BLOCKS or last:
            self.started_at = float(np.median(self.starts[1:] or self.starts))

    def finished(self) -> None:
        self.done.set()


class Player:
    """Play sounds on an output stream of the app's own, without blocking.

    Each :meth:`play` opens a new stream that reads from a copy of the sound made
    beforehand; sounddevice's shared ``sd.play`` stream is never used, so playing does not
    stop a recording, and a recording does not stop playing.

    Parameters
    ----------
    device : int or str, optional
        A sounddevice output device; the system default when ``None``.
    """

    def __init__(self, device: int | str | None = None) -> None:
        self._device = device
        self._stream: sounddevice.OutputStream | None = None
        self._playback: _Playback | None = None

    def play(self, y: np.ndarray, sr: int) -> None:
        """Start playing mono ``y`` at ``sr`` Hz, stopping whatever this player was playing.

        Raises
        ------
        NoDeviceError
            If there is no output device.
        DeviceBusyError
            If the device cannot be opened.
        """
        sd = _sounddevice()
        self.stop()
        y = np.ascontiguousarray(y, dtype=np.float32).reshape(-1)
        if len(y) == 0:
            raise ParameterError("nothing to play: the sound is empty")
        _check_device(sd, self._device, "output")
        playback = _Playback(y.copy(), int(sr))
        try:
            stream = sd.OutputStream(
                samplerate=sr,
                channels=1,
                dtype="float32",
                device=self._device,
                latency=_OUTPUT_LATENCY,
                callback=playback.callback,
                finished_callback=playback.finished,
            )
            stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            raise DeviceBusyError(f"cannot open the speaker: {_one_line(exc)}") from None
        self._stream, self._playback = stream, playback

    def stop(self) -> None:
        """Stop playing now (nothing happens when nothing plays); :meth:`position_s` stays
        where the sound was heard to."""
        p = self._playback
        if self._stream is not None and p is not None and not p.done.is_set():
            self.position_s()  # where it is heard now, kept: the speaker's buffer is dropped
            p.stopped = True
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(_sounddevice().PortAudioError):
                stream.abort()
                stream.close()
        if self._playback is not None:
            self._playback.done.set()

    @property
    def playing(self) -> bool:
        """A sound is playing (started and neither finished nor stopped)."""
        return self._playback is not None and not self._playback.done.is_set()

    @property
    def done(self) -> bool:
        """The last sound finished or was stopped (also True before anything played)."""
        return not self.playing

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the sound ends; False if it still plays after ``timeout`` s."""
        return self._playback is None or self._playback.done.wait(timeout)

    @property
    def duration_s(self) -> float:
        """Length of the sound played last, in seconds (0 before any)."""
        p = self._playback
        return len(p.y) / p.sr if p is not None else 0.0

    @property
    def started_at(self) -> float | None:
        """PortAudio time at which the first sample plays, by the device's clock (see
        :meth:`Recorder.sample_at`); ``None`` until the first blocks have been asked for
        (:data:`PLAYBACK_START_BLOCKS`, a tenth of a second or so)."""
        return self._playback.started_at if self._playback is not None else None

    def position_s(self) -> float:
        """Seconds of the sound heard so far, as the device's clock tells; 0 before it starts.

        Read it on the window's timer to highlight the syllable being sung.
        """
        p, stream = self._playback, self._stream
        if p is None or p.anchor is None:
            return 0.0
        if p.stopped:  # not what was handed over: up to a buffer more, never heard
            return float(p.shown / p.sr)
        if p.done.is_set() and p.position >= len(p.y):
            return len(p.y) / p.sr
        handed, dac = p.anchor
        now = stream.time if stream is not None and not p.done.is_set() else dac
        position = min(max(handed + (now - dac) * p.sr, 0.0), p.position, len(p.y))
        # PulseAudio's plug-in reports its blocks' DAC times unevenly (with a 0.5 s buffer,
        # a block 0.125 s after another was placed 0.25 s later): the highlight never steps back.
        p.shown = max(p.shown, position)
        return float(p.shown / p.sr)

    def close(self) -> None:
        self.stop()

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def play(y: np.ndarray, sr: int, device: int | str | None = None, blocking: bool = True) -> Player:
    """Play mono audio on the output device (the system default when ``device`` is None).

    Returns the :class:`Player`, which a non-blocking caller keeps to stop it.
    """
    player = Player(device)
    player.play(y, sr)
    if blocking:
        player.wait(len(y) / sr + FIRST_BLOCK_TIMEOUT_S)
        player.stop()
    return player


def play_and_record(
    y: np.ndarray, sr: int, device: int | str | None = None, extra_s: float = 0.5
) -> np.ndarray:
    """Play ``y`` and record at the same time (singing along with the target).

    Returns the recording from the moment the first sample of ``y`` was handed to the
    device, ``extra_s`` longer than ``y`` so that a late last syllable is kept.

    Raises
    ------
    AudioError
        If a device cannot be opened or sends no sound.
    """
    y = np.asarray(y, dtype=np.float32)
    want = len(y) + int(extra_s * sr)
    with Recorder(sr, max_seconds=want / sr + 2 * FIRST_BLOCK_TIMEOUT_S, device=device) as recorder:
        recorder.start()
        _wait_for_sound(recorder)
        with Player(device) as player:
            player.play(y, sr)
            if not player.wait(len(y) / sr + FIRST_BLOCK_TIMEOUT_S):
                raise AudioError("the sound did not finish playing: is the speaker stuck?")
            start = recorder.sample_at(player.started_at)
            while recorder.status().recording and len(recorder.buffer) < start + want:
                time.sleep(0.02)
        take = recorder.stop()
    start = max(0, round(start))
    recorded = take[start : start + want]
    return np.concatenate([recorded, np.zeros(want - len(recorded), np.float32)])


# --------------------------------------------------------------------------- latency


#: Seconds between the clicks of the latency test, each gap different: a train of equal gaps
#: matches itself shifted by one gap, and a click lost to a busy machine then measured a round
#: trip one gap short or long (seen: 0.10 s and 0.67 s for a 0.36 s loopback).
_CLICK_GAPS_S = (0.29, 0.23, 0.34, 0.26, 0.31)
#: Seconds of silence before the first click: a new output stream may lose its first
#: few milliseconds (PulseAudio did), which would lose the first click.
_CLICK_LEAD_S = 0.1
#: Seconds recorded after the clicks, so late ones are still heard: the longest round trip
#: taken as one (practice.live.MAX_LATENCY_S, 1 s) and the output buffer.
_CLICK_TAIL_S = 1.4
#: Normalised correlation below which the clicks did not come back.
_CLICK_MIN_CORRELATION = 0.3


def round_trip_latency(recorder: Recorder, player: Player, clicks: int = 4) -> float:
    """Round-trip latency of the app's own streams, in seconds: play clicks, record them.

    It is the time from a sample handed to ``player``'s device to its return in
    ``recorder``'s take, as placed by ``recorder.sample_at(player.started_at)``; subtract
    it from the onsets of an attempt sung along with a target. Runs one take on
    ``recorder`` (the window calls this once, with no take running), at the recorder's rate.

    Raises
    ------
    AudioError
        If the clicks do not come back (no loopback, microphone muted, device error).
    """
    return click_test(recorder, player, clicks).latency_s


@dataclass(frozen=True, kw_only=True)
class ClickTest:
    """The click test's result: the round trip, and the sound played and heard.

    Attributes
    ----------
    latency_s : float
        The round trip (see :func:`round_trip_latency`).
    played : np.ndarray
        The clicks handed to the speaker (:func:`click_train`).
    heard : np.ndarray
        What the microphone recorded from the moment the first sample of ``played`` was
        handed over: the room's response to the clicks, for
        :func:`mitpractice.practice.echo.measure_echo_path`.
    sr : int
        Sample rate of both.
    """

    latency_s: float
    played: np.ndarray
    heard: np.ndarray
    sr: int


def click_train(sr: int, clicks: int = 4) -> np.ndarray:
    """The click test's sound: a short silence, then ``clicks`` 1 ms clicks at uneven gaps."""
    if not 2 <= clicks <= len(_CLICK_GAPS_S) + 1:
        raise ParameterError(f"the latency test plays 2 to {len(_CLICK_GAPS_S) + 1} clicks, not {clicks}")
    width = max(8, int(0.001 * sr))
    at = np.concatenate([[0], np.cumsum(np.round(np.array(_CLICK_GAPS_S[: clicks - 1]) * sr))]).astype(int)
    template = np.zeros(at[-1] + width, dtype=np.float32)
    for i in at:
        template[i : i + width] = np.hanning(width) * 0.8
    return np.concatenate([np.zeros(int(_CLICK_LEAD_S * sr), np.float32), template])


def click_test(recorder: Recorder, player: Player, clicks: int = 4) -> ClickTest:
    """Play the click test on the app's streams and measure the round trip (see
    :func:`round_trip_latency`), keeping what was heard.

    Raises
    ------
    AudioError
        If the clicks do not come back (no loopback, microphone muted, device error).
    """
    sr = recorder.sr
    train = click_train(sr, clicks)
    lead = int(_CLICK_LEAD_S * sr)
    template = train[lead:]
    recorder.start()
    try:
        _wait_for_sound(recorder)
        player.play(train, sr)
        if not player.wait(len(train) / sr + FIRST_BLOCK_TIMEOUT_S):
            raise AudioError("the test clicks did not finish playing: is the speaker stuck?")
        start = recorder.sample_at(player.started_at)
        end = start + len(train) + _CLICK_TAIL_S * sr
        while recorder.status().recording and len(recorder.buffer) < end:
            time.sleep(0.02)
    finally:
        player.stop()
        take = recorder.stop()
    # Search from a little before the placed start, so that a loopback with (next to) no
    # delay keeps its first click.
    played_at = max(0, round(start))
    start = round(start) + lead
    before = min(start, lead)
    lag = _click_lag(take[start - before :], template)
    if lag is None:
        raise AudioError("the test clicks did not come back: is the microphone on and near the speaker?")
    heard = take[played_at : played_at + len(train) + int(_CLICK_TAIL_S * sr)]
    # A round trip cannot be negative; a loopback with no hardware (a null sink) measures
    # up to an input block (~2 ms) below zero, as blocks are placed by their callback time.
    return ClickTest(latency_s=max(0.0, (lag - before) / sr), played=train, heard=heard, sr=sr)


def target_in_take_s(recorder: Recorder, player: Player, latency_s: float) -> float | None:
    """Seconds into ``recorder``'s take at which a voice singing along with the sound that
    ``player`` plays would start: where its first sample was handed over, plus the
    measured round trip. ``None`` until both streams have run.

    Subtract it from take times to get target times, e.g. to score a sung-along attempt.
    """
    if player.started_at is None:
        return None
    at = recorder.sample_at(player.started_at)
    return None if at is None else at / recorder.sr + latency_s


def measure_latency(sr: int = 48_000, device: int | str | None = None, clicks: int = 4) -> float:
    """Round-trip latency in seconds on new streams (see :func:`round_trip_latency`).

    Timing scores in unison mode must subtract it; real devices measure 140–330 ms.

    Raises
    ------
    AudioError
        If the clicks do not come back (no loopback, microphone muted, device error).
    """
    with Recorder(sr, max_seconds=30.0, device=device) as recorder, Player(device) as player:
        return round_trip_latency(recorder, player, clicks)


def _click_lag(recorded: np.ndarray, template: np.ndarray) -> int | None:
    """Delay of the click train ``template`` in ``recorded``, or None if it is not there."""
    if len(recorded) < len(template):
        return None
    corr = np.correlate(recorded, template, mode="valid")
    best = int(np.argmax(corr))
    energy = float(np.sqrt(np.sum(recorded[best : best + len(template)] ** 2) * np.sum(template**2)))
    return best if energy > 0 and corr[best] / energy > _CLICK_MIN_CORRELATION else None


# --------------------------------------------------------------------------- devices


def _check_device(sd, device: int | str | None, kind: str) -> None:
    """Raise :class:`NoDeviceError` when there is no ``kind`` ("input"/"output") device."""
    what = "microphone" if kind == "input" else "speaker"
    try:
        info = sd.query_devices(device, kind)
    except (ValueError, sd.PortAudioError):
        info = None
    if info is None or info[f"max_{kind}_channels"] < 1:
        which = "" if device is None else f" {device!r}"
        raise NoDeviceError(f"no {what}{which} found: is one plugged in and switched on?")


def _wait_for_sound(recorder: Recorder) -> None:
    if not recorder.wait_started():
        recorder.stop()
        raise AudioError(f"no sound came from the microphone within {FIRST_BLOCK_TIMEOUT_S:g} s")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
