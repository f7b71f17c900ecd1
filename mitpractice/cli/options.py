"""Arguments several subcommands share: the target melody of a phrase and the pitch model.

One definition each, so that ``synth`` and ``score`` read ``--low``, ``--interval`` and
``--tempo`` alike and fall back to the same defaults.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from mitpractice.errors import ParameterError

if TYPE_CHECKING:
    from mitpractice.melody import TargetMelody
    from mitpractice.phrases import Phrase, PhraseSet


def add_melody_arguments(parser: argparse.ArgumentParser) -> None:
    """``--low``, ``--interval`` and ``--tempo``: the patient's register and pace."""
    parser.add_argument("--low", metavar="NOTE_OR_HZ",
                        help="the patient's low pitch: C3, A#2 or Hz (default C3)")
    parser.add_argument("--interval", type=float, metavar="SEMITONES",
                        help="semitones from low to high (default: the set's, else 3)")
    parser.add_argument("--tempo", type=float, metavar="BPM",
                        help="beats per minute (default: the set's, else 60)")


def melody_from_args(args: argparse.Namespace, phrase_set: PhraseSet, phrase: Phrase) -> TargetMelody:
    """The phrase's notes for the register and pace given, else the set's, else the defaults."""
    from mitpractice.melody import set_melody

    return set_melody(phrase_set, phrase, args.low, args.interval, args.tempo)


def add_model_argument(parser: argparse.ArgumentParser) -> None:
    """``--model``: which pitch tracker to run."""
    from mitpractice.pitch import MODELS

    parser.add_argument("--model", choices=MODELS, default="crepe-tiny",
                        help="pitch model (default: %(default)s)")


def open_store():
    """The store the global options name (``--database``, else SQLite in ``--data-dir``).

    Opened after the global options are applied to the environment; close it when done.
    """
    from mitpractice.store import Store

    return Store.open()


def parse_day(text: str, what: str = "--since"):
    """A day (``2026-11-02``: from the start of that day on this computer's calendar) or a
    time (``2026-11-02T09:30``: this computer's clock, unless a zone is given such as
    ``2026-11-02T09:30Z``), as a timezone-aware UTC datetime; a one-line error otherwise.

    Days and times typed by a person are local (:mod:`mitpractice.days`), as the report's
    ``--from`` and ``--to``; daylight saving is followed.
    """
    from datetime import UTC, date, datetime

    from mitpractice.days import day_start

    text = text.strip()
    try:
        return day_start(date.fromisoformat(text))
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"{what}: {text!r} is not a date like 2026-11-02") from None
    if when.tzinfo is None:
        when = when.astimezone()  # a time without a zone is read on this computer's clock
    return when.astimezone(UTC)


def require_screen() -> None:
    """Refuse, in one line, to open a window where there is no screen to show it on.

    Without this, Qt aborts with a page about platform plugins. On Linux a window needs
    ``DISPLAY`` (X11) or ``WAYLAND_DISPLAY``, unless ``QT_QPA_PLATFORM`` names another platform
    (``offscreen`` in tests).
    """
    import os
    import sys

    from mitpractice.errors import MitpracticeError

    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise MitpracticeError(
            "no screen to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
            "the commands work without one: mitpractice --help"
        )
