"""Bundles: one patient's data carried between the home computer and the clinic, encrypted.

A bundle holds a patient's settings, programme (assignments and the phrase sets' TOML text
they point to), clinical test results, the therapists' recorded models for them, and their
practice sessions and attempts with audio (all, or those since a day). The same file goes
both ways: the clinic sends a programme home, home sends attempts back. Importing merges by
id (UUIDs), so importing a bundle again adds nothing; for what both sides hold (the patient's
settings, an assignment, a recorded model) the newer one wins. A phrase taken off the
programme keeps its row with the time of the removal (``removed_at``), so the removal travels
too: of the two sides' rows for one assigned phrase, the one changed last (assigned or
removed) wins, and a phrase assigned again later comes back the same way.

The file is encrypted with a passphrase, since it travels by USB stick or e-mail: a key from
scrypt (:data:`SCRYPT_N`, r=8, p=1, a random 16-byte salt) and AES-256-GCM over the whole
content, the header authenticated with it (associated data). Only the key settings this
version writes are accepted, checked before the key is derived, so a changed header cannot
make an import ask for gigabytes of memory or run for minutes. A wrong passphrase and a
damaged file look the same to AES-GCM, and both leave the store untouched::

    b"MITPBNDL" | version (1 byte) | log2 N, r, p (1 byte each) | salt (16) | nonce (12) | ciphertext

Inside, the plaintext is a ZIP laid out as a backup (:mod:`~mitpractice.store.backup`).

Examples
--------
>>> import tempfile, pathlib
>>> from mitpractice.store import Store
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> clinic = Store.open(f"sqlite:///{folder / 'clinic.sqlite3'}")
>>> ann = clinic.add_patient("Ann")
>>> _ = clinic.assign(ann.id, "greetings", ["thank-you"])
>>> _ = export_bundle(clinic, ann.id, folder / "ann.mitp", "correct horse")
>>> home = Store.open(f"sqlite:///{folder / 'home.sqlite3'}")
>>> import_bundle(home, folder / "ann.mitp", "correct horse").added["assignments"]
1
>>> import_bundle(home, folder / "ann.mitp", "correct horse").added["assignments"]
0
>>> clinic.close(); home.close()
"""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from mitpractice.errors import StoreError
from mitpractice.files import atomic_write, reading
from mitpractice.store import engine as engines
from mitpractice.store import migrate, rows
from mitpractice.store.api import Store
from mitpractice.store.patients import check_low
from mitpractice.store.schema import (
    assignments,
    attempt_audio,
    attempts,
    patients,
    phrase_sets,
    recorded_models,
    sessions,
    test_results,
)
from mitpractice.store.values import new_id

MAGIC = b"MITPBNDL"
VERSION = 1
FORMAT = "mitpractice-bundle"
#: scrypt cost: 2**15 with r=8 takes 32 MiB and about a tenth of a second, which makes
#: guessing a passphrase slow without making a therapist wait.
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 15, 8, 1
SALT_BYTES, NONCE_BYTES, KEY_BYTES = 16, 12, 32
_HEADER = struct.Struct(f">8sBBBB{SALT_BYTES}s{NONCE_BYTES}s")
#: The largest bundle read (it is decrypted in memory): years of daily practice take a few
#: hundred MB.
MAX_BUNDLE_BYTES = 2 * 2**30
#: The shortest passphrase accepted for a new bundle (characters).
MIN_PASSPHRASE = 8
#: What a bundle carries, in the order it is imported (parents before children).
TABLES = (patients, phrase_sets, assignments, test_results, sessions, attempts, attempt_audio,
          recorded_models)


@dataclass(frozen=True)
class BundleSummary:
    """What a bundle carried: the patient and, per table, the rows added, updated, removed
    and refused (another patient's).

    For assignments, ``added`` counts phrases put on the programme (new, or assigned again),
    ``removed`` those taken off it, ``updated`` those changed otherwise (a newer set version,
    trained or probe).
    """

    path: Path
    patient_id: str
    patient_name: str
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    #: Rows the bundle carried that were not its patient's, per table: left out of the import.
    refused: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------- encryption
