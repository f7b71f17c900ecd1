"""Syllable segmentation: cut a pitch track into steady voiced pieces.

A sung syllable is a stretch of voiced frames on a steady pitch. Between syllables the voice
stops (a pause, an unvoiced consonant), dips in loudness (a voiced consonant sung legato) or
steps to the other note. The pieces found here are the candidates that
:func:`mitpractice.scoring.align.align_pieces` matches to the target notes; a piece may be
a whole syllable, part of one (a spurious cut, merged again by the alignment) or an extra
sound (a cough, a restart), left unmatched.

Everything works from the pitch track alone, as the app's streaming tracker delivers it; the
audio, when given, adds loudness so that legato syllables can be cut apart and that quiet
noise the tracker mistook for voice is dropped.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import median_filter
from scipy.signal import butter, sosfilt, sosfilt_zi

from mitpractice.levels import to_mono
from mitpractice.melody import hz_to_midi
from mitpractice.pitch.track import PitchTrack

#: Per model: a frame is voiced when the tracker's confidence reaches the first value; a run
#: of voiced frames continues while it stays above the second (hysteresis against flicker);
#: the third is the median confidence of a clearly heard voice. CREPE's confidence is near 0.85
#: on a clean voice. pYIN's confidence (:mod:`mitpractice.pitch.pyin`) is 0.5 + half its
#: voicing probability where its HMM says voiced, under 0.49 elsewhere: 0.5 is its own
#: decision; 0.4 holds a run only through frames it called unvoiced at a voicing probability
#: above 0.8; a clean voice's median lies at 0.64–0.91 across the test voices (0.54–0.66 in
#: babble at 10 dB), so 0.6 is a clear voice.
THRESHOLDS = {"pyin": (0.5, 0.4, 0.6)}
DEFAULT_THRESHOLDS = (0.5, 0.35, 0.65)
#: Voiced runs shorter than this are clicks or tracker flicker, not syllables.
MIN_RUN_S = 0.06
#: Gaps shorter than this inside a run are closed (a frame the tracker lost).
MAX_GAP_S = 0.03
#: A step of the local pitch level this large (semitones) marks a note change.
PITCH_STEP = 1.0
#: A loudness dip this deep (dB) below both neighbouring peaks marks a legato boundary.
ENERGY_DIP_DB = 6.0
#: A rise of the loudness this large (dB, median over 60 ms after against before) marks an onset.
ENERGY_RISE_DB = 10.0
#: A voicing-confidence dip this deep below both neighbouring peaks also marks a boundary
#: (what the tracker sees of a consonant when only the pitch track is known).
CONFIDENCE_DIP = 0.3
#: With the audio known, only a deeper confidence dip marks a boundary by itself (a nasal
#: between two vowels sung legato on one note barely dips in loudness).
AUDIO_CONFIDENCE_DIP = 0.45
#: The loudness is measured above this frequency (Hz), through a Butterworth high-pass of
#: this order: a DC offset (cheap USB microphones), handling noise and the rumble of a fan or
#: traffic lie below it and must not read as singing, or fill the pauses that tell the
#: singing from the room. A voice's loudness lies in its harmonics, far above: the lowest sung
#: note a patient is set to (about 80 Hz) loses under 3 dB at its fundamental alone.
LEVEL_HIGHPASS_HZ, LEVEL_HIGHPASS_ORDER = 80.0, 4
#: Frames this far (dB) below the loudest part of the recording are treated as silence.
SILENCE_DB = 40.0
#: Median pitch change (semitones per 10 ms) above which a run is noise, not a voice.
MAX_FRAME_JUMP = 0.35
#: A tracker's octave slip doubles or halves the same f0: it lands this close (semitones,
#: frame noise and medians) to a whole octave off; another voice rarely does.
OCTAVE_SLIP_ST = 0.3
#: No piece is made shorter than this (s) by a cut inside a run.
MIN_PIECE_S = 0.08
#: Pitch and loudness steps are medians over this long (s) after against before a frame;
#: dips are measured against the highest values this far (s) on either side (a syllable).
STEP_WINDOW_S, DIP_REACH_S = 0.06, 0.2
#: The pitch is median-filtered over this many frames before looking for steps (vibrato and
#: the odd octave-slipped frame smoothed out).
PITCH_SMOOTH_FRAMES = 5
#: A frame further than this (semitones) from its piece's median is an octave slip, folded.
FOLD_ST = 8.0
#: A piece this many dB quieter than the loudest tenth of the voiced sound has no salience
#: left (background talk, an echo); salience never falls below ``MIN_SALIENCE``, so that
#: leaving even a quiet piece out costs something.
SALIENCE_DB, MIN_SALIENCE = 15.0, 0.1
#: Within this many dB of the loudest tenth a piece is fully the patient's: one singer's
#: syllables differ by a few dB (a soft first syllable, a phrase fading towards its end), and
#: a reading must not leave out the softer ones as if they were background.
SALIENCE_FREE_DB = 4.0
#: Pitch change (semitones per 10 ms) across a cut inside a voiced run above which the sound
#: after it may be another voice; looked at over this many frames on each side.
CONTINUOUS_ST, CONTINUITY_FRAMES = 1.0, 3


@dataclass(frozen=True)
class Frames:
    """Frame-wise features on the pitch track's time grid.

    Attributes
    ----------
    times : np.ndarray
        Frame centres in seconds.
    midi : np.ndarray
        Pitch as fractional MIDI note numbers, as tracked: octave slips are folded later,
        within a piece (:func:`fold_octaves`).
    voiced : np.ndarray
        Boolean voicing decision per frame.
    confidence : np.ndarray
        The tracker's voicing confidence per frame.
    energy_db : np.ndarray or None
        Frame loudness in dB relative to the loudest frame, when audio was given.
    hop_s : float
        Seconds between frames.
    """

    times: np.ndarray
    midi: np.ndarray
    voiced: np.ndarray
    confidence: np.ndarray
    energy_db: np.ndarray | None
    hop_s: float


@dataclass(frozen=True)
class Piece:
    """A stretch of voiced frames ``[start, stop)`` that may be (part of) one syllable."""

    start: int
    stop: int
    onset_s: float
    offset_s: float

    @property
    def duration_s(self) -> float:
        """How long the piece sounds (s): a vowel is long, a consonant's voicing or a scoop short."""
        return self.offset_s - self.onset_s


