"""Splitting a phrase's phonemes into its written syllables.

A phrase file gives the syllables as a therapist writes them (``["mor", "ning"]``); the voice
speaks phonemes (``m ˈɔː ɹ n ɪ ŋ``). Singing needs to know, for every syllable, which phonemes
lead into it (its onset consonants), which are held on the note (its vowel nucleus), and which
close it (its coda). Whole words are phonemized, so the pronunciation is the dictionary one,
and cut between their vowel nuclei; a word whose nuclei do not match its syllables is spoken
syllable by syllable instead.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass, replace

from mitpractice.synth.speech import phonemize

#: espeak IPA vowel code points (r-coloured ɚ and ɝ included).
VOWELS = frozenset("aeiouyæɑɒɔəɚɛɜɝɪʊʌɐɘɵɞɤɯøœɶɨʉᵻ")
STRESS = frozenset("ˈˌ")
LENGTH = "ː"
SYLLABIC = "\u0329"  # combining vertical line below: n̩ is a syllable of its own
#: Onset clusters English allows inside a word (kept together after a syllable break).
_ONSET_FIRST = frozenset("pbtdkɡfθs")
_ONSET_SECOND = frozenset("lɹwj")
_S_CLUSTER = frozenset("ptkmn")
#: Symbols piper treats as phonemes but that are punctuation; dropped before singing.
_PUNCTUATION = frozenset(" !'(),-.:;?\"")


@dataclass(frozen=True)
class SyllablePhonemes:
    """The phonemes of one syllable, split by the role each plays in singing.

    Attributes
    ----------
    text : str
        The syllable as written in the phrase.
    onset, nucleus, coda : tuple of str
        Consonants before the vowel, the vowel (with its stress and length marks, or a
        syllabic consonant), and consonants after it.
    word_start : bool
        Whether a new word starts with this syllable (the voice pauses slightly there).
    """

    text: str
    onset: tuple[str, ...]
    nucleus: tuple[str, ...]
    coda: tuple[str, ...]
    word_start: bool = True

    @property
    def phonemes(self) -> tuple[str, ...]:
        return self.onset + self.nucleus + self.coda


def is_vowel(phonemes: list[str] | tuple[str, ...], i: int) -> bool:
    """Whether phoneme ``i`` is vowel-like: a vowel, a length mark, or a syllabic consonant."""
    p = phonemes[i]
    if p in VOWELS or p in (LENGTH, SYLLABIC):
        return True
    return i + 1 < len(phonemes) and phonemes[i + 1] == SYLLABIC


def split_syllable(text: str, phonemes: list[str] | tuple[str, ...]) -> SyllablePhonemes:
    """Split one syllable's phonemes into onset, nucleus and coda.

    The nucleus runs from the first vowel-like phoneme (with a stress mark just before it) to
    the last one; a syllable with no vowel at all (``"hm"``) is all nucleus, so it is held.

    Examples
    --------
    >>> s = split_syllable("mor", ["m", "ˈ", "ɔ", "ː", "ɹ"])
    >>> s.onset, s.nucleus, s.coda
    (('m',), ('ˈ', 'ɔ', 'ː'), ('ɹ',))
    """
    phonemes = tuple(p for p in phonemes if p not in _PUNCTUATION)
    vowel_at = [i for i in range(len(phonemes)) if is_vowel(phonemes, i)]
    if not vowel_at:
        return SyllablePhonemes(text, (), phonemes, ())
    first, last = vowel_at[0], vowel_at[-1]
    while first > 0 and phonemes[first - 1] in STRESS:
        first -= 1
    return SyllablePhonemes(text, phonemes[:first], phonemes[first : last + 1], phonemes[last + 1 :])


def phrase_syllables(text: str, syllables: tuple[str, ...] | list[str]) -> list[SyllablePhonemes]:
    """Phonemes of each written syllable of a phrase.

    Parameters
    ----------
    text : str
        The phrase as written, e.g. ``"Good morning"``.
    syllables : sequence of str
        Its syllables, e.g. ``("good", "mor", "ning")``. Their letters should spell the words
        of ``text`` in order; when they do not, each syllable is phonemized on its own.

    Returns
    -------
    list of SyllablePhonemes
        One per syllable, in order.

    Examples
    --------
    >>> [s.phonemes for s in phrase_syllables("Good morning", ["good", "mor", "ning"])]
    [('ɡ', 'ˈ', 'ʊ', 'd'), ('m', 'ˈ', 'ɔ', 'ː', 'ɹ'), ('n', 'ɪ', 'ŋ')]
    """
    groups = _word_groups(text, list(syllables))
    if groups is None:
        return [split_syllable(s, phonemize(s)) for s in syllables]
    result: list[SyllablePhonemes] = []
    for word, word_syllables in groups:
        result.extend(_split_word(word, word_syllables))
    return result


def hum_syllables(n: int) -> list[SyllablePhonemes]:
    """``n`` hummed syllables: a held syllabic ``m`` each, no words."""
    return [SyllablePhonemes("m", (), ("m", SYLLABIC), ()) for _ in range(n)]


def _letters(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def _word_groups(text: str, syllables: list[str]) -> list[tuple[str, list[str]]] | None:
    """Pair each word of ``text`` with the syllables that spell it, or None if they do not."""
    words = [w for w in text.split() if _letters(w)]
    groups: list[tuple[str, list[str]]] = []
    k = 0
    for word in words:
        target, spelled, taken = _letters(word), "", []
        while k < len(syllables) and len(spelled) < len(target):
            spelled += _letters(syllables[k])
            taken.append(syllables[k])
            k += 1
        if spelled != target or not taken:
            return None
        groups.append((word, taken))
    return groups if k == len(syllables) else None


def _split_word(word: str, syllables: list[str]) -> list[SyllablePhonemes]:
    phonemes = [p for p in phonemize(word) if p not in _PUNCTUATION]
    nuclei = _nuclei(phonemes)
    if len(nuclei) != len(syllables):
        return [split_syllable(s, phonemize(s)) for s in syllables]
    cuts = [0]
    for (_, end), (start, _) in itertools.pairwise(nuclei):
        cuts.append(_onset_start(phonemes, end, start))
    cuts.append(len(phonemes))
    return [
        replace(split_syllable(s, phonemes[a:b]), word_start=a == 0)
        for s, a, b in zip(syllables, cuts, cuts[1:], strict=False)
    ]


def _nuclei(phonemes: list[str]) -> list[tuple[int, int]]:
    """Index ranges ``[start, end)`` of the vowel runs; a stress mark starts a new one."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(phonemes):
        if phonemes[i] in STRESS and i + 1 < len(phonemes) and is_vowel(phonemes, i + 1):
            start, i = i, i + 1
        elif is_vowel(phonemes, i):
            start = i
        else:
            i += 1
            continue
        while i < len(phonemes) and is_vowel(phonemes, i):
            i += 1
        runs.append((start, i))
    return runs


def _onset_start(phonemes: list[str], vowel_end: int, next_vowel: int) -> int:
    """Where the next syllable starts among the consonants between two nuclei.

    The last consonant always begins the next syllable, and the one before it too when the
    two make an onset English allows (``pl``, ``tr``, ``st``...).
    """
    consonants = next_vowel - vowel_end
    if consonants < 2:
        return next_vowel - consonants
    a, b = phonemes[next_vowel - 2], phonemes[next_vowel - 1]
    if (a in _ONSET_FIRST and b in _ONSET_SECOND) or (a == "s" and b in _S_CLUSTER):
        return next_vowel - 2
    return next_vowel - 1
