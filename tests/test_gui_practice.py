"""The practice window offscreen (QT_QPA_PLATFORM=offscreen), with a real SQLite store.

Flows that need no sound: the first run (a name, the voice check skipped), the keys, today's
phrases following the therapist's changes, rests, accessibility. Flows with sound run on the
test session's PulseAudio server (a device unplugged mid-take, taps kept with the take).
"""

from __future__ import annotations

import os
import subprocess

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QProgressBar

from mitpractice.gui.practice.session import Phase


def _store():
    from mitpractice.store import Store

    return Store.open()


def _skip_feeling(qtbot, window) -> None:
    """Space skips "How are you feeling?" before the first phrase."""
    assert window.pages.currentWidget() is window.feelings
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.pages.currentWidget() is window.practice


def _window(qtbot, wait_practice: bool = True, speak: bool = False):
    """The window, silent but for targets and takes unless ``speak`` (the voice's words would
    open the sound device, which a test of the sound server must be first to do)."""
    from mitpractice.gui.app import make_app, style
    from mitpractice.gui.practice.window import PracticeWindow

    style(make_app())
    window = PracticeWindow(speak=speak)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    if wait_practice:
        with qtbot.waitSignal(window.practice_ready, timeout=20_000):
            pass
        _skip_feeling(qtbot, window)
    return window


