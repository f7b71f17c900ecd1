"""The ``mitpractice`` command: a thin shell over the core, one module per subcommand.

Each subcommand module has ``register(subparsers)``, which adds its parser (or several) and
sets ``func`` to a handler ``(args) -> int``. Handlers import what they need when they run, so
``mitpractice phrases validate`` does not pay for loading the pitch models. A new subcommand
is a module here and its name in :data:`SUBCOMMANDS`.

The global options ``--data-dir`` and ``--database`` come before the subcommand; they are
applied to the environment (``MITPRACTICE_DATA_DIR``, ``MITPRACTICE_DATABASE_URL``) before any
handler runs, so the store, the take journal and every file follow one setting. Handlers that
need the store open it with :func:`mitpractice.cli.options.open_store`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import NoReturn

from mitpractice import __version__
from mitpractice.errors import MitpracticeError

#: Subcommand modules under ``mitpractice.cli``, in the order ``--help`` lists them.
SUBCOMMANDS = (
    "phrases", "pitch", "synth", "score", "patients", "attempts", "sessions", "archive", "bundle", "report",
    "textgrid", "therapist",
)

EXIT_OK, EXIT_BAD_INPUT = 0, 2
#: ``mitpractice.store.engine.DATABASE_ENV``, named here so parsing does not load SQLAlchemy.
DATABASE_ENV = "MITPRACTICE_DATABASE_URL"


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="mitpractice",
        description="Melodic Intonation Therapy practice: phrase sets, sung targets, pitch and scores.",
    )
    parser.add_argument("--version", action="version", version=f"mitpractice {__version__}")
    add_global_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for name in SUBCOMMANDS:
        importlib.import_module(f"mitpractice.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        apply_global_options(args)
        if args.command is None:
            return open_app(parser)
        from mitpractice.cli.options import warn_of_damage

        try:
            code = args.func(args)
        except BaseException:
            warn_of_damage(say=False)  # the error says what went wrong
            raise
        warn_of_damage()
        return code
    except MitpracticeError as exc:
        print(f"mitpractice: error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``mitpractice phrases list | head``): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def one_line(text: str) -> str:
    """``text`` with its line breaks and other control characters written as escapes, so that
    a file or patient name holding one cannot split a message (or forge a second one).

    >>> one_line("two\\nlines.toml: bad"), one_line("Zoë")
    ('two\\\\nlines.toml: bad', 'Zoë')
    """
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """``--data-dir`` and ``--database``, given before the subcommand (DESIGN.md)."""
    from mitpractice.files import DATA_DIR_ENV

    parser.add_argument("--data-dir", metavar="DIR",
                        help=f"the data folder (default: ${DATA_DIR_ENV}, else the user data folder)")
    parser.add_argument("--database", metavar="URL",
                        help=f"a SQLAlchemy URL such as postgresql+psycopg://user@host/mitpractice "
                        f"(default: ${DATABASE_ENV}, else SQLite in the data folder)")


def apply_global_options(args: argparse.Namespace) -> None:
    """Set the environment from the global options, so every part of the app follows them."""
    from mitpractice.errors import ParameterError
    from mitpractice.files import DATA_DIR_ENV

    for option, value in (("--data-dir", args.data_dir), ("--database", args.database)):
        if value is not None and not value.strip():
            raise ParameterError(f"{option} is empty; give one or leave the option out")
        if value is not None and "\0" in value:
            raise ParameterError(f"{option}: {value!r} holds a NUL character")
    if args.data_dir:
        os.environ[DATA_DIR_ENV] = os.path.abspath(os.path.expanduser(args.data_dir))
    if args.database:
        os.environ[DATABASE_ENV] = args.database


def own_command() -> list[str]:
    """The command that runs this ``mitpractice`` again: the packaged program itself (whose
    ``sys.executable`` is the app, not a Python), or this Python with ``-m mitpractice``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "mitpractice"]


def open_app(parser: argparse.ArgumentParser) -> int:
    """Open the patient's practice window (``mitpractice`` with no arguments)."""
    from mitpractice.cli.options import require_screen

    require_screen()
    from mitpractice.gui.practice import run

    return run(os.environ.get("MITPRACTICE_DATABASE_URL") or None)
