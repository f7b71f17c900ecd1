"""The store: patients, phrase sets, assignments, sessions and every attempt with its audio,
in one database (SQLite in the data folder, or PostgreSQL for a clinic). No Qt here.

- :mod:`~mitpractice.store.schema`: the tables; :mod:`~mitpractice.store.migrate`: Alembic.
- :mod:`~mitpractice.store.engine`: opening the database, SQLite set-up, messages.
- :mod:`~mitpractice.store.api`: :class:`Store`, the one API of the GUI and the command line.
- :mod:`~mitpractice.store.records`: the records it returns.
- :mod:`~mitpractice.store.journal`: takes in progress, journaled and recovered.

See docs/store.md.
"""

from mitpractice.store.api import Store
from mitpractice.store.records import (
    Assignment,
    Attempt,
    AttemptPage,
    AttemptQuery,
    DayProgress,
    NewAttempt,
    Patient,
    PhraseSetRecord,
    PracticeSession,
    RecordedModel,
    TestResult,
)

__all__ = [
    "Assignment",
    "Attempt",
    "AttemptPage",
    "AttemptQuery",
    "DayProgress",
    "NewAttempt",
    "Patient",
    "PhraseSetRecord",
    "PracticeSession",
    "RecordedModel",
    "Store",
    "TestResult",
]