def frame_energy_db(y: np.ndarray, sr: int, times: np.ndarray) -> np.ndarray:
    """Loudness of ``y`` around each time in ``times``, in dB below the loudest frame.

    A 40 ms window is used so that one period of a low male voice fits in it. The samples are
    high-passed first (:data:`LEVEL_HIGHPASS_HZ`), so a DC offset or a rumble is not loudness.

    Examples
    --------
    >>> import numpy as np
    >>> sr = 16000
    >>> y = np.r_[np.zeros(sr), 0.5 * np.sin(np.arange(sr) * 0.1)].astype(np.float32)
    >>> e = frame_energy_db(y, sr, np.array([0.5, 1.5]))
    >>> bool(e[0] < -60 and e[1] > -1)
    True
    >>> bool(np.all(np.abs(frame_energy_db(y + 0.5, sr, np.array([0.5, 1.5])) - e) < 1.0))
    True
    """
    y = to_mono(y, dtype=np.float64)
    if not len(y):
        return np.zeros(len(times))
    y = _high_passed(y, sr)
    half = max(int(0.02 * sr), 1)
    cum = np.concatenate([[0.0], np.cumsum(y * y)])
    idx = np.clip(np.round(np.asarray(times) * sr).astype(int), 0, len(y) - 1)
    lo, hi = np.maximum(idx - half, 0), np.minimum(idx + half, len(y))
    db = 10.0 * np.log10((cum[hi] - cum[lo]) / np.maximum(hi - lo, 1) + 1e-12)
    return db - db.max() if len(db) else db


