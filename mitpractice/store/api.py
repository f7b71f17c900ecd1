"""The store: one API for the practice window, the therapist's workspace and the command line.

Every method is one transaction. ``save_attempt`` writes the attempt's row and its audio
(FLAC) together, so an attempt is stored whole or not at all; its score is added afterwards
(``set_score``), because what the patient sang is saved the moment the take ends. Work that
must span several statements (a restore, a bundle's import) runs in
``with store.transaction() as tx:``.

:class:`Store` is one face over one class per group of tables, each in its own module:
patients (:mod:`~mitpractice.store.patients`), the programme
(:mod:`~mitpractice.store.programme`), attempts (:mod:`~mitpractice.store.attempts`),
sessions (:mod:`~mitpractice.store.sessions`) and settings
(:mod:`~mitpractice.store.settings`); opening and transactions are
:mod:`~mitpractice.store.base`'s.

Examples
--------
>>> import tempfile
>>> store = Store.open(f"sqlite:///{tempfile.mkdtemp()}/demo.sqlite3")
>>> patient = store.add_patient("Ann", low="A3")
>>> round(patient.low_hz)
220
>>> store.find_patient("ann").id == patient.id
True
>>> store.close()
"""

from __future__ import annotations

from mitpractice.store.attempts import MAX_PAGE, AttemptTables
from mitpractice.store.patients import PatientTables
from mitpractice.store.programme import ProgrammeTables
from mitpractice.store.sessions import SessionTables
from mitpractice.store.settings import SettingTables
from mitpractice.store.values import decode_flac, encode_flac, new_id, now

__all__ = ["MAX_PAGE", "Store", "decode_flac", "encode_flac", "new_id", "now"]


class Store(PatientTables, ProgrammeTables, SessionTables, AttemptTables, SettingTables):
    """Patients, phrase sets, assignments, sessions and attempts in one database.

    Open it with :meth:`open`; it migrates the database first. Use one ``Store`` per process
    (it holds a connection pool) and :meth:`close` it at the end.
    """
