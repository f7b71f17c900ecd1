"""SwiftF0 (the ``swift-f0`` package, MIT) on the app's frame grid.

SwiftF0 (Nieradzik, "SwiftF0: Fast and Accurate Monophonic Pitch Detection", 2025) is a
small convolutional network over a spectrogram: a 135 kB ONNX file inside the package's
wheel, run by the onnxruntime the app already has; nothing is downloaded. It gives one f0 and
one voicing confidence (calibrated so that a frame is voiced at 0.5 or above) per 256 samples
at 16 kHz, frame ``j`` centred on sample ``j * 256`` (16 ms apart), from 46.875 to 2093.75 Hz.

The rest of the app expects frame ``i`` centred on ``i * hop`` with ``1 + n // hop`` frames
(10 ms by default), so the network's frames are interpolated onto that grid
(:func:`to_grid`): the confidence linearly, the pitch linearly in cents between two
neighbours less than :data:`MAX_BLEND_CENTS` apart and otherwise taken from the nearer one, so
a jump between two notes is never blended into a pitch nobody sang. The network's 2048-sample
(128 ms) analysis window makes its contour smooth on that scale: running it again with the
audio shifted by 32–192 samples, so that its own frames fall between the first run's, gives
pitches within 3 cents of the interpolated ones on a two-octave glide (``docs/pitch.md``).

The signal gets :data:`END_PADDING` zeros at its end, so the network has a frame at or after
the centre of the grid's last frame, and the live tracker (:class:`SwiftFrames`) pads the
same zeros at ``finish``: batch and stream see the same samples.

The package gates digital silence itself (a 256-sample hop whose peak is below 1e-3 gets
confidence 0) and does not normalise the level: a tone peaking at -40 dBFS keeps a median
confidence of about 0.55, at -50 dBFS about 0.2, and sung targets scaled to a -50 dBFS peak
lost syllables (``docs/pitch.md``). So :func:`swift_track`, which has the whole take, raises a
take peaking below :data:`LOUD_PEAK` to that peak (by at most :data:`MAX_GAIN`). The live
tracker cannot know the take's peak in advance and applies no gain: it equals the batch
tracker for takes peaking at -20 dBFS or above.
"""

from __future__ import annotations

import functools

import numpy as np

from mitpractice.errors import ModelUnavailableError
from mitpractice.pitch.track import LiveFrames, PitchTrack

#: The network's sample rate, and samples between its frames (16 ms).
SR = 16000
MODEL_HOP = 256
#: Zeros appended to the signal: two network frames, so a frame exists at or after the
#: centre of the grid's last frame (at most ``len(y)``) whatever the length.
END_PADDING = 2 * MODEL_HOP
#: Two neighbouring network frames further apart than this (cents) are a jump between notes,
#: not a glide: a grid frame between them takes the nearer frame's pitch. The fastest glide of
#: the benchmark moves about 3 cents per 16 ms, vibrato at ±50 cents and 5.5 Hz up to 28 cents,
#: while the MIT pattern jumps 300 cents (a minor third).
MAX_BLEND_CENTS = 100.0
#: Peak (-20 dBFS) from which the network's confidence hardly depends on the level (median
#: 0.973 on a sung-vowel tone, 0.995 at 0 dBFS; 0.886 at -30, 0.555 at -40): a quieter take is
#: raised to it before tracking.
LOUD_PEAK = 0.1
#: Most gain (+40 dB) given to a quiet take: one peaking at -60 dBFS reaches -20; a quieter
#: one (a noise floor, not a voice) gets the same +40 dB and stays below a voice's level.
MAX_GAIN = 100.0
#: Name of the model in :data:`mitpractice.pitch.MODELS` and on every track it makes.
NAME = "swift-f0"
#: onnxruntime threads, as for CREPE: the app has two cores.
THREADS = 2


def load_detector():
    """The package's detector (``swift_f0.SwiftF0``), loaded once per process.

    Its idle threads sleep between calls (``spin=False``), which matters for the live
    tracker's many small calls on two shared cores.

    Raises
    ------
    ModelUnavailableError
        If the ``swift-f0`` package is not installed.
    """
    try:
        import swift_f0
    except ImportError:
        raise ModelUnavailableError("swift-f0 is not installed: pip install swift-f0") from None
    if swift_f0.SAMPLE_RATE != SR or round(swift_f0.FRAME_PERIOD * SR) != MODEL_HOP:
        raise ModelUnavailableError(
            f"swift-f0 {swift_f0.__version__} does not use 16 ms frames at 16 kHz: pip install 'swift-f0<0.4'"
        )
    return _detector()


@functools.cache
def _detector():
    import swift_f0

    return swift_f0.SwiftF0(threads=THREADS, spin=False)


