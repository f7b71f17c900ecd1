"""Issue 19, point 5: the app's own voice in the microphone, in the practice window, on a real
PulseAudio server (tests/conftest.py ``sound_server``).

The window plays into the null sink ``out`` and its microphone is ``out.monitor``: every
sound the app plays comes back as it was played, on one clock and with no resampling, as a
laptop's speaker comes back to its microphone (with a perfect room: no reverberation, and as
loud as the patient). The window's own click test measures the echo path. When the
sing-along take starts, the test plays a prepared attempt into the same sink: the bundled
voice singing only the first two of the five syllables, 1 % slower and lower and a tenth of
a second behind the voice, as in tests/room_sim.py. So the microphone hears the patient, then
the app's voice singing on alone.

The attempt the window stores must have the sung syllables detected and the rest "not
detected". The same recording scored without the echo handling (the app before the
canceller, or with no path measured) is credited with the rest: the test fails on that code.
"""

from __future__ import annotations

import os
import subprocess

import numpy as np
import pytest

pytestmark = [pytest.mark.audio, pytest.mark.slow]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SET_ID, PHRASE_ID, LOW = "needs", "i-want-some-water", "A3"
#: The patient sings along this long after the voice (s): people trail the voice they follow.
BEHIND_S = 0.1
#: The click test's path must take this much more than the least kept off its own echo (dB):
#: a margin no sound-server timing on a loaded machine eats (measured: 27.1 dB every time).
CANCELLATION_MARGIN_DB = 10.0


def _halfway_attempt(path) -> tuple[object, tuple[int, ...]]:
    """The patient's attempt as a WAV file, and the syllables it leaves out."""
    import room_sim as S
    import soundfile as sf

    from mitpractice.audiofile import resample

    y, sr, _, missing = S._attempt("halfway", SET_ID, PHRASE_ID, LOW)
    y = resample(y.astype(np.float32), sr, round(sr * (1 + S.PATIENT_DRIFT)))
    sf.write(path, np.r_[np.zeros(round(BEHIND_S * sr), np.float32), y], sr)
    return path, missing


def _detected(score_json: dict) -> list[bool]:
    return [s["detected"] for s in score_json["syllables"]]


def test_a_patient_who_stops_halfway_while_the_voice_sings_on_has_the_rest_not_detected(
    sound_server, fresh_data, qtbot
):
    from PySide6.QtCore import Qt

    from mitpractice.gui.app import make_app
    from mitpractice.gui.practice.session import ECHO_SETTING
    from mitpractice.gui.practice.window import PracticeWindow
    from mitpractice.gui.practice.workers import OCTAVE_REFEREE
    from mitpractice.melody import set_melody
    from mitpractice.practice.echo import MIN_CANCELLATION_DB, EchoPath
    from mitpractice.practice.live import LiveTake
    from mitpractice.practice.session import Phase
    from mitpractice.store import Store
    from mitpractice.store.records import AttemptQuery

    with Store.open() as store:
        patient = store.add_patient("Ann", low=LOW, level="elementary")
        store.assign(patient.id, SET_ID, [PHRASE_ID])
    wav, missing = _halfway_attempt(fresh_data / "halfway.wav")

    make_app()
    window = PracticeWindow()
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.practice_ready, timeout=30_000):
        pass
    window.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.keyClick(window, Qt.Key.Key_Space)  # "How are you feeling?"
    controller = window.controller
    controller.jump_to_step("unison")
    patient_sings: list[subprocess.Popen] = []
    controller.take_started.connect(  # just before the window starts playing the target
        lambda: patient_sings.append(subprocess.Popen(["paplay", "--device=out", str(wav)])))
    qtbot.keyClick(window, Qt.Key.Key_Space)  # the click test, then the take
    try:
        qtbot.waitUntil(lambda: controller.phase == Phase.RESULT, timeout=60_000)

        def stored():
            with Store.open() as store:
                return list(store.attempts(AttemptQuery(patient_id=patient.id)).attempts)

        qtbot.waitUntil(lambda: len(stored()) == 1, timeout=20_000)  # saved after it is shown
        target_start_s = controller.last_target_start_s
    finally:
        window.close()
        for feeder in patient_sings:
            feeder.wait(30)
    assert len(patient_sings) == 1
    (attempt,) = stored()
    with Store.open() as store:
        path = EchoPath.from_text(store.setting(ECHO_SETTING) or "")
        audio, sr = store.attempt_audio(attempt.id)
        phrase_set = store.phrase_set(SET_ID)

    # The window's click test measured a path that takes the echo off with a solid margin.
    assert path is not None, "the window's click test kept no echo path"
    assert path.cancellation_db >= MIN_CANCELLATION_DB + CANCELLATION_MARGIN_DB, path
    # Only the patient is scored: the two syllables sung, not the three the voice sang on.
    detected = _detected(attempt.score_json)
    sung = [i for i in range(len(detected)) if i not in missing]
    shown = (path.cancellation_db, attempt.latency_s, attempt.overall, attempt.melodic, detected)
    assert attempt.step == "unison" and attempt.voiced, shown
    assert all(detected[i] for i in sung), shown
    assert not any(detected[i] for i in missing), shown
    assert attempt.overall <= 50, shown

    # The same recording (the microphone's own samples are stored) scored as the window
    # scored it before the canceller: the voice singing on is credited as the patient's.
    phrase = phrase_set.phrase(PHRASE_ID)
    melody = set_melody(phrase_set, phrase, attempt.low_hz, attempt.interval, attempt.tempo)
    take = LiveTake(melody, sr=sr, latency_s=attempt.latency_s, target_start_s=target_start_s,
                    referee=OCTAVE_REFEREE)
    take.push(audio)
    before = take.finish().score
    assert before.voiced and all(s.detected for s in before.syllables), before.to_json()
    assert before.overall >= attempt.overall + 40, (before.overall, attempt.overall)
    print(f"path: return {path.return_db} dB, cancellation {path.cancellation_db} dB, "
          f"round trip {attempt.latency_s:.3f} s; stored: overall {attempt.overall} "
          f"(melody {attempt.melodic}) {''.join('x' if d else '.' for d in detected)}; "
          f"without the echo handling: {before.overall} (melody {before.melodic})")
