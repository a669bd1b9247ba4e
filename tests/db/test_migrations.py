"""Alembic: one head, upgrades an empty database, and agrees with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from shared.db.migrate import alembic_config, upgrade
from shared.db.models import Base
from tests import services


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def _assert_models_match(url: str) -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert diff == [], diff
    assert {"jobs", "job_results", "job_steps", "job_events", "batches", "api_keys"} <= tables


def test_upgrade_empty_sqlite_matches_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    _assert_models_match(url)


@pytest.mark.postgres
def test_upgrade_empty_postgres_matches_models():
    url = services.create_pg_database()
    try:
        upgrade(url)
        _assert_models_match(url.replace("postgresql://", "postgresql+psycopg://"))
    finally:
        services.drop_pg_database(url)


def test_upgrade_creates_the_sqlite_folder(tmp_path):
    url = f"sqlite:///{tmp_path / 'not-yet' / 'there' / 'mlcalc.db'}"
    upgrade(url)  # a fresh checkout has no var/ folder for the default database
    _assert_models_match(url)


def test_default_database_is_relative_var_folder(tmp_path, monkeypatch):
    from shared.settings import load_settings

    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    upgrade(settings.database_url)
    assert (tmp_path / "var" / "mlcalc.db").exists()
