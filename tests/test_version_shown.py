"""The version a clinic's IT and a therapist look for: in the workspace's Help ▸ About (with
the licence and where the data is) and on every page of the PDF report."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import report_data
from pypdf import PdfReader
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from mitpractice import __version__
from mitpractice.gui.app import make_app
from mitpractice.gui.report_pdf import write_report_pdf
from mitpractice.gui.therapist.window import Workspace
from mitpractice.gui.workers import wait_for_jobs
from mitpractice.reports.report import build_report
from mitpractice.store import Store


@pytest.fixture(scope="module")
def app():
    return make_app()


def test_help_about_names_the_version_the_licence_and_the_data_folder(app, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("MITPRACTICE_DATA_DIR", str(tmp_path / "data"))
    with Store.open(f"sqlite:///{tmp_path}/store.sqlite3") as store:
        window = Workspace(store)
        qtbot.addWidget(window)
        window.show()
        help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
        seen = []

        def read_and_close() -> None:
            box = QApplication.activeModalWidget()
            seen.append(box.text() if isinstance(box, QMessageBox) else None)
            if box is not None:
                box.accept()

        QTimer.singleShot(200, read_and_close)
        help_menu.actions()[0].trigger()
        window.close()
        wait_for_jobs()
    text = seen[0]
    assert f"MIT Practice {__version__}" in text
    assert "GNU General Public License, version 3 or later" in text
    assert str(tmp_path / "data") in text
    assert str(tmp_path / "store.sqlite3") in text


def test_every_report_page_names_the_version(app, tmp_path_factory, tmp_path):
    practice = report_data.shared(tmp_path_factory)
    path = write_report_pdf(build_report(practice.store, practice.patient_id), tmp_path / "r.pdf")
    pages = [page.extract_text() for page in PdfReader(path).pages]
    assert pages and all(f"mitpractice {__version__}" in " ".join(page.split()) for page in pages)
