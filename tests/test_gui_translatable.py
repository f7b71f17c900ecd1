"""Words the windows show or say reach the translators: Qt's ``lupdate`` finds them in the
sources under the context they are translated in, and a translation installed is what shows."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import PySide6
import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

import mitpractice.gui

GUI = Path(mitpractice.gui.__file__).parent


def _extracted(tmp_path, *modules: str) -> dict[str, set[str]]:
    """The texts ``lupdate`` (PySide6's) finds in these GUI modules, by translation context."""
    ts = tmp_path / "found.ts"
    lupdate = Path(PySide6.__file__).parent / "lupdate"
    subprocess.run([str(lupdate), *(str(GUI / m) for m in modules), "-ts", str(ts)],
                   check=True, capture_output=True, timeout=60)
    found: dict[str, set[str]] = {}
    for context in ET.parse(ts).getroot().iter("context"):
        found[context.findtext("name")] = {m.findtext("source") for m in context.iter("message")}
    return found


def test_the_speaker_test_s_words_and_the_words_row_s_answers_are_found_for_translation(tmp_path):
    from mitpractice.gui.practice.window import SPEAKER_TEST_WORDS
    from mitpractice.gui.therapist.words_row import ANSWERS

    found = _extracted(tmp_path, "practice/window.py", "therapist/words_row.py")
    assert SPEAKER_TEST_WORDS in found["PracticeWindow"]  # the context its self.tr uses
    assert set(ANSWERS.values()) | {"not found"} <= found["WordsRow"]


class _Marked(QTranslator):
    """A translation that marks every text of one context, so what was translated shows."""

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def translate(self, context, source, disambiguation=None, n=-1):
        return f"«{source}»" if context == self.context else ""

    def isEmpty(self) -> bool:
        return False


@pytest.fixture
def marked_words_row(qapp):
    translator = _Marked("WordsRow")
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


def test_the_words_row_s_tooltip_is_in_the_user_s_language(qtbot, marked_words_row):
    from mitpractice.gui.therapist.words_row import WordsRow
    from mitpractice.gui.widgets.pitchview import PitchView
    from mitpractice.words import WordResult

    view = PitchView()
    row = WordsRow(view)
    qtbot.addWidget(view)
    qtbot.addWidget(row)
    row.set_words([WordResult(word="see", said=True, confidence=0.9, start_s=0.5, end_s=0.8),
                   WordResult(word="you", said=None, confidence=0.4)])
    assert row.toolTip().splitlines() == [
        "«see: «said», «0.50–0.80 s» (confidence 0.90)»",  # the line's own words, then its parts
        "«you: «could not decide», «not found» (confidence 0.40)»",
    ]
    assert row.accessibleName() == "«Words heard»"
