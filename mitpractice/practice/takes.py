"""Where a take starts and ends, from the microphone's samples as they arrive.

The patient should not have to press anything to stop: the take starts when their voice
rises above the room's noise floor (measured before the take, :func:`noise_floor_dbfs`) for
a moment, and ends after a pause once they have sung, or at a length nobody needs, or when
no voice came at all. :class:`TakeDetector` is fed whatever the recorder delivered, block by
block (``push(block) -> events``); it judges fixed frames of :data:`FRAME_S`, so the events
are the same however the samples were cut into blocks (the tests prove it, as
:mod:`mitpractice.pitch.stream` proves streaming equals batch).

Levels are RMS in dBFS (:mod:`mitpractice.levels`, which also gives a block's level for the
window's meter). Clipping and a too-quiet voice are checked by :mod:`mitpractice.audio`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mitpractice.errors import ParameterError
from mitpractice.levels import level_dbfs, power_dbfs, to_mono

#: Length of the frames judged voice or quiet (s): short against a syllable, long enough for
#: two periods of a low male voice (80 Hz), so a level does not flicker with the waveform.
FRAME_S = 0.025
#: Voice starts at this many dB above the room's noise floor: well clear of its flicker
#: (a steady room varies by a few dB), well below a voice at arm's length (25–40 dB above
#: a quiet room).
START_MARGIN_DB = 12.0
#: Once started, a frame is quiet below this many dB above the floor: lower than the start
#: margin (hysteresis), so a syllable's soft end or a soft consonant is not a pause.
END_MARGIN_DB = 6.0
#: The voice threshold is never below this (dBFS): in a digitally silent input (a loopback,
#: a muted line) the floor is −120 dBFS and the faintest hiss would otherwise start a take.
MIN_VOICE_DBFS = -55.0
#: Voice must stay above the start threshold this long (s) to start the take: a click, a tap
#: on the desk or a chair creaking is shorter; a sung vowel lasts 0.3 s or more.
MIN_VOICE_S = 0.15
#: Quiet this long (s) after the voice ends the take: longer than any gap inside a sung phrase
#: (a consonant, a breath: under half a second even at the slowest tempo, 1.5 s a beat), short
#: enough that the patient is not left waiting for something to happen.
PAUSE_S = 1.2
#: With no voice this long (s) after the take started, it ends as "no voice" so the window can
#: say it heard nothing. Starting to speak can take people with aphasia several seconds.
NO_VOICE_S = 8.0
#: A take ends at this length (s) whatever is heard: the longest phrase allowed (20
#: syllables) at the slowest tempo (1.5 s a beat) lasts 30 s, and a steady noise (a fan
#: switched on mid-take) must not record for ever.
MAX_TAKE_S = 40.0
#: The scorer accepts a phrase sung up to 1.55× the target's length at no cost; a take may
#: last twice the target's length after the voice is given time to start (:func:`take_rules`).
MAX_LENGTH_FACTOR = 2.0
#: A room whose floor is above this (dBFS) is noisy: a voice at arm's length (about −25 dBFS)
#: would stand out by less than the start margin, so voice detection and scoring suffer.
NOISY_FLOOR_DBFS = -40.0

VOICE_START, TAKE_END = "voice-start", "end"
#: Why a take ended.
END_PAUSE, END_MAX_LENGTH, END_NO_VOICE, END_STOPPED = "pause", "max-length", "no-voice", "stopped"


@dataclass(frozen=True, kw_only=True)
class TakeRules:
    """When a take starts and ends; the defaults are the module's constants.

    Attributes
    ----------
    floor_dbfs : float
        The room's noise floor, measured before the take (:func:`noise_floor_dbfs`).
    start_margin_db, end_margin_db : float
        Voice starts above ``floor + start_margin_db`` (never below :data:`MIN_VOICE_DBFS`);
        once started, a frame is quiet below a threshold ``start_margin_db - end_margin_db``
        lower than that.
    min_voice_s : float
        How long the voice must last to start the take.
    pause_s : float
        Quiet after the voice that ends the take.
    no_voice_s : float
        The take ends when no voice started by then.
    max_length_s : float
        The take ends at this length.
    min_length_s : float
        No end on a pause, or for want of voice, before this (s): for a sing-along step, the
        target's length plus the latency, so the take lasts while the voice plays.
    """

    floor_dbfs: float
    start_margin_db: float = START_MARGIN_DB
    end_margin_db: float = END_MARGIN_DB
    min_voice_s: float = MIN_VOICE_S
    pause_s: float = PAUSE_S
    no_voice_s: float = NO_VOICE_S
    max_length_s: float = MAX_TAKE_S
    min_length_s: float = 0.0

    def __post_init__(self) -> None:
        for name in ("floor_dbfs", "start_margin_db", "end_margin_db", "min_voice_s", "pause_s",
                     "no_voice_s", "max_length_s", "min_length_s"):
            if not math.isfinite(getattr(self, name)):
                raise ParameterError(f"take rule {name} must be a finite number, not {getattr(self, name)}")
        if self.end_margin_db > self.start_margin_db:
            raise ParameterError("take rules: the end margin must not exceed the start margin")
        if min(self.min_voice_s, self.pause_s, self.no_voice_s, self.max_length_s) <= 0:
            raise ParameterError("take rules: durations must be positive")

    @property
    def start_dbfs(self) -> float:
        """Level (dBFS) above which a frame is voice, before the take has started."""
        return max(self.floor_dbfs + self.start_margin_db, MIN_VOICE_DBFS)

    @property
    def end_dbfs(self) -> float:
        """Level (dBFS) below which a frame is quiet, once the voice has started."""
        return self.start_dbfs - (self.start_margin_db - self.end_margin_db)


def take_rules(
    floor_dbfs: float, target_s: float = 0.0, *, sing_along: bool = False, latency_s: float = 0.0
) -> TakeRules:
    """The rules for a take at a step whose target lasts ``target_s`` seconds.

    The take may last :data:`MAX_LENGTH_FACTOR` times the target after :data:`NO_VOICE_S`
    (at least :data:`MAX_TAKE_S`); when the patient sings along, it lasts at least while
    the target plays and its sound comes back (``target_s + latency_s``).

    Examples
    --------
    >>> r = take_rules(-60.0, 10.0, sing_along=True, latency_s=0.2)
    >>> r.min_length_s, r.max_length_s, r.start_dbfs
    (10.2, 40.0, -48.0)
    """
    if target_s < 0 or latency_s < 0:
        raise ParameterError("target length and latency must not be negative")
    return TakeRules(
        floor_dbfs=floor_dbfs,
        max_length_s=max(MAX_TAKE_S, NO_VOICE_S + MAX_LENGTH_FACTOR * target_s),
        min_length_s=target_s + latency_s if sing_along else 0.0,
    )


@dataclass(frozen=True, kw_only=True)
class TakeEvent:
    """Something that happened in a take.

    Attributes
    ----------
    kind : str
        :data:`VOICE_START` or :data:`TAKE_END`.
    time_s : float
        Seconds from the take's first sample. For a voice start, where the voice began (not
        when it was recognised, :data:`MIN_VOICE_S` later); for an end, when the take ended.
    reason : str
        For an end: :data:`END_PAUSE`, :data:`END_MAX_LENGTH`, :data:`END_NO_VOICE` or
        :data:`END_STOPPED`.
    voice_end_s : float or None
        For an end after voice: where the last voice frame ended.
    """

    kind: str
    time_s: float
    reason: str = ""
    voice_end_s: float | None = None


def frame_levels_dbfs(y: np.ndarray, sr: int) -> np.ndarray:
    """RMS level (dBFS) of each whole :data:`FRAME_S` frame of ``y``; a partial last frame is left out."""
    n = frame_samples(sr)
    y = to_mono(y).astype(np.float64)
    k = len(y) // n
    return power_dbfs(np.mean(y[: k * n].reshape(k, n) ** 2, axis=1)) if k else np.zeros(0)


def frame_samples(sr: int) -> int:
    """Samples in one analysis frame at ``sr``."""
    if sr <= 0:
        raise ParameterError(f"sample rate must be positive, not {sr}")
    return max(round(FRAME_S * sr), 1)


def noise_floor_dbfs(y: np.ndarray, sr: int) -> float:
    """The room's noise floor: the median frame level of a recording of the quiet room.

    Record half a second or so before the take (or before the target plays). The median
    ignores a click or a short sound in it; a recording shorter than one frame gives its
    whole level.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> room = 0.001 * rng.standard_normal(8000)
    >>> room[4000:4100] = 0.9  # a click
    >>> round(noise_floor_dbfs(room, 16000))
    -60
    """
    levels = frame_levels_dbfs(y, sr)
    return float(np.median(levels)) if len(levels) else level_dbfs(y)


def is_noisy(floor_dbfs: float) -> bool:
    """Whether a room with this floor is too noisy for voice detection and scoring to work well.

    Examples
    --------
    >>> is_noisy(-62.0), is_noisy(-30.0)
    (False, True)
    """
    return floor_dbfs > NOISY_FLOOR_DBFS


class TakeDetector:
    """Voice start and take end from samples pushed block by block.

    Parameters
    ----------
    sr : int
        Sample rate of the blocks.
    rules : TakeRules
        When to start and end (:func:`take_rules` makes them for a step).

    Notes
    -----
    Pure and incremental: no clock, no device; the same samples give the same events
    whatever the block sizes. After the take has ended, pushes return no events (the
    recorder may still deliver a block). Time is counted in samples pushed, so call
    :meth:`push` with every sample the recorder gave, in order.

    Examples
    --------
    >>> sr = 16000
    >>> quiet = np.zeros(sr // 2, dtype=np.float32)
    >>> voice = 0.1 * np.sin(2 * np.pi * 150 * np.arange(sr) / sr).astype(np.float32)
    >>> d = TakeDetector(sr, TakeRules(floor_dbfs=-70.0))
    >>> [(e.kind, e.time_s) for e in d.push(np.concatenate([quiet, voice]))]
    [('voice-start', 0.5)]
    >>> d.push(quiet), d.quiet_s
    ((), 0.5)
    >>> [(e.kind, e.reason, e.time_s, e.voice_end_s) for e in d.push(np.zeros(2 * sr))]
    [('end', 'pause', 2.7, 1.5)]
    """

    def __init__(self, sr: int, rules: TakeRules) -> None:
        self.sr = int(sr)
        self.rules = rules
        self._n = frame_samples(self.sr)
        self._pending = np.zeros(0, dtype=np.float32)
        self._frames = 0  # frames judged so far
        self._run = 0  # consecutive loud frames before the start
        self._quiet = 0  # consecutive quiet frames after the start
        self._voice_start: int | None = None  # frame index
        self._voice_end: int | None = None  # frame index after the last voice frame
        self._end: TakeEvent | None = None
        self._frames_to_start = max(math.ceil(rules.min_voice_s / FRAME_S - 1e-9), 1)
        self._frames_to_pause = max(math.ceil(rules.pause_s / FRAME_S - 1e-9), 1)

    @property
    def started(self) -> bool:
        """Whether voice has started the take."""
        return self._voice_start is not None

    @property
    def voice_start_s(self) -> float | None:
        return None if self._voice_start is None else self._time(self._voice_start)

    @property
    def ended(self) -> TakeEvent | None:
        """The end event once the take has ended, else ``None``."""
        return self._end

    @property
    def seconds(self) -> float:
        """Seconds of audio judged so far (whole frames)."""
        return self._time(self._frames)

    @property
    def quiet_s(self) -> float:
        """Seconds of quiet since the voice's last frame (0 before the voice started, and while
        it sounds): the pause that ends the take once it reaches ``rules.pause_s``."""
        return self._time(self._quiet)

    def _time(self, frames: int) -> float:
        return round(frames * self._n / self.sr, 6)

    def push(self, block: np.ndarray) -> tuple[TakeEvent, ...]:
        """Judge newly recorded samples; returns the events they brought (often none)."""
        if self._end is not None:
            return ()
        y = np.concatenate([self._pending, to_mono(block)])
        k = len(y) // self._n
        self._pending = y[k * self._n :]
        if k == 0:
            return ()
        levels = frame_levels_dbfs(y[: k * self._n], self.sr)
        events: list[TakeEvent] = []
        for level in levels:
            self._frame(float(level), events)
            if self._end is not None:
                break
        return tuple(events)

    def stop(self) -> TakeEvent:
        """End the take now (the patient pressed Space); returns the end event."""
        if self._end is None:
            self._end = self._end_event(END_STOPPED, self._frames)
        return self._end

    def _end_event(self, reason: str, frame: int) -> TakeEvent:
        end = None if self._voice_end is None else self._time(self._voice_end)
        return TakeEvent(kind=TAKE_END, time_s=self._time(frame), reason=reason, voice_end_s=end)

    def _frame(self, level: float, events: list[TakeEvent]) -> None:
        rules = self.rules
        i = self._frames
        self._frames += 1
        now = self._time(self._frames)
        end = None
        if self._voice_start is None:
            self._run = self._run + 1 if level >= rules.start_dbfs else 0
            if self._run >= self._frames_to_start:
                self._voice_start = i + 1 - self._run
                self._voice_end = i + 1
                events.append(TakeEvent(kind=VOICE_START, time_s=self._time(self._voice_start)))
            elif now >= max(rules.no_voice_s, rules.min_length_s):
                end = END_NO_VOICE
        else:
            if level >= rules.end_dbfs:
                self._quiet = 0
                self._voice_end = i + 1
            else:
                self._quiet += 1
            if self._quiet >= self._frames_to_pause and now >= rules.min_length_s:
                end = END_PAUSE
        if end is None and now >= rules.max_length_s:
            end = END_MAX_LENGTH
        if end is not None:
            self._end = self._end_event(end, self._frames)
            events.append(self._end)
