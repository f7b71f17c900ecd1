"""Left-hand tapping: how well the taps fall with the syllables.

In classic MIT the patient's left hand taps once per syllable (PROTOCOL.md); some patients with
rhythm-processing problems do worse with it, so it is optional and its effect must be
visible. The window stores the tap times with the attempt; :func:`tap_sync` matches them to
the syllables' onsets and says, per syllable, how early or late the tap was and whether it was
in time, with a summary.

Both lists of times must be on one clock: for a take, the taps in seconds from the start of
the recording, minus the measured latency like the pitch track, against the sung syllables'
onsets of the score (the patient's own rhythm); while listening, the taps against the
target's onsets as heard. :func:`tap_sync` works for any such pair, so
:mod:`mitpractice.practice.live` also uses it for how well a sing-along take kept with the
voice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mitpractice.errors import ParameterError

#: A tap within this many seconds of its syllable's onset is in time. Healthy adults tapping
#: along with a beat land 20–80 ms early on average, and vary by 30–50 ms from tap to tap;
#: a tap with the unaffected (non-dominant) hand after a stroke varies more. 0.2 s takes all of
#: that in, and is a fifth of a beat at the protocol's one syllable a second, while a tap
#: halfway between syllables (0.5 s off) is clearly out. At the fastest tempo (0.6 s a
#: syllable) it is still a third of the way to the next one.
TAP_TOLERANCE_S = 0.2


@dataclass(frozen=True, kw_only=True)
class SyllableSync:
    """One syllable's tap.

    Attributes
    ----------
    index : int
        The syllable's index.
    onset_s : float
        Its onset.
    tap_s : float or None
        The tap matched to it, ``None`` when it had none.
    offset_ms : float or None
        Tap minus onset in milliseconds: negative early, positive late.
    in_time : bool
        Tapped within the tolerance.
    """

    index: int
    onset_s: float
    tap_s: float | None
    offset_ms: float | None
    in_time: bool


@dataclass(frozen=True, kw_only=True)
class TapSync:
    """Taps matched to syllables, and how they went overall.

    Attributes
    ----------
    syllables : tuple of SyllableSync
        One per syllable onset (syllables not sung are left out by the caller).
    tolerance_ms : float
        The tolerance used.
    extra_taps : int
        Taps that matched no syllable (a second tap on one syllable, taps after the end).
    """

    syllables: tuple[SyllableSync, ...]
    tolerance_ms: float
    extra_taps: int

    @property
    def tapped(self) -> int:
        """Syllables that got a tap."""
        return sum(s.tap_s is not None for s in self.syllables)

    @property
    def in_time(self) -> int:
        """Syllables whose tap was within the tolerance."""
        return sum(s.in_time for s in self.syllables)

    @property
    def fraction_in_time(self) -> float:
        """Share of the syllables tapped in time, 0–1 (0 with no syllables)."""
        return self.in_time / len(self.syllables) if self.syllables else 0.0

    @property
    def mean_offset_ms(self) -> float | None:
        """Mean tap offset over the tapped syllables: the patient's habit of tapping early or late."""
        offsets = [s.offset_ms for s in self.syllables if s.offset_ms is not None]
        return round(float(np.mean(offsets)), 1) if offsets else None

    @property
    def spread_ms(self) -> float | None:
        """Standard deviation of the offsets (how steady the tapping is); needs two taps."""
        offsets = [s.offset_ms for s in self.syllables if s.offset_ms is not None]
        return round(float(np.std(offsets)), 1) if len(offsets) > 1 else None

    def summary(self) -> str:
        """One plain line for the patient, e.g. ``"4 of 5 taps with the syllables."``."""
        return f"{self.in_time} of {len(self.syllables)} taps with the syllables."

    def to_json(self) -> dict[str, Any]:
        """A plain object to store beside the attempt's taps."""
        return {
            "tolerance_ms": self.tolerance_ms,
            "extra_taps": self.extra_taps,
            "in_time": self.in_time,
            "mean_offset_ms": self.mean_offset_ms,
            "spread_ms": self.spread_ms,
            "syllables": [
                {"index": s.index, "onset_s": round(s.onset_s, 3),
                 "tap_s": None if s.tap_s is None else round(s.tap_s, 3),
                 "offset_ms": s.offset_ms, "in_time": s.in_time}
                for s in self.syllables
            ],
        }


