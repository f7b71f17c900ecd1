"""Feedback a patient can act on: one encouraging line and at most two short, concrete tips.

Patients with aphasia may read poorly, so every line is short, uses everyday words, names at
most one syllable, and says what to do rather than what went wrong.
"""

from __future__ import annotations

import numpy as np

from mitpractice.scoring.melodic import FULL_CREDIT, MelodicResult
from mitpractice.scoring.rhythmic import MAX_FINAL_HOLD, MIN_HOLD, TEMPO_RANGE, RhythmicResult

#: At most this many tips follow the encouraging line (more is too much to read and act on).
MAX_TIPS = 2
#: docs/scoring.md's score bands (overall, 0–100): from 90 a correct attempt, from 70 a good one
#: with one thing to work on, from 40 a partial one, below that the melody or the rhythm was
#: not there. The patient's words follow them in every step and every view: one set of
#: thresholds, so that a 69 never reads "well done" in one place and "good try" in another.
CORRECT, GOOD, PARTIAL = 90.0, 70.0, 40.0
#: The words for each band, best first (the last: below :data:`PARTIAL`).
BAND_WORDS = ("Very good!", "Well done!", "Good try!", "Let's try again together.")
#: Mean steadiness credit below which the patient hears "Hold each note steady" (0.6: the
#: steady part drifts about 1.7 semitones, gliding like speech rather than holding a note).
STEADY_TIP = 0.6
#: Sung steps (semitones) below which the tune is "clearly" too flat: under this the high
#: notes barely stand out ("Make the high notes clearly higher.").
FLAT_ST = 1.0
#: How far (semitones) the sung step may fall short of the target's before "Sing the high
#: notes higher." and before "a little low" (0.75: past the full-credit tolerance, where the
#: credit starts to fall noticeably); and how far it may exceed it before "a little too high".
SHORT_ST, LITTLE_SHORT_ST, WIDE_ST = 1.5, 0.75, 1.0
#: How the tips about syllables not sung begin: they come first, before the tune's and the
#: timing's (a phrase broken off part-way is told to sing on to the end).
MISSING_TIPS = ("Try to sing every part", "Keep singing to the end")


def band(overall: float) -> int:
    """The score band of ``overall``: 0 correct, 1 good, 2 partial, 3 not there yet.

    Examples
    --------
    >>> [band(x) for x in (95, 90, 89.9, 70, 69, 40, 39.5, 0)]
    [0, 0, 1, 1, 2, 2, 3, 3]
    """
    for i, floor in enumerate((CORRECT, GOOD, PARTIAL)):
        if overall >= floor:
            return i
    return 3


def praise(overall: float) -> str:
    """The encouraging words for ``overall``, by its :func:`band`: the first line of the
    feedback and the practice window's headline, the same in every step.

    Examples
    --------
    >>> praise(90), praise(89), praise(69), praise(39)
    ('Very good!', 'Well done!', 'Good try!', "Let's try again together.")
    """
    return BAND_WORDS[band(overall)]


def melody_tips(
    melodic: MelodicResult, syllables: tuple[str, ...], levels: str, target_interval: float
) -> list[str]:
    """Tips about the tune, most important first."""
    tips = []
    interval = melodic.interval
    steady = melodic.steadiness[np.isfinite(melodic.steadiness)]
    if steady.size and float(np.mean(steady)) < STEADY_TIP:
        tips.append("Hold each note steady, as if singing.")
    if interval is not None:
        if interval < -FULL_CREDIT:
            tips.append("Sing the high notes higher than the low notes.")
        elif interval < FLAT_ST:
            tips.append("Make the high notes clearly higher.")
        elif target_interval - interval > SHORT_ST:
            tips.append("Sing the high notes higher.")
        elif target_interval - interval > LITTLE_SHORT_ST:
            tips.append("The high notes were a little low.")
        elif interval - target_interval > WIDE_ST:
            tips.append("The high notes were a little too high.")
    for i, ok in enumerate(melodic.pitch_ok):
        if not ok and np.isfinite(melodic.relative[i]) and (interval is None or interval >= FLAT_ST):
            expected = target_interval if levels[i] == "H" else 0.0
            if levels[i] == "L" and melodic.relative[i] > expected:
                tips.append(f"Sing '{syllables[i]}' low.")
            elif levels[i] == "H" and melodic.relative[i] < expected:
                tips.append(f"Sing '{syllables[i]}' high.")
            elif melodic.relative[i] > expected:
                tips.append(f"Sing '{syllables[i]}' a little lower.")
            else:
                tips.append(f"Sing '{syllables[i]}' a little higher.")
            break
    return tips


