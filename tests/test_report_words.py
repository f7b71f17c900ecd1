"""The report's "words said" column: per phrase, the words said in the latest word-checked
attempt at a spoken step the patient speaks alone, undecided words counted apart, a dash where
no words were checked."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from pypdf import PdfReader
from report_data import StoredScore

from mitpractice.gui.app import make_app
from mitpractice.gui.report_pdf import write_report_pdf
from mitpractice.reports.report import build_report
from mitpractice.store import NewAttempt, Store

START = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _word(word: str, said: bool | None, at: float | None) -> dict:
    return {"word": word, "said": said, "confidence": {True: 0.9, False: 0.05, None: 0.45}[said],
            "start_s": at, "end_s": None if at is None else at + 0.3}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("words") / "store.sqlite3"
    with Store.open(f"sqlite:///{path}") as store:
        patient = store.add_patient("Ann Words", level="advanced")
        takes = [  # phrase, step, the words stored with its score (None: not checked)
            ("see-you-soon", "spoken-delayed", [_word("see", False, None), _word("you", True, 0.5),
                                                _word("soon", False, None)]),
            ("see-you-soon", "probe-spoken", [_word("see", True, 0.4), _word("you", None, 0.8),
                                              _word("soon", True, 1.1)]),  # the latest: counted
            ("see-you-soon", "repeat-delayed", None),  # sung, after it: not a spoken step
            ("thank-you", "sprechgesang-fading", None),  # spoken, but not checked
            # Spoken along with the app's voice, which the microphone heard saying the words:
            # kept for the review, never counted as the patient's words.
            ("see-you-soon", "sprechgesang", [_word("see", True, 0.4), _word("you", True, 0.8),
                                              _word("soon", True, 1.1)]),
        ]
        for i, (phrase_id, step, words) in enumerate(takes):
            new = NewAttempt(patient_id=patient.id, set_id="greetings", phrase_id=phrase_id, step=step,
                             started_at=START + timedelta(minutes=i), low_hz=130.8, interval=3, tempo=60,
                             mode="sprechgesang")
            attempt = store.save_attempt(new, np.zeros(16_000, np.float32), 16_000)
            score = {"phrase_id": phrase_id, "voiced": True, "melodic": 10.0, "rhythmic": 80.0,
                     "overall": 80.0, "syllables": [], "feedback": [], "mode": "sprechgesang"}
            if words is not None:
                score["words"] = words
            store.set_score(attempt.id, StoredScore(score))
        yield build_report(store, patient.id, START.date(), START.date())


def test_the_phrase_table_says_the_words_said_of_the_latest_checked_spoken_attempt(report, tmp_path):
    make_app()
    path = write_report_pdf(report, tmp_path / "words.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)
    assert "Words said" in text
    rows = {p.phrase_id: p for p in report.phrases}
    assert [w.said for w in rows["see-you-soon"].words] == [True, None, True]
    assert rows["thank-you"].words is None
    see = text.index("See you soon")
    thank = text.index("Thank you")
    assert "2/3 (1 ?)" in text[see:see + 200]  # two of three said, one undecided
    assert "—" in text[thank:thank + 200]
    assert "could not decide" in text  # the column is explained under the table
