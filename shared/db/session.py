"""Engines and sessions, one engine per database URL and process."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

# What a lost or unreachable database raises: callers answer "unavailable"
# (503, retry) rather than an error of their own.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)

SessionFactory = sessionmaker[Session]

_lock = threading.Lock()
_engines: dict[tuple[str, int], Engine] = {}


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # noqa: ARG001
    # WAL lets the API read while a worker writes; busy_timeout makes
    # concurrent writers wait instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def get_engine(url: str) -> Engine:
    """Return this process's engine for ``url`` (new after a fork)."""
    key = (normalize_url(url), os.getpid())
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _create_engine(key[0])
            _engines[key] = engine
        return engine


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite file (a fresh checkout has no var/)."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        ensure_sqlite_folder(url)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_timeout=10,
        connect_args={"connect_timeout": 5},
    )


def session_factory(url: str) -> SessionFactory:
    return sessionmaker(get_engine(url), expire_on_commit=False)


def ping(sessions: SessionFactory) -> None:
    """Run a trivial query; raises when the database cannot be reached."""
    with sessions() as session:
        session.execute(text("SELECT 1"))


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_engines() -> None:
    """Forget every engine (call in a child after fork)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose(close=False)
        _engines.clear()
