"""The steps of Melodic Intonation Therapy for each level, as data, and the walk through them.

PROTOCOL.md "The steps": at each level a phrase goes through a fixed order of steps; each is
passed or failed, and a failure backs up one step.

- elementary: listen (hummed, with tapping) → sing along → sing along with the voice fading →
  repeat after → answer the probe question;
- intermediate: sing along with the voice fading → repeat after a pause → answer the probe
  question;
- advanced: repeat after a pause → Sprechgesang (speak in rhythm, along with the voice) →
  Sprechgesang with the voice fading → say it after a pause → answer the probe question
  (spoken).

A :class:`Step` says what the window does (when the target plays, how it is sung, whether the
patient's take is recorded and scored, in which scoring mode) and carries a default pass
threshold. :class:`StepState` walks a phrase through the steps of a level. Step ids are stored
with every attempt, so they never change; one id means one behaviour at every level.

The labels and instructions are plain English for the patient; the window passes them through
Qt's translation functions (context ``"steps"``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mitpractice.errors import ParameterError

if TYPE_CHECKING:  # the synth package takes 0.2 s to import; the window imports this at start
    from mitpractice.synth.singing import SingOptions

LEVELS = ("elementary", "intermediate", "advanced")

#: The take: none (the patient only listens), along (the patient sings while the target
#: plays: the recording is late by the audio round trip, so the measured latency is taken
#: off), after (the target plays, then the patient's turn, after ``delay_s``), answer (no
#: target: the probe question is shown and the patient answers with the phrase).
TAKE_NONE, TAKE_ALONG, TAKE_AFTER, TAKE_ANSWER = "none", "along", "after", "answer"
TAKES = (TAKE_NONE, TAKE_ALONG, TAKE_AFTER, TAKE_ANSWER)

#: Default pass threshold (overall score, 0–100) of the steps sung along with the voice. The
#: scorer calls 70–90 "a good attempt with one thing to work on" (docs/scoring.md): with the
#: voice to lean on, a good attempt is expected before the voice is taken away.
PASS_ALONG = 70.0
#: Default pass threshold of the steps without the voice (repeat after, probe question, the
#: spoken steps). One notch lower: they are harder, and a failure sends the patient back to
#: a step with more support, so the bar should catch a real failure (a syllable left out caps
#: the rhythm near 50, a monotone or speech the melody below 20), not one uneven note.
PASS_ALONE = 60.0
#: Seconds between the end of the target and the patient's turn in the delayed steps. The
#: phrase must be held in mind rather than echoed, yet not lost; the MIT manual gives no
#: figure we could check, so this is an engineering choice the therapist can note against.
DELAY_S = 3.0
#: Failed takes of one phrase after which the session moves on to the next phrase. People
#: with aphasia tire quickly, and failing one phrase over and over discourages; the phrase
#: comes back another day. About two minutes of trying at a sung phrase's length.
MAX_FAILURES = 5
#: The probe question for a phrase that has none of its own (the MIT manual's general one).
GENERAL_QUESTION = "What did you say?"


@dataclass(frozen=True, kw_only=True)
class Step:
    """One step of MIT: what plays, what the patient does, and how the take is judged.

    Attributes
    ----------
    id : str
        Stable identifier, stored with every attempt (``"unison"``, ``"probe-spoken"`` ...).
    label : str
        Two or three plain words for the patient, shown large ("Sing along").
    instruction : str
        One short plain sentence for the patient ("Sing with the voice.").
    take : str
        One of :data:`TAKES`: whether the patient is recorded, and when the target plays.
    hum, taps, fade : bool
        How the target is sung (see :class:`~mitpractice.synth.singing.SingOptions`): hummed
        on "m", with a tap on each beat, with the voice fading out.
    delay_s : float
        For ``take == "after"``: quiet seconds between the target's end and the patient's turn.
    mode : str
        Scoring mode, ``"sung"`` (melody and rhythm) or ``"sprechgesang"`` (rhythm only, for
        Sprechgesang and spoken steps).
    threshold : float
        Default pass threshold on the overall score (0–100); the therapist may override it.
    """

    id: str
    label: str
    instruction: str
    take: str
    hum: bool = False
    taps: bool = True
    fade: bool = False
    delay_s: float = 0.0
    mode: str = "sung"
    threshold: float = PASS_ALONG
    #: Said after the instruction to a patient who taps (``Patient.tapping``) and only then.
    tap_hint: str = ""

    def __post_init__(self) -> None:
        if self.take not in TAKES:
            raise ParameterError(f"step {self.id!r}: unknown take {self.take!r} (use {', '.join(TAKES)})")
        if self.mode not in ("sung", "sprechgesang"):
            raise ParameterError(f"step {self.id!r}: unknown scoring mode {self.mode!r}")

    @property
    def scored(self) -> bool:
        """Whether the patient is recorded and scored (listening is not)."""
        return self.take != TAKE_NONE

    @property
    def plays_target(self) -> bool:
        """Whether the sung target is played at this step (not for the probe question)."""
        return self.take != TAKE_ANSWER

    @property
    def sing_along(self) -> bool:
        """Whether the target plays during the take: the measured latency is taken off."""
        return self.take == TAKE_ALONG

    @property
    def asks_question(self) -> bool:
        """Whether the probe question is put to the patient (see :func:`probe_question`)."""
        return self.take == TAKE_ANSWER

    def instructions(self, tapping: bool) -> tuple[str, ...]:
        """What the patient is told to do, sentence by sentence; the taps only to a patient
        who taps (one who does not heard "Tap along" and had no taps to follow).

        Examples
        --------
        >>> STEPS["listen"].instructions(tapping=True)
        ('Listen to the tune.', 'Tap along on each beat.')
        >>> STEPS["listen"].instructions(tapping=False)
        ('Listen to the tune.',)
        """
        return (self.instruction, self.tap_hint) if tapping and self.tap_hint else (self.instruction,)

    def sing_options(self, tapping: bool = True) -> SingOptions:
        """How the target is sung; no taps for a patient who does not tap.

        Tapping is part of the classic method, but some patients with rhythm-processing
        problems do worse with it (PROTOCOL.md), so the patient's setting removes the taps.

        Examples
        --------
        >>> STEPS["listen"].sing_options()
        SingOptions(hum=True, taps=True, fade=False)
        >>> STEPS["unison-fading"].sing_options(tapping=False)
        SingOptions(hum=False, taps=False, fade=True)
        """
        from mitpractice.synth.singing import SingOptions

        return SingOptions(hum=self.hum, taps=self.taps and tapping, fade=self.fade)


_SPOKEN = "sprechgesang"

#: Every step by id. One id means one behaviour whatever the level.
STEPS: dict[str, Step] = {
    s.id: s
    for s in (
        Step(id="listen", label="Listen", instruction="Listen to the tune.",
             tap_hint="Tap along on each beat.", take=TAKE_NONE, hum=True),
        Step(id="unison", label="Sing along", instruction="Sing the words with the voice.",
             take=TAKE_ALONG),
        Step(id="unison-fading", label="Keep singing",
             instruction="Sing with the voice. It will get quiet: keep singing.",
             take=TAKE_ALONG, fade=True),
        Step(id="repeat", label="Your turn", instruction="Listen, then sing it yourself.",
             take=TAKE_AFTER, threshold=PASS_ALONE),
        Step(id="repeat-delayed", label="Wait, then sing",
             instruction="Listen. Wait a moment, then sing it yourself.",
             take=TAKE_AFTER, delay_s=DELAY_S, threshold=PASS_ALONE),
        Step(id="probe", label="Answer", instruction="Answer the question. Sing your answer.",
             take=TAKE_ANSWER, threshold=PASS_ALONE),
        Step(id="sprechgesang", label="Speak in rhythm",
             instruction="Say the words with the voice, in its rhythm.",
             take=TAKE_ALONG, mode=_SPOKEN),
        Step(id="sprechgesang-fading", label="Keep speaking",
             instruction="Say the words with the voice, in its rhythm. It will get quiet: keep going.",
             take=TAKE_ALONG, fade=True, mode=_SPOKEN),
        Step(id="spoken-delayed", label="Wait, then say it",
             instruction="Listen. Wait a moment, then say it yourself.",
             take=TAKE_AFTER, delay_s=DELAY_S, mode=_SPOKEN, threshold=PASS_ALONE),
        Step(id="probe-spoken", label="Answer", instruction="Answer the question. Say your answer.",
             take=TAKE_ANSWER, mode=_SPOKEN, threshold=PASS_ALONE),
    )
}

#: The steps of each level, in order (PROTOCOL.md "The steps").
LEVEL_STEPS: dict[str, tuple[str, ...]] = {
    "elementary": ("listen", "unison", "unison-fading", "repeat", "probe"),
    "intermediate": ("unison-fading", "repeat-delayed", "probe"),
    "advanced": ("repeat-delayed", "sprechgesang", "sprechgesang-fading", "spoken-delayed", "probe-spoken"),
}


def check_level(level: str) -> str:
    """``level`` if it is one of :data:`LEVELS`, else a ParameterError naming them."""
    if level not in LEVEL_STEPS:
        raise ParameterError(f"unknown MIT level {level!r}; choose one of {', '.join(LEVELS)}")
    return level


def step(step_id: str) -> Step:
    """The step with this id (as stored with an attempt).

    Examples
    --------
    >>> s = step("unison")
    >>> s.label, s.sing_along, s.scored, s.mode
    ('Sing along', True, True, 'sung')
    """
    try:
        return STEPS[step_id]
    except KeyError:
        raise ParameterError(f"unknown practice step {step_id!r}; choose one of {', '.join(STEPS)}") from None


def level_steps(level: str) -> tuple[Step, ...]:
    """The steps of an MIT level, in order.

    Examples
    --------
    >>> [s.id for s in level_steps("intermediate")]
    ['unison-fading', 'repeat-delayed', 'probe']
    """
    return tuple(STEPS[i] for i in LEVEL_STEPS[check_level(level)])


def probe_question(question: str | None) -> str:
    """The question asked at the probe step: the phrase's own, else the general one.

    Examples
    --------
    >>> probe_question(None)
    'What did you say?'
    >>> probe_question("What do you say when you wake up?")
    'What do you say when you wake up?'
    """
    return question.strip() if question and question.strip() else GENERAL_QUESTION


def check_thresholds(thresholds: Mapping[str, float] | None) -> dict[str, float]:
    """A therapist's per-step pass thresholds, checked: known step ids, scores in 0–100.

    Raises
    ------
    ParameterError
        For an unknown step id (a typo would otherwise be ignored silently) or a threshold
        that is not a number from 0 to 100.

    Examples
    --------
    >>> check_thresholds({"unison": 80})
    {'unison': 80.0}
    """
    out: dict[str, float] = {}
    for key, value in (thresholds or {}).items():
        step(key)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ParameterError(f"pass threshold of step {key!r} must be a number, not {value!r}") from None
        if not (math.isfinite(number) and 0.0 <= number <= 100.0):
            raise ParameterError(f"pass threshold of step {key!r} must be from 0 to 100, not {value!r}")
        out[key] = number
    return out


def pass_threshold(step_: Step, thresholds: Mapping[str, float] | None = None) -> float:
    """The threshold ``step_`` passes at: the therapist's for this patient, else its default.

    Examples
    --------
    >>> pass_threshold(STEPS["repeat"]), pass_threshold(STEPS["repeat"], {"repeat": 75})
    (60.0, 75.0)
    """
    return check_thresholds(thresholds).get(step_.id, step_.threshold)


def passes(step_: Step, overall: float | None, thresholds: Mapping[str, float] | None = None) -> bool:
    """Whether a take passes ``step_``: its overall score reaches the pass threshold.

    A step that is not scored (listening) passes once the target has played; pass ``None``.
    A scored step with no score (nothing heard) fails.

    Examples
    --------
    >>> passes(STEPS["unison"], 72.5), passes(STEPS["unison"], 72.5, {"unison": 80})
    (True, False)
    >>> passes(STEPS["listen"], None), passes(STEPS["probe"], None)
    (True, False)
    """
    if not step_.scored:
        return True
    if overall is None or not math.isfinite(overall):
        return False
    return overall >= pass_threshold(step_, thresholds)


@dataclass(frozen=True, kw_only=True)
class StepState:
    """Where one phrase stands in the steps of a level.

    A pass goes on to the next step, and after the last step the phrase is ``done``; a failure
    goes back one step (never before the first). After :data:`MAX_FAILURES` failed takes the
    phrase is ``stopped``: the session moves on, and the phrase comes back another day.

    An untrained probe phrase (:meth:`untrained`) is only tested, never practised: one take
    at the level's last step (the probe question), with no target played, and the phrase is
    over whether it passed or not; backing up would practise it.

    Attributes
    ----------
    level : str
        One of :data:`LEVELS`.
    index : int
        Position of the current step in the level's steps.
    failures : int
        Failed takes of this phrase so far.
    done : bool
        Every step passed.
    stopped : bool
        Moved on after too many failures (or after a failed untrained probe).
    probe_only : bool
        An untrained probe: one take at the probe question.

    Examples
    --------
    >>> s = StepState(level="intermediate")
    >>> s.step.id
    'unison-fading'
    >>> s = s.after(True); s.step.id
    'repeat-delayed'
    >>> s = s.after(False); s.step.id, s.failures
    ('unison-fading', 1)
    >>> s = s.after(True).after(True).after(True); s.done, s.finished
    (True, True)
    """

    level: str
    index: int = 0
    failures: int = 0
    done: bool = False
    stopped: bool = False
    probe_only: bool = False

    def __post_init__(self) -> None:
        n = len(LEVEL_STEPS[check_level(self.level)])
        if not 0 <= self.index < n:
            raise ParameterError(f"step index {self.index} is outside the {n} steps of level {self.level}")
        if self.probe_only and self.index != n - 1:
            raise ParameterError("an untrained probe is tested at the probe question only")

    @classmethod
    def untrained(cls, level: str) -> StepState:
        """The state of an untrained probe phrase: the level's probe question, once.

        Examples
        --------
        >>> s = StepState.untrained("advanced")
        >>> s.step.id, s.step.plays_target
        ('probe-spoken', False)
        >>> s.after(False).stopped, s.after(False).step.id
        (True, 'probe-spoken')
        """
        return cls(level=level, index=len(LEVEL_STEPS[check_level(level)]) - 1, probe_only=True)

    @classmethod
    def at(cls, level: str, step_id: str) -> StepState:
        """The state at the step with this id (e.g. to resume where a phrase was left)."""
        ids = LEVEL_STEPS[check_level(level)]
        if step_id not in ids:
            raise ParameterError(f"step {step_id!r} is not a step of level {level} ({', '.join(ids)})")
        return cls(level=level, index=ids.index(step_id))

    @property
    def steps(self) -> tuple[Step, ...]:
        return level_steps(self.level)

    @property
    def step(self) -> Step:
        """The current step (the last one tried when ``finished``)."""
        return self.steps[self.index]

    @property
    def finished(self) -> bool:
        """Whether this phrase is over for now (done, or stopped after too many failures)."""
        return self.done or self.stopped

    def after(self, passed: bool) -> StepState:
        """The state after a take (or, for listening, after the target played) at this step."""
        if self.finished:
            raise ParameterError("this phrase has finished its steps; go on to the next phrase")
        if self.probe_only:
            return replace(self, done=passed, stopped=not passed, failures=self.failures + (not passed))
        if passed:
            if self.index + 1 == len(self.steps):
                return replace(self, done=True)
            return replace(self, index=self.index + 1)
        failures = self.failures + 1
        stopped = failures >= MAX_FAILURES
        return replace(self, index=max(self.index - 1, 0), failures=failures, stopped=stopped)

    def judge(self, overall: float | None, thresholds: Mapping[str, float] | None = None) -> StepState:
        """:meth:`after` with the pass decided by :func:`passes` from the take's overall score."""
        return self.after(passes(self.step, overall, thresholds))
