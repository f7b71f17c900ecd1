"""Alignment of voiced pieces to the target notes: which piece is which syllable.

The model
---------
The attempt is modelled as the target sung at one steady tempo, in the singer's own key, with
the errors patients make: a syllable left out (anywhere, the first and the last included),
something sung that is not in the target (a false start, a syllable sung twice, a cough, a
remark), and syllables run together (legato on one note, which leaves no boundary to see).

*Pieces* are the attempt's voiced stretches (:func:`~mitpractice.scoring.segment.segment_pieces`);
*notes* are the target's syllables. A dynamic programme over (notes, pieces), in order,
chooses for every note either a run of consecutive pieces (one syllable, possibly cut in
several pieces) or nothing (a syllable not sung), and leaves unmatched the pieces that fit no
note. Each choice has a cost (:class:`~mitpractice.scoring.align.costs.AlignCosts`, in beats
of the fitted tempo, so an attempt at any steady tempo is aligned alike); a match costs by
how far its onset and end lie from where the fitted tempo puts the note, how far its pitch
lies from the singer's own level for the note's mark (the two levels are fitted to the
attempt, in any key, with any step between them, even upside down), and how its pieces join.
The tempo and the two levels are refitted from what was matched and the programme repeated
until it settles, from several starting guesses.

The package keeps the solver apart from the model that feeds it, as librosa keeps
``sequence.viterbi`` apart from its models:

:mod:`~mitpractice.scoring.align.costs`
    :class:`AlignCosts`: every cost and threshold, one frozen set of keyword settings whose
    orderings are checked when it is built.
:mod:`~mitpractice.scoring.align.dp`
    :func:`~mitpractice.scoring.align.dp.ordered_groups`: the generic dynamic programme
    (runs of items to slots, in order, with one optional switch).
:mod:`~mitpractice.scoring.align.candidates`
    The MIT-specific costs of each note's candidate runs and of each piece left out, for one fit.
:mod:`~mitpractice.scoring.align.fit`
    Refitting the tempo, the jump and the levels to a reading; the starting guesses.
:mod:`~mitpractice.scoring.align.search`
    :func:`align_pieces`: the programme from every guess, refitted until it settles.
:mod:`~.split`, :mod:`~.repeats`, :mod:`~.extra`
    The passes after it, in this order, each for what the programme alone cannot read:
    legato runs on one note cut where the tempo says (:func:`~.split.cut_legato_runs`),
    syllables sung again read out with the time they took (:func:`~.repeats.take_out_repeats`),
    and the singing left unmatched named (:func:`~.extra.extra_segments`).

:func:`find_syllables` ties the step together. docs/scoring.md states the model with its
recurrence and what each cost means.
"""

from __future__ import annotations

import numpy as np

from mitpractice.scoring.align.costs import COSTS, AlignCosts
from mitpractice.scoring.align.extra import extra_segments
from mitpractice.scoring.align.repeats import take_out_repeats
from mitpractice.scoring.align.result import Alignment, Extra, SyllableMatch
from mitpractice.scoring.align.search import align_pieces
from mitpractice.scoring.align.split import cut_legato_runs
from mitpractice.scoring.segment import Frames, piece_pitch, piece_salience, segment_pieces

__all__ = ["COSTS", "AlignCosts", "Alignment", "Extra", "SyllableMatch", "align_pieces", "find_syllables"]


def find_syllables(
    frames: Frames, onsets: np.ndarray, durations: np.ndarray, beat_s: float, levels: str, model: str,
    register: np.ndarray | None = None, costs: AlignCosts = COSTS,
) -> SyllableMatch:
    """Cut the attempt into pieces, match them to the target notes, and name what is extra.

    Parameters
    ----------
    frames : Frames
        The attempt's frames (:func:`~mitpractice.scoring.segment.frames_from_track`).
    onsets, durations : np.ndarray
        The target notes' onsets and durations (s).
    beat_s : float
        Seconds per target beat.
    levels : str
        The notes' ``"H"``/``"L"`` marks.
    model : str
        The pitch tracker (its confidence scale).
    register : np.ndarray, optional
        The target notes' own pitches (MIDI numbers), see :func:`align_pieces`.
    costs : AlignCosts, optional
        The model's costs and thresholds (the tuned ones by default).
    """
    pieces = segment_pieces(frames)
    pitch = piece_pitch(frames, pieces)
    salience = piece_salience(frames, pieces, model)
    alignment = align_pieces(pieces, pitch, onsets, durations, beat_s, salience, levels, register=register,
                             costs=costs)
    pieces, pitch, salience, alignment = cut_legato_runs(
        frames, model, pieces, pitch, salience, alignment, onsets, durations, beat_s, levels, register, costs)
    alignment = take_out_repeats(pieces, pitch, salience, alignment, onsets, durations, beat_s, levels,
                                 register, costs)
    extra = extra_segments(pieces, pitch, salience, alignment, onsets, costs)
    return SyllableMatch(pieces=tuple(pieces), alignment=alignment, extra=extra)