def _high_passed(y: np.ndarray, sr: int) -> np.ndarray:
    """``y`` through the level's high-pass, started from its first sample (no step at the start).

    The filter begins as if the recording had always been at its first sample's value, so a
    DC offset does not ring out as a loud first fraction of a second.
    """
    sos, zi = _level_highpass(sr)
    return sosfilt(sos, y, zi=zi * y[0])[0]


@functools.cache
def _level_highpass(sr: int) -> tuple[np.ndarray, np.ndarray]:
    """The level's high-pass at ``sr`` and its step response's state: designed once per rate
    (a few milliseconds, at every take's end otherwise)."""
    sos = butter(LEVEL_HIGHPASS_ORDER, LEVEL_HIGHPASS_HZ, "highpass", fs=sr, output="sos")
    return sos, sosfilt_zi(sos)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[start, stop)`` index pairs of the True runs of a boolean array."""
    padded = np.r_[False, mask, False].astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def thresholds(model: str) -> tuple[float, float, float]:
    """Voicing thresholds (start, hold, clear voice) for a tracker's confidence."""
    return THRESHOLDS.get(model, DEFAULT_THRESHOLDS)


def voiced_mask(track: PitchTrack, energy_db: np.ndarray | None = None) -> np.ndarray:
    """Decide which frames are voiced, from confidence with hysteresis and, if known, loudness.

    Runs start where the confidence reaches the model's threshold (:data:`THRESHOLDS`) and
    extend while it stays above its hold level; short gaps are closed, short runs dropped, and
    frames more than :data:`SILENCE_DB` below the loudest frame are never voiced.
    """
    conf = np.asarray(track.confidence, dtype=float)
    hop = track.hop_s or 0.01
    start, hold, _ = thresholds(track.model)
    loose = conf >= hold
    if energy_db is not None:
        loose &= energy_db > -SILENCE_DB
    mask = np.zeros(len(conf), dtype=bool)
    for a, b in _runs(loose):
        if np.any(conf[a:b] >= start):
            mask[a:b] = True
    max_gap = round(MAX_GAP_S / hop)
    for a, b in _runs(~mask):
        if a > 0 and b < len(mask) and b - a <= max_gap:
            mask[a:b] = True
    min_run = round(MIN_RUN_S / hop)
    for a, b in _runs(mask):
        if b - a < min_run:
            mask[a:b] = False
    return mask


def fold_octaves(midi: np.ndarray) -> np.ndarray:
    """Move values more than 8 semitones from the median by whole octaves towards it.

    Used on one piece or one syllable: the voice does not jump an octave inside a syllable,
    trackers often do. Folding a whole voiced run instead would be wrong: background talk
    running on into the patient's voice can put its median an octave away from the voice.

    Examples
    --------
    >>> fold_octaves(np.array([48.0, 60.1, 48.2, 47.9])).tolist()
    [48.0, 48.1, 48.2, 47.9]
    """
    values = np.array(midi, dtype=float)
    if not len(values):
        return values
    ref = np.median(values)
    far = np.abs(values - ref) > FOLD_ST
    values[far] -= np.round((values[far] - ref) / 12.0) * 12.0
    return values


def octave_distance(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """Distance in semitones between pitches; a tracker's octave slip is not counted.

    A slip puts the pitch a whole octave off, to within :data:`OCTAVE_SLIP_ST`; anything else
    an octave away (another voice) keeps its full distance.

    Examples
    --------
    >>> octave_distance(48.0, np.array([49.5, 60.25, 36.0, 58.5])).tolist()
    [1.5, 0.25, 0.0, 10.5]
    """
    d = np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))
    slip = np.abs(d - 12.0 * np.round(d / 12.0))
    return np.where(slip <= OCTAVE_SLIP_ST, slip, d)


