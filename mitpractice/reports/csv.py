"""The attempts table as CSV: ``mitpractice attempts --csv`` and ``mitpractice export``.

One row per attempt with the columns of :data:`mitpractice.store.records.ATTEMPT_COLUMNS`
(the keys of ``attempts --json``): times ISO 8601 in UTC, booleans ``true``/``false``, an
empty cell for what is not known (an unscored attempt, no override), a list (the times of
the patient's taps, s from the take's start) as its numbers separated by spaces, and the word
check's words (empty when not checked) in one cell, each marked as in the Praat tier: ``thank``
said, ``thank?`` undecided, ``(thank)`` not said.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from mitpractice.errors import ParameterError
from mitpractice.files import atomic_write
from mitpractice.store.records import ATTEMPT_COLUMNS, Attempt


def attempt_row(attempt: Attempt) -> list[str]:
    """One attempt's cells, in :data:`ATTEMPT_COLUMNS` order.

    Examples
    --------
    >>> cell(None), cell(True), cell(72.5), cell([0.52, 1.5]), cell([])
    ('', 'true', '72.5', '0.52 1.5', '')
    """
    from mitpractice.practice.spoken import marked_words

    data = attempt.to_json()
    data["words"] = marked_words(data["words"])
    return [cell(data[name]) for name in ATTEMPT_COLUMNS]


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " ".join(cell(v) for v in value)
    return str(value)


def write_attempts(attempts: Iterable[Attempt], handle: IO[str]) -> int:
    """Write the header and one row per attempt to an open text file; returns the rows."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(ATTEMPT_COLUMNS)
    count = 0
    for attempt in attempts:
        writer.writerow(attempt_row(attempt))
        count += 1
    return count


def export_attempts(attempts: Iterable[Attempt], path: str | Path) -> int:
    """Write the table to ``path`` (atomically, readable by the user only); returns the rows.

    Raises
    ------
    ParameterError
        One line naming the file when it cannot be written.
    """
    path = Path(path)
    if path.is_dir():
        raise ParameterError(f"{path}: is a folder; give a file name such as attempts.csv")
    try:
        with atomic_write(path, "w") as handle:
            return write_attempts(attempts, handle)
    except OSError as exc:
        raise ParameterError(f"{path}: cannot write: {exc.strerror or exc}") from None
