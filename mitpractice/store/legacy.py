"""Data kept before the store, moved into it the first time the store is opened: a migration
step of files, run after the schema's (:func:`mitpractice.store.migrate.move_legacy_files`).

Therapists' recorded models used to live in their own folder::

    <data>/recorded-targets/<set-id>/<phrase-id>.flac            (+ .json: the notes found)
    <data>/recorded-targets/<set-id>/patient-<id>/<phrase-id>.flac

:func:`move_recorded_targets` copies every model into the ``recorded_models`` table (a model
the store already holds for the same phrase and patient is newer, and is kept), and only
when all are in, renames the folder to ``recorded-targets.moved-to-store``: nothing is
deleted. A model made for a patient id the store does not know (before the store, any word
was accepted as a patient id) or a file that cannot be read stays in that renamed folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf
from sqlalchemy import and_, insert, select
from sqlalchemy.engine import Engine

from mitpractice.files import data_dir
from mitpractice.store import engine as engines
from mitpractice.store.records import dumps
from mitpractice.store.schema import patients, recorded_models
from mitpractice.store.values import encode_flac, new_id, now

OLD_FOLDER = "recorded-targets"
MOVED_FOLDER = "recorded-targets.moved-to-store"


@dataclass(frozen=True)
class MovedModels:
    """What the move did: models now in the store, files left in the renamed folder."""

    moved: int
    left: tuple[Path, ...]
    folder: Path | None  # where the old folder is now


def move_recorded_targets(engine: Engine, root: Path | None = None) -> MovedModels:
    """Move the recorded models of the old folder into the database (see the module's text)."""
    root = root or data_dir() / OLD_FOLDER
    if not root.is_dir():
        return MovedModels(moved=0, left=(), folder=None)
    with engine.connect() as conn:
        known = set(conn.execute(select(patients.c.id)).scalars())
    moved, left = 0, []
    for set_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        owners: list[tuple[Path, str | None]] = [(set_dir, None)]
        for sub in sorted(p for p in set_dir.iterdir() if p.is_dir() and p.name.startswith("patient-")):
            owners.append((sub, sub.name.removeprefix("patient-")))
        for folder, patient in owners:
            for audio in sorted(folder.glob("*.flac")):
                if patient is not None and patient not in known:
                    left.append(audio)
                    continue
                try:
                    notes = json.loads(audio.with_suffix(".json").read_text("utf-8"))
                    y, sr = sf.read(str(audio), dtype="float32", always_2d=False)
                except (OSError, ValueError, RuntimeError):
                    left.append(audio)
                    continue
                _keep(engine, set_dir.name, audio.stem, patient, y, int(sr), notes)
                moved += 1
    target = root.with_name(MOVED_FOLDER)
    suffix = 1
    while target.exists():
        suffix += 1
        target = root.with_name(f"{MOVED_FOLDER}-{suffix}")
    try:
        os.rename(root, target)
    except OSError:  # another process opening the store moved it at the same moment
        return MovedModels(moved=moved, left=tuple(left), folder=None)
    return MovedModels(moved=moved, left=tuple(target / p.relative_to(root) for p in left), folder=target)


def _keep(engine: Engine, set_id: str, phrase_id: str, patient_id: str | None, y, sr: int, notes) -> None:
    """One model into ``recorded_models``, unless the store already holds a (newer) one."""
    owner = (recorded_models.c.patient_id.is_(None) if patient_id is None
             else recorded_models.c.patient_id == patient_id)
    key = and_(recorded_models.c.set_id == set_id, recorded_models.c.phrase_id == phrase_id, owner)
    with engines.writer(engine).begin() as conn:
        if conn.execute(select(recorded_models.c.id).where(key)).first() is not None:
            return
        conn.execute(insert(recorded_models).values(
            id=new_id(), set_id=set_id, phrase_id=phrase_id, patient_id=patient_id, sr=sr,
            flac=encode_flac(y, sr), notes_json=dumps(notes), created_at=now()))