def frames_from_track(
    track: PitchTrack, audio: np.ndarray | None = None, sr: int | None = None
) -> Frames:
    """Voicing, folded pitch and (with audio) loudness per frame of a pitch track."""
    energy = frame_energy_db(audio, sr, track.times) if audio is not None and sr else None
    voiced = voiced_mask(track, energy)
    f0 = np.maximum(np.asarray(track.f0_hz, dtype=float), 1e-6)
    midi = hz_to_midi(f0)
    conf = np.asarray(track.confidence, dtype=float)
    return Frames(times=np.asarray(track.times, dtype=float), midi=midi, voiced=voiced, confidence=conf,
                  energy_db=energy, hop_s=track.hop_s or 0.01)


def _pitch_steps(midi: np.ndarray, half: int) -> np.ndarray:
    """Difference between the median value (pitch, loudness) just after and just before each frame."""
    n = len(midi)
    steps = np.zeros(n)
    if n < 2 * half:
        return steps
    medians = np.median(np.lib.stride_tricks.sliding_window_view(midi, half), axis=1)
    # medians[k] is the median of midi[k : k + half]
    steps[half : n - half + 1] = medians[half:] - medians[: n - 2 * half + 1]
    return steps


def _peaks(values: np.ndarray, threshold: float, min_sep: int) -> list[int]:
    """Indices of the largest values above ``threshold``, greedily kept ``min_sep`` apart."""
    order = np.argsort(values)[::-1]
    chosen: list[int] = []
    for k in order:
        if values[k] < threshold:
            break
        if all(abs(int(k) - c) >= min_sep for c in chosen):
            chosen.append(int(k))
    return sorted(chosen)


def _dips(values: np.ndarray, half: int) -> np.ndarray:
    """Depth of each value below the highest values on both sides within ``half`` frames."""
    n = len(values)
    if n < 3:
        return np.zeros(n)
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(values, half, mode="edge"), half)
    left = windows[:n].max(axis=1)  # values[k - half : k]
    right = windows[half + 1 : half + 1 + n].max(axis=1)  # values[k + 1 : k + 1 + half]
    depth = np.minimum(left, right) - values
    depth[[0, -1]] = 0.0
    return np.maximum(depth, 0.0)


def cut_points(frames: Frames, start: int, stop: int) -> list[int]:
    """Where to cut the voiced run ``[start, stop)`` into syllables.

    Cuts go at steps of the local pitch level (a change of note, sung legato; not the
    tracker slipping by a whole octave), at dips of
    the loudness of :data:`ENERGY_DIP_DB` or more (a voiced consonant), at sudden rises of
    :data:`ENERGY_RISE_DB` (a voice starting over background talk), and at dips of the
    tracker's confidence by :data:`CONFIDENCE_DIP` (:data:`AUDIO_CONFIDENCE_DIP` when the
    loudness is known too).
    """
    hop = frames.hop_s
    min_piece = max(round(MIN_PIECE_S / hop), 1)
    if stop - start < 2 * min_piece:
        return []
    midi = median_filter(frames.midi[start:stop], size=PITCH_SMOOTH_FRAMES, mode="nearest")
    half = max(round(STEP_WINDOW_S / hop), 2)
    score = octave_distance(0.0, _pitch_steps(midi, half)) / PITCH_STEP  # a slip is no new note
    reach = round(DIP_REACH_S / hop)
    confidence_dip = CONFIDENCE_DIP
    if frames.energy_db is not None:
        energy = frames.energy_db[start:stop]
        score = np.maximum(score, _dips(energy, reach) / ENERGY_DIP_DB)
        score = np.maximum(score, _pitch_steps(energy, half) / ENERGY_RISE_DB)
        confidence_dip = AUDIO_CONFIDENCE_DIP  # noise makes shallow ones too; loudness is better
    score = np.maximum(score, _dips(frames.confidence[start:stop], reach) / confidence_dip)
    score[:min_piece] = 0.0
    score[len(score) - min_piece + 1 :] = 0.0
    return [start + k for k in _peaks(score, 1.0, min_piece)]


