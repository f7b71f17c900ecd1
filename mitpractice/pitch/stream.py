"""Live pitch tracking: CREPE or SwiftF0 frames as soon as the recording has reached them.

The GUI records into a ring buffer and, on a timer, hands whatever arrived to
:meth:`PitchStream.push`; the frames it returns can be drawn at once. When the attempt ends,
:meth:`PitchStream.finish` returns the last frames, whose windows reach past the end and are
padded with zeros exactly as the batch tracker pads them. The frames of all calls together
are the frames :func:`mitpractice.pitch.track_pitch` returns for the whole recording: the
resampler is soxr's streaming form of the same filter, and every frame sees the same samples.

CREPE gives a frame once the recording is 512 samples (32 ms) past its centre; SwiftF0 once
it is 176–192 ms past (its network's receptive field, then the next 16 ms network frame that
the grid frame is interpolated from). The live pitch line uses CREPE for that reason.
"""

from __future__ import annotations

import numpy as np
import soxr

from mitpractice.audiofile import RESAMPLE_QUALITY
from mitpractice.errors import ParameterError
from mitpractice.levels import to_mono
from mitpractice.pitch import crepe, swift
from mitpractice.pitch.core import SR, check_model, hop_samples
from mitpractice.pitch.track import LiveFrames, PitchTrack

_HALF = crepe.FRAME_LENGTH // 2
#: Most samples at 16 kHz a frame waits for after its centre, by kind of model: CREPE's half
#: window; SwiftF0's 11 network frames of receptive field plus the network frame after the
#: centre, which the grid frame is interpolated from.
_LOOKAHEAD = {"crepe": _HALF, "swift": 12 * swift.MODEL_HOP}


class PitchStream:
    """Track pitch of audio that arrives in chunks of any size, at any sample rate.

    Parameters
    ----------
    sr : int
        Sample rate of the chunks.
    model : str
        A CREPE model name (``crepe-tiny`` ... ``crepe-full``) or ``swift-f0``. pYIN and
        Viterbi decoding smooth over the whole recording, so they cannot give a frame before
        the end; use :func:`~mitpractice.pitch.track_pitch` on the saved attempt for those.
    hop_s : float
        Seconds between frames, as in ``track_pitch``.

    Notes
    -----
    Not thread-safe: call ``push`` and ``finish`` from one thread (e.g. the GUI's timer), not
    from the audio callback, which should only copy samples into the ring buffer.
    The model is loaded when the stream is made, so the first ``push`` is not slow.

    Examples
    --------
    >>> stream = PitchStream(8000)
    >>> chunk = np.sin(2 * np.pi * 220 * np.arange(4000) / 8000)
    >>> first, rest = stream.push(chunk), stream.finish()
    >>> len(first) + len(rest), float(first.times[1])
    (51, 0.01)
    """

    def __init__(self, sr: int, model: str = "crepe-tiny", *, hop_s: float = 0.01):
        check_model(model)
        if not (model.startswith("crepe-") or model == swift.NAME):
            raise ParameterError(f"{model} cannot track live (it needs the whole recording); use crepe")
        if sr <= 0:
            raise ParameterError(f"sample rate must be positive, not {sr}")
        self.sr = int(sr)
        self.model = model
        self.hop = hop_samples(hop_s)
        self._frames: LiveFrames = (
            _CrepeFrames(model, self.hop) if model.startswith("crepe-") else swift.SwiftFrames(self.hop)
        )
        self._resampler = None
        if self.sr != SR:
            self._resampler = soxr.ResampleStream(self.sr, SR, 1, dtype="float32", quality=RESAMPLE_QUALITY)
        self._received = 0
        self._finished = False

    @property
    def frames_done(self) -> int:
        """How many frames have been returned so far."""
        return self._frames.frames_done

    @property
    def lookahead_s(self) -> float:
        """The longest a frame waits after its centre for the recording: 0.032 s for CREPE, 0.192
        s for SwiftF0 (plus the resampler's short delay at other rates).

        Examples
        --------
        >>> PitchStream(16000).lookahead_s, PitchStream(16000, "swift-f0").lookahead_s
        (0.032, 0.192)
        """
        return _LOOKAHEAD["crepe" if self.model.startswith("crepe-") else "swift"] / SR

    def push(self, chunk: np.ndarray) -> PitchTrack:
        """Add recorded samples; returns the frames they completed (possibly none).

        ``chunk`` is shape (n,) or (n, channels), which are averaged, like ``load_audio``.
        """
        if self._finished:
            raise ParameterError("this pitch stream is finished; start a new one")
        y = to_mono(chunk)
        if not np.all(np.isfinite(y)):
            raise ParameterError("audio chunk holds samples that are not numbers")
        if self._resampler is not None:
            y = self._resampler.resample_chunk(y)
        self._received += len(y)
        return self._frames.push(y)

    def finish(self) -> PitchTrack:
        """The remaining frames, up to ``1 + n // hop`` for the ``n`` samples at 16 kHz.

        Raises ParameterError if no sample was ever pushed.
        """
        if self._finished:
            raise ParameterError("this pitch stream is already finished")
        tail = np.zeros(0, dtype=np.float32)
        if self._resampler is not None:
            tail = self._resampler.resample_chunk(tail, last=True)
        self._received += len(tail)
        if self._received == 0:
            raise ParameterError("pitch tracking needs at least one audio sample")
        self._finished = True
        return PitchTrack.concatenate([self._frames.push(tail), self._frames.finish()])



class _CrepeFrames(LiveFrames):
    """Live CREPE: 16 kHz samples in, each frame out once the recording is 512 samples past it."""

    def __init__(self, model: str, hop: int):
        self.model = model
        self.hop = hop
        self._network = crepe.load_model(model.removeprefix("crepe-"))
        # Samples at 16 kHz from absolute index self._start on; the zeros stand for the padding
        # before the first sample, which the first frames' windows reach into.
        self._buffer = np.zeros(_HALF, dtype=np.float32)
        self._start = -_HALF
        self._received = 0
        self._next_frame = 0

    @property
    def frames_done(self) -> int:
        return self._next_frame

    def push(self, y16: np.ndarray) -> PitchTrack:
        if len(y16):
            self._buffer = np.concatenate([self._buffer, y16.astype(np.float32, copy=False)])
            self._received += len(y16)
        ready = (self._received - _HALF) // self.hop + 1 if self._received >= _HALF else 0
        return self._frames_until(ready)

    def finish(self) -> PitchTrack:
        # The windows past the end reach into zeros, as in the batch tracker.
        self._buffer = np.concatenate([self._buffer, np.zeros(_HALF, dtype=np.float32)])
        return self._frames_until(1 + self._received // self.hop)

    def _frames_until(self, stop: int) -> PitchTrack:
        """Frames ``self._next_frame .. stop - 1``; then forget samples no later frame needs."""
        index = np.arange(self._next_frame, stop)
        if len(index) == 0:
            return PitchTrack.empty(self.model)
        offsets = index * self.hop - _HALF - self._start
        windows = np.lib.stride_tricks.sliding_window_view(self._buffer, crepe.FRAME_LENGTH)
        frames = crepe.normalise_frames(windows[offsets].astype(np.float32, copy=False))
        activation = self._network.activation(frames)
        f0, confidence = crepe.decode(activation)
        self._next_frame = max(self._next_frame, stop)
        drop = self._next_frame * self.hop - _HALF - self._start
        if drop > 0:
            self._buffer = self._buffer[drop:]
            self._start += drop
        return PitchTrack(index * self.hop / SR, f0, confidence, self.model)
