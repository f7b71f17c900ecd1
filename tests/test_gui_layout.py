"""Both windows fit the screens they are used on, from a 1024x600 netbook to 1920x1080: every
visible widget inside the window, no two siblings on top of each other, every text fitting
its widget (tests/layout_check.py), on every screen of each window.

Set ``MITPRACTICE_SCREENSHOTS=docs/img`` to keep screenshots of what was checked, as
``fit-<window>-<screen>-<width>x<height>.png``: every screen at 1024x600, and the result and
the review at each size (the documentation shows them).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from layout_check import layout_problems
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from mitpractice.gui.practice.session import Phase

SIZES = [(1024, 600), (1366, 768), (1920, 1080)]
#: The screens kept as screenshots (the documentation shows them): all sizes of the busiest
#: screen of each window, the others at the smallest size.
DOCUMENTED = {"practice-result", "therapist-review", "practice-speaker-test", "practice-speaker-test-no",
              "practice-latency", "practice-therapist-ask", "practice-listen-largest",
              "practice-result-largest", "practice-rest-largest"}


def _check(window, name: str, size: tuple[int, int]) -> None:
    QApplication.processEvents()
    assert (window.width(), window.height()) == size, f"{name}: the window did not fit {size}"
    problems = layout_problems(window)
    folder = os.environ.get("MITPRACTICE_SCREENSHOTS")
    if folder and (name in DOCUMENTED or size == SIZES[0]):
        Path(folder).mkdir(parents=True, exist_ok=True)
        window.grab().save(str(Path(folder) / f"fit-{name}-{size[0]}x{size[1]}.png"))
    assert not problems, f"{name} at {size}:\n" + "\n".join(problems)


def _check_largest_text(qtbot, window, name: str, size: tuple[int, int]) -> None:
    """The patient's largest text (Ctrl+plus until it grows no more) fits as well; Ctrl+0
    goes back to the size fitted to the window."""
    from mitpractice.gui.textsize import TEXT_SIZES

    for _ in TEXT_SIZES:
        qtbot.keyClick(window, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.text_size == max(TEXT_SIZES)
    _check(window, f"{name}-largest", size)
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.text_size == 1.0


def _practice_window(qtbot, size, *, speak: bool = True):
    from mitpractice.gui.app import make_app, style
    from mitpractice.gui.practice.window import PracticeWindow

    style(make_app())
    window = PracticeWindow(speak=speak)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    return window


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_practice_window_fits(fresh_data, qtbot, size):
    from mitpractice.practice.plan import REST_EVERY
    from mitpractice.scoring import SyllableResult
    from mitpractice.store import Store

    # Silent: this test has no sound server, and the speaker test would show that it could
    # not play (tested in tests/test_gui_practice.py); here it is drawn as while the voice speaks.
    window = _practice_window(qtbot, size, speak=False)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.welcome, timeout=20_000)
    qtbot.keyClicks(window.welcome.name, "Ann Example")
    _check(window, "practice-welcome", size)
    qtbot.keyClick(window.welcome.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.speaker, timeout=30_000)
    assert window.speaker.status.text() == ""
    _check(window, "practice-speaker-test", size)
    qtbot.keyClick(window, Qt.Key.Key_N)  # "No": what to check, in full
    assert window.speaker.status.text().startswith("Check that the speakers")
    _check(window, "practice-speaker-test-no", size)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    _check(window, "practice-voice-check", size)
    with qtbot.waitSignal(window.practice_ready, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    _check(window, "practice-feeling", size)
    qtbot.keyClick(window, Qt.Key.Key_Space)  # "How are you feeling?" skipped
    c = window.controller
    with Store.open() as store:  # the longest phrase of the bundled sets
        store.assign(c.patient.id, "answers", ["my-daughter-is-coming-tomorrow"])
        store.assign(c.patient.id, "greetings")
    for _ in range(10):
        if window.practice.phrase_text.text() == "My daughter is coming tomorrow":
            break
        qtbot.keyClick(window, Qt.Key.Key_D)
    assert window.practice.phrase_text.text() == "My daughter is coming tomorrow"
    _check(window, "practice-listen", size)
    _check_largest_text(qtbot, window, "practice-listen", size)
    c.flow.phase = Phase.LATENCY  # the clicks of the sound delay's test, said in full
    c.changed.emit()
    assert window.practice.step_label.text() == "Checking the sound"
    assert window.practice.instruction.text().startswith("You will hear a few clicks.")
    _check(window, "practice-latency", size)
    c.flow.phase = Phase.READY
    window.open_therapist()  # no PIN yet: is this the therapist?
    _check(window, "practice-therapist-ask", size)
    qtbot.keyClick(window, Qt.Key.Key_Space)

    # A result: every kind of syllable, the scorer's tip, the next step on the button.
    c.jump_to_step("repeat")
    kinds = [dict(pitch_ok=True, timing_ok=True), dict(pitch_ok=False, timing_ok=True),
             dict(pitch_ok=True, timing_ok=False)]
    syllables = tuple(
        SyllableResult(index=n.index, text=n.syllable, target=n.level, detected=n.index != 3,
                       onset_s=1.0 + n.onset_s, offset_s=1.0 + n.offset_s, **kinds[n.index % 3])
        for n in c.melody.notes)
    from mitpractice.gui.practice.workers import TakeOutcome

    score = SimpleNamespace(overall=64.0, voiced=True, syllables=syllables, tempo_ratio=1.0,
                            feedback=["Good try!", "Try to sing every part, also 'co'."])
    score.to_json = lambda: {"tempo_ratio": 1.0, "syllables": [s.to_json() for s in syllables]}
    together = SimpleNamespace(in_time=6, syllables=syllables)
    c.flow.phase = Phase.SCORING  # a take has ended: the live worker hands its score over
    c._on_outcome(TakeOutcome(attempt_id="a", result=SimpleNamespace(score=score, together=together),
                              audio=np.zeros(16_000, np.float32), sr=16_000, taps_s=()))
    assert c.phase == Phase.RESULT
    _check(window, "practice-result", size)
    _check_largest_text(qtbot, window, "practice-result", size)
    c.message.emit("warning", "That was very loud. Sit a little further from the microphone.")
    _check(window, "practice-message", size)
    window.banner.clear()
    c.jump_to_step("probe")
    for _ in range(REST_EVERY):
        qtbot.keyClick(window, Qt.Key.Key_D)
    assert c.phase == Phase.REST
    _check(window, "practice-rest", size)
    _check_largest_text(qtbot, window, "practice-rest", size)
    window.close()

    with Store.open() as store:  # a clinic's computer: who is practising
        for name in ("Bob Jones", "Cleo Martin-Whitaker", "Dev Patel", "Eve Nowak"):
            store.add_patient(name)
    window = _practice_window(qtbot, size)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.chooser, timeout=20_000)
    _check(window, "practice-choose-patient", size)
    window.close()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    """A store with a few days of scored attempts (tests/therapist_demo.py)."""
    from therapist_demo import fill_demo

    from mitpractice.store import Store

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    with Store.open(f"sqlite:///{path}") as s:
        fill_demo(s, days=4)
    return path


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_therapists_workspace_fits(tmp_path, demo_file, qtbot, size):
    from mitpractice.gui.app import make_app
    from mitpractice.gui.therapist.window import Workspace
    from mitpractice.gui.workers import wait_for_jobs
    from mitpractice.store import Store

    make_app()
    copy = tmp_path / "demo.sqlite3"
    shutil.copy(demo_file, copy)
    with Store.open(f"sqlite:///{copy}") as store:
        window = Workspace(store)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        for key, page in window.pages.items():
            window.show_page(key)
            if key == "review":
                page.table.selectRow(0)
                qtbot.waitUntil(lambda page=page: page.detail is not None, timeout=60_000)
            if key == "progress":
                qtbot.waitUntil(lambda page=page: page.report is not None, timeout=60_000)
            if key == "programme":
                page.expand("greetings")
            if key == "phrases":
                page.select_set("greetings")
            _check(window, f"therapist-{key}", size)
        window.close()
        wait_for_jobs()
