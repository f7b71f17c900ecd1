"""Where the app keeps its files, how it writes them so that nothing is half-written, and how
a file that cannot be read is told.

Patients' recordings and results are health data: they live in the user's data folder,
which is private to the user (0700), and every file is written to a temporary name in the
same folder, flushed to disk and renamed over the final name. A crash or a full disk leaves
the old file or the new one, never a mix.
"""

from __future__ import annotations

import glob
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import platformdirs

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; stale parts are left
    fcntl = None

from mitpractice.errors import MitpracticeError

APP_NAME = "mitpractice"
#: Environment variable naming the data folder, as the command line's ``--data-dir`` does.
DATA_DIR_ENV = "MITPRACTICE_DATA_DIR"


def data_dir() -> Path:
    """The app's data folder (the database, take journals, exports): ``$MITPRACTICE_DATA_DIR``
    when set (``mitpractice --data-dir`` sets it), else the user's platform data folder.

    Every part of the app asks here, so one setting moves all of it.
    """
    chosen = os.environ.get(DATA_DIR_ENV)
    if chosen:
        return Path(chosen).expanduser().absolute()
    return Path(platformdirs.user_data_dir(APP_NAME))


def is_special_file(path: str | Path) -> bool:
    """Whether ``path`` exists but is neither a regular file nor a folder (``/dev/zero``, a
    pipe, a socket): reading one may never end, so every reader of a user's file refuses it.

    >>> is_special_file("/dev/null"), is_special_file(__file__), is_special_file("/no/such")
    (True, False, False)
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def special_file_message(path: str | Path) -> str:
    """The one line for a file :func:`is_special_file` refuses."""
    return f"{path}: not a regular file (a device, a pipe or a socket); give a file"


def cache_dir() -> Path:
    """The user's cache folder for the app (built models, synthesised targets)."""
    return Path(platformdirs.user_cache_dir(APP_NAME))


def private_folder(folder: Path) -> Path:
    """Create ``folder`` readable by the user only, and tighten its parents inside the app's
    data or cache folder too (``mkdir``'s mode does not reach parents it creates)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    roots = [data_dir(), cache_dir()]
    for level in [folder, *folder.parents]:
        if any(level == root or level.is_relative_to(root) for root in roots):
            level.chmod(0o700)
    return folder


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A private temporary path beside ``path``, for writers that take a file name (praatio,
    soundfile, QPdfWriter); on a clean exit it is flushed to disk and renamed over ``path``.

    The temporary file exists (empty, mode 0600) when the block starts; it is 0600 when
    renamed, whatever the writer did. On an exception it is removed and ``path`` is left as
    it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "grid.TextGrid"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("File type")
    >>> target.read_text()
    'File type'
    """
    path = Path(path)
    remove_stale_parts(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    if fcntl is not None:  # locked while written: a part nobody holds was left by a killed writer
        fcntl.flock(fd, fcntl.LOCK_EX)
    else:  # Windows cannot rename a file held open
        os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        tmp.chmod(0o600)
        sync = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(sync)
        finally:
            os.close(sync)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if fcntl is not None:
            os.close(fd)


def remove_stale_parts(path: str | Path) -> list[Path]:
    """Remove the temporary files :func:`atomic_path` left beside ``path`` when its writer was
    killed (they may hold names and recordings); a part another writer still holds (locked)
    is left alone. Returns what was removed. Where files cannot be locked (not POSIX),
    nothing is removed.
    """
    if fcntl is None:
        return []
    path = Path(path)
    removed = []
    for part in path.parent.glob(f".{glob.escape(path.name)}.*.part"):
        try:
            fd = os.open(part, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a writer at work
        else:
            part.unlink(missing_ok=True)
            removed.append(part)
        finally:
            os.close(fd)
    return removed



@contextmanager
def atomic_write(path: str | Path, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on a clean exit it replaces ``path``
    (:func:`atomic_path` with the file opened in ``mode``).

    The file is created mode 0600. On an exception the temporary file is removed and
    ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> with atomic_write(target, "w") as handle:
    ...     _ = handle.write("held")
    >>> target.read_text()
    'held'
    """
    encoding = None if "b" in mode else "utf-8"
    with atomic_path(path) as tmp, open(tmp, mode, encoding=encoding) as handle:
        yield handle


@contextmanager
def reading(path: Path, error: type[MitpracticeError], kind: str) -> Iterator[None]:
    """Turn the operating system's errors on reading ``path`` into one line of ``error``, so
    that every file the app reads fails with the same words.

    ``kind`` names what the file should have been ("a backup"), for a folder given instead.

    Examples
    --------
    >>> from mitpractice.errors import StoreError
    >>> with reading(Path("/no/such/backup.zip"), StoreError, "a backup"):
    ...     Path("/no/such/backup.zip").read_bytes()
    Traceback (most recent call last):
    mitpractice.errors.StoreError: /no/such/backup.zip: no such file
    """
    if is_special_file(path):  # reading /dev/zero or a pipe may never end
        raise error(special_file_message(path))
    try:
        yield
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not {kind}") from None
    except PermissionError:
        raise error(f"{path}: permission denied") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None
