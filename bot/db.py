"""Database engines and sessions for the care registry.

SQLite is the embedded default; any SQLAlchemy URL (PostgreSQL in production)
works unchanged. SQLite connections get WAL journalling and a busy timeout so the
Rasa server and the action server can write at the same time without
"database is locked".
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional, Set

import sqlalchemy as sa
from sqlalchemy import Table
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a file-based SQLite database; other URLs need nothing."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, busy_timeout_ms: int = 15000, future: bool = True) -> Engine:
    """An engine for ``url``; for SQLite, WAL mode and a busy timeout on every connection.

    ``future=False`` gives a 1.x-style engine, for Rasa's own SQL tracker store code.
    """
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, future=future)

    ensure_sqlite_folder(url)
    # A small pool: SQLAlchemy 1.4 would otherwise reconnect (and re-run the
    # PRAGMAs) for every transaction on a file database.
    engine = sa.create_engine(
        url,
        future=future,
        poolclass=sa.pool.QueuePool,
        pool_size=5,
        max_overflow=10,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
    )
    enable_sqlite_wal(engine, busy_timeout_ms)
    return engine


def enable_sqlite_wal(engine: Engine, busy_timeout_ms: int) -> None:
    """Set WAL journalling and a busy timeout on each new SQLite connection of ``engine``."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()


class Database:
    """An engine plus a session factory, created on first use (never at import)."""

    def __init__(self, url: str, busy_timeout_ms: int = 15000) -> None:
        self.url = url
        self._busy_timeout_ms = busy_timeout_ms
        self._engine: Optional[Engine] = None
        self._sessions: Optional[sessionmaker] = None
        self._tables: Set[str] = set()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url, self._busy_timeout_ms)
            self._sessions = sessionmaker(bind=self._engine, future=True, expire_on_commit=False)
        return self._engine

    def create_schema(self) -> None:
        from bot.models import Base

        Base.metadata.create_all(self.engine)

    def ensure_table(self, table: Table) -> None:
        """Create ``table`` if it is missing, once per process (for stores that own a table)."""
        if table.name not in self._tables:
            table.create(self.engine, checkfirst=True)
            self._tables.add(table.name)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed on success, rolled back on any error."""
        self.engine  # noqa: B018 - make sure the factory exists
        assert self._sessions is not None
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