def test_the_first_run_asks_a_name_then_the_voice_check_and_then_practice_starts(fresh_data, qtbot):
    window = _window(qtbot, wait_practice=False)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.welcome, timeout=20_000)
    qtbot.keyClicks(window.welcome.name, "Ann Smith")
    qtbot.keyClick(window.welcome.name, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.speaker  # "Can you hear this?"
    qtbot.keyClick(window, Qt.Key.Key_N)  # no: what to check, in plain words
    assert "plugged in and switched on" in window.speaker.status.text()
    assert window.pages.currentWidget() is window.speaker
    qtbot.keyClick(window, Qt.Key.Key_Space)  # yes: on to the voice check
    assert window.pages.currentWidget() is window.voice
    with qtbot.waitSignal(window.practice_ready, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)  # skip the voice check
    _skip_feeling(qtbot, window)
    (patient,) = window.store.patients()
    assert patient.name == "Ann Smith"
    # Nothing is assigned yet: the bundled elementary phrases, at the first step.
    assert window.practice.phrase_text.text() == "Thank you"
    assert window.practice.step_label.text() == "Listen"
    assert window.practice.main_button.text() == "Listen\n[Space]"
    assert "Space" in window.legend.text()


def test_every_control_has_an_accessible_name(fresh_data, qtbot):
    with _store() as store:
        store.add_patient("Ann")
    window = _window(qtbot)
    controls = [w for kind in (QAbstractButton, QLineEdit, QProgressBar) for w in window.findChildren(kind)]
    assert len(controls) >= 8
    unnamed = [w for w in controls if not w.accessibleName().strip()]
    assert not unnamed, [w.text() if hasattr(w, "text") else w for w in unnamed]


def test_a_therapists_change_of_phrases_is_followed_at_the_next_phrase(fresh_data, qtbot):
    with _store() as store:
        patient = store.add_patient("Ann")
        store.assign(patient.id, "greetings", ["thank-you"])
    window = _window(qtbot)
    assert window.practice.phrase_text.text() == "Thank you"
    with _store() as store:  # the therapist, in the workspace, while the patient practises
        store.unassign(patient.id, "greetings")
        store.assign(patient.id, "needs", ["i-want-some-water"])
    qtbot.keyClick(window, Qt.Key.Key_D)  # another phrase
    assert window.controller.phase == Phase.READY
    assert window.practice.phrase_text.text() == "I want some water"


def test_a_rest_is_offered_after_a_block_of_phrases_and_space_goes_on(fresh_data, qtbot):
    from mitpractice.practice.plan import REST_EVERY

    with _store() as store:
        store.add_patient("Ann")
    window = _window(qtbot)
    for _ in range(REST_EVERY):
        qtbot.keyClick(window, Qt.Key.Key_D)
    assert window.controller.phase == Phase.REST
    assert window.practice.step_label.text() == "Time for a rest"
    assert "phrases done" in window.goal.format()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.controller.phase == Phase.READY


def test_today_s_counts_come_from_the_store_so_they_survive_a_restart(fresh_data, qtbot):
    from datetime import UTC, datetime

    import numpy as np

    from mitpractice.store import NewAttempt

    with _store() as store:  # earlier today: one session, two phrases finished, 40 s sung
        patient = store.add_patient("Ann")
        session = store.start_session(patient.id)
        store.update_session(session.id, phrases_done=2)
        store.save_attempt(NewAttempt(patient_id=patient.id, set_id="greetings", phrase_id="thank-you",
                                      step="unison", started_at=datetime.now(UTC), low_hz=220.0,
                                      interval=3.0, tempo=60.0, session_id=session.id),
                           np.zeros(40 * 16_000, np.float32), 16_000)
    window = _window(qtbot)
    assert window.goal.format() == "1 of 30 minutes today. 2 phrases done."
    qtbot.keyClick(window, Qt.Key.Key_D)  # a skipped phrase is not done
    assert window.goal.format().endswith("2 phrases done.")


def test_the_practice_screen_fits_1366_by_768(fresh_data, qtbot):
    with _store() as store:
        patient = store.add_patient("Ann")
        store.assign(patient.id, "answers", ["my-daughter-is-coming-tomorrow"])
    window = _window(qtbot)
    qtbot.wait(50)
    p = window.practice
    for label in (p.step_label, p.instruction, p.phrase_text):
        assert label.geometry().bottom() < p.score.geometry().top() or not label.text()
    for button in (p.main_button, p.voice_button, p.me_button, p.again_button, p.other_button):
        assert button.isVisible() and button.geometry().bottom() <= p.height()
        assert button.height() >= 2 * button.fontMetrics().height()  # large for an unsteady hand
        widest = max(button.fontMetrics().horizontalAdvance(line) for line in button.text().split("\n"))
        assert widest <= button.width() - 8, button.text()


@pytest.mark.audio
def test_a_microphone_that_stops_mid_take_keeps_the_take_and_says_what_to_do(sound_server, fresh_data, qtbot):
    module = sound_server.load_null_sink("usbmic")
    sound_server.set_default_source("usbmic.monitor")
    try:
        with _store() as store:
            patient = store.add_patient("Ann")
        window = _window(qtbot)
        controller = window.controller
        controller.jump_to_step("probe")  # no target: the take starts at once
        qtbot.keyClick(window, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: controller.phase == Phase.RECORDING, timeout=20_000)
        qtbot.keyClick(window, Qt.Key.Key_F)  # a tap, kept with the take
        qtbot.wait(600)
        # The microphone stops sending sound (pulled out, a headset dropping out): its sink is
        # suspended. (Unloading it lets PulseAudio move the stream to another source, at once
        # or after 1-2 s depending on the load; tests/test_audio.py covers that.)
        sound_server.pactl("suspend-sink", "usbmic", "1")
        qtbot.waitUntil(lambda: controller.phase == Phase.RESULT, timeout=20_000)
        assert "microphone stopped" in window.banner.text
        assert window.banner.isVisible()
        qtbot.waitUntil(lambda: window.store.attempts().total == 1, timeout=20_000)  # saved after the result
        with _store() as store:
            (attempt,) = store.attempts().attempts
        assert attempt.patient_id == patient.id and attempt.step == "probe"
        assert attempt.duration_s > 0.5 and len(attempt.taps_s) == 1
        # The window goes on: Space takes the patient to the next thing.
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert controller.phase in (Phase.READY, Phase.PHRASE_DONE)
        window.close()
    finally:
        sound_server.set_default_source("out.monitor")
        sound_server.unload(module)


def test_the_therapist_key_starts_the_workspace_with_the_same_records(fresh_data, qtbot, monkeypatch):
    started = []

    def fake_popen(args, **kwargs):  # the workspace is another engineer's window: see it asked for
        started.append((args, kwargs["env"]))

        class Done:
            pid = 0

        return Done()

    with _store() as store:
        store.add_patient("Ann")
    window = _window(qtbot)
    monkeypatch.setattr(subprocess, "Popen", fake_popen)
    # No PIN yet: the first press asks who it is. A family member goes back with Space.
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.therapist_ask and not started
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.pages.currentWidget() is window.practice and not started
    assert window.controller.phase == Phase.READY and "Space" in window.legend.text()
    # The therapist says so (Enter, or the button), and the workspace has the PIN chosen.
    qtbot.mouseClick(window.therapist_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.therapist_ask
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.practice
    ((args, env),) = started
    assert args[-3:] == ["-m", "mitpractice", "therapist"]
    assert env["MITPRACTICE_DATABASE_URL"] == window.store.url
    assert "workspace" in window.banner.text
    # Once a PIN is set, the workspace starts at once (and asks for it itself).
    from mitpractice.store.pin import PinGuard

    PinGuard(window.store).set_pin("4821")
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert len(started) == 2 and window.pages.currentWidget() is window.practice


@pytest.mark.audio
def test_the_voice_check_sets_the_low_note_from_a_sung_aah(sound_server, fresh_data, qtbot, tmp_path):
    import numpy as np
    import soundfile as sf

    from mitpractice.melody import hz_to_note

    sr = 16_000
    t = np.arange(6 * sr) / sr
    aah = 0.3 * np.sin(2 * np.pi * 180.0 * t + 0.4 * np.sin(2 * np.pi * 5 * t))  # 180 Hz, a little vibrato
    wav = tmp_path / "aah.wav"
    sf.write(wav, aah.astype(np.float32), sr)
    sound_server.set_default_source("patient.monitor")
    feeder = None
    try:
        window = _window(qtbot, wait_practice=False)
        qtbot.waitUntil(lambda: window.pages.currentWidget() is window.welcome, timeout=20_000)
        qtbot.keyClicks(window.welcome.name, "Bob")
        qtbot.keyClick(window.welcome.name, Qt.Key.Key_Return)
        qtbot.keyClick(window, Qt.Key.Key_Space)  # the speakers are heard
        feeder = subprocess.Popen(["paplay", "--device=patient", str(wav)])
        qtbot.keyClick(window, Qt.Key.Key_Space)
        # The result is shown, and stays until the person setting up goes on.
        qtbot.waitUntil(lambda: "Your note is" in window.voice.status.text(), timeout=30_000)
        shown = window.voice.status.text()
        assert window.pages.currentWidget() is window.voice and "Go on" in window.voice.start_button.text()
        with qtbot.waitSignal(window.practice_ready, timeout=10_000):
            qtbot.keyClick(window, Qt.Key.Key_Space)
        (patient,) = window.store.patients()
        assert patient.name == "Bob"
        assert patient.low_hz == pytest.approx(180.0, rel=0.03)
        assert shown == f"Your note is {hz_to_note(patient.low_hz)}."
        window.close()
    finally:
        if feeder is not None:
            feeder.kill()
            feeder.wait(10)
        sound_server.set_default_source("out.monitor")


@pytest.mark.audio
def test_a_voice_too_quiet_to_score_is_told_with_what_to_do(sound_server, fresh_data, qtbot, tmp_path):
    import numpy as np
    import soundfile as sf

    sr = 16_000
    t = np.arange(3 * sr) / sr
    whisper = 0.006 * np.sin(2 * np.pi * 200.0 * t)  # about -47 dBFS: heard, but too quiet to score well
    wav = tmp_path / "quiet.wav"
    sf.write(wav, np.concatenate([whisper, np.zeros(2 * sr)]).astype(np.float32), sr)
    sound_server.set_default_source("patient.monitor")
    try:
        with _store() as store:
            store.add_patient("Ann")
        window = _window(qtbot)
        controller = window.controller
        controller.jump_to_step("probe")
        qtbot.keyClick(window, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: controller.phase == Phase.RECORDING, timeout=20_000)
        subprocess.run(["paplay", "--device=patient", str(wav)], check=True, timeout=30)
        qtbot.waitUntil(lambda: controller.phase == Phase.RESULT, timeout=20_000)
        # Said once, as the result's one tip (not a banner as well).
        assert window.practice.feedback.text() == "Come a little closer, or sing a little louder."
        assert not window.banner.text
        qtbot.waitUntil(lambda: window.store.attempts().total == 1, timeout=20_000)  # kept all the same
        window.close()
    finally:
        sound_server.set_default_source("out.monitor")


def _chooser_window(qtbot):
    window = _window(qtbot, wait_practice=False)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.chooser, timeout=20_000)
    return window


def test_with_several_patients_the_window_asks_who_practises_with_the_last_one_chosen(fresh_data, qtbot):
    from mitpractice.gui.practice.window import LAST_PATIENT_SETTING

    with _store() as store:  # a clinic's computer, after a bundle import
        ann, bob, cleo = (store.add_patient(name) for name in ("Ann", "Bob", "Cleo"))
        store.set_setting(LAST_PATIENT_SETTING, bob.id)
    window = _chooser_window(qtbot)
    chooser = window.chooser
    assert [b.text() for b in chooser.buttons] == ["Ann", "Bob", "Cleo"]
    assert chooser.ids[chooser.current] == bob.id  # the last one on this computer
    assert window.controller is None and "Space" in window.legend.text()
    qtbot.wait(50)
    for button in chooser.buttons:  # big, readable names for an unsteady hand
        assert button.isVisible() and button.height() >= 2 * button.fontMetrics().height()
        assert button.fontMetrics().horizontalAdvance(button.text()) <= button.width() - 8
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert chooser.ids[chooser.current] == cleo.id
    qtbot.keyClick(window, Qt.Key.Key_Right)  # round to the first
    assert chooser.ids[chooser.current] == ann.id
    qtbot.keyClick(window, Qt.Key.Key_Left)
    with qtbot.waitSignal(window.practice_ready, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_Space)
    _skip_feeling(qtbot, window)
    assert window.controller.patient.id == cleo.id and window.who.text() == "Cleo"
    with _store() as store:
        assert store.setting(LAST_PATIENT_SETTING) == cleo.id

    # Someone else: the name at the top goes back to the names; a click takes one.
    assert window.who.isEnabled()
    qtbot.mouseClick(window.who, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.chooser and window.controller is None
    assert chooser.ids[chooser.current] == cleo.id
    with qtbot.waitSignal(window.practice_ready, timeout=10_000):
        qtbot.mouseClick(chooser.buttons[0], Qt.MouseButton.LeftButton)
    assert window.controller.patient.id == ann.id
    _skip_feeling(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_D)  # practice goes on as before
    assert window.controller.phase == Phase.READY


def test_with_one_patient_the_window_goes_straight_to_practice(fresh_data, qtbot):
    with _store() as store:
        store.add_patient("Ann")
    window = _window(qtbot)
    assert window.pages.currentWidget() is window.practice
    assert window.who.text() == "Ann" and not window.who.isEnabled()
    qtbot.mouseClick(window.who, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.practice


def test_a_take_recovered_at_start_is_scored_behind_the_window(fresh_data, qtbot):
    from datetime import UTC, datetime

    import numpy as np

    from mitpractice.melody import set_melody
    from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
    from mitpractice.store import NewAttempt
    from mitpractice.store.journal import TakeJournal, pending_takes
    from mitpractice.synth.targets import sung_target

    with _store() as store:
        ann = store.add_patient("Ann")
    phrase_set = load_phrase_set(bundled_phrases_dir() / "greetings.toml")
    phrase = phrase_set.phrase("thank-you")
    melody = set_melody(phrase_set, phrase, low=ann.low_hz)
    sung = sung_target(phrase_set.id, phrase, melody)
    # The app stopped unexpectedly in the middle of a take: its journal is on disk.
    take = NewAttempt(patient_id=ann.id, set_id="greetings", phrase_id="thank-you", step="repeat",
                      started_at=datetime.now(UTC), low_hz=melody.low_hz, interval=melody.interval,
                      tempo=melody.tempo)
    journal = TakeJournal.begin(take, sr=sung.sr)
    journal.append(np.asarray(sung.audio, dtype=np.float32))
    journal.sync()
    journal._handle.close()  # as a crash leaves it
    assert len(pending_takes()) == 1

    window = _window(qtbot)
    (recovered,) = window.recovered
    assert not recovered.scored and "kept" in window.banner.text
    qtbot.waitUntil(lambda: window.store.attempt(recovered.id).scored, timeout=120_000)
    with _store() as store:
        attempt = store.attempt(recovered.id)
    assert attempt.recovered and attempt.voiced
    assert attempt.overall >= 70  # the tune itself, scored on the take's own notes
    assert window.controller.phase == Phase.READY  # practice went on meanwhile


@pytest.mark.audio
def test_a_take_that_cannot_be_saved_is_told_and_the_window_goes_on(
    sound_server, fresh_data, qtbot, monkeypatch
):
    import sqlite3

    from mitpractice.store import engine
    from mitpractice.store.engine import sqlite_path
    from mitpractice.store.journal import AUDIO_FILE, META_FILE

    # Another program holds the database while the take ends (a backup, a long import): the
    # save waits this long for it, then gives up (the product's wait is 15 s).
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 500)
    with _store() as store:
        store.add_patient("Ann")
    window = _window(qtbot)
    controller = window.controller
    controller.jump_to_step("probe")  # no target: the take starts at once
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: controller.phase == Phase.RECORDING, timeout=20_000)
    journal = controller._journal.folder
    holder = sqlite3.connect(sqlite_path(window.store.url), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # the other program's write transaction
        qtbot.wait(800)
        qtbot.keyClick(window, Qt.Key.Key_Space)  # finish the take
        # The take is scored first and its result shown; the save then waits, fails and says so.
        qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=20_000)
        assert controller.result is not None and controller.phase == Phase.RESULT
        assert "could not be saved" in window.banner.text
        assert (journal / META_FILE).is_file() and (journal / AUDIO_FILE).stat().st_size > 0  # kept
        assert window.store.attempts().total == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # The window goes on: Space leaves the result, and the next take is saved.
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.banner.kind == ""
    controller.jump_to_step("probe")
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: controller.phase == Phase.RECORDING, timeout=20_000)
    qtbot.wait(600)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: controller.phase == Phase.RESULT, timeout=20_000)
    qtbot.waitUntil(lambda: window.store.attempts().total == 1, timeout=20_000)  # saved after the result
    assert journal.is_dir()  # the first take waits for the next start, where it is recovered
    window.close()
    again = _window(qtbot)
    (recovered,) = again.recovered
    assert recovered.id == journal.name and not journal.exists()
    assert again.store.attempts().total == 2
    again.close()


