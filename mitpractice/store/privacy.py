"""Health data stays readable by its user only: the data folder 0700, every file in it 0600.

Checked at every start, so a folder copied in by hand or loosened by another program is
tightened again before anything is read or written.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mitpractice.errors import StoreError

FOLDER_MODE, FILE_MODE = 0o700, 0o600


def secure_data_folder(folder: Path) -> Path:
    """Create ``folder`` if needed and make it and everything inside private to the user.

    Raises
    ------
    StoreError
        One line naming the folder when it cannot be created or written.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
        _tighten(folder, FOLDER_MODE)
        for root, dirs, files in os.walk(folder):
            for name in dirs:
                _tighten(Path(root) / name, FOLDER_MODE)
            for name in files:
                _tighten(Path(root) / name, FILE_MODE)
    except OSError as exc:
        raise StoreError(f"{folder}: cannot use the data folder: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(f"{folder}: the data folder is not writable")
    return folder


def secure_file(path: Path) -> None:
    """Make one file private to the user (a database beside other people's files)."""
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if candidate.exists():
            _tighten(candidate, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(path.lstat().st_mode)
        if not path.is_symlink() and current & 0o077:
            path.chmod(current & ~0o077 & 0o7777 | (mode & 0o700))
    except FileNotFoundError:  # removed since listed: a take's journal discarded meanwhile
        pass
