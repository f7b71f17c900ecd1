"""The therapist's PIN: kept only as a slow salted hash, and guarded against guessing.

Patients practise on the same computer as the therapist's workspace, so the workspace asks a
PIN chosen at first use. The PIN itself is never stored: only ``scrypt(pin, salt)`` with a
random salt, in the store's settings. After :data:`FREE_TRIES` wrong tries in a row every
further try must wait, twice as long each time up to :data:`MAX_DELAY_S`; the count and the
time of the next allowed try are kept in the store, so closing and reopening the workspace
does not reset them. A right PIN clears the count. However the clock jumps (a try made while
it ran a year fast, then set right), no wait lasts longer than :data:`MAX_DELAY_S` from now.

No Qt here: the workspace and the ``therapist`` command both use :class:`PinGuard`.

Examples
--------
>>> import tempfile
>>> from mitpractice.store import Store
>>> store = Store.open(f"sqlite:///{tempfile.mkdtemp()}/pin.sqlite3")
>>> guard = PinGuard(store)
>>> guard.is_set()
False
>>> guard.set_pin("24681357")
>>> guard.check("24681357"), guard.check("1111")
(True, False)
>>> "24681357" in store.setting(PIN_HASH_KEY)
False
>>> store.close()
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from mitpractice.errors import StoreError

#: Settings keys: the hash (``scrypt$n$r$p$salt$hash``, hex) and the failure record (JSON).
PIN_HASH_KEY = "therapist.pin_hash"
PIN_FAILURES_KEY = "therapist.pin_failures"
#: scrypt cost: 2**14 blocks of 8 × 128 bytes (16 MiB, about 50 ms here), the cost
#: RFC 7914 suggests for interactive logins. Each guess costs an attacker as much.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
#: Shortest and longest PIN (digits): four digits is what a bank card asks; more is allowed.
MIN_PIN_DIGITS, MAX_PIN_DIGITS = 4, 12
#: Wrong tries in a row allowed without waiting (a therapist mistyping, not a patient guessing).
FREE_TRIES = 5
#: Wait (s) after the first wrong try past the free ones; it doubles with each further one.
FIRST_DELAY_S = 2.0
#: The longest wait (s): 5 minutes, long enough to make guessing 10 000 PINs take weeks, short
#: enough that a therapist who mistyped is not locked out of a session.
MAX_DELAY_S = 300.0


class PinError(StoreError):
    """A PIN that cannot be set (too short, not digits) or a try made too early."""


@dataclass(frozen=True)
class PinCheck:
    """The outcome of one try: right or not, and how long before the next try is allowed."""

    ok: bool
    failures: int
    wait_s: float


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """The stored form of a PIN: ``scrypt$N$r$p$salt$hash`` (hex), never the PIN.

    Examples
    --------
    >>> h = hash_pin("24681357", bytes(16))
    >>> h.startswith("scrypt$16384$8$1$"), "24681357" in h
    (True, False)
    """
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    digest = hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 2**20,
        dklen=HASH_BYTES,
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    """Whether ``pin`` hashes to ``stored`` (with the cost and salt ``stored`` names)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        found = hashlib.scrypt(
            pin.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
            maxmem=64 * 2**20, dklen=len(digest) // 2,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found.hex(), digest)


def check_new_pin(pin: str) -> str | None:
    """What is wrong with a PIN chosen at first use, or None.

    >>> check_new_pin("12"), check_new_pin("12a4"), check_new_pin("24681357")
    ('a PIN has 4 to 12 digits', 'a PIN has digits only', None)
    """
    if not pin.isascii() or not pin.isdigit():
        return "a PIN has digits only" if len(pin) >= MIN_PIN_DIGITS else "a PIN has 4 to 12 digits"
    if not MIN_PIN_DIGITS <= len(pin) <= MAX_PIN_DIGITS:
        return f"a PIN has {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits"
    return None


def delay_after(failures: int) -> float:
    """Seconds to wait before the next try after ``failures`` wrong tries in a row.

    >>> [delay_after(n) for n in (4, 5, 6, 7, 20)]
    [0.0, 2.0, 4.0, 8.0, 300.0]
    """
    if failures < FREE_TRIES:
        return 0.0
    return min(MAX_DELAY_S, FIRST_DELAY_S * 2.0 ** (failures - FREE_TRIES))


class PinGuard:
    """The PIN of one store: set it, check tries, and say how long the next one must wait.

    Parameters
    ----------
    store : Store
        Where the hash and the failure record are kept (its settings).
    clock : callable, optional
        Seconds since the epoch (``time.time``); tests pass their own.
    """

    def __init__(self, store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def is_set(self) -> bool:
        return bool(self.store.setting(PIN_HASH_KEY))

    def set_pin(self, pin: str) -> None:
        """Choose (or change) the PIN; :class:`PinError` for one that is too short."""
        problem = check_new_pin(pin)
        if problem:
            raise PinError(problem)
        self.store.set_setting(PIN_HASH_KEY, hash_pin(pin))
        self._save(0, 0.0)

    def failures(self) -> int:
        return self._load()[0]

    def wait_s(self) -> float:
        """Seconds before a try is allowed (0 when one may try now)."""
        return max(0.0, self._load()[1] - self.clock())

    def check(self, pin: str) -> bool:
        """Try a PIN: True if right. A wrong one counts and may make the next try wait.

        Raises
        ------
        PinError
            If no PIN is set yet, or the try comes before the wait is over (it does not count).
        """
        return self.attempt(pin).ok

    def attempt(self, pin: str) -> PinCheck:
        """:meth:`check` with the failure count and the wait that follows."""
        stored = self.store.setting(PIN_HASH_KEY)
        if not stored:
            raise PinError("no PIN has been chosen yet")
        failures, until = self._load()
        now = self.clock()
        if until > now:
            raise PinError(f"too many wrong PINs: wait {until - now:.0f} s before the next try")
        if verify_pin(pin, stored):
            self._save(0, 0.0)
            return PinCheck(ok=True, failures=0, wait_s=0.0)
        failures += 1
        wait = delay_after(failures)
        self._save(failures, now + wait)
        return PinCheck(ok=False, failures=failures, wait_s=wait)

    def _load(self) -> tuple[int, float]:
        raw = self.store.setting(PIN_FAILURES_KEY)
        if not raw:
            return 0, 0.0
        try:
            data = json.loads(raw)
            failures, until = int(data["failures"]), float(data["until"])
            if not until < self.clock() + MAX_DELAY_S:
                # Set while the clock ran fast (or damaged, or NaN): the wait never lasts longer
                # than MAX_DELAY_S from now, whatever the clock did. Kept, so it does not slide.
                until = self.clock() + MAX_DELAY_S
                self._save(failures, until)
            return failures, until
        except (ValueError, KeyError, TypeError, OverflowError):
            # A damaged record must not open the door: it becomes the longest wait, kept, so
            # the door opens again once that wait is over.
            record = (FREE_TRIES + 16, self.clock() + MAX_DELAY_S)
            self._save(*record)
            return record

    def _save(self, failures: int, until: float) -> None:
        self.store.set_setting(PIN_FAILURES_KEY, json.dumps({"failures": failures, "until": until}))