def test_a_store_that_cannot_be_read_between_phrases_is_told_and_space_tries_again(fresh_data, qtbot):
    """The store's file goes (a network drive dropped, a folder moved) while the patient is
    between phrases: the window says so plainly and stays; nothing saved is lost, and Space
    goes on once the file is back."""
    from datetime import UTC, datetime

    import numpy as np

    from mitpractice.store import NewAttempt

    with _store() as store:
        patient = store.add_patient("Ann")
        store.assign(patient.id, "greetings", ["thank-you", "good-morning"])
        store.save_attempt(NewAttempt(patient_id=patient.id, set_id="greetings", phrase_id="thank-you",
                                      step="unison", started_at=datetime.now(UTC), low_hz=220.0,
                                      interval=3.0, tempo=60.0), np.zeros(16_000, np.float32), 16_000)
    window = _window(qtbot)
    first = window.practice.phrase_text.text()
    path = window.store.sqlite_file
    aside = path.with_name("moved-away")
    path.rename(aside)
    path.mkdir()  # where the file was, nothing SQLite can open (even for root)
    window.store.engine.dispose()  # no connection open from before
    try:
        qtbot.keyClick(window, Qt.Key.Key_D)  # another phrase: the programme is read again
        assert window.controller.phase == Phase.EMPTY
        assert window.banner.kind == "error" and "could not be read" in window.banner.text
        assert window.practice.step_label.text() == "Your phrases could not be read"
        assert window.practice.phrase_text.text() == "" and "Space" in window.practice.instruction.text()
        qtbot.keyClick(window, Qt.Key.Key_Space)  # tried again: still gone, still said
        assert window.controller.phase == Phase.EMPTY and "could not be read" in window.banner.text
    finally:
        path.rmdir()
        aside.rename(path)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.controller.phase == Phase.READY and window.banner.kind == ""
    assert window.practice.phrase_text.text() not in ("", first)
    with _store() as store:  # what was saved is intact
        assert [p.name for p in store.patients()] == ["Ann"]
        assert len(store.assignments(patient.id)) == 2 and store.attempts().total == 1


