"""The word check in the therapist's workspace: the per-patient setting "spoken steps need the
words" (on by default from the intermediate level), the review's words row, the report's
"words said" column (offscreen Qt, a real SQLite store)."""

from __future__ import annotations

import os
from itertools import pairwise

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from mitpractice.gui.app import make_app
from mitpractice.practice.spoken import words_setting_key


@pytest.fixture(scope="module", autouse=True)
def app():
    return make_app()


def _practice_needs_words(store, patient_id: str) -> bool:
    """What the practice window's session reads for this patient."""
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


@pytest.fixture(scope="module")
def spoken_takes():
    """ "See you soon" said by an espeak-ng voice, and "How are you" said for it, each with
    the word check's real answer (scored and checked once for the module)."""
    from dataclasses import replace

    import numpy as np
    from word_takes import SR, Voice, speak

    from mitpractice.melody import target_melody
    from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
    from mitpractice.scoring import score_audio
    from mitpractice.words import check_words

    phrase = load_phrase_set(bundled_phrases_dir() / "greetings.toml").phrase("see-you-soon")
    melody = target_melody(phrase, 220.0, 3.0, 60.0)
    quiet = np.zeros(SR // 2, np.float32)
    takes = {}
    for text, wpm in (("see you soon", 150), ("how are you", 100)):
        audio = np.concatenate([quiet, speak(text, Voice("en-us", wpm)).astype(np.float32), quiet])
        score = score_audio(audio, SR, melody, mode="sprechgesang")
        takes[text] = (audio, replace(score, words=check_words(audio, SR, phrase.text)))
    return takes


def _store_take(store, patient, audio, score, step: str = "spoken-delayed"):
    from datetime import UTC, datetime

    from mitpractice.store.records import NewAttempt

    attempt = store.save_attempt(
        NewAttempt(patient_id=patient.id, set_id="greetings", phrase_id="see-you-soon", step=step,
                   started_at=datetime.now(UTC), low_hz=220.0, interval=3.0, tempo=60.0, mode="sprechgesang"),
        audio, 16_000)
    store.set_score(attempt.id, score)
    return attempt


def test_the_review_shows_a_words_row_under_the_pitch_told_apart_by_more_than_colour(
        qtbot, workspace, store, spoken_takes):
    from mitpractice.gui.therapist.words_row import STYLES, _label

    patient = store.add_patient("Ann", level="advanced")
    audio, score = spoken_takes["how are you"]
    assert [w.said for w in score.words] == [False, True, None]  # said for "See you soon"
    _store_take(store, patient, audio, score)
    workspace.reload_patients(select=patient.id)
    workspace.show_page("review")
    page = workspace.pages["review"]
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.detail is not None, timeout=30_000)
    row = page.words_row
    assert row.isVisible() and row.geometry().top() >= page.view.geometry().bottom()  # under the pitch
    placed = row.word_rects()
    rects = {w.word: (w, r) for w, r in placed}
    you = rects["you"][0]
    # Each word found at its time on the pitch view's axis (moved right only so as not to
    # cover the one before), the first exactly there; no box over another.
    first, first_rect = placed[0]
    assert first_rect.left() == pytest.approx(page.view.point_at(first.start_s, 0.0).x())
    for w, r in placed:
        if w.start_s is not None:
            assert r.left() >= page.view.point_at(w.start_s, 0.0).x() - 0.5
    assert all(a.right() < b.left() for (_, a), (_, b) in pairwise(placed))
    # Not by colour alone: the tooltip and screen readers say each answer and the word's times.
    lines = row.toolTip().splitlines()
    assert lines[1].startswith(f"you: said, {you.start_s:.2f}–{you.end_s:.2f} s")
    assert lines[0].startswith("see: not said") and lines[2].startswith("soon: could not decide")
    assert row.accessibleDescription() == row.toolTip()
    # Drawn: a word not said is bracketed (and struck through), an undecided one marked with a
    # question mark, each answer in its own box.
    assert _label(rects["see"][0]) == "(see)" and _label(you) == "you"
    assert _label(score.words[2]) == "soon?"
    assert len({style for style, _ in STYLES.values()}) == 3  # solid, dashed, dotted boxes


def test_a_long_word_at_the_end_of_the_take_is_kept_inside_the_words_row(
        qtbot, workspace, store, spoken_takes):
    """A long word heard near the take's end would run past the row's right edge: its box is
    moved in, whole. With more words than the row has room for, the longest are elided (the
    tooltip says them whole) and the short ones stay readable. Every box and word stays inside
    the row, none over another."""
    from PySide6.QtGui import QFontMetricsF

    from mitpractice.gui.therapist.words_row import _label
    from mitpractice.words import WordResult

    def inside(row, placed):
        for w, rect in placed:
            assert rect.left() >= row.view.plot_rect().left() - 0.5, (w.word, rect)
            assert rect.right() <= row.width(), (w.word, rect, row.width())
        assert all(a.right() < b.left() for (_, a), (_, b) in pairwise(placed))
        for w, rect in placed:  # and the word as drawn fits its box
            assert QFontMetricsF(row.word_font(w)).horizontalAdvance(row.drawn_label(w, rect)) <= rect.width()

    patient = store.add_patient("Ann", level="advanced")
    audio, score = spoken_takes["see you soon"]
    _store_take(store, patient, audio, score)
    workspace.resize(1366, 768)
    workspace.reload_patients(select=patient.id)
    workspace.show_page("review")
    page = workspace.pages["review"]
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.detail is not None, timeout=30_000)
    plot = page.view.plot_rect()
    end = plot.width() / (page.view.point_at(1.0, 0.0).x() - plot.left())  # the time axis's end (s)
    words = (WordResult(word="see", said=True, confidence=0.9, start_s=0.0, end_s=0.2),
             WordResult(word="you", said=True, confidence=0.9, start_s=0.3, end_s=0.5),
             WordResult(word="afternoon", said=None, confidence=0.5, start_s=end - 0.1, end_s=end))
    row = page.words_row
    row.set_words(words)
    placed = row.word_rects()
    assert [w.word for w, _ in placed] == ["see", "you", "afternoon"]
    inside(row, placed)
    assert all(row.drawn_label(w, r) == _label(w) for w, r in placed)  # room enough: all whole
    (first, first_rect), (last, last_rect) = placed[0], placed[-1]
    assert first_rect.left() == pytest.approx(page.view.point_at(first.start_s, 0.0).x())  # at its time
    assert last_rect.left() < page.view.point_at(last.start_s, 0.0).x()  # moved in

    crowded = (*words, WordResult(word="unfortunately", said=False, confidence=0.1),
               WordResult(word="nevertheless", said=False, confidence=0.1),  # not found: after the rest
               WordResult(word="wonderful", said=False, confidence=0.1))
    row.set_words(crowded)
    placed = row.word_rects()
    inside(row, placed)
    drawn = {w.word: row.drawn_label(w, r) for w, r in placed}
    assert drawn["see"] == "see" and drawn["you"] == "you"
    assert drawn["unfortunately"].endswith("…")  # the longest


def test_an_attempt_whose_words_were_not_checked_has_no_words_row(qtbot, workspace, store, spoken_takes):
    from dataclasses import replace

    patient = store.add_patient("Bo", level="advanced")
    audio, score = spoken_takes["see you soon"]
    _store_take(store, patient, audio, replace(score, words=None))
    workspace.reload_patients(select=patient.id)
    workspace.show_page("review")
    page = workspace.pages["review"]
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.detail is not None, timeout=30_000)
    assert not page.words_row.isVisible()
