"""Today's plan: which phrases, in which order, when to rest, and progress towards the day's goal.

The patient practises the phrases their therapist assigned (:class:`Assigned`, which the store
maps its assignment rows to), or, while none are assigned, the bundled elementary phrases of
the greetings set (:func:`bundled_assignment`). :func:`plan_session` lays out one session:

- **One phrase at a time**, trained phrases least recently practised first, so every phrase
  comes round; with few phrases they come round again, up to :data:`MAX_ROUNDS` times a
  session and never twice in a row, because the aim is a new way of speaking, not a
  memorised list (PROTOCOL.md).
- **Capped** at :data:`SESSION_PHRASES` phrases, with a rest suggested after every
  :data:`REST_EVERY` (PROTOCOL.md "Dose"); people with aphasia tire quickly.
- **Untrained probes** are tested now and then, never practised: at most
  :data:`PROBES_PER_SESSION` a session, least recently tested first, each placed after a block
  of trained phrases (never first, when the patient is still warming up, nor last, when they
  are tired). A probe is one take at the level's probe question with no target played
  (:meth:`~mitpractice.practice.steps.StepState.untrained`); playing it would train it.

:class:`SessionState` follows the session as phrases finish; :meth:`SessionState.progress`
tells how far the day's goal in minutes is reached. There is no countdown: the window shows
what has been done, never the time left.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from mitpractice.errors import ParameterError
from mitpractice.phrases import Phrase, bundled_phrases_dir, load_phrase_set
from mitpractice.practice.steps import StepState, check_level

#: Phrases in one session at most (PROTOCOL.md "Dose": sessions capped, e.g. 15 phrases).
SESSION_PHRASES = 15
#: A rest is suggested after this many phrases: about five minutes of singing at the
#: elementary level, before tiredness lowers the scores the session is judged by.
REST_EVERY = 5
#: Untrained probes tested in one session at most. About one phrase in six is a probe
#: (docs/phrase-format.md); two of fifteen keeps them "now and then" without taking time from
#: practice.
PROBES_PER_SESSION = 2
#: A trained phrase comes round at most this often in one session, so that a patient with one
#: or two assigned phrases is not made to sing the same words fifteen times over.
MAX_ROUNDS = 3
#: The home-practice goal (minutes a day) when the therapist set none (PROTOCOL.md "Dose").
DAILY_GOAL_MINUTES = 30.0
#: The bundled set practised while no phrase is assigned, and the level of its phrases.
BUNDLED_SET, BUNDLED_LEVEL = "greetings", "elementary"


@dataclass(frozen=True, kw_only=True)
class Assigned:
    """One phrase assigned to the patient (what the store gives the window).

    Attributes
    ----------
    set_id : str
        Id of the phrase set.
    phrase : Phrase
        The phrase.
    probe : bool
        An untrained probe: tested, never practised.
    interval, tempo : float or None
        The set's defaults, used where the patient has no setting of their own.
    last_practised : datetime or None
        When the patient last sang it (a trained phrase) or was tested on it (a probe);
        ``None`` if never. Timezone-aware or naive, but all alike.
    """

    set_id: str
    phrase: Phrase
    probe: bool = False
    interval: float | None = None
    tempo: float | None = None
    last_practised: datetime | None = None

    @property
    def key(self) -> tuple[str, str]:
        """(set id, phrase id): what identifies the phrase across sets."""
        return (self.set_id, self.phrase.id)


def bundled_assignment() -> tuple[Assigned, ...]:
    """The phrases practised while none are assigned: the greetings set's elementary phrases.

    Phrases the set marks ``probe = true`` stay untrained probes.

    Examples
    --------
    >>> phrases = bundled_assignment()
    >>> phrases[0].set_id, phrases[0].phrase.text, all(len(a.phrase.syllables) <= 3 for a in phrases)
    ('greetings', 'Thank you', True)
    """
    phrase_set = load_phrase_set(bundled_phrases_dir() / f"{BUNDLED_SET}.toml")
    return tuple(
        Assigned(set_id=phrase_set.id, phrase=p, probe=p.probe, interval=phrase_set.interval,
                 tempo=phrase_set.tempo)
        for p in phrase_set.phrases
        if p.level == BUNDLED_LEVEL
    )


@dataclass(frozen=True, kw_only=True)
class PlannedPhrase:
    """One phrase of the session, in its place.

    Attributes
    ----------
    assigned : Assigned
        The phrase.
    probe : bool
        Tested as an untrained probe (one take at the probe question, no target).
    round : int
        1 the first time the phrase comes in this session, 2 the second, ...
    """

    assigned: Assigned
    probe: bool
    round: int = 1

    def steps(self, level: str) -> StepState:
        """Where this phrase starts in the steps of ``level``: the first, or the probe question."""
        return StepState.untrained(level) if self.probe else StepState(level=level)


def _order_key(a: Assigned, index: int) -> tuple:
    """Never practised first, then least recently; ties in the assigned order."""
    when = a.last_practised
    return (when is not None, when.timestamp() if when is not None else 0.0, index)


def plan_session(
    assigned: Sequence[Assigned],
    *,
    max_phrases: int = SESSION_PHRASES,
    max_probes: int = PROBES_PER_SESSION,
    rest_every: int = REST_EVERY,
    max_rounds: int = MAX_ROUNDS,
) -> tuple[PlannedPhrase, ...]:
    """The order of today's phrases: trained ones in rounds, probes placed between blocks.

    Parameters
    ----------
    assigned : sequence of Assigned
        The patient's phrases; empty means :func:`bundled_assignment`.
    max_phrases : int
        The session's cap, probes included.
    max_probes : int
        Untrained probes tested at most.
    rest_every : int
        Phrases between rests; a probe comes at the end of a block, where a rest follows.
    max_rounds : int
        Times one trained phrase may come in the session.

    Returns
    -------
    tuple of PlannedPhrase
        At most ``max_phrases``. Only probes if nothing is trained.

    Examples
    --------
    >>> plan = plan_session(bundled_assignment())
    >>> len(plan), [p.assigned.phrase.id for p in plan[:3]]
    (15, ['thank-you', 'good-morning', 'hello'])
    >>> [(i, p.assigned.phrase.id) for i, p in enumerate(plan) if p.probe]
    [(4, 'see-you-soon')]
    """
    for name, value in (("max_phrases", max_phrases), ("rest_every", rest_every), ("max_rounds", max_rounds)):
        if value < 1:
            raise ParameterError(f"{name} must be at least 1, not {value}")
    if max_probes < 0:
        raise ParameterError(f"max_probes must not be negative, not {max_probes}")
    assigned = tuple(assigned) or bundled_assignment()
    seen: set[tuple[str, str]] = set()
    unique = []
    for a in assigned:  # the same phrase assigned twice is one phrase
        if a.key not in seen:
            seen.add(a.key)
            unique.append(a)
    trained = [a for _, a in sorted((_order_key(a, i), a) for i, a in enumerate(unique) if not a.probe)]
    probes = [a for _, a in sorted((_order_key(a, i), a) for i, a in enumerate(unique) if a.probe)]

    practice: list[PlannedPhrase] = []
    for r in range(1, max_rounds + 1):
        if len(practice) >= max_phrases:
            break
        if r > 1 and len(trained) == 1:  # one phrase: again, but not straight after itself
            break
        practice += [PlannedPhrase(assigned=a, probe=False, round=r) for a in trained]
    probes = probes[: min(max_probes, max_phrases)]
    if not practice:
        return tuple(PlannedPhrase(assigned=a, probe=True) for a in probes)
    # Each probe closes a block of trained phrases (never first, never last).
    plan: list[PlannedPhrase] = []
    block = max(rest_every - 1, 1)
    queue = list(probes)
    room = max_phrases - len(queue)
    for n, item in enumerate(practice[:room], start=1):
        plan.append(item)
        if queue and n % block == 0 and n < min(room, len(practice)):
            plan.append(PlannedPhrase(assigned=queue.pop(0), probe=True))
    plan = plan[:max_phrases]
    return tuple(plan)


@dataclass(frozen=True, kw_only=True)
class Progress:
    """How far today's practice has come: shown as a bar that fills, never as time left.

    Attributes
    ----------
    minutes : float
        Minutes sung today (the takes' lengths), this session included.
    goal_minutes : float
        The day's goal.
    phrases_done : int
        Phrases finished today (through their steps, or stopped; a skipped phrase is not done).
    phrases_planned : int
        Phrases done today plus those still planned in this session.
    """

    minutes: float
    goal_minutes: float
    phrases_done: int
    phrases_planned: int

    @property
    def fraction(self) -> float:
        """Share of the day's goal reached, 0–1."""
        return min(self.minutes / self.goal_minutes, 1.0) if self.goal_minutes > 0 else 1.0

    @property
    def goal_reached(self) -> bool:
        return self.fraction >= 1.0

    @property
    def whole_minutes(self) -> int:
        """The minutes as shown: rounded half up, as the therapist's screens round them
        (forty seconds of singing is "1 minute", not "0").

        Examples
        --------
        >>> [Progress(minutes=m, goal_minutes=30, phrases_done=0, phrases_planned=0).whole_minutes
        ...  for m in (0.0, 0.4, 0.67, 12.5)]
        [0, 0, 1, 13]
        """
        return math.floor(self.minutes + 0.5)

    def kind_word(self) -> str:
        """A kind word for the end of the day's practice: about coming and trying, never a score.

        Examples
        --------
        >>> Progress(minutes=4, goal_minutes=30, phrases_done=2, phrases_planned=15).kind_word()
        'Well done. Every day of practice helps.'
        >>> Progress(minutes=0, goal_minutes=30, phrases_done=0, phrases_planned=15).kind_word()
        'Thank you for practising. Every try helps.'
        """
        if self.goal_reached:
            return "You reached today's goal. Well done!"
        if self.phrases_done:
            return "Well done. Every day of practice helps."
        return "Thank you for practising. Every try helps."

    def words(self) -> str:
        """One plain line about what has been done (never about the time left).

        Examples
        --------
        >>> Progress(minutes=12.4, goal_minutes=30, phrases_done=3, phrases_planned=15).words()
        '12 of 30 minutes today. 3 phrases done.'
        >>> Progress(minutes=31, goal_minutes=30, phrases_done=1, phrases_planned=15).words()
        "You reached today's goal: 31 minutes. 1 phrase done."
        >>> Progress(minutes=0.7, goal_minutes=30, phrases_done=0, phrases_planned=15).words()
        '1 of 30 minutes today. 0 phrases done.'
        """
        phrases = f"{self.phrases_done} phrase{'' if self.phrases_done == 1 else 's'} done."
        if self.goal_reached:
            return f"You reached today's goal: {self.whole_minutes} minutes. {phrases}"
        return f"{self.whole_minutes} of {self.goal_minutes:.0f} minutes today. {phrases}"


@dataclass(frozen=True, kw_only=True)
class SessionState:
    """One session as it goes: the current phrase, rests, the end, progress.

    Attributes
    ----------
    plan : tuple of PlannedPhrase
        The session's phrases in order (:func:`plan_session`).
    level : str
        The patient's MIT level.
    minutes_before : float
        Minutes already practised today before this session.
    goal_minutes : float
        The day's goal (:data:`DAILY_GOAL_MINUTES` by default).
    rest_every : int
        A rest is suggested after this many phrases.
    position : int
        Index of the current phrase; ``len(plan)`` once the session is over.
    passed : tuple of bool
        Per finished phrase, whether it went through all its steps.

    Examples
    --------
    >>> s = SessionState.start([], level="elementary")
    >>> s.current.assigned.phrase.id, s.steps().step.id
    ('thank-you', 'listen')
    >>> for _ in range(5):
    ...     s = s.next(passed=True)
    >>> s.rest_due, s.position
    (True, 5)
    >>> s.progress(minutes_this_session=6).words()
    '6 of 30 minutes today. 5 phrases done.'
    """

    plan: tuple[PlannedPhrase, ...]
    level: str
    minutes_before: float = 0.0
    goal_minutes: float = DAILY_GOAL_MINUTES
    rest_every: int = REST_EVERY
    position: int = 0
    passed: tuple[bool, ...] = field(default=())

    def __post_init__(self) -> None:
        check_level(self.level)
        for name in ("minutes_before", "goal_minutes"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ParameterError(f"{name} must be a number of minutes, not {value!r}")
        if self.rest_every < 1:
            raise ParameterError(f"rest_every must be at least 1, not {self.rest_every}")

    @classmethod
    def start(
        cls,
        assigned: Sequence[Assigned],
        *,
        level: str,
        minutes_today: float = 0.0,
        goal_minutes: float | None = None,
        max_phrases: int = SESSION_PHRASES,
        rest_every: int = REST_EVERY,
    ) -> SessionState:
        """A new session over the patient's assigned phrases (the bundled ones if none).

        ``minutes_today`` is what the patient already practised today (from the store);
        ``goal_minutes`` the therapist's daily goal (default :data:`DAILY_GOAL_MINUTES`).
        """
        plan = plan_session(assigned, max_phrases=max_phrases, rest_every=rest_every)
        goal = DAILY_GOAL_MINUTES if goal_minutes is None else goal_minutes
        return cls(plan=plan, level=level, minutes_before=minutes_today, goal_minutes=goal,
                   rest_every=rest_every)

    @property
    def finished(self) -> bool:
        """Whether the session is over (every planned phrase, up to the cap, done)."""
        return self.position >= len(self.plan)

    @property
    def current(self) -> PlannedPhrase | None:
        """The phrase to practise now; ``None`` once the session is over."""
        return None if self.finished else self.plan[self.position]

    def steps(self) -> StepState:
        """The current phrase's starting state in the steps (first step, or the probe question)."""
        if self.current is None:
            raise ParameterError("the session is over; there is no current phrase")
        return self.current.steps(self.level)

    @property
    def rest_due(self) -> bool:
        """Suggest a rest now: a block of phrases just finished, and more are to come."""
        return 0 < self.position < len(self.plan) and self.position % self.rest_every == 0

    def next(self, passed: bool) -> SessionState:
        """The session after the current phrase finished (all steps passed, or stopped)."""
        if self.finished:
            raise ParameterError("the session is over; start a new one")
        return replace(self, position=self.position + 1, passed=(*self.passed, bool(passed)))

    def progress(self, minutes_this_session: float = 0.0) -> Progress:
        """Progress towards the day's goal after ``minutes_this_session`` of practice."""
        if not (math.isfinite(minutes_this_session) and minutes_this_session >= 0):
            raise ParameterError(f"minutes practised must be a number, not {minutes_this_session!r}")
        return Progress(minutes=self.minutes_before + minutes_this_session, goal_minutes=self.goal_minutes,
                        phrases_done=self.position, phrases_planned=len(self.plan))
