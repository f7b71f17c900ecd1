"""Migrations at start-up: bring the database to the schema this version of the app needs.

The Alembic scripts ship inside the package (``migrations/``) and run on the store's own
connection. A SQLite file that needs migrating is first copied aside, whole and consistent
(SQLite's online backup), as ``<file>.before-<revision>``, so a failed or unwanted upgrade
can be undone by hand; the message of any later failure names that copy.

After the schema, :func:`move_legacy_files` moves in what older versions kept as files
(once; see :mod:`~mitpractice.store.legacy`).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from mitpractice.errors import StoreError
from mitpractice.store import legacy

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
#: The revision this version of the app needs: the newest script in ``migrations/versions``
#: (a test keeps the two equal; a new migration moves it). Known without Alembic, so a store
#: already at it, which is every start but the first after an update, opens without importing
#: Alembic (0.1-0.2 s of every command's and the window's start).
HEAD = "0004"


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The revision this version of the app needs (:data:`HEAD`)."""
    return HEAD


def known_revisions() -> set[str]:
    """Every revision this version of the app knows (the head and all before it)."""
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The database's revision, or None for an empty (or never migrated) database.

    Read from Alembic's own table (``alembic_version``, one row on a history with no branches).
    """
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(versions) > 1:
        named = ', '.join(sorted(versions))
        raise StoreError(f"the database's schema revision is unclear (it names {named})")
    return versions[0] if versions else None


def upgrade(engine: Engine, sqlite_file: Path | None) -> Path | None:
    """Migrate to the head revision; returns the copy kept aside first, if one was made."""
    current = current_revision(engine)
    if current == HEAD:
        return None
    from alembic import command

    kept = keep_copy(sqlite_file, current) if sqlite_file is not None and current is not None else None
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return kept


def move_legacy_files(engine: Engine) -> legacy.MovedModels:
    """Move the files kept before the store (therapists' recorded models) into the database."""
    return legacy.move_recorded_targets(engine)


def keep_copy(sqlite_file: Path, revision: str) -> Path:
    """Copy a SQLite database aside (consistent even with a writer at work), mode 0600."""
    copy = sqlite_file.with_name(f"{sqlite_file.name}.before-{revision}")
    partial = copy.with_name(copy.name + ".part")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)
    source, target = sqlite3.connect(sqlite_file), sqlite3.connect(partial)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    os.replace(partial, copy)
    return copy


def last_copy(sqlite_file: Path) -> Path | None:
    """The newest copy kept before a migration, for messages about a damaged database."""
    copies = sorted(sqlite_file.parent.glob(f"{sqlite_file.name}.before-*"), key=lambda p: p.stat().st_mtime)
    return copies[-1] if copies else None
