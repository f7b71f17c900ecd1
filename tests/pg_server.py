"""A PostgreSQL server of one's own, for the test session and benchmarks/store.py.

Debian's PostgreSQL: ``initdb -A trust`` into a temporary folder and started with its socket
there (no TCP), both as the ``postgres`` user; stopped by its pid.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PostgresServer:
    """A running server: a socket in a temporary folder."""

    socket_dir: Path
    pid: int

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}"

    def create_database(self, name: str) -> str:
        """A new empty database on the server; returns its SQLAlchemy URL."""
        subprocess.run(["runuser", "-u", "postgres", "--", pg_bin("createdb"), "-h", str(self.socket_dir),
                        name], check=True, capture_output=True)
        return self.url(name)


def pg_bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return str(versions[-1] / name) if versions else name


def available() -> bool:
    """True when PostgreSQL is installed and the server can be run as ``postgres``."""
    installed = bool(list(Path("/usr/lib/postgresql").glob("*/bin/initdb")))
    return installed and shutil.which("runuser") is not None


@contextmanager
def postgres(*, fsync: bool = False) -> Iterator[PostgresServer]:
    """Start a server, yield it, stop it by its pid and remove its folder.

    ``fsync=False`` suits tests; benchmarks pass True to measure what a clinic would see.
    """
    root = Path(tempfile.mkdtemp(prefix="mitpractice-pg-"))
    root.chmod(0o755)
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    shutil.chown(root, "postgres")
    shutil.chown(sockets, "postgres")
    as_postgres = ["runuser", "-u", "postgres", "--"]
    no_sync = [] if fsync else ["--no-sync"]  # nor does initdb wait for the disk
    subprocess.run([*as_postgres, pg_bin("initdb"), *no_sync, "-A", "trust", "-U", "postgres",
                    "-D", str(data)], check=True, capture_output=True)
    options = f"-k {sockets} -c listen_addresses='' -c fsync={'on' if fsync else 'off'}"
    subprocess.run([*as_postgres, pg_bin("pg_ctl"), "start", "-w", "-D", str(data), "-l", str(root / "log"),
                    "-o", options], check=True, capture_output=True)
    pid = int((data / "postmaster.pid").read_text().split()[0])
    try:
        yield PostgresServer(sockets, pid)
    finally:
        # Fast shutdown (SIGINT): ends the sessions still open and stops cleanly. SIGTERM's
        # smart shutdown waits for every client to leave, and a store a test never closed
        # kept the server (and the run's last test) waiting the whole 10 s below.
        os.kill(pid, signal.SIGINT)
        for _ in range(200):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        shutil.rmtree(root, ignore_errors=True)
