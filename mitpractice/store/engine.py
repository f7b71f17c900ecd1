"""Opening the database: where it is, how SQLite is set up, migrations, and what goes wrong.

SQLite runs in WAL mode with foreign keys on and a busy timeout, so the practice window and a
command run at the same moment wait for each other instead of failing or corrupting the file.
Before a migration changes a SQLite file, a copy of it is kept beside it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import urllib.parse
from pathlib import Path

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from mitpractice.errors import StoreError
from mitpractice.files import data_dir

#: Environment variable naming the database (a SQLAlchemy URL), as ``--database`` does.
DATABASE_ENV = "MITPRACTICE_DATABASE_URL"
#: The SQLite file in the data folder, when no URL is given.
DATABASE_FILE = "mitpractice.sqlite3"
#: How long (ms) a writer waits for another process's transaction before giving up: long
#: enough for any save the app makes (a few hundred ms at worst), short enough to report.
BUSY_TIMEOUT_MS = 15_000
#: Seconds to wait for a PostgreSQL server before saying it cannot be reached.
CONNECT_TIMEOUT_S = 5
#: A SQLite file starts with this (anything else is not a database).
SQLITE_MAGIC = b"SQLite format 3\x00"


def database_url(url: str | None = None) -> str:
    """The URL given, else ``$MITPRACTICE_DATABASE_URL``, else SQLite in the data folder."""
    url = url or os.environ.get(DATABASE_ENV)
    if url:
        return url
    return f"sqlite:///{data_dir() / DATABASE_FILE}"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for another backend or an in-memory database.

    Raises
    ------
    StoreError
        ``url`` is not a database URL at all, or names a file no system can have.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise StoreError(f"cannot use the database {url!r}: not a database URL (such as "
                         "sqlite:///path/mitpractice.sqlite3 or postgresql+psycopg://user@host/mitpractice)"
                         ) from None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if "\0" in parsed.database:
        raise StoreError(f"cannot use the database {url!r}: a file name cannot hold a NUL character")
    return Path(parsed.database)


def create(url: str) -> Engine:
    """An engine for ``url``; SQLite files set up for two processes at once (WAL)."""
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
            event.listen(engine, "connect", _sqlite_pragmas)
            # pysqlite's own transaction handling defers BEGIN; take it over (the SQLAlchemy
            # recipe). Writers begin IMMEDIATE, so they queue on the busy timeout instead of
            # failing when a read turns into a write; readers never block anyone in WAL.
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        # A clinic's server out of reach must not hang a window: give up connecting after
        # CONNECT_TIMEOUT_S, and notice a dropped network through TCP keep-alives.
        return create_engine(parsed, pool_pre_ping=True,
                             connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "keepalives": 1})
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreError(f"cannot use the database {_safe(url)}: {exc}") from None
    except ImportError as exc:
        raise StoreError(
            f"cannot use the database {_safe(url)}: {exc.name or exc} is not installed "
            "(pip install 'mitpractice[clinic]' for PostgreSQL)"
        ) from None


def create_read_only(path: Path) -> Engine:
    """An engine that only reads the SQLite file ``path``, whose folder cannot be written.

    SQLite cannot make the WAL's shared-memory file there: unless one is left beside it, the
    file is read as it is on disk (``immutable``), which is whole after every commit.
    """
    wal = path.with_name(path.name + "-wal")
    shm = path.with_name(path.name + "-shm")
    flags = "mode=ro" if wal.exists() and shm.exists() else "mode=ro&immutable=1"
    target = f"file:{urllib.parse.quote(str(path.absolute()))}?{flags}"
    engine = create_engine("sqlite://",
                           creator=lambda: sqlite3.connect(target, uri=True, check_same_thread=False))
    event.listen(engine, "connect", _sqlite_read_pragmas)
    return engine


def _sqlite_read_pragmas(dbapi_connection: sqlite3.Connection, _record) -> None:
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record) -> None:
    dbapi_connection.isolation_level = None  # BEGIN is issued by the engine's "begin" event
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")  # a committed attempt survives a power cut
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def writer(engine: Engine) -> Engine:
    """The same engine for write transactions (``BEGIN IMMEDIATE`` on SQLite)."""
    return engine.execution_options(immediate_write=True)


def _sqlite_begin(conn) -> None:
    immediate = conn.get_execution_options().get("immediate_write")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not a SQLite database, naming it (before SQLite touches it)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the database: {exc.strerror}") from None
    if head != SQLITE_MAGIC:
        raise StoreError(f"{path}: not a mitpractice database (not SQLite at all, or damaged)")


def foreign_tables(engine: Engine) -> list[str]:
    """Tables of another program in a database that mitpractice has never migrated."""
    names = inspect(engine).get_table_names()
    return [] if not names or "alembic_version" in names else sorted(names)


def friendly(exc: SQLAlchemyError, where: str, folder: Path | None = None) -> StoreError:
    """One line for a database failure: a full disk, a damaged file, a server out of reach.

    ``folder`` is the SQLite file's: when SQLite reports only a "disk I/O error" (it could not
    create or grow its shared-memory or WAL file), a disk with no room left there is named.
    """
    original = getattr(exc, "orig", None)
    message = str(original or exc).strip().splitlines()[0] if str(original or exc).strip() else repr(exc)
    lowered = message.lower()
    if "disk i/o error" in lowered and folder is not None and _no_room(folder):
        lowered = "disk is full"
    if "disk is full" in lowered or "no space" in lowered or "disk full" in lowered:
        return StoreError(f"{where}: no room left on the disk; nothing was half-saved, "
                          "and everything saved before is intact")
    if "malformed" in lowered or "not a database" in lowered or "file is encrypted" in lowered:
        return StoreError(f"{where}: the database is damaged ({message})")
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered:
        return StoreError(f"{where}: cannot write the database ({message})")
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return StoreError(f"{where}: lost the connection to the database server ({message})")
    return StoreError(f"{where}: {message}")


#: Free space (bytes) under which a "disk I/O error" of SQLite is read as a full disk: less
#: than the pages a transaction and its WAL index need.
NO_ROOM_BYTES = 256 * 1024


def _no_room(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < NO_ROOM_BYTES
    except OSError:
        return False


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)
