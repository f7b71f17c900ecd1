"""``mitpractice therapist``: the therapist's workspace, behind the PIN chosen at first use."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "therapist",
        help="open the therapist's workspace (asks the PIN; chosen at first use)",
        description="Open the therapist's workspace: patients, programme, phrase sets, review "
        "and progress, reports and data. It asks the therapist's PIN, chosen the first time. "
        "The global --data-dir and --database options choose the store.",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mitpractice.cli.options import open_store, require_screen

    require_screen()
    with open_store() as store:  # a store that cannot be opened is one line and exit 2
        from mitpractice.gui.app import make_app
        from mitpractice.gui.therapist.window import open_workspace

        app = make_app()
        window = open_workspace(store)
        if window is None:
            return 0
        return app.exec()
