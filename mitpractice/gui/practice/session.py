"""The practice window's controller: the sound, the timers and the store around the session's flow.

What happens next is decided by :class:`mitpractice.practice.session.SessionFlow` (no Qt, no
sound): :class:`PracticeController` tells it what happened and does what it answers (make the
target, play it, open the microphone, ...). The controller drives the sound
(``audio.Recorder`` and ``audio.Player``, read on a 60 Hz timer), the live worker (pitch, save,
score), the store (the session, the assignments) and tells the screen what to show through
signals. When a take starts and ends comes from :mod:`mitpractice.practice.takes` (through
:class:`~mitpractice.practice.live.LiveTake`).

:meth:`PracticeController.advance` is the Space key: it always does the next sensible thing
(play the target, start the take, end it, go on), so a whole session can be walked with one
switch.
"""

from __future__ import annotations

import contextlib
import socket
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal

from mitpractice.errors import MitpracticeError
from mitpractice.gui.practice.workers import (
    LiveThread,
    TakeEnd,
    TakeOutcome,
    TakePlan,
    WordsJob,
    WordsOutcome,
)
from mitpractice.gui.workers import Tasks
from mitpractice.practice.session import Act, Phase, Programme, SessionFlow

__all__ = ["LATENCY_SETTING", "Phase", "PracticeController", "ResultView", "assigned_phrases"]

#: The store's setting holding the measured round-trip latency (s).
#: The round trip is a property of this computer's sound card, and a clinic's store is shared
#: by several computers: the setting is kept per computer.
LATENCY_SETTING = f"latency_s@{socket.gethostname()}"
#: The store's setting holding the room's response measured with it (practice.echo), or "".
ECHO_SETTING = f"echo_path@{socket.gethostname()}"
#: Times the latency is measured before the app gives up for this session: a click can be
#: masked by a noise in the room, or come while the sound path is still starting.
LATENCY_TRIES = 3
#: The window reads the recorder and redraws this often (ms): 60 frames a second.
TICK_MS = 16
#: Seconds of the quiet room recorded before each take to find its noise floor (the take's
#: voice threshold sits above it). Half a second is what :func:`noise_floor_dbfs` asks for.
ROOM_S = 0.4
#: Seconds the device may take to send its first sound before the take is given up as "no
#: sound from the microphone" (PulseAudio's null sinks take about 2 s, real devices far less).
FIRST_SOUND_TIMEOUT_S = 6.0
#: Seconds the microphone may still hear the spoken words after they stop: the sound's round
#: trip (real computers: 0.14–0.33 s, docs/practice-window.md) plus this margin; before it is
#: measured, the longest round trip the app accepts (``practice.live.MAX_LATENCY_S``, equal by
#: a test; not imported here, as it loads the scorer), since the click test that measures it
#: must not hear the words either. The microphone opens (and the clicks play) only after it,
#: so the words are never in a take.
SPEECH_MARGIN_S, UNMEASURED_LATENCY_S = 0.15, 1.0
#: A take's journal keeps at most this much of the start of a take that never got its end
#: (the recorder's own limit is the take rules' maximum).
RECORD_MAX_S = 90.0


def tr(text: str) -> str:
    return QCoreApplication.translate("practice", text)


def assigned_phrases(store, patient) -> list:
    """The patient's assignments as the plan takes them (``practice.plan.Assigned``), with
    when each phrase was last sung, so the least recently practised comes first."""
    from mitpractice.practice.plan import Assigned
    from mitpractice.store.records import AttemptQuery

    last: dict[tuple[str, str], object] = {}
    for attempt in store.attempts(AttemptQuery(patient_id=patient.id, limit=1000)).attempts:
        key = (attempt.set_id, attempt.phrase_id)
        if key not in last:  # newest first
            last[key] = attempt.started_at
    out = []
    for a in store.assignments(patient.id):
        try:
            parsed = store.phrase_set(a.phrase_set_id)
            phrase = parsed.phrase(a.phrase_id)
        except MitpracticeError:
            continue
        out.append(Assigned(set_id=a.set_id, phrase=phrase, probe=a.probe, interval=parsed.interval,
                            tempo=parsed.tempo, last_practised=last.get((a.set_id, a.phrase_id))))
    return out


@dataclass(frozen=True, kw_only=True)
class ResultView:
    """What the result screen shows of a scored take (whether it passed is the flow's)."""

    overall: float | None
    headline: str
    lines: tuple[str, ...]
    syllables: tuple  # Score.syllables, for the view's colours
    next_label: str
    tapping: str | None = None
    attempt_id: str = ""
    together: str | None = None
    #: What the word check heard, for the patient ("I heard: thank …"), once it is done.
    heard: str | None = None


