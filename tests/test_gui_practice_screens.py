"""Every screen of the practice window at 1366x768, grabbed offscreen to PNG.

Set ``MITPRACTICE_SCREENSHOTS=docs/img`` to write them where the documentation shows them
(``practice-*.png``); otherwise they go to a temporary folder. Look at them: text cut off or
overlapping is a bug. The recording and result screens come from a real take: a prepared
attempt played into the ``patient`` sink while the window records its monitor.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from mitpractice.gui.practice.session import Phase

pytestmark = [pytest.mark.audio, pytest.mark.slow]


def _grab(window, folder: Path, name: str) -> Path:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    window.resize(1366, 768)
    QApplication.processEvents()
    assert (window.width(), window.height()) == (1366, 768), f"{name} does not fit 1366x768"
    path = folder / f"practice-{name}.png"
    assert window.grab().save(str(path))
    return path


def test_every_screen_at_1366_by_768(sound_server, tmp_path, monkeypatch, qtbot):
    import soundfile as sf

    from mitpractice.errors import NoDeviceError
    from mitpractice.gui.app import make_app, style
    from mitpractice.gui.practice.session import PracticeController
    from mitpractice.gui.practice.window import PracticeWindow
    from mitpractice.melody import set_melody
    from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
    from mitpractice.practice.plan import REST_EVERY
    from mitpractice.store import Store
    from mitpractice.synth.targets import sung_target

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    folder = Path(os.environ.get("MITPRACTICE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    style(make_app())
    window = PracticeWindow()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.welcome, timeout=20_000)
    qtbot.keyClicks(window.welcome.name, "Ann")
    shots.append(_grab(window, folder, "welcome"))
    qtbot.keyClick(window.welcome.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window._speaker is not None and window._speaker.playing, timeout=30_000)
    shots.append(_grab(window, folder, "speaker-test"))  # "Can you hear this?", the voice speaking
    qtbot.keyClick(window, Qt.Key.Key_Space)  # yes
    shots.append(_grab(window, folder, "voice-check"))
    with qtbot.waitSignal(window.practice_ready, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.keyClick(window, Qt.Key.Key_Space)  # "How are you feeling?" skipped
    controller = window.controller
    shots.append(_grab(window, folder, "listen"))

    phrase_set = load_phrase_set(bundled_phrases_dir() / "greetings.toml")
    phrase = phrase_set.phrase("thank-you")
    sung = sung_target(phrase_set.id, phrase, set_melody(phrase_set, phrase, low=controller.patient.low_hz))
    wav = tmp_path / "attempt.wav"
    sf.write(wav, np.asarray(sung.audio, dtype=np.float32), sung.sr)
    sound_server.set_default_source("patient.monitor")
    try:
        controller.jump_to_step("repeat")
        shots.append(_grab(window, folder, "repeat"))
        qtbot.keyClick(window, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: controller.phase == Phase.RECORDING, timeout=20_000)
        feeder = subprocess.Popen(["paplay", "--device=patient", str(wav)])
        qtbot.wait(2200)
        shots.append(_grab(window, folder, "recording"))
        feeder.wait(30)
        qtbot.waitUntil(lambda: controller.phase == Phase.RESULT, timeout=20_000)
        shots.append(_grab(window, folder, "result"))
    finally:
        sound_server.set_default_source("out.monitor")
    controller.message.emit("error", PracticeController._device_message(NoDeviceError("no microphone")))
    shots.append(_grab(window, folder, "message"))
    window.banner.clear()
    for _ in range(REST_EVERY):
        qtbot.keyClick(window, Qt.Key.Key_D)
    assert controller.phase == Phase.REST
    shots.append(_grab(window, folder, "rest"))
    window.close()

    # A clinic's computer: several patients, the last one on this computer chosen.
    with Store.open() as store:
        for name in ("Bob Jones", "Cleo Martin", "Dev Patel", "Eve Nowak"):
            store.add_patient(name)
    window = PracticeWindow()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.chooser, timeout=20_000)
    assert window.chooser.buttons[window.chooser.current].text() == "Ann"
    shots.append(_grab(window, folder, "choose-patient"))
    with qtbot.waitSignal(window.practice_ready, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.keyClick(window, Qt.Key.Key_Space)  # "How are you feeling?" skipped
    assert window.who.isEnabled()  # the name at the top leads back to the names
    _grab(window, Path(tmp_path), "several")  # only looked at, not in the documentation
    window.close()
    for path in shots:
        assert path.stat().st_size > 10_000