class _Silence:
    """What ``Store.set_score`` reads of the score of a silent take."""

    model = "crepe-tiny"

    def to_json(self) -> dict:
        return {"voiced": False, "melodic": 0.0, "rhythmic": 0.0, "overall": 0.0, "syllables": [],
                "feedback": [], "mode": "sung"}


@pytest.mark.parametrize("zone", ["Australia/Sydney", "America/New_York"])
def test_the_daily_goal_counts_the_patients_own_today(fresh_data, qtbot, local_zone, zone):
    """Minutes sung just after this computer's midnight count for today, those just before it
    for yesterday, whatever the UTC date (Sydney's morning is the previous UTC day, New York's
    evening the next)."""
    from datetime import UTC, datetime, timedelta

    import numpy as np

    from mitpractice import days
    from mitpractice.store import NewAttempt

    local_zone(zone)
    now = datetime.now(UTC)
    midnight = days.day_start(days.today())
    with _store() as store:
        patient = store.add_patient("Ann", daily_goal_min=30)
        store.assign(patient.id, "greetings", ["thank-you"])
        sung = ((min(midnight + timedelta(minutes=1), now), 3), (midnight - timedelta(minutes=1), 5))
        for when, minutes in sung:
            saved = store.save_attempt(
                NewAttempt(patient_id=patient.id, set_id="greetings", phrase_id="thank-you", step="unison",
                           started_at=when, low_hz=220.0, interval=3, tempo=60),
                np.zeros(minutes * 60 * 8000, np.float32), 8000)
            store.set_score(saved.id, _Silence())  # scored already: the window has none to score
    window = _window(qtbot)
    assert window.goal.format().startswith("3 of 30 minutes today.")


