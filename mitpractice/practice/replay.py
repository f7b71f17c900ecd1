"""A stored sing-along take scored again exactly as the practice window scored it live.

The stored recording is the microphone's own samples (nothing recorded is ever changed), and
in the sing-along steps they hold the app's voice too, one round trip late. The live take
takes that echo off and masks the frames that are only the voice
(:mod:`mitpractice.practice.echo`); scoring the raw recording again without doing the same
credits a patient who stopped halfway with the rest, and moves the score. So each sing-along
take keeps a :class:`SingAlongRecord` with its attempt (and in its journal while it is
recorded): the echo path, where the echo was found (or that it was not), where the target
started, the octave referee, how much of the recording the take scored, and which target was
played. :func:`replay_take` feeds the raw recording through the same
:class:`~mitpractice.practice.live.LiveTake` with that record, so the rescoring of a stored
attempt and the recovery of a journaled take give the live take's score, not a copy of its
code. No Qt here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from mitpractice.errors import MitpracticeError
from mitpractice.melody import TargetMelody
from mitpractice.phrases import Phrase
from mitpractice.practice.echo import EchoRecord
from mitpractice.practice.live import LiveResult, LiveTake


class TargetChangedError(MitpracticeError):
    """The target a stored take played along with cannot be made again sample for sample (the
    voice or the synthesiser changed since): its echo cannot be taken off as it was."""


@dataclass(frozen=True, kw_only=True)
class PlayedTarget:
    """Which target a sing-along take played: how it was sung and its samples' fingerprint.

    Attributes
    ----------
    hum, taps, fade : bool
        The :class:`~mitpractice.synth.singing.SingOptions` it was sung with.
    sha256 : str
        Hex SHA-256 of its samples as the take was given them (float32, the take's rate).
    """

    hum: bool
    taps: bool
    fade: bool
    sha256: str

    @classmethod
    def of(cls, played: np.ndarray, *, hum: bool, taps: bool, fade: bool) -> PlayedTarget:
        return cls(hum=hum, taps=taps, fade=fade, sha256=fingerprint(played))


def fingerprint(samples: np.ndarray) -> str:
    """Hex SHA-256 of ``samples`` as little-endian float32.

    Examples
    --------
    >>> fingerprint(np.zeros(3)) == fingerprint(np.zeros(3, np.float32))
    True
    """
    return hashlib.sha256(np.ascontiguousarray(samples, "<f4").tobytes()).hexdigest()


@dataclass(frozen=True, kw_only=True)
class SingAlongRecord:
    """What a sing-along take's live scoring depended on besides its recording.

    Attributes
    ----------
    target : PlayedTarget or None
        The target played (``None`` when it was not known).
    target_start_s : float or None
        Where melody time 0 was played, in take seconds
        (:attr:`~mitpractice.practice.live.LiveTake.target_start_s`).
    echo : EchoRecord or None
        How the app's voice was handled; ``None``: no echo path (headphones), nothing taken off.
    referee : str or None
        The octave referee the take ran.
    scored_samples : int or None
        How many of the recording's samples the take scored (the recorder runs on a little
        after the take's end); ``None``: all (a take recovered from its journal).

    Examples
    --------
    >>> r = SingAlongRecord(target=None, target_start_s=0.75, echo=None, referee="swift-f0",
    ...                     scored_samples=48000)
    >>> SingAlongRecord.from_json(r.to_json()) == r
    True
    """

    target: PlayedTarget | None
    target_start_s: float | None
    echo: EchoRecord | None
    referee: str | None
    scored_samples: int | None = None

    @property
    def needs_target(self) -> bool:
        """Whether scoring it again needs the target's samples (an echo was taken off)."""
        return self.echo is not None and self.echo.played_at_s is not None

    def to_json(self) -> dict:
        target = None
        if self.target is not None:
            t = self.target
            target = {"hum": t.hum, "taps": t.taps, "fade": t.fade, "sha256": t.sha256}
        return {"target": target, "target_start_s": self.target_start_s,
                "echo": None if self.echo is None else self.echo.to_json(),
                "referee": self.referee, "scored_samples": self.scored_samples}

    @classmethod
    def from_json(cls, d: dict) -> SingAlongRecord:
        """A record kept by :meth:`to_json`; raises ValueError, KeyError or TypeError otherwise."""
        t = d["target"]
        target = None if t is None else PlayedTarget(hum=bool(t["hum"]), taps=bool(t["taps"]),
                                                     fade=bool(t["fade"]), sha256=str(t["sha256"]))
        start, n = d["target_start_s"], d["scored_samples"]
        return cls(target=target, target_start_s=None if start is None else float(start),
                   echo=None if d["echo"] is None else EchoRecord.from_json(d["echo"]),
                   referee=d["referee"], scored_samples=None if n is None else int(n))


def take_record(
    take: LiveTake, *, target: PlayedTarget | None, referee: str | None, finished: bool = False
) -> SingAlongRecord:
    """The record of a live sing-along take so far; ``finished``: with how much it scored."""
    scored = round(take.seconds * take.sr) if finished else None
    return SingAlongRecord(target=target, target_start_s=take.target_start_s, echo=take.echo_record,
                           referee=referee, scored_samples=scored)


def replay_take(
    audio: np.ndarray,
    sr: int,
    melody: TargetMelody,
    record: SingAlongRecord,
    *,
    played: np.ndarray | None = None,
    mode: str = "sung",
    latency_s: float = 0.0,
    model: str = "crepe-tiny",
) -> LiveResult:
    """Score a sing-along take's raw recording as its live take did.

    Parameters
    ----------
    audio : np.ndarray
        The recording as stored (or journaled): the microphone's own samples from the take's
        first, at ``sr``.
    sr : int
        Its sample rate (the rate the echo path was measured at).
    melody : TargetMelody
        The target notes.
    record : SingAlongRecord
        Kept with the take.
    played : np.ndarray, optional
        The target played, at ``sr`` (:func:`played_target`); needed when
        :attr:`SingAlongRecord.needs_target`.
    mode, latency_s, model
        The take's scoring mode, the latency taken off and the CREPE model, as stored.

    Returns
    -------
    LiveResult
        The live take's result: the same :class:`~mitpractice.pitch.track.PitchTrack`, the same
        frames masked as the app's voice, the same score.
    """
    if record.needs_target and played is None:
        raise MitpracticeError("scoring this take again needs the target it played along with")
    take = LiveTake(melody, sr=sr, mode=mode, latency_s=latency_s, target_start_s=record.target_start_s,
                    model=model, referee=record.referee,
                    echo=None if record.echo is None else record.echo.path, played=played)
    if record.echo is not None:
        take.echo_as_recorded(record.echo)
    y = np.asarray(audio, dtype=np.float32)
    take.push(y if record.scored_samples is None else y[: record.scored_samples])
    return take.finish()


def played_target(phrase: Phrase, melody: TargetMelody, record: SingAlongRecord, sr: int) -> np.ndarray:
    """The target ``record``'s take played, made again by the bundled voice at ``sr``.

    Raises
    ------
    TargetChangedError
        It is not the target played, sample for sample (or the record does not say which).
    """
    from mitpractice.audiofile import resample
    from mitpractice.synth import SingOptions, synthesize

    t = record.target
    if t is None:
        raise TargetChangedError("the take does not say which target it played along with")
    sung = synthesize(phrase, melody, SingOptions(hum=t.hum, taps=t.taps, fade=t.fade))
    played = resample(np.asarray(sung.audio, np.float32), sung.sr, sr)
    if fingerprint(played) != t.sha256:
        raise TargetChangedError("the voice it sang along with has changed since; its echo "
                                 "cannot be taken off as it was")
    return played
