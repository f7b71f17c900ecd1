"""Scoring attempts that were stored without a score, after the fact.

A take is stored the moment it ends and scored a moment later, so some attempts can be left
without a score: a take recovered from the journal after a crash, or one whose scoring failed.
:func:`score_stored_attempt` scores one of them from what the store holds (its recording, the
phrase set version it was sung from, the tune's settings, the model and mode it was taken
with), exactly as the practice window would have; :func:`score_unscored` does all of them.
The practice window runs this behind the window at start; the therapist's workspace or the
command line can call it too. No Qt here.
"""

from __future__ import annotations

from collections.abc import Callable

from mitpractice.errors import MitpracticeError
from mitpractice.store.api import Store
from mitpractice.store.records import Attempt


def score_stored_attempt(store: Store, attempt_id: str) -> Attempt:
    """Score a stored attempt from its recording and settings and store the score.

    Parameters
    ----------
    store : Store
        The open store holding the attempt.
    attempt_id : str
        The attempt's id.

    Returns
    -------
    Attempt
        The attempt as stored, now with its score (an attempt already scored is returned
        as it is, not scored twice).

    Raises
    ------
    MitpracticeError
        The attempt, its phrase set version or its phrase is not in the store, or it could
        not be scored.
    """
    from mitpractice.melody import set_melody
    from mitpractice.scoring import score_audio

    attempt = store.attempt(attempt_id)
    if attempt.scored:
        return attempt
    phrase_set = store.phrase_set(attempt.phrase_set_id)
    phrase = phrase_set.phrase(attempt.phrase_id)
    melody = set_melody(phrase_set, phrase, low=attempt.low_hz, interval=attempt.interval,
                        tempo=attempt.tempo)
    audio, sr = store.attempt_audio(attempt.id)
    score = score_audio(audio, sr, melody, model=attempt.model, mode=attempt.mode)
    return store.set_score(attempt.id, score)


def score_unscored(
    store: Store,
    stop: Callable[[], bool] = lambda: False,
) -> tuple[list[Attempt], list[tuple[str, str]]]:
    """Score every attempt that has no score yet, oldest first, until ``stop()`` says so.

    One that cannot be scored is reported and left as it is (it is tried again next time);
    the others go on.

    Returns
    -------
    scored : list of Attempt
        The attempts now scored.
    failed : list of (str, str)
        The id and the one-line reason of each attempt that could not be scored.
    """
    scored: list[Attempt] = []
    failed: list[tuple[str, str]] = []
    for attempt_id in store.unscored_attempts():
        if stop():
            break
        try:
            scored.append(score_stored_attempt(store, attempt_id))
        except MitpracticeError as exc:
            failed.append((attempt_id, str(exc)))
    return scored, failed
