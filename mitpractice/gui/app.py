"""The one QApplication both windows run in: high-DPI, a large readable font, high contrast."""

from __future__ import annotations

import signal
import socket
import sys
import threading

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSocketNotifier, Qt, QTranslator
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication

from mitpractice import __version__
from mitpractice.gui.theme import apply_theme

#: The base font size (points): large enough for people who read with difficulty; every
#: other size in the windows is a multiple of it.
BASE_POINT_SIZE = 14


def make_app(argv: list[str] | None = None) -> QApplication:
    """The running QApplication, created and themed on first call."""
    app = QApplication.instance()
    if app is not None:
        return app
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(argv if argv is not None else sys.argv[:1])
    QCoreApplication.setApplicationName("mitpractice")
    QCoreApplication.setApplicationVersion(__version__)
    _install_translations(app)
    close_on_terminate(app)
    return style(app)


#: The signals a desktop sends at logout or shutdown (SIGHUP: the terminal or session went).
TERMINATE_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def close_on_terminate(app: QApplication) -> None:
    """At logout or shutdown (SIGTERM), close every window as its close button does: a take in
    hand is saved and scored, the session ended, the store closed; the app then exits.

    Python runs a signal's handler only between its own instructions, and Qt's loop holds the
    thread: the signal number is written to a socket (``signal.set_wakeup_fd``) that Qt
    watches, which brings Python in at once.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    receive, send = socket.socketpair()
    receive.setblocking(False)
    send.setblocking(False)
    signal.set_wakeup_fd(send.fileno(), warn_on_full_buffer=False)
    for number in TERMINATE_SIGNALS:
        signal.signal(number, lambda *_: None)  # the work is done by the notifier below
    notifier = QSocketNotifier(receive.fileno(), QSocketNotifier.Type.Read, app)

    def woken() -> None:
        try:
            numbers = receive.recv(64)
        except OSError:
            return
        if any(n in TERMINATE_SIGNALS for n in numbers):
            app.closeAllWindows()
            app.exit(0)

    notifier.activated.connect(woken)
    app._terminate_sockets = (receive, send)  # kept as long as the application


def style(app: QApplication) -> QApplication:
    """The product's type size and colours. :func:`make_app` gives them to the application it
    creates; one made elsewhere (pytest-qt's) is given them here."""
    font = QFont(app.font())
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    apply_theme(app)
    return app


def _install_translations(app: QApplication) -> None:
    """Qt's own strings in the user's language (the app's own follow as they are translated)."""
    translator = QTranslator(app)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale.system(), "qtbase", "_", path):
        app.installTranslator(translator)
