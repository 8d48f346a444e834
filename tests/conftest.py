"""Test fixtures: every database test runs on SQLite and on real PostgreSQL, built by the migrations.

PostgreSQL is at PANSHI_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/test). Without it
the PostgreSQL tests skip with a message — except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from panshi.core import db as core_db
from panshi.core import migrate
from panshi.core.models import Base
from panshi.core.settings import get_settings

PG_ADMIN_URL = os.environ.get("PANSHI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
# Every table of the platform, children before parents, from the models the migrations mirror.
TABLES = [t.name for t in reversed(Base.metadata.sorted_tables)]


def _pg_reachable() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"; the message says which
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    problem = _pg_reachable()
    if problem:
        message = f"PostgreSQL not reachable at {make_url(PG_ADMIN_URL).render_as_string()} ({problem})"
        if IN_CI:
            pytest.fail(message + " — CI=true requires PostgreSQL", pytrace=False)
        pytest.skip(message + " — PostgreSQL tests skipped")
    name = f"panshi_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    if url in _engines:
        _engines.pop(url).dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'panshi.sqlite3'}"


_engines: dict[str, Engine] = {}


def _use(url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """Point the platform at `url`: one engine per database for the whole run, migrated once."""
    monkeypatch.setenv("PANSHI_DATABASE_URL", url)
    get_settings.cache_clear()
    if url not in _engines:
        _engines[url] = core_db.make_engine(url)
        migrate.upgrade(_engines[url])
    engine = _engines[url]
    monkeypatch.setattr(core_db, "get_engine", lambda: engine)
    return engine


def _empty(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        return
    raw = engine.raw_connection()  # the driver's own connection: PRAGMA only works outside a transaction
    try:
        raw.execute("PRAGMA foreign_keys=OFF")  # children first anyway; no per-row checks while emptying
        raw.execute("BEGIN IMMEDIATE")
        for table in TABLES:
            raw.execute(f"DELETE FROM {table}")
        raw.execute("COMMIT")
        raw.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> Iterator[Engine]:
    """An empty, migrated database of each engine, configured as the platform's database."""
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = _use(url, monkeypatch)
    _empty(engine)
    yield engine
    get_settings.cache_clear()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its lowest cost: the production parameters take ~0.4 s a hash, which tests need not pay."""
    from argon2 import PasswordHasher

    from panshi.accounts import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
