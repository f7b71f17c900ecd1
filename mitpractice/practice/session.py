"""The flow of a practice session, as plain events in and what to do next out.

:class:`SessionFlow` is the one place that decides what happens next in the patient's window:
which phrase, which step, when a take opens, what a score means for the walk through the
steps, when to rest and when the session is over. It does no sound, keeps no timer and knows
no Qt: the window's controller tells it what happened (a key was pressed, the target finished
playing, the take ended, the score is ready, ...) and does what the returned :class:`Act` s
say, in order. So the whole walk through a session is tested without a sound server or a
window (tests/test_practice_session.py).

The steps, their order and the pass/fail walk come from :mod:`mitpractice.practice.steps`,
the phrases and rests from :mod:`mitpractice.practice.plan`.

Examples
--------
>>> from mitpractice.practice.plan import bundled_assignment
>>> flow = SessionFlow(lambda: Programme(level="elementary", assigned=bundled_assignment()))
>>> flow.begin()
(<Act.PREPARE: 'prepare'>,)
>>> flow.phase, flow.item.phrase.text, flow.step.id
(<Phase.READY: 'ready'>, 'Thank you', 'listen')
>>> flow.space(target_ready=True)         # the Listen step plays the tune
(<Act.CLEAR: 'clear'>, <Act.PLAY: 'play'>)
>>> flow.sound_finished(), flow.step.id   # and passes when it has played
((<Act.PREPARE: 'prepare'>,), 'unison')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from mitpractice.errors import MitpracticeError, ParameterError
from mitpractice.practice.plan import SESSION_PHRASES, Assigned, SessionState
from mitpractice.practice.spoken import words_count, words_pass
from mitpractice.practice.steps import StepState, passes


class Phase(StrEnum):
    """Where the session is; the window shows each differently."""

    FEELING_BEFORE = "feeling-before"  # "How are you feeling?" before the first phrase
    READY = "ready"  # the step is shown; Space starts it
    PREPARING = "preparing"  # the sung target is being made
    LATENCY = "latency"  # measuring the sound's round trip (once)
    PLAYING = "playing"  # the target plays before the patient's turn (or for listening)
    HUSHING = "hushing"  # the spoken words are stopped; the speakers fall quiet before the step starts
    WAITING = "waiting"  # the quiet moment of a delayed repetition
    ROOM = "room"  # the microphone opens; the room's noise is measured
    RECORDING = "recording"
    SCORING = "scoring"
    RESULT = "result"
    PHRASE_DONE = "phrase-done"
    REST = "rest"
    FEELING_AFTER = "feeling-after"  # "How are you feeling?" once the session is over
    DONE = "done"  # the session is over: its phrases are all done, or "Done for today"
    EMPTY = "empty"  # nothing to practise


class Act(StrEnum):
    """What the window must do, in the order given, after an event."""

    CLEAR = "clear"  # take the banner away
    PREPARE = "prepare"  # make the step's sung target behind the window (→ target_ready)
    PLAY = "play"  # play the step's target (→ sound_finished, or sound_failed)
    MEASURE = "measure"  # measure the sound's round trip (→ latency_measured / latency_failed)
    WAIT = "wait"  # wait the step's delay_s in quiet (→ waited)
    OPEN = "open"  # open the microphone and hear the room (→ room_heard, or take_failed)
    END_TAKE = "end-take"  # stop recording and score the take (→ take_ended)
    STORE_FAILED = "store-failed"  # say the store could not be read (SessionFlow.failure)
    SAY = "say"  # speak the step's words: its instruction, the Answer step's question (→ spoken)
    HUSH = "hush"  # stop speaking and let the speakers fall quiet (→ hushed)


@dataclass(frozen=True, kw_only=True)
class Programme:
    """What the session is planned from: the patient's level and assigned phrases, as read
    from the store each time a phrase starts (so a therapist's change is followed at once)."""

    level: str
    assigned: Sequence[Assigned]
    #: The spoken steps need the words as well as the rhythm (the patient's setting,
    #: :func:`~mitpractice.practice.spoken.words_needed`).
    words_needed: bool = False


#: How a patient may feel, 1 to 5 (the faces of the feelings check, saddest first).
FEELINGS = (1, 2, 3, 4, 5)
#: The feelings check's words under the faces, for each of :data:`FEELINGS` in order.
FEELING_WORDS = ("Very bad", "Bad", "All right", "Good", "Very good")

#: After the target has played: the Listen step is passed, or the take of a delayed
#: repetition follows a quiet moment.
_LISTENED, _THEN_TAKE = "listened", "then-take"


class SessionFlow:
    """One patient's practice session as a state machine (see the module's notes).

    Parameters
    ----------
    programme : callable
        Returns the :class:`Programme` now; may raise :class:`~mitpractice.errors.MitpracticeError`
        (the store could not be read), which the flow reports as :attr:`Act.STORE_FAILED`.
    max_phrases : int
        Phrases one session goes through at most (finished or skipped).
    ask_feelings : bool
        Ask "How are you feeling?" before the first phrase and once the session is over
        (:meth:`feeling`; Space skips the question).
    say_steps : bool
        Speak each step's words when it is shown (:attr:`Act.SAY`). Nothing that opens the
        microphone or plays a sound is asked for while they are spoken: Space (or any start)
        first asks :attr:`Act.HUSH`, and the step starts at :meth:`hushed`, so the words never
        end up in the patient's recording, and one switch still walks the session.

    Attributes
    ----------
    phase : Phase
    plan : SessionState or None
        Today's plan, ``None`` until :meth:`begin` could read the programme.
    item : Assigned or None
        The phrase now.
    state : StepState or None
        Where the phrase is in its steps.
    pending : StepState or None
        The steps after the result on screen (the next step, or back one).
    passed : bool
        The last scored take passed its step.
    awaiting_words : bool
        The result is on screen but its pass waits for the word check (:meth:`words_checked`):
        a spoken step whose rhythm passed, for a patient whose steps need the words.
    words_verdict : bool or None
        What the words of the last take said of its pass (None: not checked, or could not decide).
    latency_known : bool
        The sound's round trip is measured (or given up): sing-along steps start at once.
    phrases_done : int
        Phrases finished (through all their steps, or stopped) in this session; a skipped
        phrase is not done.
    failure : str
        What went wrong reading the store, for :attr:`Act.STORE_FAILED`; "" once it is read.
        The phase is then :attr:`Phase.EMPTY`, and Space reads it again.
    chosen : int
        Phrases chosen so far in this session (a new number: a new phrase is on screen).
    feeling_before, feeling_after : int or None
        The patient's answers, 1 (bad) to 5 (good); None while not given or skipped.
    speaking : bool
        The step's words are being said (from :attr:`Act.SAY` until :meth:`spoken` or
        :meth:`hushed`).
    """

    def __init__(self, programme: Callable[[], Programme], *, max_phrases: int = SESSION_PHRASES,
                 ask_feelings: bool = False, say_steps: bool = False) -> None:
        self._programme = programme
        self.say_steps = say_steps
        self.speaking = False
        self.max_phrases = max_phrases
        self.ask_feelings = ask_feelings
        self.feeling_before: int | None = None
        self.feeling_after: int | None = None
        self.level = "elementary"
        self.phase = Phase.READY
        self.plan: SessionState | None = None
        self._planned_from: tuple = ()
        self.item: Assigned | None = None
        self.state: StepState | None = None
        self.pending: StepState | None = None
        self.passed = False
        self.awaiting_words = False
        self.words_verdict: bool | None = None
        self._go_on_asked = False
        self.words_needed = False
        self.latency_known = False
        self.phrases_done = 0
        self.phrases_through = 0  # finished or skipped: what the session's cap counts
        self.failure = ""
        self._rest_owed = False  # the store failed between phrases: the rest is judged after it
        self.chosen = 0  # phrases chosen so far: a new number is a new phrase on screen
        self._after_play: str | None = None

    # ------------------------------------------------------------------ reading
    @property
    def step(self):
        """The step now (a :class:`~mitpractice.practice.steps.Step`), or ``None``."""
        return None if self.state is None else self.state.step

    @property
    def probe(self) -> bool:
        """The current phrase is an untrained probe (tested, never practised)."""
        return self.plan is not None and self.plan.current is not None and self.plan.current.probe

    @property
    def phrases_left(self) -> int:
        """Phrases still planned in this session, the current one included."""
        if self.plan is None:
            return 0
        return len(self.plan.plan) - self.plan.position

    @property
    def along(self) -> bool:
        """The step's take is sung along with the target."""
        return self.step is not None and self.step.sing_along

    # ------------------------------------------------------------------ the session
    def begin(self) -> tuple[Act, ...]:
        """Today's practice: how the patient feels, then the first phrase."""
        if self.ask_feelings:
            self.phase = Phase.FEELING_BEFORE
            return ()
        return self._choose_phrase(first=True)

    def feeling(self, value: int | None) -> tuple[Act, ...]:
        """The answer to "How are you feeling?" (1–5), or None: skipped."""
        if value is not None and value not in FEELINGS:
            raise ParameterError(f"a feeling is one of {FEELINGS}, not {value!r}")
        if self.phase == Phase.FEELING_BEFORE:
            self.feeling_before = value
            return self._choose_phrase(first=True)
        if self.phase == Phase.FEELING_AFTER:
            self.feeling_after = value
            self.phase = Phase.DONE
        return ()

    def _over(self) -> None:
        """The session is over: how the patient feels now, then the summary."""
        self.pending = None
        self.speaking = False
        self.phase = Phase.FEELING_AFTER if self.ask_feelings else Phase.DONE

    def refresh(self) -> tuple[Act, ...]:
        """Re-read the programme; re-plan the rest of the session when it changed."""
        try:
            programme = self._programme()
        except MitpracticeError as exc:
            self.failure = str(exc)
            return (Act.STORE_FAILED,)
        self.failure = ""
        self.level = programme.level
        self.words_needed = programme.words_needed
        basis = (programme.level, tuple(sorted((a.key, a.probe) for a in programme.assigned)))
        if self.plan is None or basis != self._planned_from:
            left = self.max_phrases - self.phrases_through
            if left < 1:
                return ()
            try:
                self.plan = SessionState.start(programme.assigned, level=programme.level, max_phrases=left)
            except MitpracticeError as exc:
                self.failure = str(exc)
                return (Act.STORE_FAILED,)
            self._planned_from = basis
        return ()

    def _choose_phrase(self, first: bool = False) -> tuple[Act, ...]:
        """The plan's current phrase, at its first step (or its probe question)."""
        acts = self.refresh()
        if acts or self.plan is None:
            self.phase = Phase.EMPTY
            self.speaking = False
            return acts
        if self.plan.finished:
            self._over()
            return ()
        self.item = self.plan.current.assigned
        self.state = self.plan.steps()
        self.pending = None
        self.chosen += 1
        # What was said of the last phrase (too loud, a tip) is no longer true.
        return self._show_step() if first else (Act.CLEAR, *self._show_step())

    def _show_step(self) -> tuple[Act, ...]:
        """A step is on screen: its target is made behind it, and its words are said."""
        self.phase = Phase.READY
        if not self.say_steps:
            return (Act.PREPARE,)
        self.speaking = True
        return (Act.PREPARE, Act.SAY)

    def jump_to_step(self, step_id: str) -> tuple[Act, ...]:
        """Put the current phrase at this step (the therapist's choice; tests)."""
        self.state = StepState.at(self.level, step_id)
        self.pending = None
        return self._show_step()

    def finish(self) -> tuple[Act, ...]:
        """"Done for today": the session ends here, with its summary. A phrase whose last step
        was just passed (or stopped) counts as done. Not during a take."""
        if self.phase not in (Phase.READY, Phase.RESULT, Phase.PHRASE_DONE, Phase.REST, Phase.EMPTY):
            return ()
        self._forget_words()  # a pass still waiting for the words is judged on rhythm alone
        over = self.pending if self.phase == Phase.RESULT else self.state
        if self.phase in (Phase.RESULT, Phase.PHRASE_DONE) and over is not None and over.finished:
            self.phrases_done += 1
            self.phrases_through += 1
        self._over()
        return (Act.CLEAR,)

    def _next_phrase(self) -> tuple[Act, ...]:
        """The phrase is over (or skipped): on to the plan's next, after a rest when one is due."""
        self.speaking = False  # the step's words stop with it
        if self.plan is None or self.plan.finished:
            return self._choose_phrase()
        finished = self.state is not None and self.state.finished
        if finished:
            self.phrases_done += 1
        self.phrases_through += 1
        self.plan = self.plan.next(passed=bool(self.state is not None and self.state.done))
        acts = self.refresh()
        if acts:  # the store could not be read: the phrase is left (counted once); Space tries again
            self.phase = Phase.EMPTY
            self.item = self.state = self.pending = None
            self._rest_owed = True
            return acts
        return self._rest_or_next()

    def _rest_or_next(self) -> tuple[Act, ...]:
        """A phrase is over and the plan moved on: a rest when a block just ended, else the next."""
        if self.plan is not None and self.plan.rest_due:
            self.phase = Phase.REST
            return ()
        return self._choose_phrase()

    # ------------------------------------------------------------------ keys
    def space(self, *, target_ready: bool = False, voice_playing: bool = False) -> tuple[Act, ...]:
        """Space, the one switch: the next sensible thing.

        ``target_ready``: the step's sung target is made; ``voice_playing``: the target is
        still sounding (a sing-along take is never cut off mid-phrase).
        """
        phase = self.phase
        if phase in (Phase.FEELING_BEFORE, Phase.FEELING_AFTER):
            return self.feeling(None)  # one switch walks on: Space skips the question
        if phase == Phase.READY:
            return self.start_step(target_ready=target_ready)
        if phase == Phase.RECORDING:
            if not (self.along and voice_playing):
                return (Act.END_TAKE,)
            return ()
        if phase == Phase.RESULT:
            return self.go_on()
        if phase == Phase.PHRASE_DONE:
            return self._next_phrase()
        if phase == Phase.REST:
            return self._choose_phrase()
        if phase == Phase.EMPTY:
            if self._rest_owed:  # the store failed as a phrase ended: a rest due then still is
                acts = self.refresh()
                if acts:
                    return acts
                self._rest_owed = False
                return self._rest_or_next()
            return self._choose_phrase()
        return ()

    def go_on(self) -> tuple[Act, ...]:
        """After a result: the next step (or back one, after a failure), or the phrase is over."""
        if self.phase != Phase.RESULT or self.pending is None:
            return ()
        if self.awaiting_words:  # the words decide whether this goes on or back: wait for them
            self._go_on_asked = True
            return ()
        self.state, self.pending = self.pending, None
        if self.state.finished:
            self.phase = Phase.PHRASE_DONE
            return (Act.CLEAR,)
        return (Act.CLEAR, *self._show_step())

    def again(self, *, target_ready: bool = False) -> tuple[Act, ...]:
        """Try the same step again (the result is kept, the step is not judged)."""
        if self.phase not in (Phase.RESULT, Phase.READY) or self.state is None:
            return ()
        self._forget_words()
        self.pending = None
        self.phase = Phase.READY
        return (Act.CLEAR, *self.start_step(target_ready=target_ready))

    def skip(self) -> tuple[Act, ...]:
        """Another phrase: this one is left, not done."""
        if self.phase in (Phase.READY, Phase.RESULT, Phase.PHRASE_DONE):
            self._forget_words()
            return self._next_phrase()
        return ()

    # ------------------------------------------------------------------ a step
    def start_step(self, *, target_ready: bool) -> tuple[Act, ...]:
        """Start the step shown: make its target first if need be, measure the sound's round
        trip before the first sing-along take, then play, or open the microphone."""
        step = self.step
        if step is None:
            return ()
        if self.speaking:  # the words are cut short, and heard out, before anything starts
            self.phase = Phase.HUSHING
            return (Act.CLEAR, Act.HUSH)
        if step.plays_target and not target_ready:
            self.phase = Phase.PREPARING
            return (Act.CLEAR, Act.PREPARE)
        if step.sing_along and not self.latency_known:
            self.phase = Phase.LATENCY
            return (Act.CLEAR, Act.MEASURE)
        if step.take in ("none", "after"):
            self._after_play = _LISTENED if step.take == "none" else _THEN_TAKE
            self.phase = Phase.PLAYING
            return (Act.CLEAR, Act.PLAY)
        # Sung along (the target starts with the take), or the probe question (no target).
        self.phase = Phase.ROOM
        return (Act.CLEAR, Act.OPEN)

    def spoken(self) -> None:
        """The step's words have been said (and have died away), or could not be said."""
        self.speaking = False

    def hushed(self, *, target_ready: bool) -> tuple[Act, ...]:
        """The words were stopped and the speakers are quiet: the step starts now."""
        if self.phase != Phase.HUSHING:  # the step was left meanwhile; its words are not said
            return ()
        self.speaking = False
        self.phase = Phase.READY
        return self.start_step(target_ready=target_ready)

    def target_ready(self) -> tuple[Act, ...]:
        """The step's target is made: a step waiting for it starts now."""
        if self.phase != Phase.PREPARING:
            return ()
        self.phase = Phase.READY
        return self.start_step(target_ready=True)

    def target_failed(self) -> None:
        """The target could not be made: back to the step (the window says why)."""
        if self.phase == Phase.PREPARING:
            self.phase = Phase.READY

    def latency_measured(self) -> tuple[Act, ...]:
        self.latency_known = True
        self.phase = Phase.READY
        return self.start_step(target_ready=True)

    def latency_failed(self, *, go_on: bool) -> tuple[Act, ...]:
        """The clicks did not come back (headphones): singing along works without the
        correction. ``go_on`` false leaves the step for Space (the sound itself failed)."""
        self.latency_known = True
        self.phase = Phase.READY
        return self.start_step(target_ready=True) if go_on else ()

    def sound_finished(self) -> tuple[Act, ...]:
        """The step's target has played."""
        if self.phase != Phase.PLAYING:
            return ()
        after, self._after_play = self._after_play, None
        if after == _THEN_TAKE:
            self.phase = Phase.WAITING
            return (Act.WAIT,)
        self.state = self.state.after(True)
        if self.state.finished:
            self.phase = Phase.PHRASE_DONE
            return ()
        return self._show_step()

    def sound_failed(self) -> None:
        """The target could not be played (no speaker): the step waits for Space."""
        self._after_play = None
        if self.phase in (Phase.PLAYING, Phase.RECORDING, Phase.ROOM):
            self.phase = Phase.READY

    def waited(self) -> tuple[Act, ...]:
        """The quiet moment of a delayed repetition is over: the patient's turn."""
        if self.phase != Phase.WAITING:
            return ()
        self.phase = Phase.ROOM
        return (Act.OPEN,)

    def room_heard(self) -> None:
        """The room's noise is measured: the take runs."""
        if self.phase == Phase.ROOM:
            self.phase = Phase.RECORDING

    def take_failed(self) -> None:
        """The microphone could not be opened, or stopped before the take began."""
        if self.phase in (Phase.ROOM, Phase.RECORDING):
            self.phase = Phase.READY

    def take_ended(self) -> bool:
        """The take ended (the patient stopped singing, Space, the microphone went): True when
        there is a take to score, False when it ended while the room was still being heard."""
        if self.phase == Phase.ROOM:
            self.phase = Phase.READY
            return False
        if self.phase != Phase.RECORDING:
            return False
        self.phase = Phase.SCORING
        return True

    def scored(self, overall: float | None, thresholds=None) -> bool:
        """The take's score is ready (``overall`` None: no singing heard). Returns whether the
        step is passed by the score; :attr:`pending` holds the steps after it.

        In a spoken step the patient says alone, for a patient whose steps need the words
        (:attr:`Programme.words_needed`), a take that passed on its score still waits for the
        word check (:attr:`awaiting_words`, then :meth:`words_checked`)."""
        if self.phase != Phase.SCORING:
            return False
        try:
            self.passed = passes(self.step, overall, thresholds)
        except MitpracticeError:  # an unknown step id among the therapist's thresholds
            self.passed = passes(self.step, overall)
        self.pending = self.state.after(self.passed)
        self.words_verdict = None
        self._go_on_asked = False
        self.awaiting_words = self.passed and self.words_needed and words_count(self.step)
        self.phase = Phase.RESULT
        return self.passed

    def words_checked(self, words) -> tuple[Act, ...]:
        """The word check of the take on screen is done (``words``: its WordResults, or None
        when the check could not run). A take waiting for its words fails when they do not
        pass (:func:`~mitpractice.practice.spoken.words_pass`); "could not decide" leaves the
        pass to the rhythm. A Space pressed while waiting is carried out now."""
        if self.phase != Phase.RESULT or not self.awaiting_words:
            return ()
        self.awaiting_words = False
        self.words_verdict = words_pass(words)
        if self.words_verdict is False:
            self.passed = False
            self.pending = self.state.after(False)
        if self._go_on_asked:
            self._go_on_asked = False
            return self.go_on()
        return ()

    def _forget_words(self) -> None:
        """The result is left (tried again, skipped, done for today) before its words came."""
        self.awaiting_words = False
        self._go_on_asked = False

    def not_scored(self) -> None:
        """The take is kept but could not be scored now: the same step again."""
        if self.phase != Phase.SCORING:
            return
        self.pending = self.state
        self.passed = False
        self.awaiting_words = False
        self.phase = Phase.RESULT

    def save_failed(self) -> None:
        """The take could not be saved (its journal keeps it): the step waits for Space."""
        if self.phase == Phase.SCORING:
            self.phase = Phase.READY