def _key(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=KEY_BYTES, n=2**log2_n, r=r, p=p).derive(passphrase.encode("utf-8"))


def encrypt(plaintext: bytes, passphrase: str) -> bytes:
    """The bundle file's bytes for ``plaintext``."""
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    header = _HEADER.pack(MAGIC, VERSION, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, salt, nonce)
    key = _key(passphrase, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
    return header + AESGCM(key).encrypt(nonce, plaintext, header)


def decrypt(data: bytes, passphrase: str, where: str) -> bytes:
    """The plaintext of a bundle file; :class:`StoreError` for anything else."""
    if len(data) < _HEADER.size or not data.startswith(MAGIC):
        raise StoreError(f"{where}: not a mitpractice bundle")
    _magic, version, log2_n, r, p, salt, nonce = _HEADER.unpack_from(data)
    if version != VERSION:
        raise StoreError(f"{where}: a bundle of another version of mitpractice (format {version})")
    if (log2_n, r, p) != (SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P):
        # Checked before any key is derived: a changed header must not make the import ask
        # for gigabytes or run for minutes (AES-GCM would only refuse it afterwards).
        raise StoreError(f"{where}: the bundle is damaged (its key settings are not the ones "
                         "mitpractice writes); nothing was imported")
    header = data[: _HEADER.size]
    try:
        return AESGCM(_key(passphrase, salt, log2_n, r, p)).decrypt(nonce, data[_HEADER.size :], header)
    except InvalidTag:
        raise StoreError(
            f"{where}: wrong passphrase, or the bundle is damaged; nothing was imported"
        ) from None


# --------------------------------------------------------------------- export
def export_bundle(
    store: Store, patient_id: str, path: str | Path, passphrase: str, *, since: datetime | None = None
) -> BundleSummary:
    """Write the patient's bundle to ``path`` (atomically, mode 0600).

    Parameters
    ----------
    store : Store
    patient_id : str
    path : str or Path
        The file to write.
    passphrase : str
        At least :data:`MIN_PASSPHRASE` characters; the one who imports needs it.
    since : datetime, optional
        Only sessions and attempts from this time on (the programme is always whole).
    """
    path = Path(path)
    if len(passphrase) < MIN_PASSPHRASE:
        raise StoreError(f"a bundle's passphrase needs at least {MIN_PASSPHRASE} characters")
    if path.is_dir():
        raise StoreError(f"{path}: is a folder; give a file name such as patient.mitp")
    patient = store.patient(patient_id)
    counts: dict[str, int] = {}
    buffer = io.BytesIO()
    try:
        with store.snapshot() as conn, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for table, stmt in _selections(patient_id, since):
                counts[table.name] = _dump(conn, table, stmt, archive)
            off = and_(assignments.c.patient_id == patient_id, assignments.c.removed_at.is_not(None))
            removed = {"assignments": conn.execute(
                select(func.count()).select_from(assignments).where(off)).scalar()}
            manifest = dict(format=FORMAT, version=VERSION, revision=migrate.head_revision(),
                            created_at=datetime.now(UTC).isoformat(), patient_id=patient_id,
                            patient_name=patient.name, since=since.isoformat() if since else None,
                            rows=counts)
            archive.writestr("manifest.json", json.dumps(manifest, indent=1))
    except SQLAlchemyError as exc:
        raise engines.friendly(exc, f"{store.location}: cannot read for the bundle") from None
    sealed = encrypt(buffer.getvalue(), passphrase)
    try:
        with atomic_write(path, "wb") as handle:
            handle.write(sealed)
    except OSError as exc:
        raise StoreError(f"{path}: cannot write the bundle: {exc.strerror or exc}") from None
    return BundleSummary(path=path, patient_id=patient_id, patient_name=patient.name, added=counts,
                         removed=removed)


def _selections(patient_id: str, since: datetime | None):
    mine_attempts = attempts.c.patient_id == patient_id
    mine_sessions = sessions.c.patient_id == patient_id
    if since is not None:
        mine_attempts = and_(mine_attempts, attempts.c.started_at >= since)
        mine_sessions = and_(mine_sessions, sessions.c.started_at >= since)
    attempt_ids = select(attempts.c.id).where(mine_attempts)
    used_sets = (
        select(assignments.c.phrase_set_id).where(assignments.c.patient_id == patient_id)
        .union(select(attempts.c.phrase_set_id).where(mine_attempts))
    )
    assigned_set_ids = select(assignments.c.set_id).where(
        and_(assignments.c.patient_id == patient_id, assignments.c.removed_at.is_(None)))
    return [
        (patients, select(patients).where(patients.c.id == patient_id)),
        (phrase_sets, select(phrase_sets).where(phrase_sets.c.id.in_(used_sets))),
        (assignments, select(assignments).where(assignments.c.patient_id == patient_id)),
        (test_results, select(test_results).where(test_results.c.patient_id == patient_id)),
        # Sessions the attempts point to, even one begun before ``since``.
        (sessions, select(sessions).where(or_(mine_sessions, sessions.c.id.in_(
            select(attempts.c.session_id).where(mine_attempts))))),
        (attempts, select(attempts).where(mine_attempts)),
        (attempt_audio, select(attempt_audio).where(attempt_audio.c.attempt_id.in_(attempt_ids))),
        (recorded_models, select(recorded_models).where(or_(
            recorded_models.c.patient_id == patient_id,
            and_(recorded_models.c.patient_id.is_(None), recorded_models.c.set_id.in_(assigned_set_ids))))),
    ]


def _dump(conn, table: Table, stmt, archive: zipfile.ZipFile) -> int:
    blobs = rows.blob_columns(table)
    keys = [c.name for c in table.primary_key.columns]
    lines = []
    for row in conn.execute(stmt.order_by(*table.primary_key.columns)).mappings():
        lines.append(json.dumps(rows.to_json(table, row), ensure_ascii=False))
        for column in blobs:
            archive.writestr(f"blobs/{table.name}/{row[keys[0]]}.{column}", row[column],
                             compress_type=zipfile.ZIP_STORED)
    archive.writestr(f"tables/{table.name}.jsonl", "\n".join(lines) + ("\n" if lines else ""))
    return len(lines)


# --------------------------------------------------------------------- import
def read_bundle(path: str | Path, passphrase: str) -> dict[str, Any]:
    """Decrypt a bundle and return its manifest (the patient, when, what it holds)."""
    path = Path(path)
    archive = _open(path, passphrase)
    return _manifest(archive, path)


def _open(path: Path, passphrase: str) -> zipfile.ZipFile:
    with reading(path, StoreError, "a bundle"):
        size = path.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise StoreError(f"{path}: {size / 2**30:.1f} GiB; a bundle is at most "
                             f"{MAX_BUNDLE_BYTES / 2**30:.0f} GiB (not one made by mitpractice?)")
        data = path.read_bytes()
    plain = decrypt(data, passphrase, str(path))
    try:
        return zipfile.ZipFile(io.BytesIO(plain))
    except zipfile.BadZipFile:
        raise StoreError(f"{path}: the bundle is damaged (its content is not readable)") from None


def _manifest(archive: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise ValueError("another kind of file")
        if not (manifest["patient_id"] and manifest["patient_name"]):
            raise ValueError("no patient")
    except (KeyError, ValueError, TypeError) as exc:
        raise StoreError(f"{path}: the bundle is damaged ({exc})") from None
    if manifest.get("revision") not in migrate.known_revisions():
        raise StoreError(f"{path}: made by a newer version of mitpractice (schema "
                         f"{manifest.get('revision')}, this one reads up to {migrate.head_revision()})")
    return manifest


def import_bundle(store: Store, path: str | Path, passphrase: str) -> BundleSummary:
    """Merge a bundle into ``store`` in one transaction; what is already there is not added
    again. A wrong passphrase or a damaged file raises :class:`StoreError` and changes nothing."""
    path = Path(path)
    archive = _open(path, passphrase)
    manifest = _manifest(archive, path)
    content = {table.name: _rows(archive, table, path) for table in TABLES}
    content, refused = _own_rows(content, manifest["patient_id"])
    for row in content["patients"]:
        try:
            check_low(row["low_hz"])
        except StoreError as exc:
            raise StoreError(f"{path}: the bundle's patient is damaged ({exc}); "
                             "nothing was imported") from None
    added = {t.name: 0 for t in TABLES}
    updated = {t.name: 0 for t in TABLES}
    removed = {t.name: 0 for t in TABLES}
    with store.transaction("import the bundle") as conn:
        for row in content["patients"]:
            _merge_patient(conn, row, added, updated)
        set_ids = {row["id"]: _merge_phrase_set(conn, row, added) for row in content["phrase_sets"]}
        for row in content["assignments"]:
            row["phrase_set_id"] = set_ids.get(row["phrase_set_id"], row["phrase_set_id"])
            _merge_assignment(conn, row, added, updated, removed)
        for table in (test_results, sessions):
            for row in content[table.name]:
                added[table.name] += _insert_new(conn, table, row)
        new_attempts = set()
        for row in content["attempts"]:
            row["phrase_set_id"] = set_ids.get(row["phrase_set_id"], row["phrase_set_id"])
            if _insert_new(conn, attempts, row):
                new_attempts.add(row["id"])
                added["attempts"] += 1
        for row in content["attempt_audio"]:
            if row["attempt_id"] in new_attempts:
                conn.execute(insert(attempt_audio).values(**row))
                added["attempt_audio"] += 1
        for row in content["recorded_models"]:
            _merge_model(conn, row, added, updated)
        missing_audio = new_attempts - {r["attempt_id"] for r in content["attempt_audio"]}
        if missing_audio:  # pragma: no cover - AES-GCM would have refused a changed file
            raise StoreError(f"{path}: attempts without their audio")  # rolls the import back
    return BundleSummary(path=path, patient_id=manifest["patient_id"], patient_name=manifest["patient_name"],
                         added=added, updated=updated, removed=removed, refused=refused)


def _own_rows(content: dict[str, list[dict[str, Any]]], patient_id: str):
    """Only the rows of the bundle's own patient (and the phrase sets and shared recorded
    models they use); the rest is counted as refused, never merged: a bundle must not change
    another patient of this store, whatever it carries."""
    kept: dict[str, list[dict[str, Any]]] = {}
    kept["patients"] = [r for r in content["patients"] if r["id"] == patient_id]
    kept["phrase_sets"] = content["phrase_sets"]
    for name in ("assignments", "test_results", "sessions", "attempts"):
        kept[name] = [r for r in content[name] if r["patient_id"] == patient_id]
    own_sessions = {r["id"] for r in kept["sessions"]} | {None}
    kept["attempts"] = [r for r in kept["attempts"] if r["session_id"] in own_sessions]
    own_attempts = {r["id"] for r in kept["attempts"]}
    kept["attempt_audio"] = [r for r in content["attempt_audio"] if r["attempt_id"] in own_attempts]
    kept["recorded_models"] = [r for r in content["recorded_models"] if r["patient_id"] in (None, patient_id)]
    refused = {name: len(content[name]) - len(kept[name]) for name in content}
    return kept, {name: n for name, n in refused.items() if n}


def _rows(archive: zipfile.ZipFile, table: Table, path: Path) -> list[dict[str, Any]]:
    blobs = rows.blob_columns(table)
    key = table.primary_key.columns.values()[0].name
    try:
        text = archive.read(f"tables/{table.name}.jsonl").decode("utf-8")
        out = []
        for line in text.splitlines():
            if line.strip():
                row = rows.from_json(table, json.loads(line), str(path))
                for column in blobs:
                    row[column] = archive.read(f"blobs/{table.name}/{row[key]}.{column}")
                out.append(row)
    except (KeyError, ValueError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path}: the bundle is damaged ({exc}); nothing was imported") from None
    return out


def _exists(conn, table: Table, row_id: str) -> bool:
    return conn.execute(select(table.c.id).where(table.c.id == row_id)).first() is not None


def _insert_new(conn, table: Table, row: dict[str, Any]) -> int:
    if _exists(conn, table, row["id"]):
        return 0
    conn.execute(insert(table).values(**row))
    return 1


def _merge_patient(conn, row, added, updated) -> None:
    local = conn.execute(select(patients.c.updated_at).where(patients.c.id == row["id"])).scalar()
    if local is None:
        conn.execute(insert(patients).values(**row))
        added["patients"] += 1
    elif row["updated_at"] > local:
        changes = {k: v for k, v in row.items() if k not in ("id", "created_at")}
        conn.execute(update(patients).where(patients.c.id == row["id"]).values(**changes))
        updated["patients"] += 1


def _merge_phrase_set(conn, row, added) -> str:
    """The local id of the bundle's phrase-set version (the same text is kept once)."""
    local = conn.execute(select(phrase_sets.c.id).where(phrase_sets.c.sha256 == row["sha256"])).scalar()
    if local is not None:
        return local
    if _exists(conn, phrase_sets, row["id"]):
        row = {**row, "id": new_id()}
    conn.execute(insert(phrase_sets).values(**row))
    added["phrase_sets"] += 1
    return row["id"]


def _last_change(assigned_at: datetime, removed_at: datetime | None) -> datetime:
    """When an assignment row last changed: assigned (again), or taken off the programme."""
    return assigned_at if removed_at is None else max(assigned_at, removed_at)


def _merge_assignment(conn, row, added, updated, removed) -> None:
    """One assigned phrase: the side whose row changed last wins, removals included."""
    local = conn.execute(
        select(assignments.c.id, assignments.c.assigned_at, assignments.c.removed_at).where(and_(
            assignments.c.patient_id == row["patient_id"], assignments.c.set_id == row["set_id"],
            assignments.c.phrase_id == row["phrase_id"]))
    ).first()
    if local is None:
        if _exists(conn, assignments, row["id"]):
            row = {**row, "id": new_id()}
        conn.execute(insert(assignments).values(**row))
        if row["removed_at"] is None:
            added["assignments"] += 1
        # else: a phrase this side never had, already off the programme; kept so that the
        # removal goes on to any store this one sends bundles to.
    elif (_last_change(row["assigned_at"], row["removed_at"])
          > _last_change(local.assigned_at, local.removed_at)):
        conn.execute(update(assignments).where(assignments.c.id == local.id).values(
            phrase_set_id=row["phrase_set_id"], probe=row["probe"], assigned_at=row["assigned_at"],
            removed_at=row["removed_at"]))
        if row["removed_at"] is not None and local.removed_at is None:
            removed["assignments"] += 1
        elif row["removed_at"] is None and local.removed_at is not None:
            added["assignments"] += 1  # back on the programme
        else:
            updated["assignments"] += 1


def _merge_model(conn, row, added, updated) -> None:
    if _exists(conn, recorded_models, row["id"]):
        return
    owner = (recorded_models.c.patient_id.is_(None) if row["patient_id"] is None
             else recorded_models.c.patient_id == row["patient_id"])
    key = and_(recorded_models.c.set_id == row["set_id"], recorded_models.c.phrase_id == row["phrase_id"],
               owner)
    local = conn.execute(select(recorded_models.c.created_at).where(key)).scalar()
    if local is not None and local >= row["created_at"]:
        return
    conn.execute(delete(recorded_models).where(key))
    conn.execute(insert(recorded_models).values(**row))
    (updated if local is not None else added)["recorded_models"] += 1
