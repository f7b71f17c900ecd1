"""A store as a therapist would find it after five weeks: one patient, a programme, scored
attempts that improve over the weeks, clinical tests, a note and a flag.

The attempts are sung by the independent voice generator of the scoring tests and scored by
the app's own scorer (from frozen pitch tracks, tests/frozen_tracks.py), so the review screen
shows real pitch tracks and real results. Used by
the workspace's tests and by ``python tests/therapist_demo.py docs/img`` (the screenshots).
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this source tree before an installed one

import frozen_tracks
from attempt_voice import VOICES, attempt_syllables
from attempt_voice import sing as voice_sing

from mitpractice import days as local_days
from mitpractice.melody import target_melody
from mitpractice.scoring import score_audio
from mitpractice.store import NewAttempt, Store

WOMAN = VOICES[1]
#: Trained phrases and one probe, of the bundled greetings set.
TRAINED = ("thank-you", "good-morning", "how-are-you")
PROBE = ("hello",)
#: How a take went: interval sung (semitones), tempo scale, a syllable stretched.
QUALITIES = {
    "poor": dict(interval=0.8, tempo_scale=1.3, stretch={0: 1.7}),
    "fair": dict(interval=2.0, tempo_scale=1.1, stretch={1: 1.3}),
    "good": dict(interval=3.0, tempo_scale=1.0, stretch=None),
}


def sung_attempt(phrase, quality: str, seed: int = 1):
    """The voice singing ``phrase`` as well as ``quality`` says: (audio, sr)."""
    q = QUALITIES[quality]
    syllables = attempt_syllables(
        phrase.pitches,
        phrase.beats,
        interval=q["interval"],
        tempo_scale=q["tempo_scale"],
        stretch=q["stretch"],
        seed=seed,
    )
    take = voice_sing(syllables, WOMAN, lead_s=0.6, tail_s=0.6)
    return take.y, take.sr


def fill_demo(store: Store, *, days: int = 35, today: date | None = None) -> str:
    """Fill ``store`` with the demo patient's programme and practice; returns the patient id."""
    today = today or local_days.today()  # the computer's calendar, as the screens count days
    patient = store.add_patient(
        "Ann Example",
        low=WOMAN.low_hz,
        interval=3,
        tempo=60,
        level="elementary",
        tapping=True,
        daily_goal_min=1,
        notes="Left MCA stroke, March. Sings well with her daughter's songs; tires after 15 minutes.",
    )
    store.update_patient(patient.id, thresholds={"unison": 75.0})
    store.assign(patient.id, "greetings", list(TRAINED))
    store.assign(patient.id, "greetings", list(PROBE), probe=True)
    phrases = store.phrase_set("greetings")
    takes = {}
    with frozen_tracks.tracking():
        for phrase_id in TRAINED + PROBE:
            phrase = phrases.phrase(phrase_id)
            melody = target_melody(phrase, WOMAN.low_hz, 3, 60)
            for quality in QUALITIES:
                y, sr = sung_attempt(phrase, quality, seed=len(takes))
                takes[(phrase_id, quality)] = (y, sr, score_audio(y, sr, melody))
    start = today - timedelta(days=days - 1)
    first_ids = []
    for d in range(days):
        day = start + timedelta(days=d)
        if day.weekday() >= 5:
            continue  # five days a week
        progress = d / max(days - 1, 1)
        session = _past_session(store, patient.id, datetime(day.year, day.month, day.day, 10).astimezone(UTC),
                                feelings=None if d % 4 == 3 else (2 + round(progress), 3 + round(progress)))
        for k, phrase_id in enumerate(TRAINED + PROBE):
            if phrase_id in PROBE and d % 3:
                continue
            quality = "poor" if progress < 0.3 else "fair" if progress < 0.65 else "good"
            if phrase_id in PROBE and quality == "good":
                quality = "fair"
            y, sr, score = takes[(phrase_id, quality)]
            for rep in range(2 + (d * 7 + k) % 3):
                when = datetime(day.year, day.month, day.day, 10, 5 * k + rep).astimezone(UTC)  # 10:00 here
                new = NewAttempt(
                    patient_id=patient.id,
                    set_id="greetings",
                    phrase_id=phrase_id,
                    step="unison" if progress < 0.5 else "repeat",
                    started_at=when,
                    low_hz=WOMAN.low_hz,
                    interval=3,
                    tempo=60,
                    tapping=bool(d % 2),
                    session_id=session,
                )
                attempt = store.save_attempt(new, y, sr)
                store.set_score(attempt.id, score)
                if not first_ids:
                    first_ids.append(attempt.id)
    store.add_test_result(patient.id, "WAB AQ", start, 52.5)
    store.add_test_result(patient.id, "BNT", start + timedelta(days=1), 31)
    store.add_test_result(patient.id, "WAB AQ", today - timedelta(days=2), 58.0)
    if first_ids:
        store.review(
            first_ids[0], override=40.0, note="Tired today; she sang along but looked away.", flagged=True
        )
    return patient.id


def _past_session(store: Store, patient_id: str, when: datetime, feelings: tuple[int, int] | None) -> str:
    """A practice session started at ``when``, with how the patient felt before and after
    (None: the question skipped)."""
    from mitpractice.store.schema import sessions

    session = store.start_session(patient_id)
    with store.engine.begin() as conn:
        conn.execute(sessions.update().where(sessions.c.id == session.id).values(started_at=when))
    if feelings is not None:
        store.update_session(session.id, feeling_before=feelings[0], feeling_after=feelings[1])
    return session.id


def screenshots(folder: Path) -> list[Path]:
    """Every screen of the workspace at 1366×768 over the demo store, as PNG files."""
    import os
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from mitpractice.gui.app import make_app
    from mitpractice.gui.therapist.pin_dialog import PinDialog
    from mitpractice.gui.therapist.window import Workspace
    from mitpractice.gui.workers import wait_for_jobs
    from mitpractice.store.pin import PinGuard

    app = make_app()
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    with Store.open(f"sqlite:///{tempfile.mkdtemp()}/demo.sqlite3") as store:
        fill_demo(store)
        dialog = PinDialog(PinGuard(store))
        dialog.show()
        app.processEvents()
        out.append(folder / "therapist-pin.png")
        dialog.grab().save(str(out[-1]))
        dialog.close()
        window = Workspace(store)
        window.resize(1366, 768)
        window.show()
        for key in window.pages:
            window.show_page(key)
            page = window.pages[key]
            if key == "review":
                page.max_score.setValue(80)  # the attempts to look at: a filter in use
                page.table.selectRow(1)
                for _ in range(200):
                    QTest.qWait(50)  # the list's short pause before tracking, then the job
                    wait_for_jobs(200)
                    if page.detail is not None:
                        break
                app.processEvents()
            if key == "progress":
                for _ in range(200):
                    QTest.qWait(50)
                    wait_for_jobs(200)
                    if page.report is not None:
                        break
                app.processEvents()
            if key == "programme":
                page.expand("greetings")
                page.check("greetings", ["good-night", "see-you-soon"])
            if key == "phrases":
                page.select_set("greetings")
            QApplication.processEvents()
            out.append(folder / f"therapist-{key}.png")
            window.grab().save(str(out[-1]))
        window.close()
    return out


if __name__ == "__main__":
    for path in screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img")):
        print(path)
