"""The therapist's PIN: chosen at first use, kept as a slow salted hash, guessing slowed down."""

from __future__ import annotations

import pytest

from mitpractice.store import Store
from mitpractice.store.pin import (
    FREE_TRIES,
    MAX_DELAY_S,
    PIN_FAILURES_KEY,
    PIN_HASH_KEY,
    PinError,
    PinGuard,
    verify_pin,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path):
    with Store.open(f"sqlite:///{tmp_path}/pin.sqlite3") as s:
        yield s


def test_first_use_chooses_the_pin_and_only_its_salted_hash_is_kept(store, tmp_path):
    guard = PinGuard(store)
    assert not guard.is_set()
    with pytest.raises(PinError, match="no PIN"):
        guard.check("24681357")
    for bad in ("12", "12ab", "1234567890123", "١٢٣٤"):
        with pytest.raises(PinError):
            guard.set_pin(bad)
    guard.set_pin("24681357")
    stored = store.setting(PIN_HASH_KEY)
    assert "24681357" not in stored and stored.startswith("scrypt$")
    assert b"24681357" not in (tmp_path / "pin.sqlite3").read_bytes()
    assert guard.check("24681357") and not guard.check("24681358")
    # The same PIN set again gets a new salt: two stores never share a hash.
    guard.set_pin("24681357")
    assert store.setting(PIN_HASH_KEY) != stored
    assert verify_pin("24681357", store.setting(PIN_HASH_KEY))
    assert not verify_pin("24681357", "plain$24681357")


def test_wrong_tries_slow_down_and_survive_a_restart(tmp_path):
    url = f"sqlite:///{tmp_path}/pin.sqlite3"
    clock = Clock()
    with Store.open(url) as store:
        guard = PinGuard(store, clock)
        guard.set_pin("24681357")
        waits = [guard.attempt("0000").wait_s for _ in range(FREE_TRIES - 1)]
        assert waits == [0.0] * (FREE_TRIES - 1)
        fifth = guard.attempt("0000")
        assert not fifth.ok and fifth.failures == FREE_TRIES and fifth.wait_s > 0
        # A try before the wait is over is refused and does not count, even the right PIN.
        with pytest.raises(PinError, match="wait"):
            guard.check("24681357")
        assert guard.failures() == FREE_TRIES
    # Closing and reopening the workspace does not reset the count or the wait.
    with Store.open(url) as store:
        guard = PinGuard(store, clock)
        assert guard.wait_s() == pytest.approx(fifth.wait_s)
        clock.now += fifth.wait_s
        sixth = guard.attempt("1111")
        assert sixth.wait_s > fifth.wait_s  # growing
        clock.now += sixth.wait_s
        for _ in range(20):
            clock.now += guard.wait_s()
            last = guard.attempt("1111")
        assert last.wait_s == MAX_DELAY_S
        clock.now += last.wait_s
        assert guard.check("24681357")
        assert guard.failures() == 0 and guard.wait_s() == 0


def test_a_damaged_failure_record_does_not_open_the_door(store):
    clock = Clock()
    guard = PinGuard(store, clock)
    guard.set_pin("24681357")
    store.set_setting(PIN_FAILURES_KEY, "not json")
    assert guard.wait_s() == MAX_DELAY_S
    with pytest.raises(PinError):
        guard.check("24681357")
    clock.now += MAX_DELAY_S
    assert guard.check("24681357")
