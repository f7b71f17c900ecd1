"""The one family of exceptions the core raises for bad input.

Every message is a single line that says what is wrong and where, so the command line can
print it as it is and exit 2, and the GUI can show it in a dialog.
"""

from __future__ import annotations


class MitpracticeError(Exception):
    """Base of every error caused by bad input rather than by a bug."""


class ParameterError(MitpracticeError, ValueError):
    """A function was given a value outside what it accepts (a note name, a tempo, ...)."""


class PhraseError(MitpracticeError):
    """A phrase-set file is missing, unreadable or does not follow the phrase format."""


class AudioError(MitpracticeError):
    """An audio file is missing, unreadable, not audio, or holds no usable samples."""


class ModelUnavailableError(MitpracticeError):
    """A pitch model was asked for whose weights are not installed."""


class WordCheckError(MitpracticeError):
    """The word check cannot check this phrase: a word has no pronunciation (no letters, or
    spelled with none the English rules know), or the text has no words."""


class StoreError(MitpracticeError):
    """The store cannot do what was asked: an unknown patient or attempt, a damaged or foreign
    database, a full disk, an unwritable data folder, a wrong passphrase or a damaged bundle."""


class NoDeviceError(AudioError):
    """There is no microphone (or no speaker) to open: none plugged in, or none allowed."""


class DeviceBusyError(AudioError):
    """A sound device exists but cannot be opened: another program holds it, or it refused."""
