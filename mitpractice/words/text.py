"""The words of a phrase, as the word check reports them.

``word`` in the ``--words`` JSON is the written word lowercased without punctuation (DESIGN.md).
The apostrophe inside a word is kept: it is a letter of the word in English spelling
(``don't``, ``o'clock``, ``i'm``), and the pronouncing dictionary lists the words with it;
quotes around a word are not kept.
"""

from __future__ import annotations

import re

from mitpractice.errors import WordCheckError

#: A word: letters or digits, with apostrophes or hyphens inside it (``don't``, ``x-ray``).
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def phrase_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` in order, lowercase, without punctuation.

    Raises
    ------
    WordCheckError
        If the text has no words.

    Examples
    --------
    >>> phrase_words("No, thank you, I've had enough!")
    ('no', 'thank', 'you', "i've", 'had', 'enough')
    >>> phrase_words("It’s two o'clock")
    ("it's", 'two', "o'clock")
    """
    words = tuple(w.lower().replace("’", "'") for w in _WORD.findall(text))
    if not words:
        raise WordCheckError(f"the phrase {text!r} has no words to check")
    return words