def _checked(times: Sequence[float], name: str) -> np.ndarray:
    t = np.asarray(times, dtype=float).reshape(-1)
    if not np.all(np.isfinite(t)):
        raise ParameterError(f"{name} must be finite numbers of seconds")
    return t


def tap_sync(
    taps_s: Sequence[float],
    onsets_s: Sequence[float],
    *,
    tolerance_s: float = TAP_TOLERANCE_S,
    indices: Sequence[int] | None = None,
) -> TapSync:
    """Match taps to syllable onsets, one tap per syllable at most.

    Each syllable owns the time from halfway after the previous onset to halfway before the
    next (the first and last reach as far out again as their neighbour's half gap); the tap
    in that span nearest its onset is its tap. Other taps are ``extra_taps``.

    Parameters
    ----------
    taps_s : sequence of float
        Tap times, seconds, any order.
    onsets_s : sequence of float
        Syllable onsets on the same clock, increasing.
    tolerance_s : float
        Largest offset that is in time (:data:`TAP_TOLERANCE_S`).
    indices : sequence of int, optional
        The syllables' indices in the phrase (default 0, 1, ...), e.g. the detected syllables
        of a score.

    Returns
    -------
    TapSync

    Examples
    --------
    >>> s = tap_sync([0.95, 2.3, 2.4], [1.0, 2.0, 3.0])
    >>> [(x.tap_s, x.offset_ms, x.in_time) for x in s.syllables]
    [(0.95, -50.0, True), (2.3, 300.0, False), (None, None, False)]
    >>> s.extra_taps, s.summary()
    (1, '1 of 3 taps with the syllables.')
    """
    taps = np.sort(_checked(taps_s, "tap times"))
    onsets = _checked(onsets_s, "syllable onsets")
    if np.any(np.diff(onsets) <= 0):
        raise ParameterError("syllable onsets must increase")
    if not (math.isfinite(tolerance_s) and tolerance_s > 0):
        raise ParameterError(f"tap tolerance must be a positive number of seconds, not {tolerance_s}")
    index = list(range(len(onsets))) if indices is None else [int(i) for i in indices]
    if len(index) != len(onsets):
        raise ParameterError(f"{len(index)} syllable indices for {len(onsets)} onsets")
    if len(onsets) == 0:
        return TapSync(syllables=(), tolerance_ms=round(1000 * tolerance_s, 1), extra_taps=len(taps))
    gaps = np.diff(onsets)
    edge = gaps[0] if len(gaps) else 1.0  # one syllable: a second either side
    bounds = np.concatenate([[onsets[0] - edge / 2], onsets[:-1] + gaps / 2,
                             [onsets[-1] + (gaps[-1] if len(gaps) else edge) / 2]])
    used = 0
    out = []
    for i, onset in enumerate(onsets):
        inside = taps[(taps >= bounds[i]) & (taps < bounds[i + 1])]
        if len(inside):
            tap = float(inside[np.argmin(np.abs(inside - onset))])
            offset = round(1000.0 * (tap - float(onset)), 1)
            used += 1
            in_time = bool(abs(tap - onset) <= tolerance_s + 1e-9)
            out.append(SyllableSync(index=index[i], onset_s=float(onset), tap_s=tap, offset_ms=offset,
                                    in_time=in_time))
        else:
            out.append(SyllableSync(index=index[i], onset_s=float(onset), tap_s=None, offset_ms=None,
                                    in_time=False))
    return TapSync(syllables=tuple(out), tolerance_ms=round(1000 * tolerance_s, 1),
                   extra_taps=len(taps) - used)
