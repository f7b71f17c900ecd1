"""Live scoring: the pitch tracked while the patient sings, the score the moment the take ends.

The window makes a :class:`LiveTake` when a take starts and, on a timer, hands it whatever the
recorder delivered (:meth:`LiveTake.push`). Each push tracks the pitch of the new samples with
CREPE (:class:`~mitpractice.pitch.stream.PitchStream`), so the pitch line can be drawn at once,
and, when given :class:`~mitpractice.practice.takes.TakeRules`, watches for the voice to start
and the take to end. When the take ends, :meth:`LiveTake.finish` only has the last few frames
to track before scoring: the score is ready well within 150 ms of the end
(``benchmarks/feedback.py``, figures in docs/practice.md).

Scored ahead. A take that its rules end on a pause is scored once while the pause runs
(:data:`SCORE_AHEAD_S` into it), and that score is thrown away: it only leaves the scorer's
search for the sung syllables remembered (:mod:`mitpractice.scoring.align.search`). When the
take ends the quiet frames added since leave the sung pieces as they were, so the search,
most of the scoring's time, is found again instead of run; the score is computed from the
whole take as before and is the same to the last bit. Singing resumed, the next pause is
scored ahead again; a pause that cannot end the take (a sing-along take lasts while its target
plays) is not scored ahead.

Latency. When the patient sings along (:attr:`~mitpractice.practice.steps.Step.sing_along`),
their voice reaches the recording one audio round trip after they heard the target. The
measured round-trip latency is taken off: every time a :class:`LiveTake` gives (pitch frames,
the score's syllable onsets) is take time minus ``latency_s``, the time at which the patient
heard the target play, and the first ``latency_s`` of the recording is dropped. The scorer
fits its own start and tempo, so its even-rhythm judgement does not depend on that shift; how
well the take kept *with the voice* does. Given ``target_start_s`` (a sing-along take), each
syllable is measured against the target's note as heard (:attr:`LiveResult.together`) and the
score's rhythm counts it (:func:`~mitpractice.scoring.together.sing_along_score`), so a
latency left on marks a take sung in time as late.

The app's voice. On a laptop's speaker the microphone also hears the target a round trip
late. Given the echo path the click test measured and the target played, a take finds that
echo, takes it off before tracking, and sets unvoiced the frames that are only the voice
(:mod:`mitpractice.practice.echo`), so the live line and the score follow the patient only.
How it did (:attr:`LiveTake.echo_record`) is kept with the attempt, so the stored raw
recording is scored again the same way (:mod:`mitpractice.practice.replay`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mitpractice.audio import RECORD_SR
from mitpractice.errors import ParameterError
from mitpractice.levels import level_dbfs, to_mono
from mitpractice.melody import TargetMelody
from mitpractice.pitch import track_pitch
from mitpractice.pitch.octaves import needs_referee, settle_octaves
from mitpractice.pitch.stream import PitchStream
from mitpractice.pitch.track import PitchTrack
from mitpractice.practice.echo import EchoCanceller, EchoPath, EchoRecord, align_needs_s, echo_found_at
from mitpractice.practice.takes import TAKE_END, TakeDetector, TakeEvent, TakeRules
from mitpractice.practice.tapping import SyllableSync, TapSync
from mitpractice.scoring import MODES, Score, score_track
from mitpractice.scoring.together import sing_along_score, syllable_offsets

#: A sung syllable within this many seconds of the target's note (as heard) is together with
#: the voice. People singing along trail the voice they follow by about a tenth of a second,
#: the scorer's onsets are exact to a few frames, and a syllable a quarter of a beat off at
#: the protocol's tempo is audibly not together.
TOGETHER_TOLERANCE_S = 0.25
#: A take given an echo path holds its samples at most this long (s) to find the echo
#: (:meth:`LiveTake.playing_from`, :func:`~mitpractice.practice.echo.echo_found_at`): the
#: target starts within a block or two, its echo a round trip later, and finding it takes
#: under a second of it; a target that never starts has no echo to take off.
MAX_HOLD_S = 4.0
#: The largest latency taken off (s): measured round trips are 0.14–0.33 s on real devices
#: (PROTOCOL.md); a second or more is a failed measurement, not a latency.
MAX_LATENCY_S = 1.0
#: How long (s) the pause that ends a take has lasted when the take is scored ahead (see the
#: module's notes): the referee's frames, the last to arrive, then reach 0.3 s past the voice's
#: end, so the sung pieces are all tracked, and 0.7 s are left of the 1.2 s pause
#: (:data:`~mitpractice.practice.takes.PAUSE_S`) for scoring ahead, about 0.1 s of CPU.
SCORE_AHEAD_S = 0.5


@dataclass(frozen=True, kw_only=True)
class LiveUpdate:
    """What one push brought.

    Attributes
    ----------
    frames : PitchTrack
        New pitch frames to draw, times in seconds minus the latency (frames before 0 left out).
    events : tuple of TakeEvent
        Voice start and take end, in take time (not shifted), when the take has rules.
    level_dbfs : float
        RMS level of the pushed samples (for the meter).
    """

    frames: PitchTrack
    events: tuple[TakeEvent, ...]
    level_dbfs: float

    @property
    def ended(self) -> TakeEvent | None:
        """The end event if the take ended with these samples."""
        return next((e for e in self.events if e.kind == TAKE_END), None)


@dataclass(frozen=True, kw_only=True)
class LiveResult:
    """The scored take.

    Attributes
    ----------
    score : Score
        The score (syllable onsets in take time minus the latency).
    track : PitchTrack
        The whole pitch track scored, times minus the latency: what was drawn live, with
        CREPE's octave slips settled on SwiftF0's (:mod:`mitpractice.pitch.octaves`).
    latency_s : float
        The latency taken off.
    together : TapSync or None
        For a sing-along take given the target's start: each sung syllable's onset against
        its note's onset as heard (``offset_ms`` negative when ahead of the voice).
    """

    score: Score
    track: PitchTrack
    latency_s: float
    together: TapSync | None = None


class LiveTake:
    """One take, tracked while it is recorded and scored when it ends.

    Parameters
    ----------
    melody : TargetMelody
        The target notes.
    sr : int
        Sample rate of the pushed samples (the recorder's).
    mode : {"sung", "sprechgesang"}
        The step's scoring mode (:attr:`~mitpractice.practice.steps.Step.mode`).
    latency_s : float
        Measured round-trip latency to take off, for a sing-along step; 0 otherwise.
    target_start_s : float, optional
        For a sing-along step: where melody time 0 was played, in seconds from the take's
        first sample (when playback started, plus the target's
        :attr:`~mitpractice.synth.singing.SungTarget.start_s`). Gives :attr:`LiveResult.together`.
    rules : TakeRules, optional
        Voice start and take end detection (:func:`~mitpractice.practice.takes.take_rules`);
        without them the window ends the take itself.
    model : str
        A CREPE model; ``crepe-tiny`` keeps up on two cores.
    referee : str or None
        A tracker run beside it whose octave settles CREPE's octave slips
        (:mod:`mitpractice.pitch.octaves`, e.g. ``"swift-f0"``, as the practice window's
        worker asks); ``None`` (the default) scores CREPE's track as it is.
    echo : EchoPath or None
        The room's response measured in the click test (:func:`~mitpractice.practice.echo.measure_echo_path`);
        with ``played``, the target's echo is taken off the take and the frames that are only
        the app's voice are not scored (:mod:`mitpractice.practice.echo`). ``None``: no leak.
    played : np.ndarray, optional
        The target the take plays, at ``sr``; where it starts is told by :meth:`playing_from`.
    ahead_s : float or None
        With ``rules``: score the take ahead once its closing pause has lasted this long (s),
        so its score is ready sooner when the pause ends it (see the module's notes);
        ``None`` scores it only at the end.

    Notes
    -----
    Not thread-safe: push and finish from one thread (the GUI's timer or one worker), never
    from the audio callback. The CREPE model is loaded when the take is made; make the first
    one behind the window's start.

    Examples
    --------
    >>> from mitpractice.melody import target_melody
    >>> from mitpractice.phrases import Phrase
    >>> phrase = Phrase(id="hi", text="Hi", syllables=("hi",), pitches="H")
    >>> take = LiveTake(target_melody(phrase), sr=16000, latency_s=0.1)
    >>> update = take.push(np.zeros(1600, dtype=np.float32))
    >>> len(update.frames), update.level_dbfs
    (0, -120.0)
    >>> result = take.finish()
    >>> result.score.voiced, float(result.track.times[0])
    (False, 0.0)
    """

    def __init__(
        self,
        melody: TargetMelody,
        *,
        sr: int = RECORD_SR,
        mode: str = "sung",
        latency_s: float = 0.0,
        target_start_s: float | None = None,
        rules: TakeRules | None = None,
        model: str = "crepe-tiny",
        referee: str | None = None,
        echo: EchoPath | None = None,
        played: np.ndarray | None = None,
        ahead_s: float | None = SCORE_AHEAD_S,
    ) -> None:
        if mode not in MODES:
            raise ParameterError(f"unknown scoring mode {mode!r} (use {' or '.join(MODES)})")
        if not 0.0 <= latency_s <= MAX_LATENCY_S:
            raise ParameterError(f"latency {latency_s!r} s is outside 0–{MAX_LATENCY_S:g} s")
        self.melody = melody
        self.sr = int(sr)
        self.mode = mode
        self.latency_s = float(latency_s)
        self.target_start_s = target_start_s
        self._stream = PitchStream(self.sr, model)
        # A referee beside CREPE (SwiftF0: under 1 % of a core): its octave settles CREPE's
        # slips when the take is scored; the live line stays CREPE's, 32 ms behind the voice.
        self._referee = PitchStream(self.sr, referee) if referee and needs_referee(model) else None
        self._referee_frames: list[PitchTrack] = []
        self._detector = TakeDetector(self.sr, rules) if rules is not None else None
        self._ahead_s = ahead_s
        self._scored_ahead = False  # in the pause running now
        self._chunks: list[np.ndarray] = []
        self._frames: list[PitchTrack] = []
        self._samples = 0
        self._result: LiveResult | None = None
        # The app's voice in the microphone: subtracted and masked once the take knows where
        # the target started playing (:meth:`playing_from`); samples wait for that meanwhile.
        self._echo = echo if echo is not None and played is not None and len(played) else None
        self._played = played
        self._canceller: EchoCanceller | None = None
        self._played_at_s: float | None = None
        self._held: list[np.ndarray] = []
        self._held_samples = 0
        self._echo_record: EchoRecord | None = None  # once the echo is found or given up
        self._heard: list[np.ndarray] = []  # the microphone's samples, while cancelling

    @property
    def seconds(self) -> float:
        """Seconds of audio pushed so far."""
        return self._samples / self.sr

    @property
    def detector(self) -> TakeDetector | None:
        """The take's voice start and end detector (``None`` without rules)."""
        return self._detector

    def playing_from(self, seconds: float) -> None:
        """The target given as ``played`` started playing ``seconds`` into the take.

        A take given an ``echo`` path holds its samples until its echo is found near where
        the click test puts it (:func:`~mitpractice.practice.echo.echo_found_at`), then takes
        it off from the start; not found (headphones plugged in since), nothing is taken off.
        """
        if self._played_at_s is None:
            self._played_at_s = float(seconds)

    @property
    def echo_record(self) -> EchoRecord | None:
        """How this take handles the app's voice, once it knows (the echo found, or not found):
        kept with the attempt, so that scoring its raw recording again
        (:func:`~mitpractice.practice.replay.replay_take`) handles it the same way. ``None``
        before that, and for a take given no echo path."""
        return self._echo_record

    @property
    def echo_pending(self) -> bool:
        """Whether the take, given an echo path, has yet to find the echo or give up on it."""
        return self._echo is not None and self._echo_record is None

    def echo_as_recorded(self, record: EchoRecord) -> None:
        """Handle the echo as ``record`` says, without searching for it: a stored take scored
        again. Call before the first push."""
        if self._samples or self._held_samples:
            raise ParameterError("the echo's record is given before the take's samples")
        self._echo, self._echo_record = record.path, record
        if record.played_at_s is None or self._played is None or not len(self._played):
            self._echo = None
        else:
            self._canceller = EchoCanceller(record.path, self._played, self.sr,
                                            played_at_s=record.played_at_s)

    def _find_echo(self, *, ended: bool = False) -> None:
        """Once enough is held (or the take has ``ended``): find the echo and start taking it
        off, or give up on it."""
        if self._echo is None or self._canceller is not None or self._played_at_s is None:
            return
        expected = self._played_at_s + self._echo.offset_s
        needs = align_needs_s(self._echo, self._played, expected_s=expected)
        if not ended and self._held_samples < needs * self.sr:
            return
        found = echo_found_at(self._echo, self._played, np.concatenate(self._held), expected_s=expected)
        if found is None:
            self._echo_record = EchoRecord(path=self._echo, played_at_s=None)
            self._echo = None
        else:
            self._echo_record = EchoRecord(path=self._echo, played_at_s=found - self._echo.offset_s)
            self._canceller = EchoCanceller(self._echo, self._played, self.sr,
                                            played_at_s=self._echo_record.played_at_s)

    def push(self, samples: np.ndarray) -> LiveUpdate:
        """Track newly recorded samples; returns their frames, events and level.

        Once the take's rules have ended it, later samples are not part of the take: they are
        ignored (the update is empty), so a block the timer delivers late does not change it.
        """
        if self._result is not None:
            raise ParameterError("this take is finished; start a new one")
        y = to_mono(samples)
        level = level_dbfs(y)
        empty = PitchTrack.empty(self._stream.model)
        if self._detector is not None and self._detector.ended is not None:
            return LiveUpdate(frames=empty, events=(), level_dbfs=level)
        if self._echo is not None and self._canceller is None and self._held_samples >= MAX_HOLD_S * self.sr:
            # Not found within the limit (the target never started): nothing is taken off, and
            # the take is not held again (a later stretch held would be searched as its start).
            self._echo_record = EchoRecord(path=self._echo, played_at_s=None)
            self._echo = None
        if self._echo is not None and self._canceller is None:
            self._held.append(y.copy())
            self._held_samples += len(y)
            self._find_echo()
            if self._canceller is None and self._echo is not None:
                return LiveUpdate(frames=empty, events=(), level_dbfs=level)
            y = np.zeros(0, dtype=np.float32)  # all of it is held
        frames, events = self._track(y)
        return LiveUpdate(frames=frames, events=events, level_dbfs=level)

    def _track(self, y: np.ndarray) -> tuple[PitchTrack, tuple[TakeEvent, ...]]:
        """Cancel the echo from ``y`` (and any held samples before it), track and judge it."""
        if self._held:
            y = np.concatenate([*self._held, y])
            self._held, self._held_samples = [], 0
        if self._canceller is not None:
            self._heard.append(y.copy())
            y = self._canceller.push(y)
        frames = self._unechoed(self._stream.push(y))
        if self._referee is not None:
            self._referee_frames.append(self._referee.push(y))
        self._chunks.append(y.copy())
        self._samples += len(y)
        events = self._detector.push(y) if self._detector is not None else ()
        shifted = self._shift(frames)
        self._frames.append(shifted)
        if self._ahead_due():
            self._score_ahead()
        return shifted, events

    def _ahead_due(self) -> bool:
        """Whether the pause running now has reached ``ahead_s``, is not yet scored ahead, and
        would end the take if it lasted (a sing-along take cannot end before its target has
        played: a pause before then is the patient waiting for the next note)."""
        detector = self._detector
        if detector is None or self._ahead_s is None or not detector.started or detector.ended is not None:
            return False
        if detector.quiet_s < self._ahead_s:
            self._scored_ahead = False  # singing: the next pause is scored ahead again
            return False
        rules = detector.rules
        ends_by = detector.seconds + rules.pause_s - detector.quiet_s  # if the quiet lasts
        return not self._scored_ahead and ends_by >= rules.min_length_s

    def _score_ahead(self) -> None:
        """Score the take so far, to leave its search remembered (see the module's notes)."""
        self._scored_ahead = True
        if self._canceller is not None and self._canceller.echo_missing:
            return  # the end tracks the microphone's own samples again: nothing here is reused
        referee = None
        if self._referee_frames:
            referee = self._shift(PitchTrack.concatenate(self._referee_frames))
        self._scored(PitchTrack.concatenate(self._frames), referee, np.concatenate(self._chunks))

    def _scored(
        self, track: PitchTrack, referee: PitchTrack | None, audio: np.ndarray
    ) -> tuple[Score, PitchTrack]:
        """``track`` (latency off) settled on ``referee``'s octave, and its score with ``audio``
        (the take's samples, the latency's first samples dropped here)."""
        audio = audio[round(self.latency_s * self.sr) :]
        if referee is not None:
            track = settle_octaves(track, referee)
        with_audio = audio if len(audio) else None
        return score_track(track, self.melody, audio=with_audio, sr=self.sr, mode=self.mode), track

    def _unechoed(self, frames: PitchTrack) -> PitchTrack:
        """``frames`` (take time) with those that are only the app's voice set unvoiced."""
        if self._canceller is None or not len(frames):
            return frames
        echo = self._canceller.echo_frames(frames.times)
        if not echo.any():
            return frames
        return PitchTrack(frames.times, frames.f0_hz, np.where(echo, 0.0, frames.confidence), frames.model)

    def _shift(self, frames: PitchTrack) -> PitchTrack:
        times = frames.times - self.latency_s
        keep = times >= -1e-9
        times = np.maximum(times[keep], 0.0)
        return PitchTrack(times, frames.f0_hz[keep], frames.confidence[keep], frames.model)

    def finish(self) -> LiveResult:
        """Track the last frames and score the take (call once, when the take has ended)."""
        if self._result is not None:
            return self._result
        if self._held:
            self._find_echo(ended=True)  # a short take: what is held is all there is
            self._track(np.zeros(0, dtype=np.float32))
        if self._samples:
            self._frames.append(self._shift(self._unechoed(self._stream.finish())))
        track = PitchTrack.concatenate(self._frames or [PitchTrack.empty(self._stream.model)])
        referee = None
        if self._referee_frames:
            # Not finished: its last 0.2 s would cost the feedback time, and a take ends on a
            # pause, so they are quiet; CREPE's last frames are scored as tracked.
            referee = self._shift(PitchTrack.concatenate(self._referee_frames))
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.float32)
        if self._canceller is not None and self._canceller.echo_missing:
            # Headphones since the click test: no echo to take off, and taking it off added
            # it. Rare, so the microphone's own samples are tracked again from the start.
            audio = np.concatenate(self._heard)
            track = self._shift(track_pitch(audio, self.sr, self._stream.model))
            if referee is not None:
                referee = self._shift(track_pitch(audio, self.sr, self._referee.model))
        score, track = self._scored(track, referee, audio)
        together = None
        if self.target_start_s is not None and score.voiced:
            together = together_with_target(score, self.melody, self.target_start_s)
            score = sing_along_score(score, self.melody, self.target_start_s)
        self._result = LiveResult(score=score, track=track, latency_s=self.latency_s, together=together)
        return self._result


def together_with_target(
    score: Score, melody: TargetMelody, target_start_s: float, tolerance_s: float = TOGETHER_TOLERANCE_S
) -> TapSync:
    """Each sung syllable's onset against its note's onset in the target as heard.

    ``score``'s onsets and ``target_start_s`` must be on one clock (take time minus the
    latency). Syllables not sung have no offset and are not together.

    Examples
    --------
    >>> from mitpractice.melody import target_melody
    >>> from mitpractice.phrases import Phrase
    >>> from mitpractice.scoring import SyllableResult
    >>> melody = target_melody(Phrase(id="x", text="Thank you", syllables=("thank", "you"), pitches="HL"))
    >>> sung = (SyllableResult(0, "thank", "H", True, 0.55, 1.4), SyllableResult(1, "you", "L", False))
    >>> score = Score("x", True, 80.0, 50.0, 65.0, 3.0, 1.0, sung, ())
    >>> [(s.offset_ms, s.in_time) for s in together_with_target(score, melody, 0.5).syllables]
    [(50.0, True), (None, False)]
    """
    out = []
    offsets = syllable_offsets(score, melody, target_start_s)
    for note, sung, offset in zip(melody.notes, score.syllables, offsets, strict=True):
        heard = target_start_s + note.onset_s
        if offset is not None:
            out.append(SyllableSync(index=note.index, onset_s=heard, tap_s=sung.onset_s,
                                    offset_ms=round(1000.0 * offset, 1),
                                    in_time=abs(offset) <= tolerance_s + 1e-9))
        else:
            out.append(SyllableSync(index=note.index, onset_s=heard, tap_s=None, offset_ms=None,
                                    in_time=False))
    return TapSync(syllables=tuple(out), tolerance_ms=round(1000.0 * tolerance_s, 1), extra_taps=0)
