"""The screens of the end of the day (the rest, "Done for today"'s summary, the feelings
check) at 1024x600, 1366x768 and 1920x1080, grabbed offscreen to PNG.

Set ``MITPRACTICE_SCREENSHOTS=docs/img`` to write them where the documentation shows them
(``practice-<screen>-<size>.png``); otherwise they go to a temporary folder. Look at them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from mitpractice.gui.practice.session import Phase

SIZES = ((1024, 600), (1366, 768), (1920, 1080))


def _fits(window) -> None:
    """Every visible button and label lies inside the window, its text unclipped."""
    page = window.pages.currentWidget()
    for widget in page.findChildren(QAbstractButton) + page.findChildren(QLabel):
        if not widget.isVisible() or not widget.text():
            continue
        top_left = widget.mapTo(window, widget.rect().topLeft())
        bottom_right = widget.mapTo(window, widget.rect().bottomRight())
        assert top_left.x() >= 0 and top_left.y() >= 0, widget.text()
        assert bottom_right.x() < window.width() and bottom_right.y() < window.height(), widget.text()
        if isinstance(widget, QAbstractButton):
            widest = max(widget.fontMetrics().horizontalAdvance(line) for line in widget.text().split("\n"))
            assert widest <= widget.width() - 8, widget.text()
        else:
            wraps = widget.wordWrap()
            needed = widget.heightForWidth(widget.width()) if wraps else widget.sizeHint().height()
            assert needed <= widget.height() + 1, widget.text()


def _grab(window, folder: Path, name: str) -> list[Path]:
    paths = []
    for width, height in SIZES:
        window.resize(width, height)
        QApplication.processEvents()
        assert (window.width(), window.height()) == (width, height), f"{name} does not fit {width}x{height}"
        _fits(window)
        path = folder / f"practice-{name}-{width}x{height}.png"
        assert window.grab().save(str(path))
        paths.append(path)
    return paths


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("MITPRACTICE_DATABASE_URL", raising=False)
    folder = Path(os.environ.get("MITPRACTICE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_feelings_check_the_rest_and_the_summary_at_three_sizes(folder, qtbot):
    from mitpractice.gui.app import make_app, style
    from mitpractice.gui.practice.window import PracticeWindow
    from mitpractice.practice.plan import REST_EVERY
    from mitpractice.store import Store

    with Store.open() as store:
        patient = store.add_patient("Ann")
        store.update_session(store.start_session(patient.id).id, phrases_done=7)
    style(make_app())
    window = PracticeWindow(speak=False)  # these screens say nothing
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.practice_ready, timeout=20_000):
        pass
    assert window.pages.currentWidget() is window.feelings
    qtbot.keyClick(window, Qt.Key.Key_Space)  # skipped
    for _ in range(REST_EVERY):
        qtbot.keyClick(window, Qt.Key.Key_D)
    assert window.controller.phase == Phase.REST
    shots = _grab(window, folder, "rest")
    qtbot.keyClick(window, Qt.Key.Key_Q)
    assert window.pages.currentWidget() is window.feelings
    shots += _grab(window, folder, "feeling")
    qtbot.keyClick(window, Qt.Key.Key_4)  # how the patient feels now
    assert window.pages.currentWidget() is window.summary
    shots += _grab(window, folder, "summary")
    window.close()
    for path in shots:
        assert path.stat().st_size > 10_000
