"""A sing-along take with the app's voice in the microphone, scored again from the store.

The stored recording is the microphone's own samples, the app's voice included. The live take
takes that echo off and masks it (tests/test_room_echo.py); these tests check that the
therapist's rescoring of the stored attempt (:mod:`mitpractice.store.rescore`) and the
recovery of a journaled take after a crash give the live take's score, not the echo's: a
patient who stopped halfway keeps the rest "not detected". Each take goes through the practice
window's own live worker (:class:`~mitpractice.gui.practice.workers.LiveWorker`, driven on
this thread) into a real SQLite store and a real journal. Before the record was kept with the
attempt, both scored the raw recording and credited the patient with the voice singing on.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
import room_sim as S

from mitpractice.gui.practice.workers import LiveWorker, TakeEnd, TakePlan
from mitpractice.gui.therapist.review import load_detail
from mitpractice.pitch import track_pitch
from mitpractice.practice.echo import EchoRecord, measure_echo_path
from mitpractice.practice.live import LiveTake
from mitpractice.practice.replay import SingAlongRecord
from mitpractice.practice.takes import noise_floor_dbfs
from mitpractice.scoring import score_audio
from mitpractice.store import NewAttempt, Store
from mitpractice.store.journal import SING_ALONG_FILE, TakeJournal, pending_takes, recover_takes
from mitpractice.store.records import SING_ALONG_KEY
from mitpractice.store.rescore import score_stored_attempt, score_unscored
from mitpractice.store.values import new_id
from mitpractice.synth import LEAD_IN_S, SingOptions

#: (set, phrase, low, delay s, leak dB): a tuned and a held-out room of tests/test_room_echo.py.
ROOMS = [pytest.param("needs", "i-want-some-water", "A3", 0.25, -6.0, id="tuned-i-want-some-water"),
         pytest.param("feelings", "i-need-a-doctor", "E3", 0.35, -12.0, id="heldout-i-need-a-doctor")]
#: The window's timer hands the live take about this much at a time (s).
BLOCK_S = 0.1


pytestmark = pytest.mark.usefixtures("data_dir")  # the journal's folder


@pytest.fixture
def store(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}") as opened:
        yield opened


def halfway(set_id, phrase_id, low, delay, leak) -> S.RoomTake:
    """The patient stops halfway while the voice sings on; the microphone's samples as a 16-bit
    sound card gives them (what the store's FLAC keeps exactly)."""
    take = S.in_room("halfway", set_id, phrase_id, low, delay_s=delay, leak_db=leak)
    return replace(take, mic=(np.round(take.mic * 32767.0) / 32767.0).astype(np.float32))


def sing_along(store: Store, take: S.RoomTake, set_id: str, *, journal: bool = False,
               crash_at_s: float | None = None):
    """``take`` through the window's live worker, as the practice window runs it: the click
    test's echo path, the target played, the take journaled block by block, then saved and
    scored; or, ``crash_at_s``, the app killed that far into the take. Returns the worker, the
    attempt as the window made it, the journal and the worker's outcome (None after a crash)."""
    played, heard = S.click_test(take)
    path = measure_echo_path(played, heard, take.sr, latency_s=take.delay_s)
    assert path is not None
    patient = store.add_patient("Ann")
    m = take.melody
    new = NewAttempt(patient_id=patient.id, set_id=set_id, phrase_id=m.phrase_id, step="unison",
                     started_at=datetime.now(UTC), low_hz=m.low_hz, interval=m.interval, tempo=m.tempo,
                     latency_s=take.delay_s, id=new_id())
    taken = TakeJournal.begin(new, take.sr) if journal else None
    if taken is not None:
        new = taken.take
    worker = LiveWorker(store)
    lead = round(take.play_at_s * take.sr)
    worker.begin(TakePlan(m, "sung", take.delay_s, noise_floor_dbfs(take.mic[:lead], take.sr),
                          len(take.played) / take.sr, True, take.sr, echo=path, played=take.played,
                          played_sr=take.sr, played_options=SingOptions(), journal=taken))
    block = round(BLOCK_S * take.sr)
    for i in range(0, len(take.mic), block):
        if crash_at_s is not None and i >= crash_at_s * take.sr:
            taken.sync()
            taken._handle.close()  # what a kill leaves: the files as written, the lock gone
            taken._taps.close()
            return worker, new, taken, None
        if i == block:  # the window learns where playback started a block or so in
            worker.set_playing_from(take.play_at_s)
            worker.set_target_start(take.play_at_s + LEAD_IN_S)
        if taken is not None:
            taken.append(take.mic[i : i + block])
        worker.push(take.mic[i : i + block])
    outcomes = []
    worker.outcome.connect(outcomes.append)
    worker.finish(TakeEnd(audio=take.mic, sr=take.sr, attempt=new, journal=taken, taps_s=()))
    [outcome] = outcomes
    return worker, new, taken, outcome


def _score(attempt) -> dict:
    """The attempt's score JSON as the scorer made it (without the record kept beside it)."""
    return {k: v for k, v in attempt.score_json.items() if k != SING_ALONG_KEY}


def _detected(score_json: dict) -> list[bool]:
    return [s["detected"] for s in score_json["syllables"]]


@pytest.mark.parametrize(("set_id", "phrase_id", "low", "delay", "leak"), ROOMS[:1])
def test_rescoring_a_stored_halfway_take_gives_the_live_score(store, set_id, phrase_id, low, delay, leak):
    take = halfway(set_id, phrase_id, low, delay, leak)
    _, new, _, outcome = sing_along(store, take, set_id)
    live = store.attempt(new.id)
    assert _score(live) == outcome.result.score.to_json()  # the score the patient was shown
    assert live.voiced and not any(_detected(live.score_json)[i] for i in take.missing), live.score_json
    record = SingAlongRecord.from_json(live.sing_along)
    assert record.echo is not None and record.echo.played_at_s is not None  # the echo was found

    again = score_stored_attempt(store, new.id, again=True)

    assert _score(again) == _score(live)  # the same score, syllable for syllable
    assert not any(_detected(again.score_json)[i] for i in take.missing)
    assert again.sing_along == live.sing_along  # kept with the new score
    # What rescoring did before: the raw recording, the voice singing on credited to the patient.
    audio, sr = store.attempt_audio(new.id)
    raw = score_audio(audio, sr, take.melody, model=live.model, mode=live.mode)
    assert any(raw.syllables[i].detected for i in take.missing), raw.to_json()

    # The therapist's review draws the pitch line the take scored, not the voice singing on.
    detail = load_detail(store, again)
    stopped = np.flatnonzero(take.patient)[-1] / take.sr + 0.3
    echo_ends = take.play_at_s + take.delay_s + len(take.played) / take.sr
    after = (detail.track.times > stopped) & (detail.track.times < echo_ends)
    raw_track = track_pitch(audio, sr, "crepe-tiny")  # what the review drew before
    raw_after = (raw_track.times > stopped) & (raw_track.times < echo_ends)
    drawn = np.isfinite(detail.midi[after]).mean()
    assert drawn < 0.05 and (raw_track.confidence[raw_after] >= 0.5).mean() > 0.5, drawn


def test_a_take_whose_scoring_failed_is_scored_later_as_live(store, monkeypatch):
    """The window saves a take whose scoring failed unscored, with its record; it is scored
    behind the window at the next start."""
    take = halfway(*ROOMS[0].values)
    finish, live = LiveTake.finish, []

    def failing(self):
        live.append(finish(self))
        raise RuntimeError("the scorer failed")

    monkeypatch.setattr(LiveTake, "finish", failing)
    _, new, _, outcome = sing_along(store, take, ROOMS[0].values[0])
    assert outcome.result is None and not store.attempt(new.id).scored
    monkeypatch.undo()  # the scorer works again at the next start

    [scored], failed = score_unscored(store)

    assert failed == [] and scored.id == new.id
    assert _score(scored) == live[0].score.to_json()
    assert not any(_detected(scored.score_json)[i] for i in take.missing), scored.score_json


@pytest.mark.parametrize(("set_id", "phrase_id", "low", "delay", "leak"), ROOMS[1:])
def test_a_journaled_take_recovered_after_a_crash_scores_as_the_live_take_would(
        store, set_id, phrase_id, low, delay, leak):
    take = halfway(set_id, phrase_id, low, delay, leak)
    crash = take.play_at_s + take.delay_s + len(take.played) / take.sr  # as the voice's echo ends
    worker, new, journal, _ = sing_along(store, take, set_id, journal=True, crash_at_s=crash)
    assert (journal.folder / SING_ALONG_FILE).exists()  # noted a second or two into the take
    assert pending_takes() == [journal.folder]
    assert worker._take.detector.ended is None  # the take had not ended

    [recovered] = recover_takes(store)
    assert recovered.id == new.id and recovered.recovered and not recovered.scored
    assert recovered.sing_along is not None
    [scored], failed = score_unscored(store)

    assert failed == []
    live = worker._take.finish()  # what the take, had it ended there, would have scored
    assert _score(scored) == live.score.to_json()
    assert not any(_detected(scored.score_json)[i] for i in take.missing), scored.score_json


def test_an_attempt_stored_without_a_record_is_scored_as_before(store):
    """Attempts stored before records were kept (or never sung along): the recording alone."""
    take = halfway(*ROOMS[0].values)
    ann = store.add_patient("Ann")
    m = take.melody
    saved = store.save_attempt(
        NewAttempt(patient_id=ann.id, set_id="needs", phrase_id=m.phrase_id, step="unison",
                   started_at=datetime.now(UTC), low_hz=m.low_hz, interval=m.interval, tempo=m.tempo,
                   latency_s=take.delay_s), take.mic, take.sr)
    assert saved.sing_along is None and saved.score_json is None
    scored = score_stored_attempt(store, saved.id)
    audio, sr = store.attempt_audio(saved.id)
    assert scored.score_json == score_audio(audio, sr, m, model=saved.model, mode=saved.mode).to_json()


def test_a_record_whose_echo_was_not_found_takes_nothing_off(store):
    """Headphones plugged in since the click test: the live take found no echo, and its
    rescoring takes nothing off either (nor needs the target played)."""
    take = halfway(*ROOMS[0].values)
    quiet = S.with_headphones(take)
    played, heard = S.click_test(take)
    path = measure_echo_path(played, heard, take.sr, latency_s=take.delay_s)
    ann = store.add_patient("Ann")
    m = take.melody
    record = SingAlongRecord(target=None, target_start_s=None, echo=EchoRecord(path=path, played_at_s=None),
                             referee="swift-f0")
    saved = store.save_attempt(
        NewAttempt(patient_id=ann.id, set_id="needs", phrase_id=m.phrase_id, step="unison",
                   started_at=datetime.now(UTC), low_hz=m.low_hz, interval=m.interval, tempo=m.tempo,
                   sing_along=record), quiet.mic, take.sr)
    scored = score_stored_attempt(store, saved.id)
    audio, sr = store.attempt_audio(saved.id)
    plain = LiveTake(m, sr=sr, referee="swift-f0")  # no echo path at all
    plain.push(audio)
    assert _score(scored) == plain.finish().score.to_json()


def test_a_damaged_record_in_a_journal_still_recovers_the_take(store):
    """The samples are what must not be lost: a record that cannot be read is left out, and
    the take is scored from its samples alone."""
    ann = store.add_patient("Ann")
    new = NewAttempt(patient_id=ann.id, set_id="needs", phrase_id="i-want-some-water", step="unison",
                     started_at=datetime.now(UTC), low_hz=220.0, interval=3.0, tempo=60.0)
    journal = TakeJournal.begin(new, 16_000)
    journal.append(np.full(16_000, 0.1, np.float32))
    journal.sync()
    (journal.folder / SING_ALONG_FILE).write_text('{"target": nul', "utf-8")  # torn by hand
    journal._handle.close()
    journal._taps.close()
    [recovered] = recover_takes(store)
    assert recovered.id == journal.take.id and recovered.sing_along is None
    assert recovered.duration_s == pytest.approx(1.0)
