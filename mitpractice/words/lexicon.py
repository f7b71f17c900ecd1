"""Pronunciations for the word check: the pronouncing dictionary first, then letter-to-sound rules.

The acoustic model speaks ARPAbet (the 39 phones of the CMU Pronouncing Dictionary, which
comes with it and lists some 135 000 words). Words it lacks — a grandchild's name a therapist
adds, a place — get their phones from espeak-ng's English letter-to-sound rules, which ship
inside piper-tts (already the product's speaking voice) as a library with its data: nothing
is downloaded and no program is run. espeak-ng answers in IPA; :func:`ipa_to_arpabet` maps it
onto the model's phones.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from collections.abc import Callable

from mitpractice.errors import ModelUnavailableError, WordCheckError

#: The acoustic model's phones (CMU Pronouncing Dictionary, stress left out).
ARPABET = (
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH",
    "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH",
    "UH", "UW", "V", "W", "Y", "Z", "ZH",
)

#: espeak-ng's US English IPA to ARPAbet; the longest match wins (``tʃ`` before ``t``).
#: Marks that change no phone (stress, length, syllabic, word breaks) map to nothing.
IPA_TO_ARPABET: dict[str, tuple[str, ...]] = {
    "aɪ": ("AY",), "aʊ": ("AW",), "eɪ": ("EY",), "oʊ": ("OW",), "əʊ": ("OW",), "ɔɪ": ("OY",),
    "tʃ": ("CH",), "dʒ": ("JH",), "ɜː": ("ER",), "ɝ": ("ER",), "ɚ": ("ER",), "ɜ": ("ER",),
    "iə": ("IY", "AH"), "eə": ("EH", "R"), "ʊə": ("UH", "R"),
    "a": ("AA",), "ɑ": ("AA",), "ɒ": ("AA",), "æ": ("AE",), "ɐ": ("AH",), "ə": ("AH",),
    "ʌ": ("AH",), "ᵻ": ("IH",), "ɔ": ("AO",), "e": ("EH",), "ɛ": ("EH",), "ɪ": ("IH",),
    "i": ("IY",), "o": ("OW",), "ʊ": ("UH",), "u": ("UW",), "y": ("UW",),
    "b": ("B",), "d": ("D",), "ð": ("DH",), "f": ("F",), "ɡ": ("G",), "g": ("G",), "h": ("HH",),
    "j": ("Y",), "k": ("K",), "l": ("L",), "ɫ": ("L",), "m": ("M",), "n": ("N",), "ŋ": ("NG",),
    "p": ("P",), "ɹ": ("R",), "r": ("R",), "ɾ": ("T",), "ʔ": ("T",), "s": ("S",), "ʃ": ("SH",),
    "t": ("T",), "θ": ("TH",), "v": ("V",), "w": ("W",), "ʍ": ("W",), "x": ("K",), "ç": ("HH",),
    "z": ("Z",), "ʒ": ("ZH",),
    "ˈ": (), "ˌ": (), "ː": (), "\u0329": (), " ": (), "-": (), ".": (),
}
_LONGEST = max(len(k) for k in IPA_TO_ARPABET)


def ipa_to_arpabet(ipa: str) -> tuple[str, ...]:
    """The acoustic model's phones for espeak-ng's IPA.

    Raises
    ------
    WordCheckError
        On a symbol the table does not know (a language other than English).

    Examples
    --------
    >>> ipa_to_arpabet("zˈiːbˈɪɡnjuː")
    ('Z', 'IY', 'B', 'IH', 'G', 'N', 'Y', 'UW')
    >>> ipa_to_arpabet("tʃˈɛɹ")
    ('CH', 'EH', 'R')
    """
    ipa = unicodedata.normalize("NFD", ipa)
    phones: list[str] = []
    i = 0
    while i < len(ipa):
        for n in range(min(_LONGEST, len(ipa) - i), 0, -1):
            found = IPA_TO_ARPABET.get(ipa[i:i + n])
            if found is not None:
                phones.extend(found)
                i += n
                break
        else:
            raise WordCheckError(f"no English phone for {ipa[i]!r} in {ipa!r}")
    return tuple(phones)


_ESPEAK_LOCK = threading.Lock()


@functools.cache
def _espeak():
    try:
        from piper.phonemize_espeak import EspeakPhonemizer
    except ImportError:
        raise ModelUnavailableError(
            "the letter-to-sound rules are not installed (piper-tts): only dictionary words can be checked"
        ) from None
    return EspeakPhonemizer()


def spelled_phones(word: str) -> tuple[str, ...]:
    """Phones for a word from English letter-to-sound rules (for words no dictionary lists).

    Examples
    --------
    >>> spelled_phones("zbigniew")
    ('Z', 'IY', 'B', 'IH', 'G', 'N', 'Y', 'UW')
    """
    with _ESPEAK_LOCK:
        sentences = _espeak().phonemize("en-us", word)
    phones = ipa_to_arpabet("".join("".join(s) for s in sentences).strip(".,!?;: "))
    if not phones:
        raise WordCheckError(f"no pronunciation for the word {word!r}")
    return phones


def pronunciation(word: str, lookup: Callable[[str], str | None]) -> tuple[str, ...]:
    """The phones of ``word``: the dictionary's (``lookup`` returns them space-separated, or
    ``None``), else from the letter-to-sound rules.

    Examples
    --------
    >>> pronunciation("thank", {"thank": "TH AE NG K"}.get)
    ('TH', 'AE', 'NG', 'K')
    >>> pronunciation("siobhan", {}.get)
    ('SH', 'IH', 'V', 'AO', 'N')
    """
    listed = lookup(word)
    if listed:
        return tuple(listed.split())
    return spelled_phones(word)