def test_done_for_today_from_the_rest_screen_ends_with_a_summary_and_space_closes(fresh_data, qtbot):
    from mitpractice.practice.plan import REST_EVERY

    with _store() as store:  # two phrases finished earlier today
        patient = store.add_patient("Ann")
        store.update_session(store.start_session(patient.id).id, phrases_done=2)
    window = _window(qtbot)
    assert window.done_button.isVisible()  # in the top bar all along
    for _ in range(REST_EVERY):
        qtbot.keyClick(window, Qt.Key.Key_D)
    p = window.practice
    assert window.controller.phase == Phase.REST
    assert p.done_button.isVisible() and not p.other_button.isVisible()
    assert "Q" in p.done_button.text()
    qtbot.keyClick(window, Qt.Key.Key_Q)
    assert window.pages.currentWidget() is window.feelings  # how the patient feels now
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.controller.phase == Phase.DONE
    assert window.pages.currentWidget() is window.summary
    s = window.summary
    assert s.counts.text() == "2 phrases practised today.\n0 minutes of singing."
    assert s.picture.count == 2 and s.picture.height() > 0
    assert s.kind.text() == "Well done. Every day of practice helps."
    assert "score" not in (s.counts.text() + s.kind.text()).lower()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.isVisible()


def test_banners_close_with_space_or_esc_and_a_new_phrase_clears_the_last_one_s(fresh_data, qtbot):
    with _store() as store:
        store.add_patient("Ann")
    window = _window(qtbot)
    window.controller.message.emit("warning", "That was very loud.")
    assert window.banner.text
    qtbot.keyClick(window, Qt.Key.Key_D)  # no longer true of the next phrase
    assert not window.banner.text and window.controller.phase == Phase.READY
    window.controller.message.emit("warning", "That was very loud.")
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.banner.text
    window.controller.message.emit("warning", "That was very loud.")
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.banner.text


