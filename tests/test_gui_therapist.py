"""The therapist's workspace, screen by screen, driven as a therapist would (pytest-qt,
offscreen Qt, a real SQLite store)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
from datetime import UTC, date, datetime

import numpy as np
import pytest
from PySide6.QtCore import Qt

from mitpractice.gui.app import make_app
from mitpractice.gui.therapist.attempts_model import SCORE_COLUMN
from mitpractice.gui.therapist.pin_dialog import PinDialog
from mitpractice.gui.therapist.window import Workspace
from mitpractice.gui.workers import wait_for_jobs
from mitpractice.store import AttemptQuery, Store
from mitpractice.store.pin import FREE_TRIES, PIN_HASH_KEY, PinGuard


@pytest.fixture(scope="session", autouse=True)
def app():
    return make_app()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    """A store with a week of scored attempts, made once and copied for each test."""
    from therapist_demo import fill_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    with Store.open(f"sqlite:///{path}") as s:
        fill_demo(s, days=8)
    return path


def _workspace_on_a_copy(source, tmp_path, qtbot):
    """The workspace shown over a copy of the store file ``source``, made once for the module
    (each test changes its own copy); its background jobs finished when the test ends."""
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    with Store.open(f"sqlite:///{copy}") as s:
        window = Workspace(s)
        qtbot.addWidget(window)
        window.show()
        yield window
        window.close()
        wait_for_jobs()


@pytest.fixture
def demo(tmp_path, demo_file, qtbot):
    yield from _workspace_on_a_copy(demo_file, tmp_path, qtbot)


class Clock:
    now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------------- background work
def test_background_work_reports_its_failure_and_drops_a_result_for_a_closed_screen(qtbot):
    import threading

    import shiboken6
    from PySide6.QtWidgets import QLabel

    from mitpractice.errors import StoreError
    from mitpractice.gui.workers import Tasks, failure_text

    tasks = Tasks()
    failures = []
    screen = QLabel()

    def locked():
        raise StoreError("store.sqlite3: the database is locked")

    tasks.start(locked, lambda _: None, failures.append, owner=screen)
    tasks.start(lambda: int("x"), lambda _: None, failures.append, owner=screen)
    qtbot.waitUntil(lambda: len(failures) == 2, timeout=5_000)
    texts = sorted(failure_text(exc) for exc in failures)
    assert texts[1] == "store.sqlite3: the database is locked"  # the app's own words
    assert texts[0].startswith("ValueError: invalid literal")  # anything else says its kind

    # A screen closed while its work runs: the result is dropped, not set on a dead widget.
    label = QLabel()
    gate = threading.Event()
    tasks.start(lambda: gate.wait(5) and "late", label.setText)
    shiboken6.delete(label)
    gate.set()
    qtbot.waitUntil(lambda: not tasks.busy, timeout=5_000)
    # Callbacks that are not the screen's methods (lambdas) are dropped with their owner too.
    label, shown = QLabel(), []
    gate.clear()
    tasks.start(lambda: gate.wait(5) and "late", lambda text: shown.append(label.setText(text)), owner=label)
    tasks.start(lambda: int("x"), lambda _: None, lambda exc: shown.append(label.text()), owner=label)
    shiboken6.delete(label)
    gate.set()
    qtbot.waitUntil(lambda: not tasks.busy, timeout=5_000)
    assert shown == []
    # A lambda beside a method of the screen goes with the screen: its failure is not told to
    # a screen that is gone.
    label, told = QLabel(), []
    gate.clear()
    tasks.start(lambda: gate.wait(5) and int("x"), label.setText, told.append)
    shiboken6.delete(label)
    gate.set()
    qtbot.waitUntil(lambda: not tasks.busy, timeout=5_000)
    assert told == []
    with pytest.raises(TypeError, match="owner"):  # a lambda's owner is not guessed
        tasks.start(lambda: None, lambda _: None)


# ---------------------------------------------------------------------- PIN
def test_pin_is_chosen_at_first_use_then_asked_and_wrong_tries_wait(qtbot, store):
    clock = Clock()
    first = PinDialog(PinGuard(store, clock))
    qtbot.addWidget(first)
    assert first.first_use and first.again.isVisibleTo(first)
    qtbot.keyClicks(first.pin, "24681357")
    qtbot.keyClicks(first.again, "24681358")
    qtbot.mouseClick(first.ok_button, Qt.MouseButton.LeftButton)
    assert "differ" in first.message.text() and first.result() != PinDialog.DialogCode.Accepted
    first.again.clear()
    qtbot.keyClicks(first.again, "24681357")
    qtbot.mouseClick(first.ok_button, Qt.MouseButton.LeftButton)
    assert first.result() == PinDialog.DialogCode.Accepted
    assert "24681357" not in store.setting(PIN_HASH_KEY)

    dialog = PinDialog(PinGuard(store, clock))  # the next time the workspace is opened
    qtbot.addWidget(dialog)
    assert not dialog.first_use and not dialog.again.isVisibleTo(dialog)
    for _ in range(FREE_TRIES):
        assert dialog.ok_button.isEnabled()
        qtbot.keyClicks(dialog.pin, "1111")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != PinDialog.DialogCode.Accepted
    assert not dialog.ok_button.isEnabled() and not dialog.pin.isEnabled()
    assert "Try again in" in dialog.message.text()
    # Reopening does not help: the wait is kept in the store.
    again = PinDialog(PinGuard(store, clock))
    qtbot.addWidget(again)
    assert not again.ok_button.isEnabled()
    clock.now += 3600
    qtbot.waitUntil(lambda: again.ok_button.isEnabled(), timeout=2000)
    qtbot.keyClicks(again.pin, "24681357")
    qtbot.mouseClick(again.ok_button, Qt.MouseButton.LeftButton)
    assert again.result() == PinDialog.DialogCode.Accepted


def test_the_therapist_command_is_registered(capsys):
    from mitpractice.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["therapist", "--help"])
    assert exit_.value.code == 0
    assert "PIN" in capsys.readouterr().out


# ---------------------------------------------------------------------- patients
def test_set_up_a_patient_with_thresholds_and_clinical_tests(qtbot, workspace, store):
    page = workspace.pages["patients"]
    assert workspace.patient is None and page.save_button.text() == "Add patient"
    qtbot.keyClicks(page.name, "Bob Example")
    page.low.setText("A2")
    page.interval.setValue(4)
    page.tempo.setValue(50)
    page.level.setCurrentIndex(page.level.findData("intermediate"))
    assert set(page.threshold_boxes) == {"unison-fading", "repeat-delayed", "probe"}  # the level's steps
    page.threshold_boxes["repeat-delayed"].setValue(80)
    page.tapping.setChecked(True)
    page.goal.setValue(20)
    page.notes.setPlainText("Prefers mornings.")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    [patient] = store.patients()
    assert (patient.name, round(patient.low_hz), patient.interval, patient.tempo, patient.level) == (
        "Bob Example",
        110,
        4.0,
        50.0,
        "intermediate",
    )
    assert patient.tapping and patient.daily_goal_min == 20 and patient.notes == "Prefers mornings."
    assert patient.thresholds == {"repeat-delayed": 80.0}
    assert workspace.patient_box.currentText() == "Bob Example" and "A2" in workspace.summary.text()

    # A bad low pitch is refused with the store's message, nothing changed.
    page.low.setText("H9")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "low pitch" in page.status.text() and round(store.patient(patient.id).low_hz) == 110
    page.low.setText("A2")

    page.test_date.setDate(date(2026, 10, 1))
    page.test_name.setCurrentText("WAB AQ")
    qtbot.keyClicks(page.test_value, "55.5")
    qtbot.mouseClick(page.add_test_button, Qt.MouseButton.LeftButton)
    page.test_name.setCurrentText("Family's impression")
    qtbot.keyClicks(page.test_value, "talks more at dinner")
    qtbot.mouseClick(page.add_test_button, Qt.MouseButton.LeftButton)
    results = store.test_results(patient.id)
    assert [(r.test, r.value, r.text) for r in results] == [  # by date, then name
        ("Family's impression", None, "talks more at dinner"),
        ("WAB AQ", 55.5, ""),
    ]
    assert page.tests.rowCount() == 2 and page.tests.item(0, 0).text() == "2026-10-01"

    # A threshold set back to "default" is removed, the others kept.
    page.threshold_boxes["repeat-delayed"].setValue(-1)
    page.threshold_boxes["probe"].setValue(50)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert store.patient(patient.id).thresholds == {"probe": 50.0}


def test_voice_check_finds_the_median_pitch_of_a_held_ah():
    import numpy as np
    from attempt_voice import VOICES, Syllable
    from attempt_voice import sing as voice_sing

    from mitpractice.errors import AudioError
    from mitpractice.practice.voice import comfortable_low_hz

    man = VOICES[0]
    ah = voice_sing([Syllable(0.0, 0.0, 2.5, vowel="a", consonant="m")], man, lead_s=0.3, tail_s=0.3)
    assert abs(12 * np.log2(comfortable_low_hz(ah.y, ah.sr) / man.low_hz)) < 0.5
    with pytest.raises(AudioError, match="voice"):
        comfortable_low_hz(np.zeros(32000, dtype=np.float32), 16000)


# ---------------------------------------------------------------------- programme
def test_assign_sets_and_single_phrases_trained_or_probe(qtbot, workspace, store):
    patient = store.add_patient("Cleo", low="C3")
    workspace.reload_patients(select=patient.id)
    workspace.show_page("programme")
    page = workspace.pages["programme"]
    page.check("greetings", ["thank-you", "hello"])
    qtbot.mouseClick(page.assign_trained, Qt.MouseButton.LeftButton)
    page.check("needs")  # a whole set, as probes
    qtbot.mouseClick(page.assign_probe, Qt.MouseButton.LeftButton)
    assigned = store.assignments(patient.id)
    needs = store.phrase_set("needs")
    assert {(a.set_id, a.phrase_id, a.probe) for a in assigned} == {
        ("greetings", "thank-you", False),
        ("greetings", "hello", False),
        *{("needs", p.id, True) for p in needs.phrases},
    }
    assert page.table.rowCount() == len(assigned)
    assert f"2 trained, {len(needs.phrases)} probe" in page.count.text()

    page.table.selectRow(0)  # thank-you: trained -> probe
    qtbot.mouseClick(page.toggle_button, Qt.MouseButton.LeftButton)
    assert {a.phrase_id for a in store.assignments(patient.id) if a.probe} >= {"thank-you"}
    row = next(r for r in range(page.table.rowCount()) if page.table.item(r, 1).text() == "Hello")
    page.table.selectRow(row)
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert "hello" not in {a.phrase_id for a in store.assignments(patient.id)}
    shown = {page.table.item(r, 1).text() for r in range(page.table.rowCount())}
    assert "Hello" not in shown and page.table.rowCount() == len(assigned) - 1


# ---------------------------------------------------------------------- phrase editor
def test_edit_a_phrase_set_with_live_validation_save_export_import(qtbot, workspace, store, tmp_path):
    workspace.show_page("phrases")
    page = workspace.pages["phrases"]
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    page.fields["id"].setText("family-names")
    page.fields["title"].setText("Family names")
    page.set_cell(0, "id", "hello-maria")
    page.set_cell(0, "text", "Hello Maria")
    page.set_cell(0, "syllables", "hel lo ma ri a")
    page.set_cell(0, "pitches", "LHLHL")  # wrong: 5 syllables, Maria is ma-RI-a: fixed below
    page.set_cell(0, "beats", "1 1 1 1")
    # The loader's own message, naming the phrase.
    assert "hello-maria" in page.validation.text() and "beats" in page.validation.text()
    assert not page.save_button.isEnabled()
    page.set_cell(0, "beats", "1 1 1 1 2")
    page.set_cell(0, "question", "What do you say when Maria comes in?")
    assert page.validation.text() == "Valid: 1 phrase(s)."
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    page.set_cell(1, "id", "hello-maria")  # a duplicate id
    page.set_cell(1, "text", "Bye")
    page.set_cell(1, "syllables", "bye")
    page.set_cell(1, "pitches", "H")
    assert "hello-maria" in page.validation.text() and "Valid" not in page.validation.text()
    page.set_cell(1, "id", "bye")
    assert page.validation.text() == "Valid: 2 phrase(s)."

    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    saved = store.phrase_set("family-names")
    maria = saved.phrase("hello-maria")
    assert maria.syllables == ("hel", "lo", "ma", "ri", "a") and maria.beats == (1, 1, 1, 1, 2)
    assert maria.question == "What do you say when Maria comes in?"

    out = tmp_path / "family.toml"
    assert page.export_file(str(out))
    assert page.import_file(str(out))
    assert page.validate() == saved  # the exported file reads back as the same set

    # The saved set can be assigned at once.
    patient = store.add_patient("Dora")
    workspace.reload_patients(select=patient.id)
    workspace.show_page("programme")
    programme = workspace.pages["programme"]
    programme.check("family-names")
    qtbot.mouseClick(programme.assign_trained, Qt.MouseButton.LeftButton)
    assert {a.phrase_id for a in store.assignments(patient.id)} == {"hello-maria", "bye"}


def test_play_sings_the_phrase_in_the_patients_register(qtbot, workspace, store, sound_server):
    patient = store.add_patient("Eve", low="A2")
    workspace.reload_patients(select=patient.id)
    workspace.show_page("phrases")
    page = workspace.pages["phrases"]
    page.select_set("greetings")
    page.table.selectRow(0)
    qtbot.mouseClick(page.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.status.text().startswith("Playing"), timeout=60_000)
    target = page.last_target
    assert target.melody.low_hz == pytest.approx(110.0)
    assert "Eve" not in page.status.text()  # the message names the voice, not the patient again


# ---------------------------------------------------------------------- review
def _wait_detail(qtbot, page):
    qtbot.waitUntil(
        lambda: page.detail is not None and page.detail.attempt.id == page._loading_id, timeout=30_000
    )


def test_review_an_attempt_override_note_flag_and_filter(qtbot, demo):
    store = demo.store
    demo.show_page("review")
    page = demo.pages["review"]
    total = store.attempts(AttemptQuery(patient_id=demo.patient.id)).total
    assert page.model.total == total and "attempt" in page.count.text()
    _wait_detail(qtbot, page)
    first = page.detail
    assert len(first.note_times) == len(first.melody.notes) and first.syllables
    assert first.track.times.size > 10 and (first.midi == first.midi).any()  # a real pitch track
    assert page.syllable_line.text().count("pitch") == len(first.melody.notes)

    # Down arrow: the next attempt, its own detail.
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    _wait_detail(qtbot, page)
    second = page.detail.attempt
    assert second.id != first.attempt.id

    page.override_on.setChecked(True)
    page.override.setValue(35)
    page.note.setPlainText("Sang the second syllable flat; discussed.")
    page.flag.setChecked(True)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    stored = store.attempt(second.id)
    assert stored.override == 35 and stored.flagged and stored.note.startswith("Sang the second")
    row = page.table.currentIndex().row()
    assert page.model.data(page.model.index(row, SCORE_COLUMN)) == "35 *"

    page.flagged_only.setChecked(True)
    flagged = store.attempts(AttemptQuery(patient_id=demo.patient.id, flagged=True)).total
    assert page.model.total == flagged >= 2  # the demo's own flag and this one
    page.flagged_only.setChecked(False)
    page.max_score.setValue(40)
    assert all(a.final_score <= 40 for a in page.model.rows) and page.model.total < total

    # Clearing the override gives the automatic score back.
    page.max_score.setValue(100)
    page.flagged_only.setChecked(True)
    page.table.selectRow(next(i for i, a in enumerate(page.model.rows) if a.id == second.id))
    _wait_detail(qtbot, page)
    page.override_on.setChecked(False)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert store.attempt(second.id).override is None


def test_space_plays_the_attempt_with_a_moving_cursor(qtbot, demo, sound_server):
    demo.show_page("review")
    page = demo.pages["review"]
    _wait_detail(qtbot, page)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Space)
    assert page.playing == "attempt"
    seen = []
    qtbot.waitUntil(
        lambda: (
            seen.append(page.view.cursor_s()) or (len(seen) > 5 and seen[-1] is not None and seen[-1] > 0.3)
        ),
        timeout=5000,
    )
    qtbot.keyClick(page.table, Qt.Key.Key_Space)  # Space again stops
    assert page.playing is None and page.view.cursor_s() is None
    qtbot.keyClick(page.table, Qt.Key.Key_T)  # the target, in the patient's register
    qtbot.waitUntil(lambda: page.playing == "target", timeout=60_000)
    assert page.target.melody == page.detail.melody
    page.stop_playing()


def test_the_review_list_reads_page_by_page(qtbot, store, workspace):
    import numpy as np

    from mitpractice.gui.therapist.attempts_model import PAGE
    from mitpractice.store import NewAttempt

    patient = store.add_patient("Fay")
    store.assign(patient.id, "greetings", ["hello"])
    quiet = np.zeros(1600, dtype=np.float32)
    n = 2 * PAGE + 17
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(n):
        store.save_attempt(
            NewAttempt(
                patient_id=patient.id,
                set_id="greetings",
                phrase_id="hello",
                step="unison",
                started_at=start + timedelta(minutes=i),
                low_hz=110,
                interval=3,
                tempo=60,
            ),
            quiet,
            16000,
        )
    workspace.reload_patients(select=patient.id)
    page = workspace.pages["review"]
    assert page.model.total == n and page.model.rowCount() == PAGE  # one page read, not all
    assert page.model.canFetchMore()
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() > PAGE, timeout=2000)
    while page.model.canFetchMore():
        page.model.fetchMore()
    assert page.model.rowCount() == n and not page.model.canFetchMore()
    assert page.model.rows[0].started_at > page.model.rows[-1].started_at  # newest first
    assert page.model.data(page.model.index(0, SCORE_COLUMN)) == "not scored"


# ---------------------------------------------------------------------- progress
def test_progress_shows_trained_and_probe_apart_with_the_tests(qtbot, demo):
    demo.show_page("progress")
    page = demo.pages["progress"]
    qtbot.waitUntil(lambda: page.report is not None, timeout=10_000)
    report = page.report
    assert report is not None and report.progress.get("trained").days and report.progress.get("probe").days
    assert [m.label for m in report.progress.tests][:1] == ["WAB AQ 52.5"]
    assert page.charts.chart("scores")._data is report.progress
    # How the patient felt, beside the scores: every day with an answer, better after practice.
    assert page.feelings.feelings == report.feelings
    page.tabs.setCurrentWidget(page.feelings)
    assert page.feelings.isVisible() and page.feelings.height() >= 6 * page.feelings.fontMetrics().height()
    assert report.feelings and all(f.after > f.before for f in report.feelings)
    kinds = {page.phrases.item(r, 1).text() for r in range(page.phrases.rowCount())}
    assert kinds == {"trained", "probe"}
    assert all(page.phrases.item(r, 7).text() for r in range(page.phrases.rowCount()))  # step reached
    assert page.weeks.rowCount() >= 1 and page.weeks.item(0, 0).text().count("-W") == 1
    assert f"{report.totals.attempts} attempts" in page.totals.text()
    page.period.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.report.period.days == 14, timeout=10_000)


@pytest.mark.parametrize("zone", ["Australia/Sydney", "America/New_York"])
def test_progress_counts_the_therapists_local_days(qtbot, workspace, store, local_zone, zone):
    from datetime import UTC, datetime, timedelta

    from mitpractice import days
    from mitpractice.store import NewAttempt

    local_zone(zone)
    ann = store.add_patient("Ann Local")
    store.assign(ann.id, "greetings")
    now = datetime.now(UTC)
    midnight = days.day_start(days.today())  # this morning's midnight, on the therapist's clock
    for when in (midnight - timedelta(minutes=10), min(midnight + timedelta(minutes=1), now)):
        store.save_attempt(NewAttempt(patient_id=ann.id, set_id="greetings", phrase_id="hello", step="unison",
                                      started_at=when, low_hz=220.0, interval=3, tempo=60),
                           np.zeros(16_000, np.float32), 16_000)
    workspace.reload_patients(select=ann.id)
    workspace.show_page("progress")
    page = workspace.pages["progress"]
    qtbot.waitUntil(lambda: page.report is not None and page.report.patient.id == ann.id, timeout=10_000)
    today = days.today()
    assert page.report.period.last == today
    shown = {d.day: d.attempts for d in page.report.progress.get("all").days}
    assert shown == {today - timedelta(days=1): 1, today: 1}  # either side of the local midnight
    assert "2 attempts" in page.totals.text() and "on 2 days" in page.totals.text()
    assert zone in page.period.toolTip()


# ---------------------------------------------------------------------- data
def _data(qtbot, window, action, *args, **kwargs):
    """Run a Data menu action as the menu does and wait for it to end; what it made."""
    with qtbot.waitSignal(window.data.finished, timeout=120_000) as blocker:
        assert getattr(window.data, action)(*args, **kwargs) is not None
    assert blocker.args[0] and not window.data.busy
    return blocker.args[1]


def test_data_menu_writes_the_report_csv_praat_backup_and_bundle(qtbot, demo, tmp_path):
    import csv

    from praatio import textgrid
    from pypdf import PdfReader

    store = demo.store
    patient = demo.patient
    demo.show_page("progress")
    qtbot.waitUntil(lambda: demo.pages["progress"].report is not None, timeout=10_000)
    pdf = _data(qtbot, demo, "report", str(tmp_path / "report.pdf"))
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
    assert patient.name in text and "Good morning" in text
    assert f"({demo.pages['progress'].report.period.days} days)" in text  # the period on screen
    assert str(pdf) in demo.statusBar().currentMessage()

    n = _data(qtbot, demo, "export_csv", str(tmp_path / "attempts.csv"))
    with open(tmp_path / "attempts.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == n == store.attempts(AttemptQuery(patient_id=patient.id)).total

    demo.show_page("review")
    page = demo.pages["review"]
    _wait_detail(qtbot, page)
    with qtbot.waitSignal(demo.data.finished, timeout=60_000) as blocker:
        assert page.to_praat(str(tmp_path / "praat")) is not None
    files = blocker.args[1]
    grid = textgrid.openTextgrid(str(files.textgrid), includeEmptyIntervals=False)
    assert {"syllables", "target", "pitch_ok"} <= set(grid.tierNames)

    backup = _data(qtbot, demo, "backup", str(tmp_path / "all.zip"))
    assert backup.rows["attempts"] == store.attempts(AttemptQuery()).total
    bundle = _data(qtbot, demo, "bundle_export", str(tmp_path / "ann.mitbundle"), "correct horse battery")
    assert bundle.patient_id == patient.id
    # Importing the same bundle again adds nothing.
    again = _data(qtbot, demo, "bundle_import", str(tmp_path / "ann.mitbundle"), "correct horse battery")
    assert sum(again.added.values()) == 0
    # A restore into this store, confirmed, brings back what the backup held.
    store.review(page.model.rows[0].id, note="after the backup")
    assert _data(qtbot, demo, "restore", str(tmp_path / "all.zip"), force=True) is not None
    assert store.attempt(page.model.rows[0].id).note != "after the backup"
    assert demo.patient_box.currentText() == patient.name
    assert demo.centralWidget().isEnabled()


def test_the_praat_export_is_written_off_the_gui_thread_and_its_result_or_error_shown(
    qtbot, demo, tmp_path, monkeypatch
):
    import threading

    from PySide6.QtCore import QTimer

    from mitpractice.reports import textgrid as textgrid_module

    demo.show_page("review")
    page = demo.pages["review"]
    _wait_detail(qtbot, page)
    gui_thread = threading.get_ident()
    threads = []
    real_export = textgrid_module.export_attempt

    def export_seen(*args):  # the real export, noting the thread it runs on
        threads.append(threading.get_ident())
        return real_export(*args)

    seen = []  # (Praat button, Data menu, status line) at each turn of the event loop meanwhile
    timer = QTimer()
    timer.setInterval(0)
    menu = demo.data.menu.menuAction()
    timer.timeout.connect(lambda: demo.data.busy and seen.append(
        (page.praat_button.isEnabled(), menu.isEnabled(), demo.data.status.isVisible())))
    monkeypatch.setattr(textgrid_module, "export_attempt", export_seen)
    timer.start()
    try:
        with qtbot.waitSignal(demo.data.finished, timeout=60_000) as blocker:
            assert page.to_praat(str(tmp_path / "praat")) is not None
            assert not page.praat_button.isEnabled() and demo.data.status.text() == "Writing the Praat files…"
    finally:
        timer.stop()
    name, files = blocker.args
    assert name == "praat" and files.wav.exists() and files.textgrid.exists()
    assert threads and gui_thread not in threads  # written on the thread pool
    assert set(seen) <= {(False, False, True)}
    assert page.praat_button.isEnabled() and menu.isEnabled() and not demo.data.status.isVisible()
    assert files.textgrid.name in demo.statusBar().currentMessage()

    # A folder that cannot be made: the error is shown, and the button comes back.
    (tmp_path / "a-file").write_text("not a folder")
    with qtbot.waitSignal(demo.data.finished, timeout=60_000) as blocker:
        assert page.to_praat(str(tmp_path / "a-file" / "praat")) is not None
    assert blocker.args == ["praat", None]
    box = demo.data.error_box
    assert box is not None and box.isVisible() and "a-file" in box.text()
    assert page.praat_button.isEnabled() and page.praat_button.text() == "Praat…"


@pytest.fixture(scope="module")
def many_file(tmp_path_factory):
    """A store of 400 attempts of two seconds each, made once and copied for each test."""
    from datetime import UTC, datetime, timedelta

    from mitpractice.store import NewAttempt

    path = tmp_path_factory.mktemp("many") / "many.sqlite3"
    with Store.open(f"sqlite:///{path}") as s:
        patient = s.add_patient("Bea Many", low="A3", interval=3, tempo=60)
        noise = (0.1 * np.random.default_rng(0).standard_normal(32_000)).astype(np.float32)
        first = datetime(2026, 1, 5, 9, tzinfo=UTC)
        for i in range(400):
            new = NewAttempt(patient_id=patient.id, set_id="greetings", phrase_id="hello", step="repeat",
                             started_at=first + timedelta(minutes=i), low_hz=220.0, interval=3, tempo=60)
            s.save_attempt(new, noise, 16_000)
    return path


@pytest.fixture
def many(tmp_path, many_file, qtbot):
    """A workspace over a copy of ``many_file``."""
    yield from _workspace_on_a_copy(many_file, tmp_path, qtbot)


def test_the_window_goes_on_answering_while_a_backup_is_written(qtbot, many, tmp_path):
    from PySide6.QtCore import QTimer

    from mitpractice.store.backup import restore

    seen = []  # (menu enabled, status shown) at each turn of the event loop during the backup
    timer = QTimer()
    timer.setInterval(0)
    menu, status = many.data.menu.menuAction(), many.data.status
    timer.timeout.connect(lambda: many.data.busy and seen.append((menu.isEnabled(), status.isVisible())))
    timer.start()
    try:
        backup = _data(qtbot, many, "backup", str(tmp_path / "all.zip"))
    finally:
        timer.stop()
    assert len(seen) >= 2  # the event loop turned while the archive was being written
    assert set(seen) == {(False, True)}  # the menu was off and the status line on meanwhile
    assert many.data.menu.menuAction().isEnabled() and not many.data.status.isVisible()
    assert "all.zip" in many.statusBar().currentMessage()

    # The archive is whole: restored into an empty store, every attempt and its audio is back.
    assert backup.rows["attempts"] == 400
    with Store.open(f"sqlite:///{tmp_path}/restored.sqlite3") as other:
        restore(other, tmp_path / "all.zip")
        assert other.attempts(AttemptQuery()).total == 400
        some = other.attempts(AttemptQuery()).attempts[0].id
        np.testing.assert_array_equal(other.attempt_audio(some)[0], many.store.attempt_audio(some)[0])


def test_a_failed_restore_is_shown_and_the_menu_comes_back(qtbot, many, tmp_path):
    (tmp_path / "not-a-backup.zip").write_bytes(b"PK\x03\x04 not really")
    assert _data(qtbot, many, "restore", str(tmp_path / "not-a-backup.zip"), force=True) is None
    box = many.data.error_box
    assert box is not None and box.isVisible() and "not-a-backup.zip" in box.text()
    assert many.data.menu.menuAction().isEnabled() and many.centralWidget().isEnabled()
    assert many.store.attempts(AttemptQuery()).total == 400  # nothing was lost
    box.close()


def test_closing_during_a_backup_waits_for_it_then_closes(qtbot, many, tmp_path):
    with qtbot.waitSignal(many.data.finished, timeout=120_000):
        many.data.backup(str(tmp_path / "all.zip"))
        many.close()
        assert many.isVisible()  # not cut short
    qtbot.waitUntil(lambda: not many.isVisible(), timeout=5_000)
    assert (tmp_path / "all.zip").stat().st_size > 0


def test_the_therapists_own_model_is_checked_kept_and_played_in_each_patients_key(
    qtbot, workspace, store, sound_server
):
    from attempt_voice import VOICES, attempt_syllables
    from attempt_voice import sing as voice_sing

    from mitpractice.pitch import track_pitch
    from mitpractice.scoring import score_track

    patient = store.add_patient("Gus", low="A2", interval=3, tempo=60)
    workspace.reload_patients(select=patient.id)
    workspace.show_page("phrases")
    page = workspace.pages["phrases"]
    page.select_set("greetings")
    row = next(i for i, p in enumerate(page.parsed.phrases) if p.id == "good-morning")  # LHL
    page.table.selectRow(row)
    woman = VOICES[1]

    # Sung upside down: refused with the reason, nothing kept.
    wrong = voice_sing(attempt_syllables("HLH", (1, 1, 1), interval=4.0, beat_s=0.8, seed=2), woman)
    page.keep_recording(wrong.y, wrong.sr)
    qtbot.waitUntil(lambda: page.record_button.isEnabled(), timeout=30_000)
    assert "upside down" in page.status.text()
    assert store.recorded_model("greetings", "good-morning", None) is None

    # Sung right, in her own key and tempo: kept for every patient of the set.
    right = voice_sing(attempt_syllables("LHL", (1, 1, 1), interval=4.0, beat_s=0.8, seed=2), woman)
    page.keep_recording(right.y, right.sr)
    qtbot.waitUntil(lambda: page.record_button.isEnabled(), timeout=30_000)
    assert page.status.text().startswith("Model kept")
    assert store.recorded_model("greetings", "good-morning", None) is not None

    # Play gives it to Gus in his key (A2, a minor third) and tempo.
    qtbot.mouseClick(page.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hasattr(page, "last_target") or "speaker" in page.status.text(), timeout=60_000)
    target = page.last_target
    assert target.source == "recording" and target.melody.low_hz == pytest.approx(110.0)
    score = score_track(
        track_pitch(target.audio, target.sr, "crepe-tiny"), target.melody, audio=target.audio, sr=target.sr
    )
    for note, sung in zip(target.melody.notes, score.syllables, strict=True):
        assert abs(12 * np.log2(sung.pitch_hz / note.pitch_hz)) < 0.5, (note, sung)
    page.stop()

    # The screen says whose model it is; one for Gus alone can be kept beside it; forgetting it
    # leaves everyone's.
    assert "for everyone" in page.model_state.text()
    page.only_patient.setChecked(True)
    assert "none" in page.model_state.text() and not page.forget_button.isEnabled()
    page.keep_recording(right.y, right.sr)
    qtbot.waitUntil(lambda: page.record_button.isEnabled(), timeout=30_000)
    assert store.recorded_model("greetings", "good-morning", patient.id) is not None
    assert "for Gus" in page.model_state.text()
    qtbot.mouseClick(page.forget_button, Qt.MouseButton.LeftButton)
    assert store.recorded_model("greetings", "good-morning", patient.id) is None
    assert store.recorded_model("greetings", "good-morning", None) is not None


def test_voice_check_in_the_workspace_hears_the_patients_ah(qtbot, workspace, store, sound_server, tmp_path):
    """The patient's "ah" is played into the sound server's patient sink, whose monitor is the
    microphone the workspace records: the low pitch found is the voice's own."""
    import subprocess

    from attempt_voice import VOICES, Syllable
    from attempt_voice import sing as voice_sing

    from mitpractice.audiofile import write_audio

    older_man = VOICES[2]  # 98 Hz, breathy, shimmering
    ah = voice_sing([Syllable(0.0, 0.0, 2.4, vowel="a", consonant="m")], older_man, lead_s=0.2, tail_s=0.2)
    wav = write_audio(tmp_path / "ah.wav", ah.y, ah.sr)
    patient = store.add_patient("Hal", low="C3")
    workspace.reload_patients(select=patient.id)
    page = workspace.pages["patients"]
    sound_server.set_default_source("patient.monitor")
    try:
        qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
        player = subprocess.Popen(["paplay", "--device=patient", str(wav)])
        qtbot.waitUntil(lambda: page.check_button.isEnabled(), timeout=30_000)
        player.wait(timeout=10)
    finally:
        sound_server.set_default_source("out.monitor")
    assert "Median pitch" in page.check_status.text(), page.check_status.text()
    found = float(page.low.text())
    assert abs(12 * np.log2(found / older_man.low_hz)) < 0.5
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert store.patient(patient.id).low_hz == pytest.approx(found, abs=0.1)


