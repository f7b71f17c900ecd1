"""The word check in the therapist's workspace: the per-patient setting "spoken steps need the
words" (on by default from the intermediate level), the review's words row, the report's
"words said" column (offscreen Qt, a real SQLite store)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from mitpractice.gui.app import make_app
from mitpractice.gui.therapist.window import Workspace
from mitpractice.gui.workers import wait_for_jobs
from mitpractice.practice.spoken import words_setting_key
from mitpractice.store import Store


@pytest.fixture(scope="module", autouse=True)
def app():
    return make_app()


@pytest.fixture
def store(tmp_path):
    with Store.open(f"sqlite:///{tmp_path}/store.sqlite3") as s:
        yield s


@pytest.fixture
def workspace(qtbot, store):
    window = Workspace(store)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    wait_for_jobs()


def _practice_needs_words(store, patient_id: str) -> bool:
    """What the practice window's session reads for this patient."""
    from mitpractice.gui.practice.session import assigned_phrases  # noqa: F401 (the window's module)
    from mitpractice.practice.spoken import words_needed

    patient = store.patient(patient_id)
    return words_needed(patient.level, store.setting(words_setting_key(patient_id)))


def test_the_words_setting_follows_the_level_until_the_therapist_chooses(qtbot, workspace, store):
    page = workspace.pages["patients"]
    qtbot.keyClicks(page.name, "Bob Example")
    assert not page.words.isChecked()  # elementary: the words are still coming
    for level, on in (("intermediate", True), ("advanced", True), ("elementary", False), ("advanced", True)):
        page.level.setCurrentIndex(page.level.findData(level))
        assert page.words.isChecked() is on, level
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    [patient] = store.patients()
    assert store.setting(words_setting_key(patient.id)) is None  # not chosen: the level decides
    assert _practice_needs_words(store, patient.id)

    # The therapist turns it off for this advanced patient: kept, whatever the level later.
    page.words.click()
    assert not page.words.isChecked()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert store.setting(words_setting_key(patient.id)) == "off"
    assert not _practice_needs_words(store, patient.id)
    page.level.setCurrentIndex(page.level.findData("intermediate"))
    assert not page.words.isChecked()
    workspace.choose_patient(patient.id)
    assert not page.words.isChecked()  # read back from the store


def test_a_new_intermediate_patient_starts_with_the_words_needed(qtbot, workspace, store):
    page = workspace.pages["patients"]
    qtbot.keyClicks(page.name, "Cy")
    page.level.setCurrentIndex(page.level.findData("intermediate"))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    [patient] = store.patients()
    assert _practice_needs_words(store, patient.id)
    workspace.choose_patient(patient.id)
    assert page.words.isChecked()