def test_how_are_you_feeling_before_and_after_is_kept_with_the_session(fresh_data, qtbot):
    with _store() as store:
        patient = store.add_patient("Ann")
    window = _window(qtbot, wait_practice=False)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.feelings, timeout=20_000)
    faces = window.feelings.faces
    assert [f.accessibleName() for f in faces] == ["Very bad", "Bad", "All right", "Good", "Very good"]
    assert "1 2 3 4 5" in window.legend.text()
    qtbot.keyClick(window, Qt.Key.Key_2)
    assert window.pages.currentWidget() is window.practice and window.controller.phase == Phase.READY
    qtbot.keyClick(window, Qt.Key.Key_Q)
    assert window.pages.currentWidget() is window.feelings
    assert window.feelings.title.text() == "How are you feeling now?"
    qtbot.mouseClick(faces[4], Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.summary
    with _store() as store:
        (session,) = store.sessions(patient.id)
    assert (session.feeling_before, session.feeling_after) == (2, 5)


@pytest.mark.audio
def test_silence_is_said_once_and_the_answer_is_not_shown_before_it_is_given(sound_server, fresh_data, qtbot):
    # The microphone hears the speakers' output, and nothing plays at the Answer step: a
    # silent room.
    with _store() as store:
        store.add_patient("Ann")
    window = _window(qtbot)
    controller = window.controller
    controller.jump_to_step("probe")  # the Answer step
    assert window.practice.phrase_text.text() == "?"  # not given away before the answer
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: controller.phase == Phase.RESULT, timeout=30_000)  # ends by itself
    p = window.practice
    assert p.result_label.text() == "I did not hear you this time."
    assert p.feedback.text() == "Come a little closer, or sing a little louder."
    assert not window.banner.text  # one message, not three
    assert p.phrase_text.text() == "Thank you"  # answered: the words are shown
    window.close()