def test_record_my_model_through_the_microphone(qtbot, workspace, store, sound_server, tmp_path):
    """The therapist sings into the microphone (the patient sink's monitor), presses Stop when
    done, and the model is checked and kept, its end not lost to the device's delay."""
    import subprocess

    from attempt_voice import VOICES, attempt_syllables
    from attempt_voice import sing as voice_sing

    from mitpractice.audiofile import write_audio

    sung = voice_sing(attempt_syllables("LHL", (1, 1, 1), interval=4.0, beat_s=0.7, seed=4), VOICES[0])
    wav = write_audio(tmp_path / "model.wav", sung.y, sung.sr)
    workspace.show_page("phrases")
    page = workspace.pages["phrases"]
    page.select_set("greetings")
    page.table.selectRow(next(i for i, p in enumerate(page.parsed.phrases) if p.id == "good-morning"))
    sound_server.set_default_source("patient.monitor")
    try:
        qtbot.mouseClick(page.record_button, Qt.MouseButton.LeftButton)
        assert page.record_button.text() == "■ Stop"
        subprocess.run(["paplay", "--device=patient", str(wav)], check=True, timeout=20)
        qtbot.mouseClick(page.record_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.record_button.isEnabled() and page.recorder is None, timeout=30_000)
    finally:
        sound_server.set_default_source("out.monitor")
    assert page.status.text().startswith("Model kept"), page.status.text()
    kept = store.recorded_model("greetings", "good-morning", None)
    assert kept is not None and abs(12 * np.log2(kept.notes["low_hz"] / VOICES[0].low_hz)) < 0.5


