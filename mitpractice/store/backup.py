"""Backup and restore: everything in the store (rows and audio) in one archive that restores
on another computer, onto SQLite or PostgreSQL alike.

The archive is a ZIP file (mode 0600, written atomically)::

    manifest.json                  format, version, schema revision, time, rows per table
    tables/<table>.jsonl           one JSON object per row (see :mod:`~mitpractice.store.rows`)
    blobs/<table>/<key>.<column>   each row's audio, as the FLAC bytes the store keeps

It is read in one transaction (a consistent snapshot, even while the app keeps saving) and
restored in one transaction. An archive of an older schema revision restores as long as the
revisions since only added indexes or columns that may be empty (a later migration that
changes more must say how to read older archives); one of a newer revision is refused.
A restore that fails leaves the store as it was. A restore
refuses a store that holds anything unless ``force``, which replaces what is there.

Examples
--------
>>> import tempfile, pathlib
>>> from mitpractice.store import Store
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> home = Store.open(f"sqlite:///{folder / 'home.sqlite3'}")
>>> _ = home.add_patient("Ann")
>>> backup(home, folder / "backup.zip").rows["patients"]
1
>>> elsewhere = Store.open(f"sqlite:///{folder / 'elsewhere.sqlite3'}")
>>> restore(elsewhere, folder / "backup.zip").rows["patients"]
1
>>> [p.name for p in elsewhere.patients()]
['Ann']
>>> home.close(); elsewhere.close()
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from mitpractice.errors import StoreError
from mitpractice.files import atomic_write, reading
from mitpractice.store import engine as engines
from mitpractice.store import migrate, rows
from mitpractice.store.api import Store
from mitpractice.store.patients import check_low
from mitpractice.store.schema import metadata, patients

FORMAT = "mitpractice-backup"
#: Version of the archive's layout (not of the schema: that is the manifest's ``revision``).
VERSION = 1
#: Rows inserted per statement when restoring (bounded memory, few round trips).
BATCH_ROWS = 200
#: A table's rows are kept in memory up to this size (bytes) while its blobs are written.
SPOOL_BYTES = 16 * 2**20


@dataclass(frozen=True)
class BackupSummary:
    """What an archive holds: rows per table, the schema revision and when it was made."""

    path: Path
    rows: dict[str, int]
    revision: str
    created_at: datetime


def backup(store: Store, path: str | Path) -> BackupSummary:
    """Write everything in ``store`` to the archive ``path`` (replaced atomically).

    Raises
    ------
    StoreError
        The file cannot be written (a full disk, a missing folder) or the database read, or
        the database is damaged (``PRAGMA quick_check`` runs first); no half-written archive
        is left behind.
    """
    path = Path(path)
    if path.is_dir():
        raise StoreError(f"{path}: is a folder; give a file name such as mitpractice-backup.zip")
    damage = store.quick_check()
    if damage is not None:
        copy = migrate.last_copy(store.sqlite_file) if store.sqlite_file is not None else None
        kept = f"; the copy kept before the last migration is {copy}" if copy is not None else ""
        raise StoreError(f"{store.location}: the database is damaged ({damage}); no backup was "
                         f"written over {path.name}{kept}")
    counts: dict[str, int] = {}
    created = datetime.now(UTC)
    try:
        with atomic_write(path, "wb") as handle, zipfile.ZipFile(handle, "w") as archive, \
                store.snapshot() as conn:
            for table in metadata.sorted_tables:
                counts[table.name] = _dump_table(conn, table, archive)
            manifest = dict(format=FORMAT, version=VERSION, revision=migrate.head_revision(),
                            created_at=created.isoformat(), backend=store.engine.dialect.name,
                            rows=counts)
            archive.writestr("manifest.json", json.dumps(manifest, indent=1))
    except OSError as exc:
        raise StoreError(f"{path}: cannot write the backup: {exc.strerror or exc}") from None
    except SQLAlchemyError as exc:
        raise engines.friendly(exc, f"{store.location}: cannot read for the backup") from None
    return BackupSummary(path=path, rows=counts, revision=migrate.head_revision(), created_at=created)


def _dump_table(conn, table: Table, archive: zipfile.ZipFile) -> int:
    blobs = rows.blob_columns(table)
    keys = [c.name for c in table.primary_key.columns]
    count = 0
    stmt = select(table).order_by(*table.primary_key.columns).execution_options(yield_per=100)
    # A ZIP member is written whole before the next: the rows wait in a spooled file while
    # the blobs go in.
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as lines:
        for row in conn.execute(stmt).mappings():
            lines.write(json.dumps(rows.to_json(table, row), ensure_ascii=False).encode("utf-8") + b"\n")
            for column in blobs:
                archive.writestr(zipfile.ZipInfo(_blob_name(table, row, keys, column)), row[column],
                                 compress_type=zipfile.ZIP_STORED)  # FLAC is compressed already
            count += 1
        lines.seek(0)
        info = zipfile.ZipInfo(f"tables/{table.name}.jsonl")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as out:
            shutil.copyfileobj(lines, out)
    return count


def _blob_name(table: Table, row: Any, keys: list[str], column: str) -> str:
    return f"blobs/{table.name}/{'-'.join(str(row[k]) for k in keys)}.{column}"


def read_manifest(path: str | Path) -> BackupSummary:
    """What the archive at ``path`` holds, checked to be a backup this version can restore."""
    path = Path(path)
    with _open(path) as archive:
        return _manifest(archive, path)


def restore(store: Store, path: str | Path, *, force: bool = False) -> BackupSummary:
    """Put everything from the archive into ``store``, in one transaction.

    Parameters
    ----------
    store : Store
        The store to fill; it must be empty unless ``force``.
    path : str or Path
        An archive written by :func:`backup` (on any computer, from either backend).
    force : bool
        Replace whatever the store holds with the archive's contents.

    Raises
    ------
    StoreError
        The store is not empty (without ``force``); the file is missing, not a backup,
        damaged, or from a newer version of mitpractice. The store is then left untouched.
    """
    path = Path(path)
    with _open(path) as archive:
        summary = _manifest(archive, path)
        if not force and not store.is_empty():
            raise StoreError(f"{store.location}: the store is not empty; restore replaces "
                             "everything in it only with --force")
        try:
            with store.transaction("restore the backup") as conn:
                for table in reversed(metadata.sorted_tables):
                    conn.execute(delete(table))
                for table in metadata.sorted_tables:
                    for batch in _batches(_load_table(archive, table, path)):
                        conn.execute(insert(table), batch)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise StoreError(f"{path}: the backup is damaged ({exc}); nothing was restored") from None
    return summary


def _open(path: Path) -> zipfile.ZipFile:
    try:
        with reading(path, StoreError, "a backup"):
            return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise StoreError(f"{path}: not a mitpractice backup (not a ZIP archive, or damaged)") from None


def _manifest(archive: zipfile.ZipFile, path: Path) -> BackupSummary:
    try:
        data = json.loads(archive.read("manifest.json"))
        if data.get("format") != FORMAT:
            raise ValueError("another kind of file")
        summary = BackupSummary(path=path, rows=dict(data["rows"]), revision=str(data["revision"]),
                                created_at=datetime.fromisoformat(data["created_at"]))
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise StoreError(f"{path}: not a mitpractice backup, or damaged ({exc})") from None
    if int(data.get("version", 0)) > VERSION or summary.revision not in migrate.known_revisions():
        raise StoreError(f"{path}: made by a newer version of mitpractice (schema {summary.revision}, "
                         f"this one reads up to {migrate.head_revision()}); restore it with that version")
    return summary


def _load_table(archive: zipfile.ZipFile, table: Table, path: Path) -> Iterator[dict[str, Any]]:
    blobs = rows.blob_columns(table)
    keys = [c.name for c in table.primary_key.columns]
    where = f"{path}"
    try:
        lines = archive.open(f"tables/{table.name}.jsonl")
    except KeyError:
        raise StoreError(f"{path}: the backup has no {table.name} table; nothing was restored") from None
    with lines:
        for line in lines:
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError:
                raise StoreError(f"{path}: a {table.name} row is damaged; nothing was restored") from None
            row = rows.from_json(table, data, where)
            if table is patients:
                try:
                    check_low(row["low_hz"])
                except StoreError as exc:
                    raise StoreError(f"{path}: patient {row['id']} is damaged ({exc}); "
                                     "nothing was restored") from None
            for column in blobs:
                try:
                    row[column] = archive.read(_blob_name(table, row, keys, column))
                except KeyError:
                    raise StoreError(f"{path}: the audio of {table.name} {row[keys[0]]} is missing; "
                                     "nothing was restored") from None
            yield row


def _batches(items: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch
