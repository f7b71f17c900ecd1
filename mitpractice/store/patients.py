"""Patients and their clinical test results: the ``patients`` and ``test_results`` tables."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select, update

from mitpractice.errors import ParameterError, StoreError
from mitpractice.melody import DEFAULT_INTERVAL, DEFAULT_LOW, DEFAULT_TEMPO, note_to_hz
from mitpractice.store.base import StoreBase
from mitpractice.store.records import DEFAULT_DAILY_GOAL_MIN, LEVELS, Patient, TestResult, dumps
from mitpractice.store.schema import patients, test_results
from mitpractice.store.values import new_id, now

#: The longest patient name (characters): room for any real full name, not for a pasted file.
MAX_NAME_CHARS = 200


def check_low(low: str | float) -> float:
    """A patient's low pitch in Hz, from a note name or Hz, within what a human voice sings
    (:data:`mitpractice.melody.MIN_HZ` to :data:`~mitpractice.melody.MAX_HZ`); every way a low
    pitch enters the store (the command line, the workspace, a bundle, a restore) passes here.

    >>> round(check_low("A3")), check_low(150)
    (220, 150.0)
    """
    try:
        return note_to_hz(low)
    except (ParameterError, ValueError, TypeError) as exc:
        raise StoreError(f"low pitch: {exc}") from None


class PatientTables(StoreBase):
    """Adding, changing and finding patients; their clinical test results by date."""

    def add_patient(
        self,
        name: str,
        *,
        low: str | float = DEFAULT_LOW,
        interval: float = DEFAULT_INTERVAL,
        tempo: float = DEFAULT_TEMPO,
        level: str = "elementary",
        tapping: bool = False,
        daily_goal_min: float = DEFAULT_DAILY_GOAL_MIN,
        notes: str = "",
        id: str | None = None,
    ) -> Patient:
        """Create a patient; ``low`` is a note name (``C3``) or Hz."""
        row = _patient_values(
            name=name,
            low=low,
            interval=interval,
            tempo=tempo,
            level=level,
            tapping=tapping,
            daily_goal_min=daily_goal_min,
            notes=notes,
        )
        stamp = now()
        row.update(id=id or new_id(), thresholds_json="{}", created_at=stamp, updated_at=stamp)
        with self.transaction("add the patient") as conn:
            conn.execute(insert(patients).values(**row))
        return self.patient(row["id"])

    def update_patient(self, patient_id: str, **changes: Any) -> Patient:
        """Change a patient's settings: any of ``name, low, interval, tempo, level, tapping,
        daily_goal_min, notes, thresholds`` (a dict of step id → pass score)."""
        current = self.patient(patient_id)
        thresholds = changes.pop("thresholds", None)
        unknown = set(changes) - {
            "name",
            "low",
            "interval",
            "tempo",
            "level",
            "tapping",
            "daily_goal_min",
            "notes",
        }
        if unknown:
            raise StoreError(f"a patient has no setting {sorted(unknown)[0]!r}")
        merged = {
            "name": current.name,
            "low": current.low_hz,
            "interval": current.interval,
            "tempo": current.tempo,
            "level": current.level,
            "tapping": current.tapping,
            "daily_goal_min": current.daily_goal_min,
            "notes": current.notes,
            **changes,
        }
        row = _patient_values(**merged)
        if thresholds is not None:
            row["thresholds_json"] = dumps(_thresholds(thresholds))
        row["updated_at"] = now()
        with self.transaction("change the patient") as conn:
            conn.execute(update(patients).where(patients.c.id == patient_id).values(**row))
        return self.patient(patient_id)

    def patients(self) -> list[Patient]:
        """Every patient, by name."""
        with self._read() as conn:
            rows = conn.execute(select(patients).order_by(patients.c.name, patients.c.created_at))
            return [_patient(r) for r in rows.mappings()]

    def patient(self, patient_id: str) -> Patient:
        with self._read() as conn:
            row = conn.execute(select(patients).where(patients.c.id == patient_id)).mappings().first()
        if row is None:
            raise StoreError(f"no patient with id {patient_id!r}")
        return _patient(row)

    def find_patient(self, id_or_name: str) -> Patient:
        """The patient with this id, or the one whose name matches (case-insensitive, or a
        unique start of it); :class:`StoreError` if none or several match."""
        everyone = self.patients()
        for p in everyone:
            if p.id == id_or_name:
                return p
        wanted = id_or_name.strip().casefold()
        for matches in (
            [p for p in everyone if p.name.casefold() == wanted],
            [p for p in everyone if p.name.casefold().startswith(wanted)],
            [p for p in everyone if p.id.startswith(id_or_name)],
        ):
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                names = ", ".join(f"{p.name} ({p.id[:8]})" for p in matches[:4])
                raise StoreError(f"{id_or_name!r} matches several patients: {names}; give the id")
        raise StoreError(f"no patient {id_or_name!r} (see: mitpractice patients list)")

    # clinical tests
    def add_test_result(
        self, patient_id: str, test: str, taken_on: date, value: float | None = None, text: str = ""
    ) -> TestResult:
        """Record a clinical test (WAB, BNT, ANELT, CIUs per minute, or free-form) on a date."""
        self.patient(patient_id)
        if not test.strip():
            raise StoreError("a test result needs the test's name")
        if value is None and not text.strip():
            raise StoreError(f"the {test} result needs a value or a text")
        row = dict(
            id=new_id(),
            patient_id=patient_id,
            test=test.strip(),
            taken_on=taken_on,
            value=value,
            text=text,
            created_at=now(),
        )
        with self.transaction("add the test result") as conn:
            conn.execute(insert(test_results).values(**row))
        return TestResult(
            id=row["id"], patient_id=patient_id, test=row["test"], taken_on=taken_on, value=value, text=text
        )

    def test_results(self, patient_id: str) -> list[TestResult]:
        with self._read() as conn:
            rows = conn.execute(
                select(test_results)
                .where(test_results.c.patient_id == patient_id)
                .order_by(test_results.c.taken_on, test_results.c.test)
            ).mappings()
            return [
                TestResult(
                    id=r["id"],
                    patient_id=r["patient_id"],
                    test=r["test"],
                    taken_on=r["taken_on"],
                    value=r["value"],
                    text=r["text"],
                )
                for r in rows
            ]

    def delete_test_result(self, result_id: str) -> None:
        with self.transaction("delete the test result") as conn:
            conn.execute(delete(test_results).where(test_results.c.id == result_id))


def _patient_values(
    *,
    name: str,
    low: str | float,
    interval: float,
    tempo: float,
    level: str,
    tapping: bool,
    daily_goal_min: float,
    notes: str,
) -> dict[str, Any]:
    from mitpractice.phrases import INTERVAL_LIMITS, TEMPO_LIMITS

    name = str(name).strip()
    if not name:
        raise StoreError("a patient needs a name")
    if len(name) > MAX_NAME_CHARS:
        raise StoreError(f"a patient's name has at most {MAX_NAME_CHARS} characters, not {len(name)}")
    if any(not ch.isprintable() for ch in name):
        raise StoreError(f"a patient's name is one line of text without control characters, not {name!r}")
    if level not in LEVELS:
        raise StoreError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    low_hz = check_low(low)
    for label, value, (lo, hi) in (("interval", interval, INTERVAL_LIMITS), ("tempo", tempo, TEMPO_LIMITS)):
        if not lo <= float(value) <= hi:
            raise StoreError(f"{label} must lie between {lo:g} and {hi:g}, not {value:g}")
    if not 0 < float(daily_goal_min) <= 24 * 60:
        raise StoreError(f"the daily goal is minutes between 1 and 1440, not {daily_goal_min:g}")
    return dict(
        name=name,
        low_hz=low_hz,
        interval=float(interval),
        tempo=float(tempo),
        level=level,
        tapping=bool(tapping),
        daily_goal_min=float(daily_goal_min),
        notes=str(notes),
    )


def _thresholds(values: dict[str, float]) -> dict[str, float]:
    out = {}
    for step, score in values.items():
        if not 0 <= float(score) <= 100:
            raise StoreError(f"the pass score of step {step!r} is 0–100, not {score}")
        out[str(step)] = float(score)
    return out


def _patient(r) -> Patient:
    return Patient(
        id=r["id"],
        name=r["name"],
        low_hz=r["low_hz"],
        interval=r["interval"],
        tempo=r["tempo"],
        level=r["level"],
        tapping=bool(r["tapping"]),
        daily_goal_min=r["daily_goal_min"],
        thresholds=json.loads(r["thresholds_json"]),
        notes=r["notes"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


