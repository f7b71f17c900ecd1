"""Today's plan and the session as it goes (mitpractice.practice.plan)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mitpractice.errors import ParameterError
from mitpractice.phrases import Phrase
from mitpractice.practice import plan as plan_mod
from mitpractice.practice.plan import Assigned, SessionState, bundled_assignment, plan_session

NOW = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)


def phrase(n: int) -> Phrase:
    return Phrase(id=f"p{n}", text=f"Phrase {n}", syllables=("a", "b"), pitches="HL")


def assigned(n: int, probe: bool = False, days_ago: float | None = None) -> Assigned:
    when = None if days_ago is None else NOW - timedelta(days=days_ago)
    return Assigned(set_id="mine", phrase=phrase(n), probe=probe, last_practised=when)


def ids(plan) -> list[str]:
    return [p.assigned.phrase.id for p in plan]


def test_with_nothing_assigned_the_patient_practises_the_bundled_elementary_greetings():
    bundled = bundled_assignment()
    assert {a.set_id for a in bundled} == {"greetings"}
    assert all(a.phrase.level == "elementary" for a in bundled)
    session = SessionState.start([], level="elementary")
    assert len(session.plan) == plan_mod.SESSION_PHRASES
    assert session.current.assigned.phrase.id == "thank-you"
    probes = [p for p in session.plan if p.probe]
    assert [p.assigned.phrase.id for p in probes] == ["see-you-soon"]  # the set's own probe


def test_the_session_is_capped_and_suggests_a_rest_every_five_phrases():
    session = SessionState.start([assigned(n) for n in range(30)], level="intermediate")
    assert len(session.plan) == 15
    rests = []
    while not session.finished:
        session = session.next(passed=True)
        rests.append(session.rest_due)
    assert [i + 1 for i, r in enumerate(rests) if r] == [5, 10]  # not at the end: the session is over
    assert session.current is None
    with pytest.raises(ParameterError):
        session.next(passed=True)


def test_phrases_never_practised_come_first_then_the_least_recent():
    plan = plan_session([assigned(1, days_ago=1), assigned(2, days_ago=3), assigned(3),
                         assigned(4, days_ago=2)])
    assert ids(plan)[:4] == ["p3", "p2", "p4", "p1"]


def test_few_phrases_come_round_again_but_never_twice_in_a_row_and_at_most_three_times():
    plan = plan_session([assigned(1), assigned(2)])
    assert ids(plan) == ["p1", "p2"] * plan_mod.MAX_ROUNDS
    assert [p.round for p in plan] == [1, 1, 2, 2, 3, 3]
    assert ids(plan_session([assigned(1)])) == ["p1"]
    assert ids(plan_session([assigned(1), assigned(1), assigned(2)])) == ["p1", "p2"] * 3  # a duplicate


def test_probes_are_tested_now_and_then_between_blocks_least_recently_tested_first():
    trained = [assigned(n) for n in range(10)]
    probes = [assigned(100, True, days_ago=1), assigned(101, True, days_ago=9), assigned(102, True)]
    plan = plan_session(trained + probes)
    where = [(i, p.assigned.phrase.id) for i, p in enumerate(plan) if p.probe]
    assert where == [(4, "p102"), (9, "p101")]  # never tested first; at most two; before each rest
    assert len(plan) == 15 and not plan[0].probe and not plan[-1].probe


def test_a_probe_is_only_asked_never_practised():
    plan = plan_session([assigned(n) for n in range(6)] + [assigned(9, True)])
    probe = next(p for p in plan if p.probe)
    for level in ("elementary", "intermediate", "advanced"):
        state = probe.steps(level)
        assert state.probe_only and state.step.asks_question and not state.step.plays_target
    trained = plan[0].steps("elementary")
    assert trained.step.id == "listen" and not trained.probe_only


def test_only_probes_assigned_gives_a_test_session():
    plan = plan_session([assigned(1, True), assigned(2, True), assigned(3, True)])
    assert [p.probe for p in plan] == [True, True]


def test_progress_counts_up_towards_the_days_goal_and_never_counts_down():
    session = SessionState.start([assigned(1), assigned(2)], level="elementary", minutes_today=10,
                                 goal_minutes=30)
    early = session.progress(minutes_this_session=5)
    assert early.minutes == 15 and early.fraction == pytest.approx(0.5) and not early.goal_reached
    late = session.next(True).progress(minutes_this_session=25)
    assert late.goal_reached and late.fraction == 1.0 and late.phrases_done == 1
    for words in (early.words(), late.words()):
        assert "left" not in words and "remaining" not in words
    assert "goal" in late.words()


def test_bad_input_is_refused():
    with pytest.raises(ParameterError):
        SessionState.start([], level="beginner")
    with pytest.raises(ParameterError):
        SessionState.start([], level="elementary", minutes_today=-5)
    with pytest.raises(ParameterError):
        plan_session([assigned(1)], max_phrases=0)
    with pytest.raises(ParameterError):
        SessionState.start([], level="elementary").progress(float("nan"))
