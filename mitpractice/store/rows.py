"""Table rows as JSON and back, by each column's type: what backups and bundles carry.

Times become ISO 8601 strings in UTC, days ``YYYY-MM-DD``; binary columns (the FLAC audio)
are left out of the JSON and carried as files beside it, so an archive made from SQLite
restores onto PostgreSQL and the other way round.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, LargeBinary, Table

from mitpractice.errors import StoreError
from mitpractice.store.schema import UTCDateTime


def blob_columns(table: Table) -> list[str]:
    """The binary columns of a table (carried as files, not in the JSON)."""
    return [c.name for c in table.columns if isinstance(c.type, LargeBinary)]


def to_json(table: Table, row: Any) -> dict[str, Any]:
    """A row (a mapping) as a JSON object, without its binary columns."""
    out: dict[str, Any] = {}
    for column in table.columns:
        if isinstance(column.type, LargeBinary):
            continue
        value = row[column.name]
        if value is not None and isinstance(column.type, UTCDateTime | Date):
            value = value.isoformat()
        out[column.name] = value
    return out


def from_json(table: Table, data: dict[str, Any], where: str) -> dict[str, Any]:
    """A JSON object back as a row for ``insert`` (binary columns are added by the caller).

    Raises
    ------
    StoreError
        A column is missing or holds the wrong kind of value (``where`` names the archive).
    """
    row: dict[str, Any] = {}
    try:
        for column in table.columns:
            if isinstance(column.type, LargeBinary):
                continue
            if column.name not in data:
                if column.nullable:
                    row[column.name] = None
                    continue
                raise KeyError(column.name)
            value = data[column.name]
            if value is not None:
                if isinstance(column.type, UTCDateTime):
                    value = datetime.fromisoformat(value)
                elif isinstance(column.type, Date):
                    value = date.fromisoformat(value)
                elif isinstance(column.type, Boolean):
                    value = bool(value)
            row[column.name] = value
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"{where}: a {table.name} row is damaged ({exc})") from None
    return row
