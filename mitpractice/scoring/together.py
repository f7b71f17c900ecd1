"""Singing along: in the unison steps rhythm means keeping with the voice.

In the sing-along steps of MIT the patient sings *with* the target, so the rhythm that matters
is being together with it, not only singing evenly at some tempo of one's own (which
:mod:`~mitpractice.scoring.rhythmic` judges, free of the start and the tempo). Given when the
target started, on the attempt's clock with the audio round trip taken off, each sung
syllable's onset is compared with its note's onset as the patient heard it; its credit is full
within :data:`FULL_CREDIT_S` and falls to none at :data:`NO_CREDIT_S`. A syllable not sung gets
none. For a sing-along attempt the rhythmic score is the lower of the two: even and together.

Without the latency taken off, every syllable looks one round trip late (real devices:
0.14–0.33 s, PROTOCOL.md), which is why the app measures it once and takes it off.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mitpractice.melody import TargetMelody
from mitpractice.scoring.score import Score

#: A syllable starting within this many seconds of the voice (either way) has full credit:
#: people singing along trail the voice they follow by about a tenth of a second, and the
#: scorer's onsets are exact to a few 10 ms frames.
FULL_CREDIT_S = 0.12
#: At this offset (s) a syllable is not together with the voice at all: over a third of a
#: beat at the protocol's 60 beats per minute, clearly heard as late or early.
NO_CREDIT_S = 0.40
#: Mean offset (s) past which the feedback says to keep with the voice.
ADVICE_S = 0.2
KEEP_WITH_VOICE_LATE = "Try to sing each syllable together with the voice; you were a little behind it."
KEEP_WITH_VOICE_EARLY = "Try to sing each syllable together with the voice; you were a little ahead of it."


def together_credit(offset_s: float | None) -> float:
    """Credit (0–1) of a syllable sung ``offset_s`` seconds after (or before) its note.

    Examples
    --------
    >>> together_credit(0.05), together_credit(-0.1), together_credit(0.26), together_credit(0.5)
    (1.0, 1.0, 0.5, 0.0)
    >>> together_credit(None)
    0.0
    """
    if offset_s is None:
        return 0.0
    late = abs(offset_s)
    return float(np.clip((NO_CREDIT_S - late) / (NO_CREDIT_S - FULL_CREDIT_S), 0.0, 1.0))


def syllable_offsets(score: Score, melody: TargetMelody, target_start_s: float) -> list[float | None]:
    """Each syllable's sung onset minus its note's onset as heard (s); None where not sung."""
    return [
        s.onset_s - (target_start_s + note.onset_s) if s.detected and s.onset_s is not None else None
        for note, s in zip(melody.notes, score.syllables, strict=True)
    ]


def sing_along_score(score: Score, melody: TargetMelody, target_start_s: float) -> Score:
    """``score`` judged as a sing-along attempt: its rhythm also kept with the voice.

    Parameters
    ----------
    score : Score
        The attempt scored as usual, its times on the recording's clock less the latency.
    melody : TargetMelody
        The notes the target played.
    target_start_s : float
        When the target's first note started, as heard, on that same clock.

    Returns
    -------
    Score
        The rhythmic score is the lower of the even-rhythm score and the together score
        (100 × mean credit); ``overall`` follows the mode again, ``timing_ok`` is also false
        for a syllable with under half credit, and a line of advice is added when the
        syllables were on the whole late or early.
    """
    if not score.voiced:
        return score
    offsets = syllable_offsets(score, melody, target_start_s)
    credits = [together_credit(o) for o in offsets]
    together = 100.0 * float(np.mean(credits)) if credits else 0.0
    rhythmic = min(score.rhythmic, together)
    overall = rhythmic if score.mode == "sprechgesang" else 0.5 * (score.melodic + rhythmic)
    syllables = tuple(
        replace(s, timing_ok=s.timing_ok and c >= 0.5) for s, c in zip(score.syllables, credits, strict=True)
    )
    sung = [o for o in offsets if o is not None]
    feedback = score.feedback
    if sung and abs(float(np.median(sung))) > ADVICE_S:
        advice = KEEP_WITH_VOICE_LATE if np.median(sung) > 0 else KEEP_WITH_VOICE_EARLY
        feedback = (*score.feedback, advice)
    return replace(score, rhythmic=rhythmic, overall=overall, syllables=syllables, feedback=feedback)
