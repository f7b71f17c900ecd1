"""A patient's programme: the phrase sets kept (``phrase_sets``), the phrases assigned
(``assignments``) and the therapists' recorded models of them (``recorded_models``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import and_, delete, insert, select, update

from mitpractice.errors import StoreError
from mitpractice.phrases import PhraseSet, parse_phrase_set
from mitpractice.store.base import StoreBase
from mitpractice.store.records import Assignment, PhraseSetRecord, RecordedModel, dumps
from mitpractice.store.schema import assignments, phrase_sets, recorded_models
from mitpractice.store.values import encode_flac, new_id, now

#: What an :class:`Assignment` holds (the removal mark is the store's and the bundles' only).
_ASSIGNMENT_COLUMNS = [c for c in assignments.c if c.name != "removed_at"]


class ProgrammeTables(StoreBase):
    """Phrase sets (the TOML text imported), assignments and recorded models."""

    def import_phrase_set(self, source: str | Path, *, text: str | None = None) -> PhraseSetRecord:
        """Keep a phrase set's TOML text (validated first); importing the same text again
        returns the version already kept.

        ``source`` is a file, or (with ``text``) the name to give the text in messages.
        """
        if text is None:
            from mitpractice.phrases import load_phrase_set

            path = Path(source)
            parsed = load_phrase_set(path)
            text = path.read_text("utf-8")
        else:
            parsed = parse_phrase_set(text, source)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._read() as conn:
            row = conn.execute(select(phrase_sets).where(phrase_sets.c.sha256 == digest)).mappings().first()
        if row is not None:
            return _set_record(row)
        record = dict(
            id=new_id(), set_id=parsed.id, title=parsed.title, toml=text, sha256=digest, imported_at=now()
        )
        try:
            with self.transaction("import the phrase set") as conn:
                conn.execute(insert(phrase_sets).values(**record))
        except StoreError:
            with self._read() as conn:  # imported by another process at the same moment
                row = (
                    conn.execute(select(phrase_sets).where(phrase_sets.c.sha256 == digest)).mappings().first()
                )
            if row is None:
                raise
            return _set_record(row)
        return PhraseSetRecord(**record)

    def phrase_set_versions(self) -> list[PhraseSetRecord]:
        """Every imported version of every set, the newest of each set first."""
        with self._read() as conn:
            rows = conn.execute(
                select(phrase_sets).order_by(phrase_sets.c.set_id, phrase_sets.c.imported_at.desc())
            )
            return [_set_record(r) for r in rows.mappings()]

    def phrase_set_record(self, set_id: str) -> PhraseSetRecord:
        """The newest imported version of a set; bundled sets are imported on first use."""
        with self._read() as conn:
            row = (
                conn.execute(
                    select(phrase_sets)
                    .where(phrase_sets.c.set_id == set_id)
                    .order_by(phrase_sets.c.imported_at.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
        if row is not None:
            return _set_record(row)
        bundled = _bundled_set_file(set_id)
        if bundled is None:
            raise StoreError(f"no phrase set {set_id!r} in the store or among the bundled sets")
        return self.import_phrase_set(bundled)

    def phrase_set(self, set_id_or_version: str) -> PhraseSet:
        """A set parsed from its kept text: by set id (the newest version) or version id."""
        with self._read() as conn:
            row = (
                conn.execute(select(phrase_sets).where(phrase_sets.c.id == set_id_or_version))
                .mappings()
                .first()
            )
        record = _set_record(row) if row is not None else self.phrase_set_record(set_id_or_version)
        return parse_phrase_set(record.toml, f"{record.set_id} (imported {record.imported_at:%Y-%m-%d})")

    def _set_version(self, version_id: str) -> PhraseSetRecord:
        with self._read() as conn:
            row = conn.execute(select(phrase_sets).where(phrase_sets.c.id == version_id)).mappings().first()
        if row is None:
            raise StoreError(f"no phrase set version {version_id!r} in the store")
        return _set_record(row)

    # assignments
    def assign(
        self, patient_id: str, set_id: str, phrase_ids: Sequence[str] = (), *, probe: bool = False
    ) -> list[Assignment]:
        """Assign a set (all of it, or the phrases named) to a patient, trained or as probes.

        Assigning a phrase again updates it to the newest version of the set and to ``probe``,
        and puts a removed phrase back on the programme.
        """
        self.patient(patient_id)
        record = self.phrase_set_record(set_id)
        parsed = parse_phrase_set(record.toml, record.set_id)
        wanted = list(phrase_ids) or [p.id for p in parsed.phrases]
        for phrase_id in wanted:
            parsed.phrase(phrase_id)  # PhraseError for an unknown phrase
        stamp = now()
        with self.transaction("assign the phrases") as conn:
            for phrase_id in wanted:
                existing = conn.execute(
                    select(assignments.c.id).where(
                        and_(
                            assignments.c.patient_id == patient_id,
                            assignments.c.set_id == record.set_id,
                            assignments.c.phrase_id == phrase_id,
                        )
                    )
                ).scalar()
                values = dict(phrase_set_id=record.id, probe=probe, assigned_at=stamp, removed_at=None)
                if existing:
                    conn.execute(update(assignments).where(assignments.c.id == existing).values(**values))
                else:
                    conn.execute(
                        insert(assignments).values(
                            id=new_id(),
                            patient_id=patient_id,
                            set_id=record.set_id,
                            phrase_id=phrase_id,
                            **values,
                        )
                    )
        return [
            a for a in self.assignments(patient_id) if a.set_id == record.set_id and a.phrase_id in wanted
        ]

    def unassign(self, patient_id: str, set_id: str, phrase_ids: Sequence[str] = ()) -> int:
        """Take phrases (or a whole set) off a patient's programme; returns how many.

        The rows stay, marked with the time of the removal (``removed_at``), so that a bundle
        carries the removal to the other computer; :meth:`assignments` no longer lists them.
        """
        condition = and_(
            assignments.c.patient_id == patient_id,
            assignments.c.set_id == set_id,
            assignments.c.removed_at.is_(None),
        )
        if phrase_ids:
            condition = and_(condition, assignments.c.phrase_id.in_(list(phrase_ids)))
        with self.transaction("unassign the phrases") as conn:
            return conn.execute(update(assignments).where(condition).values(removed_at=now())).rowcount

    def assignments(self, patient_id: str) -> list[Assignment]:
        """A patient's programme, in the order the phrases were assigned and stand in their set
        (phrases taken off it are left out)."""
        with self._read() as conn:
            rows = (
                conn.execute(
                    select(*_ASSIGNMENT_COLUMNS)
                    .where(and_(assignments.c.patient_id == patient_id, assignments.c.removed_at.is_(None)))
                    .order_by(assignments.c.assigned_at)
                )
                .mappings()
                .all()
            )
        result = [Assignment(**dict(r)) for r in rows]
        order = {}
        for record_id in {a.phrase_set_id for a in result}:
            parsed = self.phrase_set(record_id)
            order.update({(parsed.id, p.id): i for i, p in enumerate(parsed.phrases)})
        return sorted(result, key=lambda a: (a.assigned_at, a.set_id, order.get((a.set_id, a.phrase_id), 0)))

    # recorded models
    def save_recorded_model(
        self,
        set_id: str,
        phrase_id: str,
        patient_id: str | None,
        audio: np.ndarray,
        sr: int,
        notes: dict[str, Any],
    ) -> RecordedModel:
        """Keep a therapist's model of a phrase (for one patient, or for all), replacing the old."""
        flac = encode_flac(audio, sr)
        model = RecordedModel(
            id=new_id(),
            set_id=set_id,
            phrase_id=phrase_id,
            patient_id=patient_id,
            sr=sr,
            flac=flac,
            notes=notes,
            created_at=now(),
        )
        with self.transaction("keep the recorded model") as conn:
            conn.execute(delete(recorded_models).where(_model_key(set_id, phrase_id, patient_id)))
            conn.execute(
                insert(recorded_models).values(
                    id=model.id,
                    set_id=set_id,
                    phrase_id=phrase_id,
                    patient_id=patient_id,
                    sr=sr,
                    flac=flac,
                    notes_json=dumps(notes),
                    created_at=model.created_at,
                )
            )
        return model

    def recorded_model(self, set_id: str, phrase_id: str, patient_id: str | None) -> RecordedModel | None:
        with self._read() as conn:
            row = (
                conn.execute(select(recorded_models).where(_model_key(set_id, phrase_id, patient_id)))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return RecordedModel(
            id=row["id"],
            set_id=row["set_id"],
            phrase_id=row["phrase_id"],
            patient_id=row["patient_id"],
            sr=row["sr"],
            flac=row["flac"],
            notes=json.loads(row["notes_json"]),
            created_at=row["created_at"],
        )

    def forget_recorded_model(self, set_id: str, phrase_id: str, patient_id: str | None) -> bool:
        with self.transaction("delete the recorded model") as conn:
            return (
                conn.execute(
                    delete(recorded_models).where(_model_key(set_id, phrase_id, patient_id))
                ).rowcount
                > 0
            )


def _set_record(r) -> PhraseSetRecord:
    return PhraseSetRecord(
        id=r["id"],
        set_id=r["set_id"],
        title=r["title"],
        toml=r["toml"],
        sha256=r["sha256"],
        imported_at=r["imported_at"],
    )


def _model_key(set_id: str, phrase_id: str, patient_id: str | None):
    owner = (
        recorded_models.c.patient_id.is_(None)
        if patient_id is None
        else recorded_models.c.patient_id == patient_id
    )
    return and_(recorded_models.c.set_id == set_id, recorded_models.c.phrase_id == phrase_id, owner)


def _bundled_set_file(set_id: str) -> Path | None:
    from mitpractice.phrases import bundled_phrases_dir, load_phrase_set

    for path in sorted(bundled_phrases_dir().glob("*.toml")):
        if path.stem == set_id or load_phrase_set(path).id == set_id:
            return path
    return None
