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


def add_listing_arguments(parser: argparse.ArgumentParser, rows: str) -> None:
    """PATIENT, ``--since DATE`` and ``--json`` or ``--csv``: what every listing of a patient's
    ``rows`` (attempts, sessions) takes."""
    parser.add_argument("patient", metavar="PATIENT", help="id or unambiguous name")
    parser.add_argument("--since", metavar="DATE",
                        help="only from this day on (this computer's calendar), e.g. 2026-11-02")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--json", action="store_true", help=f"a JSON list, one object per {rows}")
    kind.add_argument("--csv", action="store_true", help="CSV with the same columns as --json")


def add_model_argument(parser: argparse.ArgumentParser) -> None:
    """``--model``: which pitch tracker to run."""
    from mitpractice.pitch import MODELS

    parser.add_argument("--model", choices=MODELS, default="crepe-tiny",
                        help="pitch model (default: %(default)s)")


#: The stores this command opened, for :func:`warn_of_damage` at its end.
OPENED: list = []
#: How long a command waits at its end for the background check of the database (s).
HEALTH_WAIT_S = 2.0


def warn_of_damage(say: bool = True) -> None:
    """Say on stderr, after the command, if the background check of a store it opened found
    the database damaged (the command itself may have read only sound pages); ``say`` False
    only forgets the stores (a command that failed has said what went wrong)."""
    import sys

    while OPENED:
        store = OPENED.pop()
        damage = store.damage(wait_s=HEALTH_WAIT_S) if say else None
        if damage is not None:
            print(f"mitpractice: warning: {store.location}: the database is damaged ({damage}); "
                  "make no more changes: copy the whole data folder as it is, and ask for help",
                  file=sys.stderr)


def open_store(*, read_only: bool = False):
    """The store the global options name (``--database``, else SQLite in ``--data-dir``).

    Opened after the global options are applied to the environment; close it when done.
    Commands that only read (``read_only``) still work when the data folder cannot be
    written.
    """
    import sys

    from mitpractice.store import Store

    store = Store.open(read_only=read_only)
    store.start_health_check()
    OPENED.append(store)
    if store.set_aside is not None:
        print(f"mitpractice: note: the database file was empty (0 bytes); it is kept as "
              f"{store.set_aside} and a new database was started", file=sys.stderr)
    return store


#: Days a person may type: a practice diary spans years, never centuries (the ends of
#: Python's calendar overflow once a day is moved to UTC or the day after is taken).
FIRST_YEAR, LAST_YEAR = 1900, 2999
#: What sits beside a SQLite database and is part of it.
SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")
#: Folders of the data folder that belong to the app (takes in progress, old recorded models).
OWN_FOLDERS = ("journal", "recorded-targets", "recorded-targets.moved-to-store")


def check_output(text: str):
    """The path of a file (or folder) a command is to write, refused in one line when it is the
    store itself: the database, its WAL, shared-memory or journal file, a copy kept before a
    migration, or anything in the data folder's own folders. Writing there would replace
    every recording with an export.
    """
    import os
    from pathlib import Path

    from mitpractice.files import data_dir
    from mitpractice.store.engine import database_url, sqlite_path

    target = Path(os.path.realpath(Path(text).expanduser()))
    own: list[Path] = []
    database = sqlite_path(database_url())
    if database is not None:
        database = Path(os.path.realpath(database))
        own += [database.with_name(database.name + side) for side in SQLITE_SIDE_FILES]
        if target.parent == database.parent and target.name.startswith(database.name + ".before-"):
            own.append(target)
    folders = [Path(os.path.realpath(data_dir() / name)) for name in OWN_FOLDERS]
    if target in own or any(target == folder or target.is_relative_to(folder) for folder in folders):
        raise ParameterError(f"{text}: is one of the store's own files; write the output elsewhere "
                             "(it would replace what the store keeps)")
    return target


def check_day(day, what: str):
    """A day typed by a person, refused in one line when it is not of :data:`FIRST_YEAR` to
    :data:`LAST_YEAR`."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ParameterError(f"{what}: {day.isoformat()} is not a day of practice "
                             f"(years {FIRST_YEAR} to {LAST_YEAR})")
    return day


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
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return day_start(check_day(day, what))
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"{what}: {text!r} is not a date like 2026-11-02") from None
    check_day(when.date(), what)
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