class PracticeController(QObject):
    """Runs a practice session for one patient (see the module's notes)."""

    #: Phase or content changed: the screen redraws what it shows.
    changed = Signal()
    #: A message for the banner: (kind, text); kind "" clears it.
    message = Signal(str, str)
    #: Pitch frames to draw over the target notes (a PitchTrack, times in target time).
    frames = Signal(object)
    #: Input level (dBFS) for the meter.
    level = Signal(float)
    #: The syllable sung in the target now (index, or None).
    highlight = Signal(object)
    #: Where the target playing is (s of the target), or None: the view's cursor.
    cursor = Signal(object)
    #: A new take: clear the pitch line and the results.
    take_started = Signal()
    #: The result is on screen: seconds from the take's end (for benchmarks and tests).
    feedback_shown = Signal(float)
    #: A spoken take's words are checked and their result is on screen: seconds from the
    #: take's end (for benchmarks and tests).
    words_shown = Signal(float)

    def __init__(self, store, patient, parent: QObject | None = None, *, tasks: Tasks | None = None,
                 speak: bool = True) -> None:
        super().__init__(parent)
        from mitpractice.audio import Player, Recorder

        self.store = store
        self.patient = patient
        self.tasks = tasks or Tasks()
        self.recorder = Recorder(max_seconds=RECORD_MAX_S)
        self.player = Player()
        self.live = LiveThread(store, self)
        self.live.worker.frames.connect(self._on_frames)
        self.live.worker.voice_started.connect(self._on_voice_started)
        self.live.worker.ended.connect(self._on_take_ended)
        self.live.worker.outcome.connect(self._on_outcome)
        self.live.worker.words.connect(self._on_words)
        self.live.worker.failed.connect(self._save_failed)
        self._recogniser_asked = False  # loaded behind the window at the first spoken step
        self.flow = SessionFlow(self._programme, ask_feelings=True, say_steps=speak)
        self.result: ResultView | None = None
        self._chosen = 0
        self.session = None
        self._done_before = 0  # phrases finished today before this session (from the store)
        self._done_kept = 0  # this session's phrases_done as the store has it
        self._ended = False
        self.latency_s: float | None = self._stored_latency()
        self.echo_path = self._stored_echo_path()
        self.flow.latency_known = self.latency_s is not None
        self._targets: dict[tuple, object] = {}
        self._target = None
        self._preparing: set[tuple] = set()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._pos = 0
        self._room: list[np.ndarray] = []
        self._opened_at = 0.0
        self._journal = None
        self._attempt = None
        self._taps: list[float] = []
        self._along = False
        self._target_start_sent = False
        self._take_ended_at = 0.0
        self._end_reason = ""
        self._too_quiet = False
        self._last_take: tuple[np.ndarray, int] | None = None
        #: The last take's LiveResult, the target it was sung along with (a SungTarget) and
        #: where that started playing (s in the take).
        self.last_result = None
        self.last_target = None
        self.last_target_start_s: float | None = None
        self._following = False
        # The step's words (Act.SAY): made behind the window, kept for the session; a newer
        # SAY or a HUSH makes an older one's words stale (_said counts them).
        self._spoken: dict[str, tuple[np.ndarray, int]] = {}
        self._making: set[str] = set()
        self._wanted: str | None = None  # the words to say once made
        self._said = 0
        self._speech_playing = False
        self._quiet_at = 0.0  # time.monotonic() when the speakers are quiet after the words
        #: The words said last.
        self.said_text = ""
        self._wait_timer = QTimer(self)
        self._wait_timer.setSingleShot(True)
        self._wait_timer.timeout.connect(lambda: self._do(self.flow.waited()))

    # ------------------------------------------------------------------ reading
    @property
    def phase(self) -> Phase:
        return self.flow.phase

    @property
    def plan(self):
        """Today's plan (``practice.plan.SessionState``)."""
        return self.flow.plan

    @property
    def item(self):
        """The phrase now (``practice.plan.Assigned``)."""
        return self.flow.item

    @property
    def state(self):
        """Where the phrase is in its steps (``practice.steps.StepState``)."""
        return self.flow.state

    @property
    def pending(self):
        """The steps after the result on screen."""
        return self.flow.pending

    @property
    def phrases_done(self) -> int:
        """Phrases finished in this session (a skipped one is not done)."""
        return self.flow.phrases_done

    @property
    def step(self):
        return self.flow.step

    @property
    def melody(self):
        """The phrase's notes in the patient's register, interval and tempo."""
        from mitpractice.melody import target_melody

        if self.item is None:
            return None
        p = self.patient
        return target_melody(self.item.phrase, p.low_hz, p.interval, p.tempo)

    @property
    def probe(self) -> bool:
        """The current phrase is an untrained probe (tested, never practised)."""
        return self.flow.probe

    def progress(self):
        """Today's progress (``practice.plan.Progress``): minutes sung today towards the goal
        and phrases finished today, both from the store and so kept over a restart."""
        from mitpractice.practice.plan import Progress

        try:
            minutes = self.store.minutes_today(self.patient.id)
        except MitpracticeError:
            minutes = 0.0
        done = self._done_before + self.phrases_done
        return Progress(minutes=minutes, goal_minutes=self.patient.daily_goal_min,
                        phrases_done=done, phrases_planned=done + self.flow.phrases_left)

    def _stored_latency(self) -> float | None:
        """The round trip kept for this computer; None (measured again) if unreadable."""
        try:
            value = self.store.setting(LATENCY_SETTING)
            return None if value is None else float(value)
        except (MitpracticeError, ValueError):
            return None

    def _stored_echo_path(self):
        """The room's echo path kept for this computer; None (measured again) if unreadable."""
        from mitpractice.practice.echo import EchoPath

        try:
            value = self.store.setting(ECHO_SETTING)
        except MitpracticeError:
            return None
        return EchoPath.from_text(value) if value else None

    # ------------------------------------------------------------------ session
    def start(self) -> None:
        """Begin today's practice at its first phrase."""
        with contextlib.suppress(MitpracticeError):
            self._done_before = self.store.phrases_done_today(self.patient.id)
        self._timer.start()
        self._do(self.flow.begin())

    def close(self) -> None:
        self._timer.stop()
        self._wait_timer.stop()
        self._said, self._wanted = self._said + 1, None  # words still being made are not said
        self.player.stop()
        if self.phase in (Phase.ROOM, Phase.RECORDING):
            self._end_take("stopped")
        self.recorder.close()
        self.live.stop()
        self._end_session()

    def _end_session(self) -> None:
        """Mark the session ended in the store, once."""
        if self.session is not None and not self._ended:
            with contextlib.suppress(MitpracticeError):
                self.store.end_session(self.session.id)
                self._ended = True

    def _programme(self) -> Programme:
        """The patient and their assignments, re-read from the store each time a phrase starts,
        so a therapist's change is followed at once."""
        from mitpractice.practice.spoken import words_needed, words_setting_key

        self.patient = self.store.patient(self.patient.id)
        needed = words_needed(self.patient.level, self.store.setting(words_setting_key(self.patient.id)))
        return Programme(level=self.patient.level, assigned=assigned_phrases(self.store, self.patient),
                         words_needed=needed)

    def _ensure_session(self):
        """The store's row for this session, made at the first take (or the first phrase done)."""
        if self.session is None:
            try:
                self.session = self.store.start_session(self.patient.id)
            except MitpracticeError:
                self.session = None
        return self.session

    def _keep_phrases_done(self) -> None:
        """Write the session's count of finished phrases, so it survives a restart."""
        if self._ensure_session() is None:
            return
        try:
            self.store.update_session(self.session.id, phrases_done=self.flow.phrases_done)
        except MitpracticeError as exc:
            self._tell("error", self._store_failed(str(exc)))
            return
        self._done_kept = self.flow.phrases_done

    def jump_to_step(self, step_id: str) -> None:
        """Put the current phrase at this step (the therapist's choice; tests)."""
        self._do(self.flow.jump_to_step(step_id))

    def _do(self, acts: tuple[Act, ...]) -> None:
        """Do what the flow asks, in order, then let the screen redraw."""
        for act in acts:
            if act == Act.CLEAR:
                self.message.emit("", "")
            elif act == Act.PREPARE:
                self._prepare_target()
                self._load_recogniser()
            elif act == Act.PLAY:
                self._target = self._targets.get(self._target_key())
                if not self._play(self._target.audio, self._target.sr):
                    self.flow.sound_failed()
            elif act == Act.MEASURE:
                self._measure_latency()
            elif act == Act.WAIT:
                self._wait_timer.start(int(1000 * self.step.delay_s))
            elif act == Act.OPEN:
                if self.step.plays_target:
                    self._target = self._targets.get(self._target_key())
                self._open_take()
            elif act == Act.END_TAKE:
                self._end_take("stopped")
            elif act == Act.STORE_FAILED:
                self._tell("error", self._read_failed(self.flow.failure))
            elif act == Act.SAY:
                self._say()
            elif act == Act.HUSH:
                self._hush()
        if self._speech_playing and not self.flow.speaking:  # the step was left mid-sentence
            self._stop_speech()
        if self.flow.phrases_done != self._done_kept:
            self._keep_phrases_done()
        if self.phase == Phase.DONE:
            self._end_session()
        if self.flow.chosen != self._chosen:  # a new phrase: the last one's result and take go
            self._chosen = self.flow.chosen
            self.result, self._last_take = None, None
        self.changed.emit()

    # ------------------------------------------------------------------ keys
    def advance(self) -> None:
        """Space: the next sensible thing (the flow decides; a sing-along take is never cut off
        while the voice still sings)."""
        self._do(self.flow.space(target_ready=self._target_ready(), voice_playing=self.player.playing))

    def go_on(self) -> None:
        """After a result: the next step (or back one, after a failure), or the phrase is over."""
        self._do(self.flow.go_on())

    def again(self) -> None:
        """Try the same step again (the result is kept, the step is not judged)."""
        self._do(self.flow.again(target_ready=self._target_ready()))

    def skip_phrase(self) -> None:
        self._do(self.flow.skip())

    def feeling(self, value: int | None) -> None:
        """The answer to "How are you feeling?" (1–5; None: skipped), kept with the session."""
        after = self.phase == Phase.FEELING_AFTER
        if self.phase not in (Phase.FEELING_BEFORE, Phase.FEELING_AFTER):
            return
        if value is not None and self._ensure_session() is not None:
            try:
                self.store.update_session(self.session.id, **{
                    "feeling_after" if after else "feeling_before": value})
            except MitpracticeError as exc:
                self._tell("error", self._store_failed(str(exc)))
        self._do(self.flow.feeling(value))

    def finish(self) -> None:
        """Done for today: the session ends here (not in the middle of a take)."""
        self._do(self.flow.finish())

    def play_target(self) -> None:
        """Hear the target again (not during a take)."""
        if self.phase not in (Phase.READY, Phase.RESULT, Phase.PHRASE_DONE):
            return
        target = self._targets.get(self._target_key())
        if target is not None:
            self._play(target.audio, target.sr)

    def play_attempt(self) -> None:
        """Hear the last take."""
        if self.phase in (Phase.RESULT, Phase.READY, Phase.PHRASE_DONE) and self._last_take is not None:
            self._play(*self._last_take, follow=False)

    def stop_sound(self) -> None:
        self.player.stop()
        self.highlight.emit(None)
        self.cursor.emit(None)

    def tap(self) -> None:
        """A left-hand tap: kept with the take when one is recorded."""
        if self.phase == Phase.RECORDING:
            seconds = self.recorder.status().seconds
            self._taps.append(seconds)
            if self._journal is not None:
                self._journal.tap(seconds)

    @property
    def taps(self) -> tuple[float, ...]:
        return tuple(self._taps)

    # ------------------------------------------------------------------ the step's words
    def words(self) -> str:
        """What the step asks, as shown and spoken: its instruction (and the tap hint for a
        patient who taps), or in the Answer step the instruction and the question."""
        step, item = self.step, self.item
        if step is None or item is None:
            return ""

        def steps(text: str) -> str:
            return QCoreApplication.translate("steps", text)

        if step.asks_question:
            from mitpractice.practice.steps import probe_question

            return steps(step.instruction) + "  " + steps(probe_question(item.phrase.question))
        return " ".join(steps(s) for s in step.instructions(self.patient.tapping))

    def _say(self) -> None:
        """Say the step's words (made behind the window the first time, then kept)."""
        self._said += 1
        text = self._wanted = self.words()
        self._stop_speech()
        if not text:
            self.flow.spoken()
        elif text in self._spoken:
            self._start_speech(text, *self._spoken[text])
        elif text not in self._making:  # made once, however often it is asked for meanwhile
            from mitpractice.synth import spoken_words

            self._making.add(text)

            def done(spoken) -> None:
                self._making.discard(text)
                self._spoken[text] = spoken
                if self._wanted == text and self.flow.speaking and self.phase == Phase.READY:
                    self._start_speech(text, *spoken)

            def failed(exc) -> None:  # no voice: the words are on screen all the same
                self._making.discard(text)
                if self._wanted == text:
                    self.flow.spoken()

            self.tasks.start(lambda: spoken_words(text), done, failed, owner=self)

    def _start_speech(self, text: str, audio: np.ndarray, sr: int) -> None:
        try:
            self.player.play(audio, sr)
        except MitpracticeError:  # no speaker: the words are on screen; a take says why
            self.flow.spoken()
            return
        self._following = False
        self._speech_playing = True
        self.said_text = text

    def _speech_tail_s(self) -> float:
        """How long the speakers may still sound after the words stop."""
        return (UNMEASURED_LATENCY_S if self.latency_s is None else self.latency_s) + SPEECH_MARGIN_S

    def _stop_speech(self) -> None:
        if self._speech_playing:
            self.player.stop()
            self._speech_playing = False
            self._quiet_at = time.monotonic() + self._speech_tail_s()

    def _speech_over(self) -> None:
        """The words were said to their end: the flow hears of it once they have died away."""
        self._speech_playing = False
        tail = self._speech_tail_s()
        self._quiet_at = time.monotonic() + tail
        said = self._said
        QTimer.singleShot(int(1000 * tail), self, lambda: said == self._said and self.flow.spoken())

    def _hush(self) -> None:
        """Cut the words short; the step starts once the speakers are quiet (never into a take)."""
        self._said, self._wanted = self._said + 1, None
        self._stop_speech()
        wait_ms = max(0, int(1000 * (self._quiet_at - time.monotonic())))
        said = self._said

        def hushed() -> None:
            if said == self._said:
                self._do(self.flow.hushed(target_ready=self._target_ready()))

        QTimer.singleShot(wait_ms, self, hushed)

    # ------------------------------------------------------------------ targets
    def _target_key(self) -> tuple:
        step = self.step
        p = self.patient
        return (self.item.set_id, self.item.phrase.id, step.hum, step.taps and p.tapping, step.fade,
                round(p.low_hz, 2), p.interval, p.tempo)

    def _target_ready(self) -> bool:
        return self.item is not None and self.step is not None and self._target_key() in self._targets

    def _prepare_target(self, then=None) -> None:
        """Make the step's sung target behind the window (cached for the session)."""
        from functools import partial

        if self.item is None or self.step is None or not self.step.plays_target:
            return
        key = self._target_key()
        if key in self._targets or key in self._preparing:
            return
        self._preparing.add(key)
        job = partial(_make_target, self.item, self.melody, self.step, self.patient)

        def done(target) -> None:
            self._preparing.discard(key)
            self._targets[key] = target
            if self.phase == Phase.PREPARING and self._target_key() == key:
                self._do(self.flow.target_ready())

        def failed(exc) -> None:
            self._preparing.discard(key)
            if self.phase == Phase.PREPARING:
                self.flow.target_failed()
                self.changed.emit()
            self._tell("error", tr("The voice could not be made for this phrase. Press Space to try again, "
                                   "or S to go on to another phrase.") + f" ({exc})")

        self.tasks.start(job, done, failed, owner=self)

    # ------------------------------------------------------------------ sound
    def _play(self, audio, sr, follow: bool = True) -> bool:
        if self._speech_playing:  # A (the voice again) while the words are said: they stop
            self._stop_speech()
            self._said, self._wanted = self._said + 1, None
            self.flow.spoken()
        self._following = follow
        try:
            self.player.play(audio, sr)
        except MitpracticeError as exc:
            self._tell("error", self._device_message(exc, speaker=True))
            return False
        return True

    # ------------------------------------------------------------------ latency
    def _measure_latency(self) -> None:
        from mitpractice.audio import Player, Recorder, click_test

        # The clicks are heard in quiet, with no other stream of the app's open: an open one
        # (the last target's, played out) changed the sound server's buffering for the test
        # and moved its result by up to 0.3 s.
        self.player.stop()
        self.recorder.stop()

        def job():
            from mitpractice.errors import AudioError
            from mitpractice.practice.echo import measure_echo_path

            with Recorder(max_seconds=30.0) as recorder, Player() as player:
                for attempt in range(LATENCY_TRIES):
                    try:
                        test = click_test(recorder, player)
                    except AudioError:
                        if attempt == LATENCY_TRIES - 1:
                            raise
                        continue
                    # The clicks are single talk: they also give the room's response, so that
                    # the app's voice can be taken off the sing-along takes (practice.echo).
                    return test.latency_s, measure_echo_path(test.played, test.heard, test.sr,
                                                             latency_s=test.latency_s)
            raise AssertionError("unreachable")

        def done(measured) -> None:
            from mitpractice.practice.live import MAX_LATENCY_S

            latency, self.echo_path = measured
            # A loopback with no delay can measure a hair below zero.
            latency = min(max(latency, 0.0), MAX_LATENCY_S)
            self.latency_s = latency
            with contextlib.suppress(MitpracticeError):
                self.store.set_setting(LATENCY_SETTING, f"{latency:.4f}")
                path = self.echo_path
                self.store.set_setting(ECHO_SETTING, "" if path is None else path.to_text())
            self._do(self.flow.latency_measured())

        def failed(exc) -> None:
            # Headphones, or a microphone far from the speaker: the clicks do not come back.
            # Singing along still works; the timing is judged without the correction, and
            # there is no echo to take off.
            self.latency_s = 0.0
            self.echo_path = None
            with contextlib.suppress(MitpracticeError):
                self.store.set_setting(ECHO_SETTING, "")
            self._tell("info", tr("The sound delay could not be measured (with headphones that is normal). "
                                  "Practice goes on."))
            go_on = not isinstance(exc, MitpracticeError) or "clicks" in str(exc)
            self._do(self.flow.latency_failed(go_on=go_on))

        self.tasks.start(job, done, failed, owner=self)

    # ------------------------------------------------------------------ a take
    def _open_take(self) -> None:
        """Open the microphone; the take starts once the room's noise is measured."""
        try:
            self.recorder.start()
        except MitpracticeError as exc:
            self._tell("error", self._device_message(exc))
            self.flow.take_failed()
            return
        self._pos = 0
        self._room = []
        self._taps = []
        self._opened_at = time.monotonic()

    def _begin_take(self) -> None:
        from mitpractice.practice.takes import is_noisy, noise_floor_dbfs
        from mitpractice.store.journal import TakeJournal
        from mitpractice.store.records import NewAttempt

        sr = self.recorder.sr
        room = np.concatenate(self._room) if self._room else np.zeros(0, np.float32)
        floor = noise_floor_dbfs(room, sr)
        if is_noisy(floor):
            self._tell("warning", tr("It is noisy here. A quieter room helps the app hear you."))
        step, p = self.step, self.patient
        self._along = self.flow.along
        latency = (self.latency_s or 0.0) if self._along else 0.0
        self._ensure_session()
        self._attempt = NewAttempt(
            patient_id=p.id, set_id=self.item.set_id, phrase_id=self.item.phrase.id, step=step.id,
            started_at=datetime.now(UTC), low_hz=p.low_hz, interval=p.interval, tempo=p.tempo,
            mode=step.mode, session_id=None if self.session is None else self.session.id,
            latency_s=latency, tapping=p.tapping,
        )
        try:
            self._journal = TakeJournal.begin(self._attempt, sr)
            self._attempt = self._journal.take  # the id it will be stored under
            self._journal.append(room)
        except (OSError, MitpracticeError):
            self._journal = None
        target_s = self._target.duration_s if self._along else 0.0
        target = self._target if self._along else None
        self.live.begin.emit(TakePlan(self.melody, step.mode, latency, floor, target_s, self._along, sr,
                                      echo=self.echo_path if target is not None else None,
                                      played=None if target is None else target.audio,
                                      played_sr=0 if target is None else target.sr,
                                      played_options=step.sing_options(tapping=p.tapping),
                                      journal=self._journal))
        self.live.push.emit(room)
        self._target_start_sent = False
        self.last_target, self.last_target_start_s = None, None
        self._voice_start_s: float | None = None
        self.take_started.emit()
        self.flow.room_heard()
        if self._along and not self._play(self._target.audio, self._target.sr):
            self._cancel_take()
            return
        self.changed.emit()

    def _cancel_take(self) -> None:
        self.recorder.stop()
        self.live.cancel.emit()
        if self._journal is not None:
            self._journal.discard()
            self._journal = None
        self.flow.sound_failed()
        self.changed.emit()

    def _on_voice_started(self, seconds: float) -> None:
        self._voice_start_s = seconds

    def _on_frames(self, times, f0, confidence) -> None:
        """Live pitch frames (take time, latency off) placed on the target's time line: for a
        sing-along take where the target started; otherwise the voice's start is the first
        note's, since the patient sings in their own time."""
        from mitpractice.pitch.track import PitchTrack

        if self.phase not in (Phase.RECORDING, Phase.SCORING):
            return
        origin = self.last_target_start_s if self._along else self._voice_start_s
        if origin is None:
            return
        t = np.asarray(times) - origin
        keep = t >= -0.25
        if keep.any():
            f0, confidence = np.asarray(f0)[keep], np.asarray(confidence)[keep]
            self.frames.emit(PitchTrack(t[keep], f0, confidence, "crepe-tiny"))

    def _on_take_ended(self, reason: str) -> None:
        if self.phase == Phase.RECORDING:
            self._end_take(reason)

    def _end_take(self, reason: str) -> None:
        from mitpractice.audio import take_levels

        if not self.flow.take_ended():  # still hearing the room: no take
            self.recorder.stop()
            self.changed.emit()
            return
        self._take_ended_at = time.perf_counter()
        self._end_reason = reason
        if self._along:
            self.player.stop()
        self.highlight.emit(None)
        status = self.recorder.status()
        audio = self.recorder.stop()
        tail = audio[self._pos :]
        self._pos = len(audio)
        if self._journal is not None and len(tail):
            self._journal.append(tail)
        self.live.push.emit(tail)
        sr = self.recorder.sr
        levels = take_levels(audio, sr)
        if status.device_lost:
            self._tell("error", tr("The microphone stopped. What you sang so far is kept. "
                                   "Check its cable, then press Space to go on."))
        elif levels.clipped:
            self._tell("warning", tr("That was very loud. Sit a little further from the microphone."))
        # Too quiet is said once, as the result's tip (not a banner as well).
        self._too_quiet = levels.too_quiet or reason == "no-voice"
        self._last_take = (audio, sr)
        self.changed.emit()
        taps = tuple(round(t, 3) for t in self._taps)
        attempt = replace(self._attempt, taps_s=taps, tapping=self._attempt.tapping or bool(taps))
        self.live.finish.emit(TakeEnd(audio, sr, attempt, self._journal, taps))
        self._journal = None

    def _on_outcome(self, outcome: TakeOutcome) -> None:
        if self.phase != Phase.SCORING:
            return
        if outcome.result is None:
            self.flow.not_scored()  # not judged: the same step again
            self.result = ResultView(overall=None, headline=tr("Your singing is kept."),
                                     lines=(tr("It will be scored the next time the app starts."),),
                                     syllables=(), next_label=tr("Try again"), attempt_id=outcome.attempt_id)
            self.changed.emit()
            return
        from mitpractice.scoring.feedback import praise  # not at start-up: it loads the scorer

        score = outcome.result.score
        overall = score.overall if score.voiced else None
        self.flow.scored(overall, self.patient.thresholds)  # judges the step: pending, passed
        syllables = score.syllables
        # One line of praise (the headline, by the score bands: the same words in every step)
        # and at most one tip: little to read. The scorer's first line is that praise.
        lines = tuple(score.feedback[1:2])
        if not score.voiced or self._too_quiet:
            lines = (tr("Come a little closer, or sing a little louder."),)
        headline = tr(praise(overall)) if overall is not None else tr("I did not hear you this time.")
        tapping = None
        if outcome.taps_s:
            tapping = self._tap_summary(outcome.taps_s, score)
        together = None
        if outcome.result.together is not None:
            sync = outcome.result.together
            together = tr("With the voice on {n} of {m} syllables.").format(
                n=sync.in_time, m=len(sync.syllables))
        self.last_result = outcome.result
        self.result = ResultView(overall=overall, headline=headline, lines=lines, syllables=syllables,
                                 next_label=self._next_label(), tapping=tapping,
                                 attempt_id=outcome.attempt_id, together=together)
        self.changed.emit()
        self.feedback_shown.emit(time.perf_counter() - self._take_ended_at)
        self._check_words(outcome, score)

    # ------------------------------------------------------------------ the words
    def _load_recogniser(self) -> None:
        """Load the word check's recogniser behind the window, once, when the first step whose
        takes it checks is shown (so its first take does not wait for it; patients who never
        reach a spoken step never load it)."""
        from mitpractice.practice.spoken import checks_words

        if self._recogniser_asked or self.step is None or not checks_words(self.step):
            return
        self._recogniser_asked = True

        def load() -> None:
            from mitpractice.words.recognizer import recognizer

            recognizer()

        # A failure shows at the first check.
        self.tasks.start(load, lambda _: None, lambda exc: None, owner=self)

    def _check_words(self, outcome: TakeOutcome, score) -> None:
        """After the result is on screen: check a spoken take's words on the live thread,
        without the room heard before it and the quiet that ended it."""
        from mitpractice.practice.spoken import checks_words, speech_span
        from mitpractice.practice.takes import PAUSE_S

        if self.step is None or not checks_words(self.step) or self.item is None:
            return
        quiet_end = PAUSE_S if self._end_reason == "pause" else 0.0
        span = speech_span(len(outcome.audio), outcome.sr, room_s=ROOM_S, quiet_end_s=quiet_end)
        self.live.check_words.emit(WordsJob(outcome.attempt_id, outcome.audio, outcome.sr,
                                            self.item.phrase.text, score, span))

    def _on_words(self, outcome: WordsOutcome) -> None:
        """The words of the take on screen: the patient's gentle line, and (where the words
        count) the pass, so the big button's words may change."""
        from mitpractice.practice.spoken import heard_words, words_count

        result = self.result
        if self.phase != Phase.RESULT or result is None or result.attempt_id != outcome.attempt_id:
            return  # the patient has moved on; the words are stored all the same
        acts = self.flow.words_checked(outcome.words)
        heard = None
        if outcome.words is not None and self.step is not None and words_count(self.step):
            if any(w.said for w in outcome.words):
                heard = tr("I heard: {words}").format(words=heard_words(outcome.words))
            elif any(w.said is False for w in outcome.words):
                heard = tr("I did not catch the words this time.")
        self.result = replace(result, heard=heard, next_label=self._next_label())
        self.words_shown.emit(time.perf_counter() - self._take_ended_at)
        self._do(acts)

    def _tap_summary(self, taps: tuple[float, ...], score) -> str | None:
        from mitpractice.practice.tapping import tap_sync

        sung = [s for s in score.syllables if s.detected and s.onset_s is not None]
        if not sung:
            return None
        try:
            sync = tap_sync(taps, [s.onset_s for s in sung], indices=[s.index for s in sung])
        except MitpracticeError:
            return None
        return tr("Taps: {n} of {m} with the syllables.").format(n=sync.in_time, m=len(score.syllables))

    def _next_label(self) -> str:
        """What the big button does after a result; a miss says it goes one step back."""
        before, state = self.state, self.pending
        if state is None or self.flow.awaiting_words:  # the words decide: on, or back
            return tr("Go on")
        if state.done:
            return tr("Next phrase")
        if state.stopped:
            return tr("Another phrase")
        label = QCoreApplication.translate("steps", state.step.label)
        if self.flow.passed or before is None:
            return tr("Next: {step}").format(step=label)
        if state.index < before.index:
            return tr("One step back: {step}").format(step=label)
        return tr("Again: {step}").format(step=label)

    # ------------------------------------------------------------------ the timer
    def _tick(self) -> None:
        phase = self.phase
        if self._speech_playing and self.player.done:
            self._speech_over()
        if phase == Phase.PLAYING:
            self._follow_target()
            if self.player.done:
                self.highlight.emit(None)
                self.cursor.emit(None)
                self._do(self.flow.sound_finished())
        elif phase == Phase.ROOM:
            self._read_room()
        elif phase == Phase.RECORDING:
            self._read_take()
        elif self.player.playing and self._following:
            self._follow_target()
        elif self._following and self.player.done:
            self._following = False
            self.highlight.emit(None)
            self.cursor.emit(None)

    def _follow_target(self) -> None:
        target = self._target
        if target is None or not self.player.playing:
            return
        from mitpractice.gui.widgets import note_at

        t = self.player.position_s() - target.start_s
        self.highlight.emit(note_at(target.melody, t))
        self.cursor.emit(t)

    def _read_room(self) -> None:
        status = self.recorder.status()
        block, self._pos = self.recorder.read_new(self._pos)
        if len(block):
            self._room.append(block)
        if status.device_lost or (status.error and not status.recording):
            self._tell("error", tr("The microphone stopped. Check its cable, then press Space."))
            self.recorder.stop()
            self.flow.take_failed()
            self.changed.emit()
            return
        if self._pos >= ROOM_S * self.recorder.sr:
            self._begin_take()
        elif not status.started and time.monotonic() - self._opened_at > FIRST_SOUND_TIMEOUT_S:
            self.recorder.stop()
            self._tell("error", tr("No sound comes from the microphone. Is it plugged in and switched on? "
                                   "Then press Space."))
            self.flow.take_failed()
            self.changed.emit()

    def _read_take(self) -> None:
        from mitpractice.audio import level_dbfs

        block, self._pos = self.recorder.read_new(self._pos)
        if len(block):
            if self._journal is not None:
                self._journal.append(block)
            self.live.push.emit(block)
            self.level.emit(level_dbfs(block))
        if self._along:
            if not self._target_start_sent and self.player.started_at is not None:
                at = self.recorder.sample_at(self.player.started_at)
                if at is not None:
                    self.live.playing_from.emit(at / self.recorder.sr)
                    self.last_target_start_s = at / self.recorder.sr + self._target.start_s
                    self.last_target = self._target
                    self.live.target_start.emit(self.last_target_start_s)
                    self._target_start_sent = True
            self._follow_target()
        status = self.recorder.status()
        if status.device_lost or status.buffer_full:
            self._end_take("device-lost" if status.device_lost else "max-length")

    # ------------------------------------------------------------------ messages
    def _save_failed(self, text: str) -> None:
        """The take could not be saved: say so and let the patient go on. Its journal stays,
        so it is stored at the next start."""
        self._tell("error", tr("Your singing could not be saved just now. It is kept, and will be "
                               "saved when the app starts again. Press Space to go on.") + f" ({text})")
        if self.phase == Phase.SCORING:
            self.flow.save_failed()
            self.changed.emit()

    def _tell(self, kind: str, text: str) -> None:
        self.message.emit(kind, text)

    @staticmethod
    def _device_message(exc: Exception, speaker: bool = False) -> str:
        from mitpractice.errors import DeviceBusyError, NoDeviceError

        if isinstance(exc, NoDeviceError):
            if speaker:
                return tr("No speaker or headphones found. Plug them in, then press Space.")
            return tr("No microphone found. Plug one in, then press Space to try again.")
        if isinstance(exc, DeviceBusyError):
            return tr("The microphone or speaker is used by another program. Close that program, "
                      "then press Space.")
        return tr("The sound did not work. Press Space to try again.") + f" ({exc})"

    @staticmethod
    def _store_failed(text: str) -> str:
        return tr("Your practice could not be saved. Tell your therapist.") + f" ({text})"

    @staticmethod
    def _read_failed(text: str) -> str:
        """Today's phrases could not be read: nothing is lost, and Space reads them again."""
        return tr("Your phrases could not be read just now. What you sang before is kept. "
                  "Press Space to look again; if it happens again, tell your therapist.") + f" ({text})"


def _make_target(item, melody, step, patient):
    """The step's sung target (synthesised once, then from the cache)."""
    # From the package, not its module: this runs on a worker thread while the GUI thread may
    # import the package for the spoken words; importing a submodule first takes its lock,
    # then waits for the package's, which the GUI thread holds while it waits for the
    # submodule's (Python's import deadlock).
    from mitpractice.synth import sung_target

    return sung_target(item.set_id, item.phrase, melody, step.sing_options(tapping=patient.tapping),
                       patient=patient.id)