def is_voice_like(midi: np.ndarray, hop_s: float = 0.01) -> bool:
    """Whether a run's pitch moves like a voice (smoothly) rather than wandering like noise.

    A voice glides at most a few tenths of a semitone every 10 ms; a tracker fed noise jumps
    around at random.

    Examples
    --------
    >>> import numpy as np
    >>> is_voice_like(np.linspace(48, 51, 40)), is_voice_like(np.random.default_rng(0).uniform(40, 60, 40))
    (True, False)
    """
    if len(midi) < 3:
        return False
    return float(np.median(np.abs(np.diff(midi)))) <= MAX_FRAME_JUMP * max(hop_s / 0.01, 1.0)


def segment_pieces(frames: Frames) -> list[Piece]:
    """Cut the voiced frames into pieces, each (part of) one syllable or an extra sound."""
    hop = frames.hop_s
    pieces = []
    for a, b in _runs(frames.voiced):
        if not is_voice_like(frames.midi[a:b], hop):
            continue
        bounds = [a, *cut_points(frames, a, b), b]
        for s, e in itertools.pairwise(bounds):
            pieces.append(Piece(start=s, stop=e, onset_s=float(frames.times[s] - hop / 2),
                                offset_s=float(frames.times[e - 1] + hop / 2)))
    return pieces


def piece_pitch(frames: Frames, pieces: list[Piece]) -> np.ndarray:
    """Median pitch of each piece (MIDI numbers), the tracker's octave slips folded."""
    return np.array([np.median(fold_octaves(frames.midi[p.start : p.stop])) for p in pieces])


def piece_salience(frames: Frames, pieces: list[Piece], model: str) -> np.ndarray:
    """How clearly each piece is the patient's voice, in [0.1, 1].

    With the audio: full for pieces within :data:`SALIENCE_FREE_DB` of the loudest tenth of
    the voiced frames, falling to nothing at :data:`SALIENCE_DB` below (background talk, an
    echo). From the track
    alone: by how sure the tracker is, between its hold threshold and a clear voice. Pieces cut
    from one unbroken stretch of voice (:func:`one_voice`) share its clearest piece's
    salience: a last syllable sung softly, trailing off, is still the patient's.
    """
    if not pieces:
        return np.zeros(0)
    if frames.energy_db is not None:
        loud = np.percentile(frames.energy_db[frames.voiced], 90)
        level = np.array([np.median(frames.energy_db[p.start : p.stop]) for p in pieces])
        salience = np.clip(1.0 + (level - loud + SALIENCE_FREE_DB) / (SALIENCE_DB - SALIENCE_FREE_DB),
                           MIN_SALIENCE, 1.0)
    else:
        _, hold, sure = thresholds(model)
        conf = np.array([np.median(frames.confidence[p.start : p.stop]) for p in pieces])
        salience = np.clip((conf - hold) / (sure - hold), MIN_SALIENCE, 1.0)
    stretch = np.cumsum([k == 0 or not one_voice(frames, pieces[k - 1], p) for k, p in enumerate(pieces)])
    for n in np.unique(stretch):
        salience[stretch == n] = salience[stretch == n].max()
    return salience


def one_voice(frames: Frames, before: Piece, after: Piece) -> bool:
    """Whether two pieces are one unbroken voice: no gap, and the pitch glides across the cut.

    Background talk that takes over from the patient's voice without a pause jumps to a
    pitch of its own from one frame to the next; a voice moves by less than
    :data:`CONTINUOUS_ST` per 10 ms (looked at over :data:`CONTINUITY_FRAMES` frames each side).
    """
    k, w = after.start, CONTINUITY_FRAMES
    if before.stop != k or k < w or k + w > len(frames.midi):
        return False
    steps = np.abs(np.diff(frames.midi[k - w : k + w]))
    return bool(np.all(steps <= CONTINUOUS_ST * max(frames.hop_s / 0.01, 1.0)))
