"""What the alignment finds: which pieces make each note, and the singing left over."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mitpractice.scoring.segment import Piece


@dataclass(frozen=True)
class Alignment:
    """Which pieces make each note, the fitted tempo and the singer's two levels.

    Attributes
    ----------
    groups : tuple
        Per target note, ``(first, stop)`` indices into the pieces, or ``None`` if not sung.
    t0 : float
        Fitted time (s) of the target's start in the attempt.
    scale : float
        Fitted tempo scale: attempt seconds per target second (1.2 = 20 % slower).
    cost : float
        Total alignment cost (lower is a better fit).
    low, high : float or None
        The singer's fitted low and high levels (MIDI numbers); ``None`` when not fitted.
    jump : float
        Seconds by which the notes after the one jump come later (negative: earlier).
    after_jump : tuple of bool
        Per note, whether it comes after the jump (empty: no jump).
    shifts : tuple of float
        Per note, seconds by which it comes later for the syllables sung again before it
        (the time they took, see :func:`read_repeats`; empty: none).
    repeats : tuple of int
        Indices of the pieces read as syllables sung again.
    """

    groups: tuple[tuple[int, int] | None, ...]
    t0: float
    scale: float
    cost: float
    low: float | None = None
    high: float | None = None
    jump: float = 0.0
    after_jump: tuple[bool, ...] = ()
    shifts: tuple[float, ...] = ()
    repeats: tuple[int, ...] = ()

    def onset_times(self, onsets: np.ndarray) -> np.ndarray:
        """Where the fitted tempo (and jump, and repeats) put the target onsets in the attempt (s)."""
        times = self.t0 + self.scale * np.asarray(onsets, dtype=float)
        if self.after_jump:
            times = times + self.jump * np.asarray(self.after_jump, dtype=float)
        if self.shifts:
            times = times + np.asarray(self.shifts, dtype=float)
        return times


@dataclass(frozen=True)
class Extra:
    """Singing in the attempt that is not a syllable of the target, left out of the scores.

    Attributes
    ----------
    onset_s, offset_s : float
        Where it starts and ends in the attempt (s).
    kind : str
        ``"false_start"`` (sung before the phrase began again), ``"repeat"`` (a syllable sung
        twice) or ``"extra"`` (anything else: a remark, a cough with voice, an added word).
    """

    onset_s: float
    offset_s: float
    kind: str

    def to_json(self) -> dict[str, float | str]:
        return {"onset_s": round(self.onset_s, 3), "offset_s": round(self.offset_s, 3), "kind": self.kind}


@dataclass(frozen=True)
class SyllableMatch:
    """The result of the alignment step: the pieces, which make each note, and what is extra."""

    pieces: tuple[Piece, ...]
    alignment: Alignment
    extra: tuple[Extra, ...]

    def spans(self) -> list[tuple[int, int] | None]:
        """Per note, the frames ``[start, stop)`` of its syllable, or ``None`` if not sung."""
        return [(self.pieces[g[0]].start, self.pieces[g[1] - 1].stop) if g else None
                for g in self.alignment.groups]


def owners(groups: tuple, count: int) -> np.ndarray:
    """Per piece (``count`` of them), the note whose group holds it, or -1 (left unmatched)."""
    owner = np.full(count, -1)
    for i, g in enumerate(groups):
        if g is not None:
            owner[g[0] : g[1]] = i
    return owner
