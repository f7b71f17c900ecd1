"""What every part of the :class:`~mitpractice.store.api.Store` shares: opening the database,
its transactions, and the one-line messages for what goes wrong in them.

Each table's methods live in their own module (:mod:`~mitpractice.store.patients`,
:mod:`~mitpractice.store.programme`, :mod:`~mitpractice.store.attempts`,
:mod:`~mitpractice.store.sessions`, :mod:`~mitpractice.store.settings`) as a class over
:class:`StoreBase`; :class:`~mitpractice.store.api.Store` joins them into one face.

Code outside these methods (backups, bundles) that needs several statements to succeed or
fail together uses :meth:`StoreBase.transaction` (a write) or :meth:`StoreBase.snapshot` (a
consistent read of every table), never the engine itself.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from sqlalchemy import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from mitpractice.errors import StoreError
from mitpractice.files import data_dir
from mitpractice.store import engine as engines
from mitpractice.store import migrate
from mitpractice.store.privacy import secure_data_folder, secure_file

#: The check of the whole file: its first five problems are enough to say it is damaged.
QUICK_CHECK = "PRAGMA quick_check(5)"
#: How long closing the store waits for the background check before stopping it (s): a
#: command that ends quickly still hears of damage; the check of years of recordings is not
#: waited for.
HEALTH_CLOSE_WAIT_S = 2.0


class StoreBase:
    """The database of one store: its engine, transactions and where it is (for messages)."""

    def __init__(self, engine: Engine, url: str, kept_copy: Path | None = None) -> None:
        self.engine = engine
        self.url = url
        #: The copy of the SQLite file kept before the last migration, if one was made now.
        self.kept_copy = kept_copy
        self._writer = engines.writer(engine)
        self.sqlite_file = engines.sqlite_path(url)
        #: What opening moved in from the folder of recorded models kept before the store
        #: (:func:`mitpractice.store.legacy.move_recorded_targets`).
        self.moved_models = None
        #: Where opening kept an empty (0-byte) database file before starting a new one.
        self.set_aside: Path | None = None
        self._health: threading.Thread | None = None
        self._health_stop = threading.Event()
        self._health_conn = None  # the background check's own DBAPI connection, while it runs
        self._damage: str | None = None

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, url: str | None = None, *, read_only: bool = False) -> Self:
        """Open (and create or migrate) the store at ``url`` (see :func:`engine.database_url`).

        With ``read_only``, a SQLite store whose folder cannot be written (a read-only disk, a
        copy on a locked stick) is opened for reading only, as it is, rather than refused;
        anything that writes then fails in one line.

        Raises
        ------
        StoreError
            The data folder cannot be written; the file is not a mitpractice database, is
            damaged or holds another program's tables; the server cannot be reached.
        """
        url = engines.database_url(url)
        path = engines.sqlite_path(url)
        if read_only and path is not None and path.is_file() and not os.access(path.parent, os.W_OK):
            return cls._open_read_only(url, path)
        secure_data_folder(data_dir())  # journals and exports live there whatever the database
        set_aside = None
        if path is not None:
            _make_folder(path.parent)
            set_aside = _set_aside_if_empty(path)
            try:
                engines.check_sqlite_file(path)
            except StoreError as exc:
                copy = migrate.last_copy(path)
                if copy is None:
                    raise
                raise StoreError(f"{exc}; the copy kept before the last migration is {copy}") from None
        engine = engines.create(url)
        where = str(path) if path is not None else engines._safe(url)
        try:
            foreign = engines.foreign_tables(engine)
            if foreign:
                raise StoreError(
                    f"{where}: not a mitpractice database (it holds the tables "
                    f"{', '.join(foreign[:4])}{'...' if len(foreign) > 4 else ''})"
                )
            kept = migrate.upgrade(engine, path)
            moved = migrate.move_legacy_files(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            error = engines.friendly(exc, where, path.parent if path is not None else None)
            copy = migrate.last_copy(path) if path is not None else None
            if copy is not None:
                error = StoreError(f"{error}; the copy kept before the last migration is {copy}")
            raise error from None
        except BaseException:
            engine.dispose()
            raise
        if path is not None:
            secure_file(path)  # and its -wal and -shm files
        store = cls(engine, url, kept)
        store.moved_models = moved
        store.set_aside = set_aside
        return store

    @classmethod
    def _open_read_only(cls, url: str, path: Path) -> Self:
        engines.check_sqlite_file(path)
        engine = engines.create_read_only(path)
        try:
            current = migrate.current_revision(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise engines.friendly(exc, str(path)) from None
        if current != migrate.head_revision():
            engine.dispose()
            raise StoreError(f"{path}: the database needs migrating to this version, and its folder "
                             "cannot be written")
        return cls(engine, url)

    def close(self) -> None:
        """Close the store; a background check still running is given a moment to finish
        (a short command then still hears of damage), then stopped before the engine goes."""
        if self._health is not None:
            self._health.join(HEALTH_CLOSE_WAIT_S)
            self._health_stop.set()
            conn = self._health_conn
            if conn is not None:
                conn.interrupt()  # SQLite allows this from another thread: the check ends at once
            self._health.join()
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ----------------------------------------------------------------- transactions
    @contextmanager
    def transaction(self, what: str = "save") -> Iterator[Connection]:
        """One write transaction: every statement run on the connection it yields is kept
        together, or none is (an exception in the block rolls all of it back).

        ``what`` finishes the message of a failure ("…: cannot ``what``: no room left on the
        disk"). On SQLite the transaction begins ``IMMEDIATE``: another process's write waits
        for it rather than failing half-way.

        Examples
        --------
        >>> import tempfile
        >>> from sqlalchemy import func, select
        >>> from mitpractice.store import Store
        >>> from mitpractice.store.schema import settings
        >>> store = Store.open(f"sqlite:///{tempfile.mkdtemp()}/tx.sqlite3")
        >>> with store.transaction("save two settings") as tx:
        ...     _ = tx.execute(settings.insert().values(key="a", value="1"))
        ...     _ = tx.execute(settings.insert().values(key="b", value="2"))
        >>> store.setting("b")
        '2'
        >>> store.close()
        """
        try:
            with self._writer.begin() as conn:
                yield conn
        except StoreError:
            raise
        except SQLAlchemyError as exc:
            raise engines.friendly(exc, f"{self.location}: cannot {what}", self._folder) from None

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """One read transaction over every table, consistent while others keep writing
        (SQLite's WAL snapshot, PostgreSQL's ``REPEATABLE READ``); nothing is written."""
        engine = self.engine
        if engine.dialect.name == "postgresql":
            engine = engine.execution_options(isolation_level="REPEATABLE READ")
        try:
            with engine.connect() as conn:
                conn.begin()
                try:
                    yield conn
                finally:
                    conn.rollback()
        except SQLAlchemyError as exc:
            raise engines.friendly(exc, f"{self.location}: cannot read", self._folder) from None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise engines.friendly(exc, self.location, self._folder) from None

    def quick_check(self) -> str | None:
        """What SQLite's ``PRAGMA quick_check`` finds wrong in the database file (its first
        line), or None when the file is sound or the database is a server's.

        Damage in the middle of a file goes unnoticed until a query reads that page; a backup
        runs this first, so that it never copies a damaged store without saying so.
        """
        if self.sqlite_file is None:
            return None
        try:
            with self.engine.connect() as conn:
                return _check_result(list(conn.exec_driver_sql(QUICK_CHECK)))
        except SQLAlchemyError as exc:
            return str(getattr(exc, "orig", exc)).splitlines()[0]

    def start_health_check(self) -> None:
        """Run :meth:`quick_check` in a background thread, so that damage is found at start
        without making anyone wait; :meth:`damage` tells what it found."""
        if self._health is None and self.sqlite_file is not None:
            self._health = threading.Thread(target=self._run_health_check, name="store quick_check",
                                             daemon=True)
            self._health.start()

    def _run_health_check(self) -> None:
        """The check on a connection of its own, out of the pool, so that :meth:`close` can
        stop it and dispose of the engine without pulling a connection from under a query (a
        segfault in SQLite)."""
        try:
            conn = self.engine.raw_connection()
        except SQLAlchemyError:
            return  # the commands themselves say why the database cannot be read
        conn.detach()
        self._health_conn = conn.dbapi_connection
        try:
            if self._health_stop.is_set():
                return
            cursor = conn.cursor()
            cursor.execute(QUICK_CHECK)
            self._damage = _check_result(cursor.fetchall())
        except sqlite3.OperationalError as exc:
            if not self._health_stop.is_set():  # interrupted by close(): nothing was found
                self._damage = str(exc).splitlines()[0]
        except sqlite3.Error as exc:
            self._damage = str(exc).splitlines()[0]
        finally:
            self._health_conn = None
            conn.close()

    def health_checked(self) -> bool:
        """Whether the background check (:meth:`start_health_check`) has finished; a server's
        database is not checked by the app, so there is nothing to wait for."""
        return self.sqlite_file is None or (self._health is not None and not self._health.is_alive())

    def damage(self, wait_s: float = 0.0) -> str | None:
        """What the background check (:meth:`start_health_check`) found wrong, waiting for it up
        to ``wait_s`` seconds; None when the file is sound or the check is not done yet."""
        if self._health is not None:
            self._health.join(wait_s)
        return self._damage

    @property
    def _folder(self) -> Path | None:
        return self.sqlite_file.parent if self.sqlite_file is not None else None

    @property
    def location(self) -> str:
        """Where the store is, for messages: the SQLite file, or the URL without password."""
        return str(self.sqlite_file) if self.sqlite_file is not None else engines._safe(self.url)


def _check_result(rows) -> str | None:
    """``PRAGMA quick_check``'s rows as one line: None for "ok", else what it found."""
    found = [row[0] for row in rows]
    if found == ["ok"]:
        return None
    lines = [line.strip() for row in found for line in row.splitlines()]
    return "; ".join(line for line in lines if line and not line.startswith("***"))


def _set_aside_if_empty(path: Path) -> Path | None:
    """Keep a 0-byte database file (a copy that failed, a disk that was full) aside under a
    new name instead of letting SQLite start afresh over it silently; returns the new name."""
    try:
        empty = path.stat().st_size == 0
        wal = path.with_name(path.name + "-wal")
        if not empty or (wal.exists() and wal.stat().st_size > 0):
            return None
        aside = path.with_name(f"{path.name}.empty-{datetime.now(UTC):%Y%m%d-%H%M%S}")
        os.replace(path, aside)
    except OSError:
        return None
    return aside


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise StoreError(f"{folder}: cannot create the database's folder: {exc.strerror or exc}") from None
