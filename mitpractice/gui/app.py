"""The one QApplication both windows run in: high-DPI, a large readable font, high contrast."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, Qt, QTranslator
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
    return style(app)


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