def rhythm_tips(rhythmic: RhythmicResult, scale: float, syllables: tuple[str, ...]) -> list[str]:
    """Tips about timing, most important first."""
    tips = []
    sung = np.isfinite(rhythmic.hold)
    missing = [syllables[i] for i in range(len(syllables)) if not sung[i]]
    if missing:
        first = int(np.argmin(sung))  # the first syllable not sung
        if sung[:first].any() and not sung[first:].any():  # the phrase broken off there
            tips.append(f"Keep singing to the end, from '{missing[0]}'.")
        else:
            tips.append(f"Try to sing every part, also '{missing[0]}'.")
    if scale > TEMPO_RANGE[1]:
        tips.append("Try to sing a little faster.")
    elif scale < TEMPO_RANGE[0]:
        tips.append("Try to sing a little slower.")
    worst = np.nan_to_num(rhythmic.error, nan=-1.0)
    for i in np.argsort(worst)[::-1]:
        if worst[i] <= 0 or rhythmic.timing_ok[i]:
            break
        last = i == len(syllables) - 1 or not np.any(np.isfinite(rhythmic.hold[i + 1 :]))
        if rhythmic.hold[i] < MIN_HOLD:
            tips.append(f"Hold '{syllables[i]}' a bit longer.")
        elif last and rhythmic.hold[i] > MAX_FINAL_HOLD:
            tips.append(f"End '{syllables[i]}' a little sooner.")
        elif not last and rhythmic.ratio[i] > 1:
            tips.append(f"Move on sooner after '{syllables[i]}'.")
        else:
            tips.append(f"Take a bit more time on '{syllables[i]}'.")
        break
    return tips


def feedback_lines(
    overall: float,
    melodic: MelodicResult | None,
    rhythmic: RhythmicResult,
    scale: float,
    syllables: tuple[str, ...],
    levels: str,
    target_interval: float,
    extra: tuple[str, ...] = (),
) -> list[str]:
    """Praise plus up to :data:`MAX_TIPS` tips; ``melodic`` is ``None`` when only rhythm counts.

    ``extra`` are the kinds of the extra singing found (``"false_start"``, ``"repeat"``,
    ``"extra"``): a restart or a repeat is named kindly, after a missing syllable and before
    the tune and the timing.

    Examples
    --------
    >>> praise(92.0), praise(30.0)
    ('Very good!', "Let's try again together.")
    """
    tips = rhythm_tips(rhythmic, scale, syllables)
    if melodic is not None:
        tune = melody_tips(melodic, syllables, levels, target_interval)
        missing_first = tips[:1] if tips and tips[0].startswith(MISSING_TIPS) else []
        rest = [t for t in tips if t not in missing_first]
        tips = missing_first + tune[:1] + rest[:1] + tune[1:] + rest[1:]
    kind = next((KIND_WORDS[k] for k in ("false_start", "repeat") if k in extra), None)
    if kind:
        missing_first = tips[:1] if tips and tips[0].startswith(MISSING_TIPS) else []
        tips = [*missing_first, kind, *tips[len(missing_first):]]
    lines = [praise(overall), *tips[:MAX_TIPS]]
    if len(lines) == 1:
        done = "The tune and the rhythm were right." if melodic is not None else "The rhythm was right."
        lines.append(done)
    return lines


#: What is said of extra singing: kindly, it is part of practising.
KIND_WORDS = {
    "false_start": "You started again — that's fine.",
    "repeat": "You sang a part twice — that's fine.",
}

NOT_HEARD = ["I could not hear singing. Try again, a little louder, close to the microphone."]