def _show_result(window, step_id: str, overall: float, syllables=(), tempo_ratio: float = 1.0) -> None:
    """Hand the controller a scored take of ``step_id``, as the live worker does, and let it
    judge the step and put the result on screen; the scorer's lines are praise and one tip."""
    from types import SimpleNamespace

    import numpy as np

    from mitpractice.gui.practice.workers import TakeOutcome
    from mitpractice.scoring.feedback import praise

    c = window.controller
    c.jump_to_step(step_id)
    c.flow.phase = Phase.SCORING  # a take has ended and is being scored
    score = SimpleNamespace(overall=overall, voiced=True, syllables=tuple(syllables), tempo_ratio=tempo_ratio,
                            feedback=[praise(overall), "Hold 'you' a bit longer."])
    score.to_json = lambda: {"tempo_ratio": tempo_ratio, "syllables": [s.to_json() for s in syllables]}
    c._on_outcome(TakeOutcome(attempt_id="a", result=SimpleNamespace(score=score, together=None),
                              audio=np.zeros(16_000, np.float32), sr=16_000, taps_s=()))



def test_the_headline_follows_the_score_bands_the_same_in_every_step_and_a_miss_says_one_step_back(
        fresh_data, qtbot):
    # 69 passes "Your turn" (60) and misses "Sing along" (70): it read "Well done!" in one,
    # "Good try!" in the other.
    with _store() as store:
        patient = store.add_patient("Ann")
        store.assign(patient.id, "greetings", ["thank-you"])
    window = _window(qtbot)
    p = window.practice
    for step_id in ("repeat", "unison", "unison-fading"):
        _show_result(window, step_id, 69.0)
        assert p.result_label.text().startswith("Good try!"), (step_id, p.result_label.text())
        assert p.feedback.text() == "Hold 'you' a bit longer."  # the praise is not said twice
    assert p.main_button.text().startswith("One step back: Sing along")
    _show_result(window, "unison", 90.0)
    assert p.result_label.text().startswith("Very good!")
    assert p.main_button.text().startswith("Next")


def test_a_slow_take_is_drawn_with_the_notes_stretched_to_it(fresh_data, qtbot):
    from mitpractice.scoring import SyllableResult

    with _store() as store:
        patient = store.add_patient("Ann")
        store.assign(patient.id, "greetings", ["thank-you"])
    window = _window(qtbot)
    view = window.practice.score
    # "Thank you" (two one-beat notes at 60 per minute) sung twice as slowly, from 3 s into
    # the recording, where the drawing of the take starts.
    sung = [SyllableResult(index=0, text="thank", target="H", detected=True, onset_s=3.0, offset_s=4.9,
                           pitch_ok=True, timing_ok=True),
            SyllableResult(index=1, text="you", target="L", detected=True, onset_s=5.0, offset_s=6.9,
                           pitch_ok=True, timing_ok=True)]
    _show_result(window, "repeat", 95.0, sung, tempo_ratio=2.0)
    assert view.note_rect(1).right() == pytest.approx(view.point_at(4.0, 0).x(), abs=6)
    _show_result(window, "unison", 95.0, sung, tempo_ratio=2.0)  # along: the voice's own time
    assert view.note_rect(1).right() == pytest.approx(view.point_at(2.0, 0).x(), abs=6)


@pytest.mark.parametrize("tapping", [True, False])
def test_the_listen_step_asks_for_taps_only_from_a_patient_who_taps(fresh_data, qtbot, tapping):
    with _store() as store:
        store.add_patient("Ann", tapping=tapping)
    window = _window(qtbot)
    assert window.practice.step_label.text() == "Listen"
    assert ("Tap along" in window.practice.instruction.text()) == tapping


def test_words_cut_short_before_the_round_trip_is_measured_wait_the_longest_one_accepted():
    from mitpractice.gui.practice.session import UNMEASURED_LATENCY_S
    from mitpractice.practice.live import MAX_LATENCY_S

    assert UNMEASURED_LATENCY_S == MAX_LATENCY_S


