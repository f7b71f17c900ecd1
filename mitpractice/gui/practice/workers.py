"""The live take, worked behind the window so it never freezes.

One-off background work (open the store, synthesise a target, measure the latency, analyse
the voice check) runs through :class:`mitpractice.gui.workers.Tasks`, shared with the
therapist's workspace.

:class:`LiveWorker` lives on its own thread for the whole session. It owns the
:class:`~mitpractice.practice.live.LiveTake` of the take in progress: the GUI's timer reads
the recorder's buffer (Friture style) and sends each new block here; the worker tracks its
pitch with CREPE and sends the frames and the take's events back, and scores the take ahead
while the pause that ends it runs (:mod:`mitpractice.practice.live`). When the take ends it scores
the take and sends the result (CREPE's track with its octave slips settled by SwiftF0, run
beside it: :mod:`mitpractice.pitch.octaves`), then saves the attempt (audio and row in one transaction),
removes the journal and adds the score, in that order: the result is on screen without
waiting for the disk, the journal holds the take until it is stored, and what the patient
sang is kept even if scoring fails. A sing-along take's record (how it handled the app's
voice: :mod:`mitpractice.practice.replay`) goes into its journal once the take knows it and
is stored with the attempt, so rescoring or recovering it gives the live score.

The word check of a spoken step's take (:meth:`LiveWorker.check_words`) runs on the same
thread, queued behind the take's save and score: its words are added to the stored score,
which is by then in the store.

Every signal crosses threads as a queued connection, so the GUI thread only ever receives
finished results; nothing here touches a widget.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from mitpractice.errors import MitpracticeError

#: The tracker run beside CREPE in every take, whose octave settles CREPE's octave slips before
#: the take is scored (as ``mitpractice score`` does): under 1 % of a core (docs/pitch.md).
OCTAVE_REFEREE = "swift-f0"


@dataclass(frozen=True)
class TakePlan:
    """What the live worker needs to follow one take."""

    melody: Any  # TargetMelody
    mode: str
    latency_s: float
    floor_dbfs: float
    target_s: float
    sing_along: bool
    sr: int
    #: The room's response from the click test (an EchoPath), or None (no leak measured),
    #: and the target the take plays (samples, rate): its echo is taken off the take.
    echo: Any = None
    played: np.ndarray | None = None
    played_sr: int = 0
    #: The octave referee (:data:`OCTAVE_REFEREE`); None scores CREPE's track as it is.
    referee: str | None = OCTAVE_REFEREE
    #: How the target played was sung (a SingOptions), kept in the take's sing-along record.
    played_options: Any = None
    #: The take's journal (a TakeJournal), where its sing-along record is noted once known.
    journal: Any = None
    #: Score the take ahead while the pause that ends it runs, so its result is ready sooner
    #: (:data:`~mitpractice.practice.live.SCORE_AHEAD_S`); False scores it only at the end.
    ahead: bool = True


@dataclass(frozen=True)
class TakeEnd:
    """The take as it ended: all its samples and the attempt to save."""

    audio: np.ndarray
    sr: int
    attempt: Any  # NewAttempt
    journal: Any  # TakeJournal or None
    taps_s: tuple[float, ...]


@dataclass(frozen=True)
class TakeOutcome:
    """A take scored (``result``), with the id it is stored under."""

    attempt_id: str
    result: Any  # LiveResult, None when scoring failed
    audio: np.ndarray
    sr: int
    taps_s: tuple[float, ...]
    error: str | None = None


@dataclass(frozen=True)
class WordsJob:
    """A scored take of a spoken step whose words are to be checked."""

    attempt_id: str
    audio: np.ndarray
    sr: int
    text: str  # the phrase's words
    score: Any  # its Score, stored again with the words
    span: tuple[int, int] | None = None  # the samples the check reads (speech_span); None: all


@dataclass(frozen=True)
class WordsOutcome:
    """The word check of a take: its WordResults, or None when the check could not run."""

    attempt_id: str
    words: tuple | None


class LiveWorker(QObject):
    """Tracks, saves and scores takes on its own thread (see the module's notes).

    Drive it only through its slots, by signals from the GUI thread.
    """

    #: New pitch frames: times (s, latency taken off), f0 (Hz), confidence.
    frames = Signal(object, object, object)
    #: The take's voice started (time in the take, s).
    voice_started = Signal(float)
    #: The take ended by itself: the reason (pause, no-voice, max-length).
    ended = Signal(str)
    #: The attempt is stored (its id); its score follows.
    saved = Signal(str)
    #: The take is scored (a :class:`TakeOutcome`); it is saved next (``saved`` or ``failed``).
    outcome = Signal(object)
    #: A spoken take's words are checked (a :class:`WordsOutcome`); they are stored next.
    words = Signal(object)
    #: Something went wrong that the window must tell (one line).
    failed = Signal(str)

    def __init__(self, store) -> None:
        super().__init__()
        self.store = store
        self._take = None
        self._ended = False
        self._plan: TakePlan | None = None
        self._record: tuple | None = None  # a sing-along take's (PlayedTarget, referee)
        self._noted = False  # its record noted in the journal

    @Slot(object)
    def begin(self, plan: TakePlan) -> None:
        from mitpractice.practice.live import SCORE_AHEAD_S, LiveTake
        from mitpractice.practice.takes import take_rules

        rules = take_rules(plan.floor_dbfs, plan.target_s, sing_along=plan.sing_along,
                           latency_s=plan.latency_s)
        echo, played = None, None
        if plan.sing_along and plan.echo is not None and plan.echo.sr == plan.sr and plan.played is not None:
            from mitpractice.audiofile import resample

            echo, played = plan.echo, resample(np.asarray(plan.played, np.float32), plan.played_sr, plan.sr)
        try:
            self._take = LiveTake(plan.melody, sr=plan.sr, mode=plan.mode, latency_s=plan.latency_s,
                                  rules=rules, referee=plan.referee, echo=echo, played=played,
                                  ahead_s=SCORE_AHEAD_S if plan.ahead else None)
        except MitpracticeError as exc:
            self._take = None
            self.failed.emit(str(exc))
            return
        self._ended = False
        self._plan = plan
        self._record, self._noted = None, False
        if plan.sing_along:
            from mitpractice.practice.replay import PlayedTarget

            o = plan.played_options
            target = None if played is None or o is None else PlayedTarget.of(played, hum=o.hum, taps=o.taps,
                                                                                fade=o.fade)
            self._record = (target, plan.referee)

    @Slot(float)
    def set_target_start(self, seconds: float) -> None:
        if self._take is not None:
            self._take.target_start_s = seconds

    @Slot(float)
    def set_playing_from(self, seconds: float) -> None:
        if self._take is not None:
            self._take.playing_from(seconds)

    @Slot(object)
    def push(self, block: np.ndarray) -> None:
        take = self._take
        if take is None or not len(block):
            return
        update = take.push(block)
        self._note_record()
        if len(update.frames):
            self.frames.emit(update.frames.times, update.frames.f0_hz, update.frames.confidence)
        for event in update.events:
            if event.kind == "voice-start":
                self.voice_started.emit(event.time_s)
            elif not self._ended:
                self._ended = True
                self.ended.emit(event.reason)

    def _note_record(self) -> None:
        """Note a sing-along take's record in its journal once the take knows it (where the
        target started, and the echo found or not), so a take recovered after a crash is
        scored as this one will be."""
        take = self._take
        if self._record is None or self._noted or take.target_start_s is None or self._plan.journal is None:
            return
        if take.echo_pending:
            return  # still looking for the echo
        from mitpractice.practice.replay import take_record

        self._noted = True
        try:
            target, referee = self._record
            self._plan.journal.note_sing_along(take_record(take, target=target, referee=referee))
        except OSError as exc:  # the take is still journaled; recovered, it is scored from its samples
            print(f"the take's sing-along record was not journaled: {exc}", file=sys.stderr)

    @Slot(object)
    def finish(self, end: TakeEnd) -> None:
        """Score the take and hand the result over, then save it with its score and forget
        its journal: the patient sees the result without waiting for the disk, and the
        journal keeps the take safe until it is stored."""
        from mitpractice.store.values import new_id

        take, self._take = self._take, None
        new = end.attempt if end.attempt.id else replace(end.attempt, id=new_id())
        result, error = None, None
        if take is not None:
            try:
                result = take.finish()
            except Exception as exc:  # the attempt is kept; the therapist can score it later
                traceback.print_exc()
                error = str(exc)
        if take is not None and self._record is not None:
            from mitpractice.practice.replay import take_record

            target, referee = self._record
            new = replace(new, sing_along=take_record(take, target=target, referee=referee, finished=True))
        self.outcome.emit(TakeOutcome(new.id, result, end.audio, end.sr, end.taps_s, error))
        try:
            attempt = self.store.save_attempt(new, end.audio, end.sr)
        except Exception as exc:  # the journal is kept: the take is stored at the next start
            if not isinstance(exc, MitpracticeError):
                traceback.print_exc()
            self.failed.emit(str(exc) or type(exc).__name__)
            return
        if end.journal is not None:
            end.journal.discard()
        self.saved.emit(attempt.id)
        if result is not None:
            try:
                self.store.set_score(attempt.id, result.score)
            except MitpracticeError as exc:  # saved unscored: the therapist can score it later
                print(f"the score of attempt {attempt.id} was not stored: {exc}", file=sys.stderr)

    @Slot(object)
    def check_words(self, job: WordsJob) -> None:
        """Check which words of the phrase the take holds, say so, then store them with its score."""
        from mitpractice.practice.spoken import shifted
        from mitpractice.words import check_words
        from mitpractice.words.check import is_sung

        sung = is_sung(job.score.voiced, job.score.melodic)
        start, stop = job.span or (0, len(job.audio))
        try:
            words = shifted(check_words(job.audio[start:stop], job.sr, job.text, sung=sung), start / job.sr)
        except Exception as exc:  # the step falls back to rhythm alone; the take is kept as it is
            if not isinstance(exc, MitpracticeError):
                traceback.print_exc()
            self.words.emit(WordsOutcome(job.attempt_id, None))
            return
        self.words.emit(WordsOutcome(job.attempt_id, words))
        try:
            self.store.set_score(job.attempt_id, replace(job.score, words=words))
        except MitpracticeError as exc:
            # Not ``failed``: that tells the patient the take was not saved and will be at the
            # next start, and it is saved with its score; only the words are not kept (the
            # patient has seen them, and its pass was decided by them).
            print(f"the words of attempt {job.attempt_id} were not stored: {exc}", file=sys.stderr)

    @Slot()
    def cancel(self) -> None:
        self._take = None

    @Slot()
    def end(self) -> None:
        """Everything sent before is done (a take saved and scored): end the thread."""
        QThread.currentThread().quit()


class LiveThread(QObject):
    """The live worker and the thread it runs on, with the signals that feed it."""

    begin = Signal(object)
    push = Signal(object)
    finish = Signal(object)
    check_words = Signal(object)
    target_start = Signal(float)
    playing_from = Signal(float)
    cancel = Signal()
    end = Signal()

    def __init__(self, store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("mitpractice-live")
        self.worker = LiveWorker(store)
        self.worker.moveToThread(self.thread)
        self.begin.connect(self.worker.begin)
        self.push.connect(self.worker.push)
        self.finish.connect(self.worker.finish)
        self.check_words.connect(self.worker.check_words)
        self.target_start.connect(self.worker.set_target_start)
        self.playing_from.connect(self.worker.set_playing_from)
        self.cancel.connect(self.worker.cancel)
        self.end.connect(self.worker.end)
        self.thread.start()

    def stop(self) -> None:
        """Let the worker finish what it holds (a take being saved and scored), then end it.

        The end is queued behind the work already sent (``QThread.quit`` alone ends the loop
        at once and drops a take whose save had not begun: the next start recovered it).
        """
        if self.thread.isRunning():
            self.end.emit()
        self.thread.wait()
