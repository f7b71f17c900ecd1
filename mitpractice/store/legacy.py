"""Data kept before the store, moved into it the first time the store is opened.

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
from typing import TYPE_CHECKING

import soundfile as sf

from mitpractice.files import data_dir

if TYPE_CHECKING:
    from mitpractice.store.api import Store

OLD_FOLDER = "recorded-targets"
MOVED_FOLDER = "recorded-targets.moved-to-store"


@dataclass(frozen=True)
class MovedModels:
    """What the move did: models now in the store, files left in the renamed folder."""

    moved: int
    left: tuple[Path, ...]
    folder: Path | None  # where the old folder is now


def move_recorded_targets(store: Store, root: Path | None = None) -> MovedModels:
    """Move the recorded models of the old folder into ``store`` (see the module's text)."""
    root = root or data_dir() / OLD_FOLDER
    if not root.is_dir():
        return MovedModels(moved=0, left=(), folder=None)
    known = {p.id for p in store.patients()}
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
                if store.recorded_model(set_dir.name, audio.stem, patient) is None:
                    store.save_recorded_model(set_dir.name, audio.stem, patient, y, int(sr), notes)
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
