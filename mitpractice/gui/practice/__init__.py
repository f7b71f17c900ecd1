"""The patient's practice window: listen, sing, see the pitch live, get feedback at once.

:func:`run` opens it (``mitpractice`` with no arguments). The window is
:mod:`~mitpractice.gui.practice.window`; the session's flow
:mod:`~mitpractice.gui.practice.session`; the screens
:mod:`~mitpractice.gui.practice.screens`; the work behind them
:mod:`~mitpractice.gui.practice.workers`. See docs/practice-window.md.
"""

from __future__ import annotations


def run(database_url: str | None = None, argv: list[str] | None = None) -> int:
    """Open the practice window and run until it is closed; returns the exit code."""
    from mitpractice.gui.app import make_app
    from mitpractice.gui.practice.window import PracticeWindow

    app = make_app(argv)
    window = PracticeWindow(database_url)
    window.show()
    return app.exec()
