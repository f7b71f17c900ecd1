"""PocketSphinx, loaded once, spotting a phrase's words against a free loop of phones.

The search is a finite-state grammar with one state: from it, any word of the phrase or any
single phone of the language, any number of times, in any order, with silence and noises
between (the decoder's fillers). The phone loop is the garbage model: speech that is not one
of the phrase's words (other words, "la la", a hum, a cough) is read more cheaply as a run of
phones than as a word, so a word is only found where its own phones fit the sound better than
free phones do. Words said in another order or only some of them are found where they are.

The decoder (acoustic model, dictionary) takes about half a second to load; it is loaded on
first use and reused by every check in the process, one check at a time.
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass

import numpy as np

from mitpractice.errors import ModelUnavailableError
from mitpractice.words.lexicon import ARPABET, pronunciation

#: The acoustic model's sample rate (Hz) and frame rate (frames per second).
MODEL_SR = 16000
FRAMES_PER_S = 100
#: Grammar weights of a phrase word and of one phone of the garbage loop (the silence phone
#: included, so that a pause is read as garbage, not stretched into a word), raised to the
#: language weight ``lw`` of :data:`SEARCH`. A word of n phones pays its weight once where
#: the loop pays n phone weights, so the ratio is the head start a word gets over free
#: phones: too small and the words of a clear take are read as phones, too large and other
#: words and "la la" are read as the phrase's words. Set on the tuning part of
#: benchmarks/words.py (docs/words.md: 1e-10 to 1e-40 tried). 1e-20 judged five points more
#: of the tuning part's words right, but on the held-out and fresh parts it gained at most
#: two points, made more wrong answers and credited a word on a hum in each: 1e-10 is the
#: largest head start that credits no word on a hum.
WORD_WEIGHT = 0.5
PHONE_WEIGHT = 1e-10
#: Search settings: language weight, beams (relative to the best path, as probabilities) and
#: the most HMMs kept per frame. The defaults are for open recognition; a one-state grammar
#: over a handful of words and the phones needs far fewer, and the phone loop on a long hum
#: otherwise keeps tens of thousands alive (tens of seconds per second of audio).
SEARCH = {"lw": 20.0, "beam": 1e-30, "pbeam": 1e-30, "wbeam": 1e-20, "maxhmmpf": 1500}
#: Prefix of the garbage loop's one-phone entries in the dictionary.
PHONE_PREFIX = "+phone+"


@dataclass(frozen=True)
class Spotted:
    """One stretch of the best reading of an attempt.

    Attributes
    ----------
    word : str
        A phrase word, or ``""`` for a garbage phone.
    start_s, end_s : float
        Where it lies in the attempt (s).
    fit : float
        Its acoustic log-likelihood per frame against the best-scoring model state of each frame
        (0 is a perfect fit; about -2 for clear speech of the word, far lower for a poor one).
    phone : str
        The garbage phone read there (``"SIL"`` for a pause), ``""`` for a phrase word.
    """

    word: str
    start_s: float
    end_s: float
    fit: float
    phone: str = ""


@dataclass(frozen=True)
class Reading:
    """The best reading of an attempt: its words and garbage phones in time order (silences
    and noises left out), and the attempt's length."""

    spotted: tuple[Spotted, ...]
    duration_s: float


class Recognizer:
    """The PocketSphinx decoder with the garbage loop, loaded once (:func:`recognizer`)."""

    def __init__(self) -> None:
        try:
            from pocketsphinx import Decoder
        except ImportError:
            raise ModelUnavailableError("the word check is not installed (pocketsphinx)") from None
        self._decoder = Decoder(lm=None, samprate=MODEL_SR, loglevel="ERROR", **SEARCH)
        garbage = (*ARPABET, "SIL")
        for phone in garbage:  # the dictionary is rebuilt once, with the last one
            self._decoder.add_word(PHONE_PREFIX + phone, phone, phone == garbage[-1])
        self._garbage = garbage
        self._lock = threading.Lock()
        self._grammar: tuple[str, ...] | None = None

    def phones(self, word: str) -> tuple[str, ...]:
        """The phones the check listens for in ``word`` (dictionary, else letter-to-sound)."""
        with self._lock:
            return pronunciation(word, self._decoder.lookup_word)

    def read(self, samples: np.ndarray, words: tuple[str, ...]) -> Reading:
        """The best reading of 16 kHz int16 ``samples`` as ``words`` and free phones."""
        with self._lock:
            self._use_grammar(words)
            d = self._decoder
            d.start_utt()
            d.process_raw(samples.astype("<i2").tobytes(), full_utt=True)
            d.end_utt()
            spotted = []
            for seg in d.seg() or ():
                if seg.word.startswith("<") or seg.word.startswith("[") or seg.word.startswith("++"):
                    continue  # silence, sentence marks, noises
                frames = seg.end_frame - seg.start_frame + 1
                phone = seg.word[len(PHONE_PREFIX):] if seg.word.startswith(PHONE_PREFIX) else ""
                spotted.append(Spotted(
                    word="" if phone else _base(seg.word),
                    start_s=seg.start_frame / FRAMES_PER_S,
                    end_s=(seg.end_frame + 1) / FRAMES_PER_S,
                    fit=math.log(max(seg.ascore, 1e-300)) / max(frames, 1),
                    phone=phone,
                ))
        return Reading(spotted=tuple(spotted), duration_s=len(samples) / MODEL_SR)

    def _use_grammar(self, words: tuple[str, ...]) -> None:
        key = tuple(sorted(set(words)))
        if key == self._grammar:
            return
        d = self._decoder
        for word in key:
            if not d.lookup_word(word):
                d.add_word(word, " ".join(pronunciation(word, d.lookup_word)), True)
        loop = [(0, 0, WORD_WEIGHT, w) for w in key]
        loop += [(0, 0, PHONE_WEIGHT, PHONE_PREFIX + p) for p in self._garbage]
        fsg = d.create_fsg("words", 0, 1, [*loop, (0, 1, 1.0)])
        d.add_fsg("words", fsg)
        d.activate_search("words")
        self._grammar = key


def _base(word: str) -> str:
    """A dictionary entry's word without its alternative-pronunciation mark (``the(2)``)."""
    return word.split("(", 1)[0]


_LOADING = threading.Lock()


@functools.cache
def _loaded() -> Recognizer:
    return Recognizer()


def recognizer() -> Recognizer:
    """The process's one recogniser, loaded on first use (about half a second): a worker
    loading it in the background and a check asking for it at once share one load."""
    with _LOADING:
        return _loaded()
