"""Scoring of an MIT attempt: key- and tempo-invariant melodic and rhythmic scores per syllable.

The pipeline, one module per step: :mod:`~mitpractice.scoring.segment` cuts the pitch track
into voiced pieces, :mod:`~mitpractice.scoring.align` matches them to the target notes at one
fitted tempo, :mod:`~mitpractice.scoring.melodic` and :mod:`~mitpractice.scoring.rhythmic`
judge them, :mod:`~mitpractice.scoring.feedback` words the result and
:mod:`~mitpractice.scoring.score` ties it together. See docs/scoring.md.
"""

from mitpractice.scoring.align import Extra
from mitpractice.scoring.score import MODES, Analysis, Score, SyllableResult, score_audio, score_track

__all__ = ["MODES", "Analysis", "Extra", "Score", "SyllableResult", "score_audio", "score_track"]
