"""The app's own voice in the microphone: measured once, subtracted, and masked for the scorer.

On a laptop's speaker and microphone, a sing-along take holds the patient *and* the target as
the room sends it back, one round trip late. Adaptive cancellers (WebRTC AEC3, NLMS) need
stretches of the app's voice alone to converge, and a sing-along take has next to none
(docs/room.md has the measurements). The room, though, does not change within a session, and
the click test is single talk: the app plays a known sound and nobody sings. So:

1. :func:`measure_echo_path` estimates the room's response (delay, gain, impulse response)
   from the click test's recording by regularised deconvolution, and how much of the echo
   subtracting through it takes off there. No leak measured (headphones): ``None``, and the
   take is scored as before.
2. :class:`EchoCanceller` predicts the echo of what the take plays through that *fixed*
   response and subtracts it from the microphone's samples as they arrive (no adaptation, so
   no double-talk problem).
3. What is left of the echo is still a pitched voice a tracker follows, so
   :meth:`EchoCanceller.echo_frames` marks the frames whose level after cancelling is not
   clearly above the echo predicted to be left there: they are the app's voice, not the
   patient, and are set unvoiced before scoring.

Pure numpy/scipy; the take path (:class:`~mitpractice.practice.live.LiveTake`) uses it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace

import numpy as np
from scipy.signal import butter, fftconvolve, sosfilt

from mitpractice.errors import ParameterError
from mitpractice.levels import power_dbfs, to_mono

#: Length of the room's response kept (s): a living room's reverberation time is 0.3–0.5 s,
#: and the tail after 0.35 s is 20 dB or more down, under what the mask leaves to chance.
RESPONSE_S = 0.35
#: The response is kept from this long before the measured round trip (s): the direct sound's
#: onset is smeared by the speaker and the click's own width (1 ms), and a round trip is
#: measured to a block's timing (a couple of ms).
PRE_DELAY_S = 0.005
#: Regularisation of the deconvolution, relative to the played sound's strongest bin: where
#: the click carries no energy the response is left near zero instead of dividing noise by
#: nothing (Tikhonov; 1e-3 keeps the voice's band, 100 Hz–2 kHz for a 1 ms click, exact).
REGULARISATION = 1e-3
#: Below this echo return (dB, echo energy against the played sound's) no leak is measured:
#: headphones, or a microphone far from the speaker. A laptop's own leak is −30 to 0 dB.
NO_LEAK_DB = -40.0
#: Subtracting through the measured response must take at least this much (dB) off the
#: click test's echo, or what was measured is not the room's response (a noise burst, a
#: device that changed buffering) and nothing is cancelled.
MIN_CANCELLATION_DB = 6.0
#: At most this much cancellation (dB) is trusted in a take, whatever the click test gave:
#: the room changes a little (someone moves, the laptop's lid), and a clean click test in a
#: quiet room measures more than a take will see.
MAX_TRUSTED_CANCELLATION_DB = 15.0
#: A frame is the patient's only when its level after cancelling is this many dB above the
#: echo predicted to be left there: a sung vowel is 10 dB or more above it even with the
#: leak only 3 dB under the patient; the echo left flickers by a few dB.
MASK_MARGIN_DB = 6.0
#: The response is exact only where the played sound carried energy: the mask judges levels
#: below the highest frequency whose power is within this many dB of the played sound's
#: strongest (a 1 ms click: about 1.4 kHz, above a sung voice's fundamental and first
#: harmonics; above it the click test says little and the echo is barely taken off).
BAND_DB = 20.0
#: Order of the low-pass filter that keeps that band for the mask's levels.
BAND_FILTER_ORDER = 4
#: The echo must be in the take: with the path measured on the speaker and the take sung
#: with headphones, subtracting the predicted echo would add the voice, inverted. Where the
#: echo is predicted clearly above the room, the microphone is then this many dB or more
#: under the prediction (the patient's gaps); with the echo there, it never is (the echo
#: plus anything else is at least the echo).
MISSING_ECHO_DB = 10.0
#: ... in more than this share of those frames: the echo is not in the take.
MISSING_ECHO_SHARE = 0.2
#: The room's level is this percentile of the take's frame levels (a take opens on the room's
#: quiet, measured before the target plays).
ROOM_PERCENTILE = 10.0
#: A take's round trip is not the click test's: a sound server places a stream's first sample
#: to within tens of milliseconds, and more on a busy machine (seen: 0.11 s). So each take
#: finds its echo: the microphone against the predicted echo, this far (s) either side of
#: where the click test puts it.
ALIGN_SEARCH_S = 0.15
#: ... over this much of the echo (s) from its first sound: two syllables or so, so the live
#: pitch line waits little at the take's start (0.75 s lost the echo in a held-out room).
ALIGN_S = 1.0
#: The lag is found by a partly whitened cross-correlation (GCC with the cross-spectrum's
#: magnitude to this power) within the response's band: plain correlation peaks a vowel's
#: period away, full whitening (PHAT, 1.0) follows the hiss outside the voice's harmonics.
ALIGN_WHITENING = 0.7
#: The echo is found when the microphone's correlation with the predicted echo peaks above
#: this (normalised): with the patient singing 12 dB over the echo it is about 0.25, with no
#: echo (headphones) under 0.1.
MIN_ALIGN_CORRELATION = 0.15
#: Frames are judged on the level over this window (s) around their centre: a little shorter
#: than a sung syllable's vowel, longer than a pitch period of a low voice.
LEVEL_WINDOW_S = 0.04
#: Hop of the level envelopes (s), CREPE's frame hop.
LEVEL_HOP_S = 0.01


_PATH_FIELDS = ("sr", "offset_s", "return_db", "cancellation_db", "band_hz")


@dataclass(frozen=True, kw_only=True)
class EchoPath:
    """The room's response from the app's speaker to its microphone, measured in the click test.

    Attributes
    ----------
    sr : int
        Sample rate of :attr:`response` (the recorder's).
    response : np.ndarray
        Impulse response from a sample handed to the speaker to the microphone, starting
        :attr:`offset_s` after it was handed over.
    offset_s : float
        Where :attr:`response` starts: the measured round trip less :data:`PRE_DELAY_S`
        (negative for a round trip shorter than that: a loopback with no hardware between).
    return_db : float
        Echo energy against the played sound's (dB): how loud the leak is.
    cancellation_db : float
        How much subtracting through :attr:`response` took off the click test's own echo,
        below :attr:`band_hz`.
    band_hz : float
        The band where the response is exact (:data:`BAND_DB`); the mask judges levels in it.
    """

    sr: int
    response: np.ndarray
    offset_s: float
    return_db: float
    cancellation_db: float
    band_hz: float

    def __post_init__(self) -> None:
        # Kept at half precision, as each sing-along attempt stores it (:class:`EchoRecord`):
        # the response is measured to 25 dB at best, half precision's rounding is some 65 dB
        # down, and a take scored again then uses the very numbers the live take used.
        object.__setattr__(self, "response", np.asarray(self.response, np.float16).astype(np.float32))

    def to_json(self) -> dict:
        """The path as a JSON object (the response as base64 half-precision samples)."""
        fields = {name: getattr(self, name) for name in _PATH_FIELDS}
        fields["response"] = base64.b64encode(self.response.astype("<f2").tobytes()).decode("ascii")
        fields["dtype"] = "<f2"
        return fields

    @classmethod
    def from_json(cls, d: dict) -> EchoPath:
        """A path kept by :meth:`to_json` (or, response in ``<f4``, by an older :meth:`to_text`).

        Raises ValueError, KeyError or TypeError for anything else.

        Examples
        --------
        >>> old = {"sr": 16000, "offset_s": 0.2, "return_db": -5.1, "cancellation_db": 22.0,
        ...        "band_hz": 1700.0, "response": base64.b64encode(np.array([0.1], "<f4").tobytes())}
        >>> EchoPath.from_json(old).response.tolist()  # kept at half precision
        [0.0999755859375]
        """
        dtype = d.get("dtype", "<f4")
        if dtype not in ("<f2", "<f4"):
            raise ValueError(f"unknown sample type {dtype!r}")
        response = np.frombuffer(base64.b64decode(d["response"]), dtype)
        return cls(sr=int(d["sr"]), response=response, offset_s=float(d["offset_s"]),
                   return_db=float(d["return_db"]), cancellation_db=float(d["cancellation_db"]),
                   band_hz=float(d["band_hz"]))

    def to_text(self) -> str:
        """The path as one line of JSON, to keep as a setting.

        Examples
        --------
        >>> p = EchoPath(sr=16000, response=np.array([0.5, -0.25], np.float32), offset_s=0.2,
        ...              return_db=-5.1, cancellation_db=22.0, band_hz=1700.0)
        >>> q = EchoPath.from_text(p.to_text())
        >>> q.response.tolist(), q.offset_s, q.band_hz
        ([0.5, -0.25], 0.2, 1700.0)
        """
        return json.dumps(self.to_json())

    @classmethod
    def from_text(cls, text: str) -> EchoPath | None:
        """A path kept by :meth:`to_text`; ``None`` for anything else (an old or damaged setting)."""
        try:
            return cls.from_json(json.loads(text))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def band_filter(self) -> np.ndarray:
        """The low-pass (second-order sections) that keeps :attr:`band_hz`."""
        return butter(BAND_FILTER_ORDER, min(self.band_hz, 0.45 * self.sr), "low", fs=self.sr, output="sos")

    @property
    def trusted_cancellation_db(self) -> float:
        """The cancellation a take can count on (at most :data:`MAX_TRUSTED_CANCELLATION_DB`)."""
        return min(self.cancellation_db, MAX_TRUSTED_CANCELLATION_DB)


@dataclass(frozen=True, kw_only=True)
class EchoRecord:
    """How a take handled the app's voice, kept with the stored attempt (and in the journal of
    a take in progress) so that scoring the raw recording again handles it the same way.

    Attributes
    ----------
    path : EchoPath
        The room's response the take was given.
    played_at_s : float or None
        Where, in the take, the target's first sample was handed to the speaker as the echo
        puts it (:func:`echo_found_at` less the path's offset): the canceller's start.
        ``None``: the echo was not found, and nothing was taken off.

    Examples
    --------
    >>> path = EchoPath(sr=16000, response=np.array([0.5, -0.25]), offset_s=0.2, return_db=-5.1,
    ...                 cancellation_db=22.0, band_hz=1700.0)
    >>> r = EchoRecord.from_json(EchoRecord(path=path, played_at_s=0.512).to_json())
    >>> r.played_at_s, r.path.response.tolist()
    (0.512, [0.5, -0.25])
    """

    path: EchoPath
    played_at_s: float | None

    def to_json(self) -> dict:
        return {"path": self.path.to_json(), "played_at_s": self.played_at_s}

    @classmethod
    def from_json(cls, d: dict) -> EchoRecord:
        """A record kept by :meth:`to_json`; raises ValueError, KeyError or TypeError otherwise."""
        at = d["played_at_s"]
        return cls(path=EchoPath.from_json(d["path"]), played_at_s=None if at is None else float(at))


def measure_echo_path(
    played: np.ndarray, recorded: np.ndarray, sr: int, *, latency_s: float
) -> EchoPath | None:
    """The room's response from a recording of a known sound played alone (the click test).

    Parameters
    ----------
    played : np.ndarray
        What was handed to the speaker.
    recorded : np.ndarray
        What the microphone heard, its first sample when ``played``'s first was handed over.
    sr : int
        Sample rate of both.
    latency_s : float
        The measured round trip (:func:`mitpractice.audio.round_trip_latency`).

    Returns
    -------
    EchoPath or None
        ``None`` when no leak is measured (headphones) or subtracting through the measured
        response would not take the echo off (:data:`MIN_CANCELLATION_DB`).

    Examples
    --------
    >>> sr = 16000
    >>> clicks = np.zeros(sr); clicks[[1000, 5000, 9000]] = 0.8
    >>> room = np.zeros(1200); room[800] = 0.5; room[1100] = -0.2
    >>> hiss = 1e-4 * np.random.default_rng(0).standard_normal(20000)
    >>> heard = np.pad(fftconvolve(clicks, room), (0, 2801)) + hiss
    >>> path = measure_echo_path(clicks, heard, sr, latency_s=0.05)
    >>> round(path.offset_s, 3), round(path.return_db, 1), path.cancellation_db > 20, path.band_hz > 5000
    (0.045, -5.9, True, True)
    >>> measure_echo_path(clicks, hiss, sr, latency_s=0.05) is None  # headphones
    True
    """
    if sr <= 0:
        raise ParameterError(f"sample rate must be positive, not {sr}")
    x = to_mono(played).astype(np.float64)
    y = to_mono(recorded).astype(np.float64)
    if not len(x) or not len(y) or not np.any(x):
        return None
    # A round trip under PRE_DELAY_S (a loopback with no hardware between, measured a hair
    # below zero and clamped) starts the response before the clicks were handed over: the
    # deconvolution is circular, so those lags lie at its end.
    start = round((latency_s - PRE_DELAY_S) * sr)
    length = round(RESPONSE_S * sr)
    n = 1 << int(np.ceil(np.log2(len(y) + len(x))))
    X, Y = np.fft.rfft(x, n), np.fft.rfft(y, n)
    power = np.abs(X) ** 2
    h = np.fft.irfft(Y * np.conj(X) / (power + REGULARISATION * power.max()), n)
    response = np.roll(h, -start)[:length]
    echo_return_db = 10.0 * np.log10(max(float(np.sum(response**2)), 1e-30))
    if echo_return_db < NO_LEAK_DB:
        return None
    strong = np.flatnonzero(power >= power.max() * 10 ** (-BAND_DB / 10))
    band_hz = float(strong[-1] * sr / n)
    path = EchoPath(sr=int(sr), response=response.astype(np.float32), offset_s=start / sr,
                    return_db=round(float(echo_return_db), 2), cancellation_db=0.0, band_hz=round(band_hz, 1))
    sos = path.band_filter()
    predicted = _delayed(fftconvolve(x, path.response.astype(np.float64)), start, len(y))
    heard = float(np.sum(sosfilt(sos, y)[max(start, 0):] ** 2))
    left = float(np.sum(sosfilt(sos, y - predicted)[max(start, 0):] ** 2))
    cancellation = 10.0 * np.log10(max(heard, 1e-30) / max(left, 1e-30))
    if cancellation < MIN_CANCELLATION_DB:
        return None
    return replace(path, cancellation_db=round(float(cancellation), 2))


def echo_found_at(
    path: EchoPath, played: np.ndarray, heard: np.ndarray, *, expected_s: float
) -> float | None:
    """Where, in ``heard`` (s), the echo of ``played`` as ``path`` predicts it begins, searched
    :data:`ALIGN_SEARCH_S` either side of ``expected_s``; ``None`` if it is not there.

    Give it :func:`align_needs_s` of ``heard``: the echo's first :data:`ALIGN_S` are compared.

    Examples
    --------
    >>> sr = 16000
    >>> path = EchoPath(sr=sr, response=np.r_[1.0, np.zeros(99), 0.3], offset_s=0.0, return_db=0.0,
    ...                 cancellation_db=30.0, band_hz=4000.0)
    >>> voice = np.random.default_rng(1).standard_normal(sr)
    >>> heard = np.zeros(2 * sr)
    >>> heard[4000 : 4000 + sr] += 0.5 * voice; heard[4100 : 4100 + sr] += 0.15 * voice
    >>> echo_found_at(path, voice, heard, expected_s=0.2)
    0.25
    >>> hiss = 0.01 * np.random.default_rng(2).standard_normal(2 * sr)  # headphones
    >>> echo_found_at(path, voice, hiss, expected_s=0.2) is None
    True
    """
    sr = path.sr
    echo = fftconvolve(to_mono(played).astype(np.float64), path.response.astype(np.float64))
    if not np.any(echo):
        return None
    first = _first_sound(echo)
    echo = echo[first : first + round(ALIGN_S * sr)]
    heard = to_mono(heard).astype(np.float64)
    lo = max(0, round((expected_s - ALIGN_SEARCH_S) * sr) + first)
    hi = min(len(heard) - len(echo), round((expected_s + ALIGN_SEARCH_S) * sr) + first)
    if hi <= lo:
        return None
    segment = heard[lo : hi + len(echo)]
    n = 1 << int(np.ceil(np.log2(len(segment) + len(echo))))
    cross = np.fft.rfft(segment, n) * np.conj(np.fft.rfft(echo, n))
    cross[np.fft.rfftfreq(n, 1.0 / sr) > path.band_hz] = 0.0
    if not np.any(cross):  # the microphone heard nothing in the echo's band: no echo to find
        return None
    weight = np.maximum(np.abs(cross), 1e-12 * np.abs(cross).max()) ** ALIGN_WHITENING
    gcc = np.fft.irfft(cross / weight, n)
    best = int(np.argmax(gcc[: hi - lo + 1]))
    # Whether it is there at all: the plain correlation at that lag, normalised.
    part = segment[best : best + len(echo)]
    energy = float(np.dot(part, part)) * float(np.dot(echo, echo))
    norm = float(np.dot(part, echo)) / np.sqrt(max(energy, 1e-30))
    if norm < MIN_ALIGN_CORRELATION:
        return None
    return round((lo + best - first) / sr, 6)


def align_needs_s(path: EchoPath, played: np.ndarray, *, expected_s: float) -> float:
    """How much of the take (s) :func:`echo_found_at` needs to find the echo expected at ``expected_s``."""
    return expected_s + _first_sound(to_mono(played)) / path.sr + ALIGN_SEARCH_S + ALIGN_S + RESPONSE_S


def _first_sound(y: np.ndarray) -> int:
    """Index of ``y``'s first sample above a thousandth of its peak (0 for silence)."""
    x = np.abs(y)
    return int(np.argmax(x > 1e-3 * x.max())) if len(x) and x.max() > 0 else 0


def _delayed(y: np.ndarray, start: int, n: int) -> np.ndarray:
    """``y`` placed ``start`` samples into ``n`` zeros (cut or padded); ``start`` may be negative."""
    out = np.zeros(n)
    a, b = max(start, 0), min(start + len(y), n)
    if b > a:
        out[a:b] = y[a - start : b - start]
    return out


def _hop_powers(y: np.ndarray, hop: int) -> np.ndarray:
    """Mean square of each whole ``hop`` of ``y``."""
    k = len(y) // hop
    return np.mean(y[: k * hop].reshape(k, hop) ** 2, axis=1) if k else np.zeros(0)


class _BandPowers:
    """Mean squares, per :data:`LEVEL_HOP_S` hop, of samples pushed through a band filter."""

    def __init__(self, sos: np.ndarray, hop: int) -> None:
        self._sos, self._hop = sos, hop
        self._zi = np.zeros((sos.shape[0], 2))
        self._pending = np.zeros(0)
        self._powers: list[np.ndarray] = []

    def push(self, y: np.ndarray) -> None:
        filtered, self._zi = sosfilt(self._sos, y, zi=self._zi)
        pending = np.concatenate([self._pending, filtered])
        k = len(pending) // self._hop
        if k:
            self._powers.append(_hop_powers(pending[: k * self._hop], self._hop))
        self._pending = pending[k * self._hop :]

    def powers(self) -> np.ndarray:
        return np.concatenate(self._powers) if self._powers else np.zeros(0)


class EchoCanceller:
    """Subtract the echo of a sound the take plays, and tell which frames are only its echo.

    Parameters
    ----------
    path : EchoPath
        The room's response (its rate is the take's).
    played : np.ndarray
        What the take plays, at ``path.sr``.
    played_at_s : float
        Where in the take its first sample was handed to the speaker.

    Notes
    -----
    The echo is predicted for the whole take when it is made (one FFT convolution, some 10 ms
    for a 10 s target), so :meth:`push` only subtracts a slice: well under a block's time.

    Examples
    --------
    >>> sr = 16000
    >>> room = np.zeros(400); room[320] = 0.5
    >>> path = EchoPath(sr=sr, response=room, offset_s=0.0, return_db=-6.0, cancellation_db=30.0,
    ...                 band_hz=4000.0)
    >>> voice = np.sin(2 * np.pi * 220 * np.arange(sr) / sr)
    >>> c = EchoCanceller(path, voice, sr, played_at_s=0.1)
    >>> mic = np.zeros(2 * sr); mic[1600 + 320 : 1600 + 320 + sr] = 0.5 * voice
    >>> left = np.concatenate([c.push(mic[:5000]), c.push(mic[5000:])])
    >>> float(np.max(np.abs(left))) < 1e-6
    True
    >>> c.echo_frames(np.array([0.05, 0.5, 1.5])).tolist()  # before the echo, in it, after it
    [False, True, False]
    """

    def __init__(self, path: EchoPath, played: np.ndarray, sr: int, *, played_at_s: float) -> None:
        if sr != path.sr:
            raise ParameterError(f"the echo path was measured at {path.sr} Hz, not {sr} Hz")
        self.path = path
        self.sr = int(sr)
        self._start = round((played_at_s + path.offset_s) * self.sr)
        self._echo = fftconvolve(to_mono(played).astype(np.float64), path.response.astype(np.float64))
        self._hop = max(round(LEVEL_HOP_S * self.sr), 1)
        sos = path.band_filter()
        in_band = sosfilt(sos, _delayed(self._echo, self._start, self._start + len(self._echo)))
        self._predicted = self._levels_db(_hop_powers(in_band, self._hop))
        self._heard = _BandPowers(sos, self._hop)  # the microphone
        self._left = _BandPowers(sos, self._hop)  # what is left after cancelling
        self._done = 0  # samples pushed

    @property
    def echo_missing(self) -> bool:
        """Whether the predicted echo is not in the microphone (headphones since the click
        test): more than :data:`MISSING_ECHO_SHARE` of the frames where it is predicted are
        :data:`MISSING_ECHO_DB` under it. Judged on what was pushed so far."""
        heard = self._levels_db(self._heard.powers())
        if not len(heard):
            return False
        n = min(len(heard), len(self._predicted))
        predicted = self._predicted[:n]
        clear = predicted > np.percentile(heard[:n], ROOM_PERCENTILE) + MISSING_ECHO_DB
        if not clear.any():
            return False
        return float(np.mean(heard[:n][clear] < predicted[clear] - MISSING_ECHO_DB)) > MISSING_ECHO_SHARE

    def push(self, y: np.ndarray) -> np.ndarray:
        """The next samples with the predicted echo taken off (same length, float32)."""
        y = to_mono(y).astype(np.float64)
        a = self._done
        self._done += len(y)
        self._heard.push(y)
        lo, hi = max(a, self._start), min(self._done, self._start + len(self._echo))
        out = y.copy()
        if hi > lo:
            out[lo - a : hi - a] -= self._echo[lo - self._start : hi - self._start]
        self._left.push(out)
        return out.astype(np.float32)

    def _levels_db(self, powers: np.ndarray) -> np.ndarray:
        """Level (dBFS) over :data:`LEVEL_WINDOW_S` around each hop."""
        width = max(round(LEVEL_WINDOW_S / LEVEL_HOP_S), 1)
        if not len(powers):
            return np.zeros(0)
        smooth = np.convolve(powers, np.ones(width) / width, mode="same")
        return power_dbfs(smooth)

    def echo_frames(self, times: np.ndarray) -> np.ndarray:
        """Which frames (centres in take seconds) are the app's voice only, not the patient.

        A frame is the echo's when the echo is predicted there and the level left after
        cancelling is not :data:`MASK_MARGIN_DB` above the echo predicted to be left (the
        predicted echo less the trusted cancellation). Frames not yet pushed are not judged.
        """
        times = np.asarray(times, dtype=float)
        left = self._levels_db(self._left.powers())
        idx = np.floor(times * self.sr / self._hop).astype(int)
        out = np.zeros(len(times), dtype=bool)
        ok = (idx >= 0) & (idx < len(left)) & (idx < len(self._predicted))
        if not ok.any():
            return out
        predicted = self._predicted[idx[ok]]
        echo_left = predicted - self.path.trusted_cancellation_db
        heard = predicted > power_dbfs(0.0) + 1.0
        out[ok] = heard & (left[idx[ok]] < echo_left + MASK_MARGIN_DB)
        return out
