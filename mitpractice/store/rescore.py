"""Scoring attempts that were stored without a score, after the fact.

A take is stored the moment it ends and scored a moment later, so some attempts can be left
without a score: a take recovered from the journal after a crash, or one whose scoring failed.
:func:`score_stored_attempt` scores one of them from what the store holds (its recording, the
phrase set version it was sung from, the tune's settings, the model and mode it was taken
with), exactly as the practice window would have; :func:`score_unscored` does all of them.
A sing-along take is scored through its live take again, with the record kept beside it
(:func:`mitpractice.practice.replay.replay_take`): the app's voice in its raw recording is
taken off and masked where the live take found it, and its rhythm is counted against the
target as heard. An attempt stored before records were kept is scored from its recording
alone, as it always was.
The practice window runs this behind the window at start; the therapist's workspace or the
command line can call it too. No Qt here.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable

from mitpractice.errors import MitpracticeError
from mitpractice.store.api import Store
from mitpractice.store.records import Attempt


def score_stored_attempt(store: Store, attempt_id: str, *, again: bool = False) -> Attempt:
    """Score a stored attempt from its recording and settings and store the score.

    Parameters
    ----------
    store : Store
        The open store holding the attempt.
    attempt_id : str
        The attempt's id.
    again : bool
        Score an attempt that has a score again (after the scorer changed) and store the new
        score; without it, an attempt already scored is returned as it is.

    Returns
    -------
    Attempt
        The attempt as stored, now with its score.

    Raises
    ------
    MitpracticeError
        The attempt, its phrase set version or its phrase is not in the store, or it could
        not be scored (:class:`~mitpractice.practice.replay.TargetChangedError`: the target a
        sing-along take played can no longer be made, so its echo cannot be taken off).
    """
    from mitpractice.melody import set_melody
    from mitpractice.scoring import score_audio

    attempt = store.attempt(attempt_id)
    if attempt.scored and not again:
        return attempt
    phrase_set = store.phrase_set(attempt.phrase_set_id)
    phrase = phrase_set.phrase(attempt.phrase_id)
    melody = set_melody(phrase_set, phrase, low=attempt.low_hz, interval=attempt.interval,
                        tempo=attempt.tempo)
    audio, sr = store.attempt_audio(attempt.id)
    if attempt.sing_along is None:
        score = score_audio(audio, sr, melody, model=attempt.model, mode=attempt.mode)
    else:
        score = replayed(attempt, phrase, melody, audio, sr).score
    return store.set_score(attempt.id, score)


def replayed(attempt: Attempt, phrase, melody, audio, sr: int):
    """A sing-along attempt (one with :attr:`~mitpractice.store.records.Attempt.sing_along`)
    scored as its live take scored it, from its stored recording ``audio``: a
    :class:`~mitpractice.practice.live.LiveResult` (the score, and the track with the app's
    voice masked, times less the latency). Raises MitpracticeError when it cannot be."""
    from mitpractice.practice.replay import SingAlongRecord, played_target, replay_take

    try:
        record = SingAlongRecord.from_json(attempt.sing_along)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise MitpracticeError(f"attempt {attempt.id}: its sing-along record is damaged") from None
    played = played_target(phrase, melody, record, sr) if record.needs_target else None
    return replay_take(audio, sr, melody, record, played=played, mode=attempt.mode,
                       latency_s=attempt.latency_s, model=attempt.model)


def score_unscored(
    store: Store,
    stop: Callable[[], bool] = lambda: False,
) -> tuple[list[Attempt], list[tuple[str, str]]]:
    """Score every attempt that has no score yet, oldest first, until ``stop()`` says so.

    One that cannot be scored, for whatever reason, is reported and left as it is (it is
    tried again next time); the others go on.

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
        except Exception as exc:  # unforeseen (a record damaged past its checks): the rest go on
            traceback.print_exc()
            failed.append((attempt_id, f"{type(exc).__name__}: {exc}"))
    return scored, failed
