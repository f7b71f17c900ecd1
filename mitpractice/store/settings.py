"""The app's own settings (the PIN's hash, the measured latency): the ``settings`` table."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update

from mitpractice.store.base import StoreBase
from mitpractice.store.schema import attempts, patients, phrase_sets, recorded_models, settings


class SettingTables(StoreBase):
    """Key–value settings, and whether the store holds anything at all."""

    def setting(self, key: str, default: str | None = None) -> str | None:
        with self._read() as conn:
            value = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()
        return default if value is None else value

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction("save the setting") as conn:
            if conn.execute(update(settings).where(settings.c.key == key).values(value=value)).rowcount == 0:
                conn.execute(insert(settings).values(key=key, value=value))

    def is_empty(self) -> bool:
        """True when the store holds no patient, set or attempt (restore refuses otherwise)."""
        with self._read() as conn:
            return all(
                conn.execute(select(func.count()).select_from(t)).scalar_one() == 0
                for t in (patients, phrase_sets, attempts, recorded_models)
            )