@pytest.mark.audio
def test_the_answer_step_s_question_is_spoken_but_never_recorded(sound_server, fresh_data, qtbot):
    # The microphone hears the speakers (the `out` sink's monitor): the question said by the
    # voice would be in the take if the microphone opened while it sounded.
    import numpy as np

    from mitpractice.audio import level_dbfs

    with _store() as store:
        store.add_patient("Ann")
    window = _window(qtbot, speak=True)
    controller = window.controller
    controller.jump_to_step("probe")
    qtbot.waitUntil(lambda: controller._speech_playing, timeout=30_000)
    assert controller.said_text == window.practice.instruction.text() == (
        "Answer the question. Sing your answer.  What do you say when someone helps you?")
    qtbot.wait(300)  # mid-sentence: one press cuts it short, and the take starts after it
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert controller.phase == Phase.HUSHING and not controller.player.playing
    qtbot.waitUntil(lambda: controller.phase == Phase.RECORDING, timeout=10_000)
    qtbot.wait(1000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: controller.phase == Phase.RESULT, timeout=30_000)
    assert window.practice.result_label.text() == "I did not hear you this time."
    qtbot.waitUntil(lambda: window.store.attempts().total == 1, timeout=20_000)  # saved after the result
    with _store() as store:
        (attempt,) = store.attempts().attempts
        audio, _ = store.attempt_audio(attempt.id)
    assert level_dbfs(audio) < -60 and np.abs(audio).max() < 0.01  # silence: no words in it
    window.close()


def test_the_text_size_is_the_patient_s_own_and_kept_across_restarts(fresh_data, qtbot):
    import doctest

    import mitpractice.gui.textsize as textsize

    assert doctest.testmod(textsize).failed == 0
    with _store() as store:
        ann, bob = store.add_patient("Ann"), store.add_patient("Bob")
    window = _chooser_window(qtbot)
    window._patient_chosen(ann.id)
    _skip_feeling(qtbot, window)
    fitted = window.practice.phrase_text.font().pointSizeF()
    for _ in range(5):  # larger, up to the largest that fits a 1024x600 screen
        qtbot.keyClick(window, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    largest = window.practice.phrase_text.font().pointSizeF()
    assert largest == pytest.approx(fitted * max(textsize.TEXT_SIZES), rel=0.02)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)  # one smaller
    kept = window.practice.phrase_text.font().pointSizeF()
    assert fitted < kept < largest
    window.close()

    window = _chooser_window(qtbot)  # the app again: Ann's size is hers, Bob has the fitted one
    window._patient_chosen(ann.id)
    assert window.practice.phrase_text.font().pointSizeF() == pytest.approx(kept)
    window.choose_patient()
    window._patient_chosen(bob.id)
    assert window.practice.phrase_text.font().pointSizeF() == pytest.approx(fitted)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.practice.phrase_text.font().pointSizeF() < fitted
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # back to the fitted size
    assert window.practice.phrase_text.font().pointSizeF() == pytest.approx(fitted)
    window.close()


def test_a_window_closed_while_its_voice_is_being_made_is_left_alone_when_that_ends(
        fresh_data, qtbot, monkeypatch):
    """The speaker test's voice fails after the window was closed and deleted: its message
    is not set on the gone window (no error)."""
    import threading

    import shiboken6

    import mitpractice.synth
    from mitpractice.gui.app import make_app, style
    from mitpractice.gui.practice.window import PracticeWindow

    started, gate = threading.Event(), threading.Event()

    def slow_voice(text):
        started.set()
        gate.wait(10)
        raise OSError("no voice")

    monkeypatch.setattr(mitpractice.synth, "spoken_words", slow_voice)
    style(make_app())
    window = PracticeWindow(speak=True)  # not given to qtbot: this test deletes it itself
    window.show()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.welcome, timeout=20_000)
    qtbot.keyClicks(window.welcome.name, "Ann Smith")
    qtbot.keyClick(window.welcome.name, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.speaker and started.wait(5)
    threading.Timer(0.3, gate.set).start()  # the voice ends while the window is closing
    window.close()  # waits for the voice's task, whose failure is now queued for the window
    shiboken6.delete(window)
    assert not shiboken6.isValid(window)
    qtbot.wait(200)  # the queued failure is delivered (pytest-qt fails the test on an error)
