"""Migrations at start-up: a store of an older revision is upgraded with its data, a copy kept
first; the migrations create exactly the tables of schema.py; older backups still restore."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import zipfile

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from mitpractice.errors import StoreError
from mitpractice.store import Store, migrate
from mitpractice.store.backup import backup, restore
from mitpractice.store.schema import metadata


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migrations_make_exactly_the_tables_of_the_schema(request, tmp_path, backend):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database("migrations")
    engine = create_engine(url)
    migrate.upgrade(engine, None)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()


def test_an_older_store_is_upgraded_with_its_data_and_a_copy_kept(tmp_path):
    path = tmp_path / "mitpractice.sqlite3"
    with Store.open(f"sqlite:///{path}") as old:
        ann = old.add_patient("Ann").id
        old.assign(ann, "greetings", ["thank-you", "hello"])
        old.unassign(ann, "greetings", ["hello"])
    engine = create_engine(f"sqlite:///{path}")  # back to the first revision, data kept
    config = migrate._config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    engine.dispose()
    for copy in tmp_path.glob("*.before-*"):
        copy.unlink()

    with Store.open(f"sqlite:///{path}") as store:
        assert store.kept_copy == path.with_name("mitpractice.sqlite3.before-0001")
        assert store.find_patient("Ann").id == ann
        assert [a.phrase_id for a in store.assignments(ann)] == ["thank-you"]  # the removal held
        assert migrate.current_revision(store.engine) == migrate.head_revision()
    assert stat.S_IMODE(store.kept_copy.stat().st_mode) == 0o600
    kept = sqlite3.connect(store.kept_copy)
    assert kept.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert kept.execute("SELECT name FROM patients").fetchall() == [("Ann",)]


def test_a_backup_of_an_older_revision_restores_and_a_newer_one_is_refused(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'home.sqlite3'}") as home:
        home.add_patient("Ann")
        backup(home, tmp_path / "backup.zip")
    for revision, ok in (("0001", True), ("9999", False)):
        edited = tmp_path / f"backup-{revision}.zip"
        with zipfile.ZipFile(tmp_path / "backup.zip") as src, zipfile.ZipFile(edited, "w") as dst:
            for item in src.infolist():
                body = src.read(item)
                if item.filename == "manifest.json":
                    body = json.dumps({**json.loads(body), "revision": revision}).encode()
                dst.writestr(item, body)
        with Store.open(f"sqlite:///{tmp_path / f'restored-{revision}.sqlite3'}") as target:
            if ok:
                restore(target, edited)
                assert [p.name for p in target.patients()] == ["Ann"]
            else:
                with pytest.raises(StoreError, match="newer version"):
                    restore(target, edited)
                assert target.is_empty()


def test_the_head_the_app_knows_is_the_newest_migration():
    """``migrate.HEAD`` says without Alembic which revision the app needs: it must be the
    newest script, or a new migration would never run."""
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(migrate._config()).get_current_head() == migrate.HEAD


def test_a_store_at_the_current_schema_opens_without_the_migration_tool(tmp_path):
    """Every start but the first after an update: the revision is read with one query, and
    Alembic (0.1-0.2 s to import) is not loaded at all; an older store still is migrated
    (above)."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    with Store.open(url):
        pass  # created and migrated
    code = ("import sys; from mitpractice.store import Store\n"
            f"with Store.open({url!r}) as s: s.patients()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}).stdout
    assert out.strip() == "[]"
