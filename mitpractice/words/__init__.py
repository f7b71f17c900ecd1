"""The word check: which words of the phrase the patient said (offline, PocketSphinx).

:func:`check_words` gives one :class:`WordResult` per word of the phrase's text. The
recogniser loads on first use and is reused; nothing here imports Qt. See docs/words.md.
"""

from mitpractice.words.check import WordResult, check_words
from mitpractice.words.text import phrase_words

__all__ = ["WordResult", "check_words", "phrase_words"]
