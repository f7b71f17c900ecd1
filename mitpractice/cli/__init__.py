"""The ``mitpractice`` command: a thin shell over the core, one module per subcommand.

Each subcommand module has ``register(subparsers)``, which adds its parser and sets
``func`` to a handler ``(args) -> int``. Handlers import what they need when they run, so
``mitpractice phrases validate`` does not pay for loading the pitch models.
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
SUBCOMMANDS = ("phrases", "pitch", "synth", "score")

EXIT_OK, EXIT_BAD_INPUT = 0, 2


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
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for name in SUBCOMMANDS:
        importlib.import_module(f"mitpractice.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return open_app(parser)
    try:
        return args.func(args)
    except MitpracticeError as exc:
        print(f"mitpractice: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``mitpractice phrases list | head``): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def open_app(parser: argparse.ArgumentParser) -> int:
    """Open the patient's practice window (``mitpractice`` with no arguments)."""
    from mitpractice.gui.practice import run

    return run(os.environ.get("MITPRACTICE_DATABASE_URL") or None)
