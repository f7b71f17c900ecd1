"""``mitpractice therapist``: the therapist's workspace, behind the PIN chosen at first use."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "therapist",
        help="open the therapist's workspace (asks the PIN; chosen at first use)",
        description="Open the therapist's workspace: patients, programme, phrase sets, review "
        "and progress. It asks the therapist's PIN, chosen the first time.",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mitpractice.gui.app import make_app
    from mitpractice.gui.therapist.window import open_workspace
    from mitpractice.store import Store

    app = make_app()
    with Store.open(getattr(args, "database", None)) as store:
        window = open_workspace(store)
        if window is None:
            return 0
        return app.exec()