def test_the_therapist_command_refuses_a_store_it_cannot_open(tmp_path, capsys, monkeypatch):
    from mitpractice.cli import main

    # The global option sets the environment; have it put back after the test.
    monkeypatch.setenv("MITPRACTICE_DATABASE_URL", "")
    not_a_database = tmp_path / "notes.sqlite3"
    not_a_database.write_text("shopping list\n")
    assert main(["--database", f"sqlite:///{not_a_database}", "therapist"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "notes.sqlite3" in err and "Traceback" not in err


def test_change_the_pin(qtbot, store):
    guard = PinGuard(store)
    guard.set_pin("24681357")
    dialog = PinDialog(PinGuard(store), change=True)
    qtbot.addWidget(dialog)
    assert dialog.new.isVisibleTo(dialog) and dialog.again.isVisibleTo(dialog)
    qtbot.keyClicks(dialog.pin, "24681357")
    qtbot.keyClicks(dialog.new, "97531")
    qtbot.keyClicks(dialog.again, "97532")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "differ" in dialog.message.text() and guard.failures() == 0  # no try spent on a typo
    dialog.again.clear()
    qtbot.keyClicks(dialog.again, "97531")
    dialog.pin.clear()
    qtbot.keyClicks(dialog.pin, "11111111")  # the current PIN wrong: nothing changes
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "Wrong PIN" in dialog.message.text() and guard.failures() == 1 and guard.check("24681357")
    dialog.pin.clear()
    qtbot.keyClicks(dialog.pin, "24681357")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == PinDialog.DialogCode.Accepted
    assert guard.check("97531") and not guard.check("24681357")


def test_the_notes_are_laid_on_the_attempts_own_time_and_key():
    """A slower attempt a tone higher than the target: the notes drawn where it was sung."""
    from mitpractice.gui.therapist.review import _layout, display_melody
    from mitpractice.melody import hz_to_midi, target_melody
    from mitpractice.phrases import Phrase

    melody = target_melody(
        Phrase(id="yes", text="Yes, yes", syllables=("yes", "yes"), pitches="HH"), "A2", 3, 60
    )
    score = {
        "tempo_ratio": 1.25,
        "syllables": [
            {"index": 0, "detected": True, "onset_s": 0.8, "pitch_hz": 146.8, "pitch_semitones": 3.0},
            {"index": 1, "detected": True, "onset_s": 2.05, "pitch_hz": 146.8, "pitch_semitones": 3.0},
        ],
    }
    layout = _layout(melody, score)
    assert layout["note_times"][0][0] == pytest.approx(0.8, abs=0.02)
    assert layout["note_times"][1][0] == pytest.approx(2.05, abs=0.02)
    assert layout["note_midi"][0] == pytest.approx(hz_to_midi(146.8), abs=0.01)
    from types import SimpleNamespace

    shown = display_melody(SimpleNamespace(melody=melody, **layout))
    # PitchView draws a high note at low + interval: that must be where it was sung.
    assert hz_to_midi(shown.low_hz) + shown.interval == pytest.approx(hz_to_midi(146.8), abs=0.01)


# ---------------------------------------------------------------------- words people read
def test_the_review_list_reads_phrase_texts_and_step_names_with_every_cell_whole_in_its_tooltip(
        workspace, store, qtbot):
    from mitpractice.store import NewAttempt

    ann = store.add_patient("Ann")
    store.assign(ann.id, "needs", ["help-me"])
    # Sung before anything was assigned (the everyday greetings), then "Help me".
    sung = (("thank-you", "greetings", "unison-fading"), ("help-me", "needs", "repeat"))
    for phrase_id, set_id, step in sung:
        store.save_attempt(NewAttempt(patient_id=ann.id, set_id=set_id, phrase_id=phrase_id, step=step,
                                      started_at=datetime.now(UTC), low_hz=220.0, interval=3, tempo=60),
                           np.zeros(16_000, np.float32), 16_000)
    workspace.reload_patients(select=ann.id)
    workspace.show_page("review")
    model = workspace.pages["review"].model
    cells = {(model.data(model.index(r, 1)), model.data(model.index(r, 2))) for r in range(model.rowCount())}
    assert cells == {("Thank you", "Keep singing"), ("Help me", "Your turn")}  # not "thank-you", "repeat"
    for r in range(model.rowCount()):
        for c in range(4):
            shown = model.data(model.index(r, c))
            assert shown in model.data(model.index(r, c), Qt.ItemDataRole.ToolTipRole)


def test_a_new_patient_is_not_called_no_patient_and_an_empty_programme_says_what_is_practised(
        workspace, store):
    store.add_patient("Ann")
    workspace.reload_patients()
    workspace.pages["patients"].new_patient()
    assert "No patient" not in workspace.summary.text() and "new patient" in workspace.summary.text()
    workspace.reload_patients()
    workspace.show_page("programme")
    text = workspace.pages["programme"].count.text()
    assert "Ann practises" in text and "Thank you" in text


def test_the_workspace_opens_on_the_patient_worked_on_last(qtbot, store):
    store.add_patient("Ann")
    bob = store.add_patient("Bob")
    first = Workspace(store)
    qtbot.addWidget(first)
    assert first.patient.name == "Ann"
    first.choose_patient(bob.id)
    first.close()
    again = Workspace(store)
    qtbot.addWidget(again)
    assert again.patient.id == bob.id
    again.close()


def test_damage_the_background_check_finds_is_told_at_the_top_of_the_workspace(tmp_path, qtbot):
    from test_faults_input import damage_an_index

    from mitpractice.store import NewAttempt

    database = tmp_path / "store.sqlite3"
    url = f"sqlite:///{database}"
    noise = np.random.default_rng(3).uniform(-0.3, 0.3, 16_000).astype(np.float32)
    with Store.open(url) as store:
        ann = store.add_patient("Ann").id
        for i in range(30):
            take = NewAttempt(patient_id=ann, set_id="greetings", phrase_id="hello", step="unison",
                              started_at=datetime(2026, 11, 1, 9, i, tzinfo=UTC), low_hz=220, interval=3,
                              tempo=60)
            store.save_attempt(take, noise, 16_000)
    damage_an_index(database, "flagged, started_at")  # the flagged list: not read at start
    with Store.open(url) as store:
        window = Workspace(store)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(window.damage_banner.isVisible, timeout=20_000)
        text = window.damage_banner.text()
        assert "damaged" in text and str(database) in text and "ask for help" in text
        assert window.patient_box.currentText().startswith("Ann")  # the workspace still works
        window.close()
        wait_for_jobs()


def test_a_sound_database_shows_no_damage_warning(workspace, qtbot):
    qtbot.waitUntil(workspace.store.health_checked, timeout=20_000)
    workspace._look_at_health()
    assert not workspace.damage_banner.isVisible()