def to_grid(f0: np.ndarray, confidence: np.ndarray, hop: int, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Network frames (every 256 samples) interpolated onto ``n_frames`` frames every ``hop``.

    Grid frame ``i`` is centred on sample ``i * hop``; it needs the network frames
    ``floor(i * hop / 256)`` and the one after, which the caller must supply.

    Examples
    --------
    >>> f0, conf = to_grid(np.array([200.0, 200.0, 300.0]), np.array([0.0, 1.0, 1.0]), 160, 4)
    >>> f0.tolist(), conf.round(3).tolist()
    ([200.0, 200.0, 200.0, 300.0], [0.0, 0.625, 1.0, 1.0])
    """
    return interpolate(f0, confidence, np.arange(n_frames) * hop / MODEL_HOP)


def level_gain(y16: np.ndarray) -> float:
    """The gain that raises a take peaking below :data:`LOUD_PEAK` to it (at most :data:`MAX_GAIN`).

    Examples
    --------
    >>> level_gain(np.array([0.5, -0.2])), level_gain(np.array([0.001, 0.0])), level_gain(np.zeros(3))
    (1.0, 100.0, 1.0)
    """
    peak = float(np.abs(y16).max()) if len(y16) else 0.0
    if peak == 0.0 or peak >= LOUD_PEAK:
        return 1.0
    return min(MAX_GAIN, LOUD_PEAK / peak)


def swift_track(y16: np.ndarray, hop: int) -> PitchTrack:
    """Track ``y16`` (mono, 16 kHz) with SwiftF0, on frames centred every ``hop`` samples.

    There are ``1 + len(y16) // hop`` frames, as for every model. A take peaking below
    :data:`LOUD_PEAK` is first raised to it (:func:`level_gain`).

    Examples
    --------
    >>> t = np.arange(16000) / 16000
    >>> track = swift_track(0.5 * np.sin(2 * np.pi * 220 * t).astype(np.float32), 160)
    >>> len(track), bool(abs(np.median(track.f0_hz[track.voiced()]) - 220) < 2)
    (101, True)
    """
    y16 = np.asarray(y16, dtype=np.float32)
    gain = level_gain(y16)
    if gain != 1.0:
        y16 = (y16 * np.float32(gain)).astype(np.float32)
    padded = np.concatenate([y16, np.zeros(END_PADDING, dtype=np.float32)])
    result = load_detector().detect(padded, SR)
    n_frames = 1 + len(y16) // hop
    f0, confidence = to_grid(result.pitch_hz, result.confidence, hop, n_frames)
    return PitchTrack(np.arange(n_frames) * hop / SR, f0, confidence, NAME)


class SwiftFrames(LiveFrames):
    """Live SwiftF0 on the grid: 16 kHz samples in, grid frames out as soon as they are final.

    The package's stream returns a network frame once 176 ms of audio after it have arrived
    (its receptive field); a grid frame follows once the network frame after its centre is
    out. :class:`mitpractice.pitch.PitchStream` wraps this for any rate and chunk shape.
    No level gain is applied (the take's peak is not known yet), so the frames equal
    :func:`swift_track`'s for takes peaking at :data:`LOUD_PEAK` or above.
    """

    def __init__(self, hop: int):
        self.hop = hop
        self._stream = load_detector().stream()
        self._f0 = np.zeros(0)
        self._confidence = np.zeros(0)
        self._first = 0  # network index of self._f0[0]
        self._received = 0
        self._next_frame = 0

    @property
    def frames_done(self) -> int:
        return self._next_frame

    def push(self, y16: np.ndarray) -> PitchTrack:
        y16 = np.asarray(y16, dtype=np.float32)
        self._received += len(y16)
        if len(y16):
            self._take(self._stream.push(y16, SR))
        n_model = self._first + len(self._f0)
        # Grid frame i needs network frame floor(i * hop / 256) + 1 < n_model.
        ready = ((n_model - 1) * MODEL_HOP - 1) // self.hop + 1 if n_model > 1 else 0
        return self._frames_until(ready)

    def finish(self) -> PitchTrack:
        self._take(self._stream.push(np.zeros(END_PADDING, dtype=np.float32), SR))
        self._take(self._stream.flush())
        return self._frames_until(1 + self._received // self.hop)

    def _take(self, result) -> None:
        self._f0 = np.concatenate([self._f0, result.pitch_hz])
        self._confidence = np.concatenate([self._confidence, result.confidence])

    def _frames_until(self, stop: int) -> PitchTrack:
        """Grid frames ``frames_done .. stop - 1``; then forget network frames no later one needs."""
        start = self._next_frame
        if stop <= start:
            return PitchTrack.empty(NAME)
        # Positions counted from the first network frame kept (exact: integers over 256).
        index = np.arange(start, stop)
        position = (index * self.hop - self._first * MODEL_HOP) / MODEL_HOP
        f0, confidence = interpolate(self._f0, self._confidence, position)
        self._next_frame = stop
        # The next grid frame needs network frames from floor(stop * hop / 256) on; with a hop
        # longer than 256 samples those may not have arrived yet.
        drop = min(max(0, (stop * self.hop) // MODEL_HOP - self._first), len(self._f0))
        if drop:
            self._f0, self._confidence = self._f0[drop:], self._confidence[drop:]
            self._first += drop
        return PitchTrack(index * self.hop / SR, f0, confidence, NAME)


def interpolate(
    f0: np.ndarray, confidence: np.ndarray, position: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pitch and confidence at fractional ``position`` (in network frames from ``f0[0]``).

    The confidence is interpolated linearly; the pitch linearly in cents where the two
    neighbours are at most :data:`MAX_BLEND_CENTS` apart, else it is the nearer one's.
    """
    left = np.floor(position).astype(int)
    weight = position - left
    right = np.minimum(left + 1, len(f0) - 1)
    cents = 1200 * np.log2(f0[right] / f0[left])
    blended = f0[left] * 2.0 ** (weight * cents / 1200)
    nearer = np.where(weight < 0.5, f0[left], f0[right])
    f0_grid = np.where(np.abs(cents) <= MAX_BLEND_CENTS, blended, nearer)
    conf_grid = (1 - weight) * confidence[left] + weight * confidence[right]
    return f0_grid, np.clip(conf_grid, 0.0, 1.0)
