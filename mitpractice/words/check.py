"""Did the patient say the phrase's words? Per word: said, not said, or could not decide.

:mod:`~mitpractice.words.recognizer` reads the attempt as the phrase's words and free phones
(the garbage loop). Each word of the phrase is then judged by what the reading made of it:

* **found** — the decoder preferred the word to free phones somewhere in the take. How well
  its phones fit there (:attr:`~mitpractice.words.recognizer.Spotted.fit`, log-likelihood per
  frame against the best model state) turns into a likelihood that it was said through a
  logistic curve (:data:`FIT_MID`, :data:`FIT_SCALE`): credited from a good fit, "not said"
  only for a fit far worse than any word said, undecided between.
* **a hum** — a take whose sound adds next to nothing above 1 kHz over its pauses
  (:func:`is_hum`) was hummed with the lips closed, or is silence: no word is said. A found
  word with little there in a take that is not a hum (lips closed, a deep voice) is undecided.
* **not found** — the decoder misses many words that were said (four to six in ten words of
  the test voices' correct takes), so a word not found is "not said" only on evidence of
  absence: a hum, or no sound in the take outside the words found (:func:`absent`). Anywhere
  else the check cannot tell, and says so: a "not said" can fail a patient's take.
* **sung** — the acoustic model knows speech. Sung words, their vowels held for a beat on one
  pitch, are often read as free phones, and other words sung on the tune are taken for the
  phrase's: judged as speech, the product's own voice singing the tuning phrases and others
  got two decisions in three right (``benchmarks/words.py --sung``), far from the goal of nine
  in ten. So in a sung take every word is "could not decide" (the step falls
  back to rhythm alone); a word found keeps its times, for the therapist's review.

The likelihood is the word's ``confidence`` (0–1, how likely it is that the word was said).
``said`` is ``True`` from :data:`SAID_AT`, ``False`` up to :data:`NOT_SAID_AT`, and ``None``
("could not decide") between, so that the practice steps fall back to rhythm alone rather
than guess. Every threshold was set on the tuning part of ``benchmarks/words.py`` (docs/words.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mitpractice.words.recognizer import MODEL_SR, Reading, Spotted, recognizer
from mitpractice.words.text import phrase_words

#: Fit (log-likelihood per frame) at which a found word is as likely said as not, and the
#: width of the logistic around it. Clear speech of the word fits at about -3 (-4.8 to -2.7
#: for nine in ten words said on the tuning part), but short words of another phrase that
#: sound alike ("you" in "yes, please", "I'm" in "come home") fit up to -3.4: a found word
#: is credited from a fit of -4.0 (92 % of the words credited there were said, on the tuning
#: part; from -3.8 94 % but a sixth fewer credited, from -5.25, the earlier bound, 84 %). It
#: is "not said" only below -7.0: no word said fitted worse than -5.6 on the tuning part, but
#: words said by the same voices in other phrases fit down to -6.2 ("have" in "Have a nice
#: day"), and a "not said" can fail a patient's take. Undecided between.
FIT_MID = -4.98
FIT_SCALE = 2.4
#: Likelihood of a word judged absent (not found in a take with no other sound, or a hum).
NOT_FOUND = 0.05
#: Mean fit of the free phones (per frame) below which a take is not readable as speech: a
#: word not found in it is "could not decide", not "not said".
READABLE_FIT = -6.0
#: A take whose melodic score (0–100) reaches this was sung with a tune, not spoken: below 40
#: "the melody was not there (speech, a monotone ...)" (docs/scoring.md).
SUNG_MELODIC = 40.0
#: Decisions on the likelihood: said from SAID_AT, not said up to NOT_SAID_AT, undecided between.
SAID_AT = 0.6
NOT_SAID_AT = 0.3
#: Likelihood of a word the check cannot judge (a sung take, an unreadable one): halfway.
UNDECIDED = (SAID_AT + NOT_SAID_AT) / 2
#: Band (Hz) and least share of a found word's energy in it for the word to count as spoken
#: with the mouth open: every English word has a vowel with its second formant or a
#: consonant's noise above 1 kHz, which a hum (lips closed, the nasal murmur below 500 Hz)
#: lacks. Words spoken by the test voices put 19–39 % of their energy there, even in noise;
#: a hum under a room's noise at 20 dB SNR 0.2 %: 2 % is an order of magnitude from both.
#: (3 % would also cover a hum under 10 dB of noise, 2.4 %, but un-credited words said by one
#: of the held-out voices, and no word was found on such a hum: docs/words.md.)
OPEN_BAND_HZ = (1000.0, 5000.0)
MIN_OPEN_SHARE = 0.02
#: Least share of a take's energy (its loudest quarter of 10 ms frames) that its sound adds
#: above 1 kHz (:data:`OPEN_BAND_HZ`) over its pauses (the quietest frames,
#: :data:`FLOOR_PERCENTILE`) for it to be more than a hum: in a hum every word is not said.
#: A hum adds next to nothing there, even under a room's noise; speech adds a few per cent
#: even in a deep voice (2.6 % for "come home" by en-029+m7 before the floor is taken off).
HUM_OPEN_SHARE = 0.01
#: Seconds of sound outside the words found, below which the take holds nothing a missed
#: word could be, and the words not found are "not said". On the tuning part, half phrases
#: left 0.00-0.03 s of sound outside the words found (the decoder's word edges), correct
#: takes with a word missed 0.08 s or more (the shortest words last about 0.15 s). With
#: more sound, a word may have been said and missed by the decoder (four to six in ten
#: words of correct takes are), so the check cannot decide.
MIN_WORD_SOUND_S = 0.05
#: A 10 ms frame carries sound when its energy is this far (dB) above the take's noise floor
#: (the energy of its quietest frames, this percentile: a take starts and ends with a
#: pause) and no further than this below its loudest frame (a clean take's floor is zero).
LOUD_OVER_FLOOR_DB = 6.0
LOUD_UNDER_PEAK_DB = 30.0
FLOOR_PERCENTILE = 10
#: Peak level the attempt is brought to before decoding (the model's features expect speech
#: well above the quantisation noise of 16-bit samples).
PEAK = 0.9


@dataclass(frozen=True)
class WordResult:
    """The check of one word of the phrase (one object of the ``--words`` JSON).

    Attributes
    ----------
    word : str
        The written word, lowercase without punctuation (:func:`~mitpractice.words.text.phrase_words`).
    said : bool or None
        ``True`` said, ``False`` not said, ``None`` the check could not decide.
    confidence : float
        How likely it is that the word was said (0–1).
    start_s, end_s : float or None
        Where the word was heard in the attempt (s); ``None`` when it was not found.
    """

    word: str
    said: bool | None
    confidence: float
    start_s: float | None = None
    end_s: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "word": self.word,
            "said": self.said,
            "confidence": round(self.confidence, 2),
            "start_s": None if self.start_s is None else round(self.start_s, 2),
            "end_s": None if self.end_s is None else round(self.end_s, 2),
        }


def decide(likelihood: float) -> bool | None:
    """Said, not said or undecided for a likelihood.

    Examples
    --------
    >>> decide(0.93), decide(0.05), decide(0.45)
    (True, False, None)
    """
    if likelihood >= SAID_AT:
        return True
    if likelihood <= NOT_SAID_AT:
        return False
    return None


def fit_likelihood(fit: float) -> float:
    """How likely a found word was said, from how well its phones fit the sound.

    Examples
    --------
    >>> decide(fit_likelihood(-3.0)), decide(fit_likelihood(-5.0)), decide(fit_likelihood(-8.0))
    (True, None, False)
    """
    return 1.0 / (1.0 + math.exp(-(fit - FIT_MID) / FIT_SCALE))


def readable(reading: Reading) -> bool:
    """Whether the free phones fit the take well enough for "not found" to mean "not said"."""
    garbage = [s for s in reading.spotted if not s.word]
    if not garbage:
        return True  # all silence, or all words: nothing was left unread
    weights = np.array([s.end_s - s.start_s for s in garbage])
    fits = np.array([s.fit for s in garbage])
    return float(np.average(fits, weights=weights)) >= READABLE_FIT


def open_share(samples: np.ndarray, start_s: float, end_s: float) -> float:
    """The share of the energy between ``start_s`` and ``end_s`` in :data:`OPEN_BAND_HZ`
    (16 kHz samples).

    Examples
    --------
    >>> t = np.arange(MODEL_SR) / MODEL_SR
    >>> hummed = np.sin(2 * np.pi * 150 * t)
    >>> vowel = hummed + 0.3 * np.sin(2 * np.pi * 1500 * t)
    >>> open_share(hummed, 0, 1) < MIN_OPEN_SHARE < open_share(vowel, 0, 1)
    True
    """
    span = np.asarray(samples[int(start_s * MODEL_SR):int(end_s * MODEL_SR)], np.float64)
    if span.size < 2:
        return 0.0
    power = np.abs(np.fft.rfft(span * np.hanning(span.size))) ** 2
    freqs = np.fft.rfftfreq(span.size, 1 / MODEL_SR)
    total = float(power[freqs >= 60].sum())
    band = float(power[(freqs >= OPEN_BAND_HZ[0]) & (freqs <= OPEN_BAND_HZ[1])].sum())
    return band / total if total > 0 else 0.0


def is_sung(voiced: bool, melodic: float) -> bool:
    """Whether a take the scorer heard (``voiced``) with this melodic score was sung.

    Examples
    --------
    >>> is_sung(True, 85.0), is_sung(True, 20.0), is_sung(False, 0.0)
    (True, False, False)
    """
    return voiced and melodic >= SUNG_MELODIC


def is_hum(samples: np.ndarray) -> bool:
    """Whether the take (16 kHz samples) is a hum or silence: what its sound adds above 1 kHz
    over its pauses is less than :data:`HUM_OPEN_SHARE` of its energy.

    A room's noise fills the band in the pauses as much as under the hum, so the band's
    energy in the pauses (the noise floor) is taken off before the share is measured: a deep
    voice saying "come home" puts under 3 % of its energy above 1 kHz, no more than a hum
    under 10 dB of noise, but its speech, unlike the hum, raises the band above the floor.

    Examples
    --------
    >>> t = np.arange(MODEL_SR) / MODEL_SR
    >>> noise = 0.05 * np.random.default_rng(0).standard_normal(2 * MODEL_SR)
    >>> on = np.concatenate([np.zeros(MODEL_SR // 2), np.ones(MODEL_SR), np.zeros(MODEL_SR // 2)])
    >>> hummed = on * np.sin(2 * np.pi * 150 * np.tile(t, 2)) + noise
    >>> spoken = hummed + on * 0.3 * np.sin(2 * np.pi * 1500 * np.tile(t, 2))
    >>> is_hum(hummed), is_hum(spoken), is_hum(np.zeros(MODEL_SR))
    (True, False, True)
    """
    hop, size = MODEL_SR // 100, MODEL_SR // 40
    n = (len(samples) - size) // hop + 1
    if n < 2:
        return True
    frames = np.lib.stride_tricks.sliding_window_view(np.asarray(samples, np.float64), size)[::hop][:n]
    power = np.abs(np.fft.rfft(frames * np.hanning(size), axis=1)) ** 2
    freqs = np.fft.rfftfreq(size, 1 / MODEL_SR)
    total = power[:, freqs >= 60].sum(axis=1)
    band = power[:, (freqs >= OPEN_BAND_HZ[0]) & (freqs <= OPEN_BAND_HZ[1])].sum(axis=1)
    order = np.argsort(total)
    quiet, loud = order[:max(1, n * FLOOR_PERCENTILE // 100)], order[-max(1, n // 4):]
    if total[loud].mean() <= 0:
        return True
    rise = band[loud].mean() - band[quiet].mean()
    return bool(rise / total[loud].mean() < HUM_OPEN_SHARE)


def sound_outside(samples: np.ndarray, spans: list[tuple[float, float]]) -> float:
    """Seconds of ``samples`` (16 kHz) outside ``spans`` (s) that carry sound: 10 ms frames
    :data:`LOUD_OVER_FLOOR_DB` above the take's noise floor (its quietest frames) and within
    :data:`LOUD_UNDER_PEAK_DB` of its loudest frame.

    Examples
    --------
    >>> t = np.arange(MODEL_SR) / MODEL_SR
    >>> y = np.where(t > 0.5, np.sin(2 * np.pi * 200 * t), 0.0)  # quiet, then half a second of sound
    >>> round(sound_outside(y, []), 2), round(sound_outside(y, [(0.5, 1.0)]), 2)
    (0.5, 0.0)
    """
    hop = MODEL_SR // 100
    n = len(samples) // hop
    if n == 0:
        return 0.0
    frames = np.asarray(samples[:n * hop], np.float64).reshape(n, hop)
    energy = (frames ** 2).mean(axis=1) + 1e-12
    floor = float(np.percentile(energy, FLOOR_PERCENTILE))
    loud = (energy > floor * 10 ** (LOUD_OVER_FLOOR_DB / 10)) & (
        energy > energy.max() * 10 ** (-LOUD_UNDER_PEAK_DB / 10))
    t = (np.arange(n) + 0.5) / 100
    for start, end in spans:
        loud &= ~((t >= start) & (t < end))
    return float(loud.sum()) / 100


def absent(placed: list[Spotted | None], samples: np.ndarray) -> bool:
    """Whether the words not found were not said: apart from the words found, the take
    holds no sound (:data:`MIN_WORD_SOUND_S`), so there is nothing a missed word could be.
    Any other sound (another word, a phone, a word said out of order that the decoder
    read as phones) is no evidence of absence: the decoder misses words that were said."""
    spans = [(s.start_s, s.end_s) for s in placed if s is not None]
    return sound_outside(samples, spans) < MIN_WORD_SOUND_S


def judge(words: tuple[str, ...], reading: Reading, samples: np.ndarray, *,
          sung: bool = False) -> tuple[WordResult, ...]:
    """Per word of the phrase, in order, what the reading of ``samples`` (16 kHz) says of it.

    A word the phrase holds twice takes the reading's occurrences in time order. In a hum
    (:func:`is_hum`) no word is said, whatever its fit; a found word with next to nothing
    above 1 kHz in a take that is not a hum is undecided. A word not found is "not said"
    only on evidence of absence (a hum, or no sound outside the words found: :func:`absent`,
    in a take whose free phones fit it as speech), else "could not decide": the decoder
    misses words that were said about as often as it finds them.
    In a ``sung`` take every word is undecided; a word found keeps its times.
    """
    found: dict[str, list[Spotted]] = {}
    for s in reading.spotted:
        if s.word:
            found.setdefault(s.word, []).append(s)
    placed = [found[w].pop(0) if found.get(w) else None for w in words]
    hum = is_hum(samples)
    can_tell = readable(reading)
    results = []
    for word, s in zip(words, placed, strict=True):
        if s is not None:
            closed = open_share(samples, s.start_s, s.end_s) < MIN_OPEN_SHARE
            p = (UNDECIDED if sung else NOT_FOUND if hum
                 else UNDECIDED if closed else fit_likelihood(s.fit))
            results.append(
                WordResult(word=word, said=decide(p), confidence=p, start_s=s.start_s, end_s=s.end_s)
            )
        else:
            gone = hum or (can_tell and absent(placed, samples))
            p = NOT_FOUND if gone and not sung else UNDECIDED
            results.append(WordResult(word=word, said=decide(p), confidence=p))
    return tuple(results)


def check_words(y: np.ndarray, sr: int, text: str, *, sung: bool = False) -> tuple[WordResult, ...]:
    """Check which words of ``text`` were said in the attempt ``y`` (mono samples at ``sr`` Hz).

    ``sung``: the take was sung (:func:`is_sung`), so every word is "could not decide".

    The recogniser is loaded on the first call (about half a second) and reused.

    Raises
    ------
    WordCheckError
        If the text has no words, or a word has no pronunciation.
    ModelUnavailableError
        If pocketsphinx is not installed.
    """
    from mitpractice.audiofile import resample

    words = phrase_words(text)
    samples = to_model_samples(resample(np.asarray(y, np.float32), sr, MODEL_SR))
    return judge(words, recognizer().read(samples, words), samples, sung=sung)


def to_model_samples(y: np.ndarray) -> np.ndarray:
    """16-bit samples for the decoder, brought to :data:`PEAK` (a quiet take reads like a loud one)."""
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak > 0:
        y = y * (PEAK / peak)
    return np.round(np.clip(y, -1.0, 1.0) * 32767).astype(np.int16)
