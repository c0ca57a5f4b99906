"""Engines and sessions for the care registry (bot/db.py)."""
from __future__ import annotations

import multiprocessing

import pytest
import sqlalchemy as sa

from bot.db import Database, make_engine
from bot.models import Team

ROWS_PER_WORKER = 200


def pragma(engine, name):
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def team_names(database: Database):
    with database.session() as session:
        return sorted(session.scalars(sa.select(Team.name)).all())


def test_sqlite_engine_uses_wal_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}", busy_timeout_ms=4321)
    try:
        assert pragma(engine, "journal_mode") == "wal"
        assert pragma(engine, "busy_timeout") == 4321
        assert pragma(engine, "foreign_keys") == 1
        assert pragma(engine, "synchronous") == 1  # NORMAL
    finally:
        engine.dispose()


def test_every_new_connection_gets_the_settings(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}", busy_timeout_ms=2500)
    try:
        first, second = engine.connect(), engine.connect()  # two distinct pool connections
        try:
            for connection in (first, second):
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2500
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        finally:
            first.close()
            second.close()
    finally:
        engine.dispose()


def test_default_busy_timeout_is_fifteen_seconds(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    try:
        assert pragma(engine, "busy_timeout") == 15000
    finally:
        engine.dispose()


def test_missing_parent_directories_are_created(tmp_path):
    path = tmp_path / "deep" / "er" / "registry.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert path.parent.is_dir()
        assert pragma(engine, "journal_mode") == "wal"
        assert path.is_file()
    finally:
        engine.dispose()


def test_in_memory_sqlite_works_and_touches_no_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = make_engine("sqlite://")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT 1 + 1").scalar() == 2
        assert list(tmp_path.iterdir()) == []
    finally:
        engine.dispose()


def test_database_connects_lazily(tmp_path):
    path = tmp_path / "later" / "registry.db"
    database = Database(f"sqlite:///{path}")
    assert not path.parent.exists()
    database.create_schema()
    assert path.is_file()
    database.dispose()


def test_database_passes_its_busy_timeout_on(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'registry.db'}", busy_timeout_ms=777)
    try:
        assert pragma(database.engine, "busy_timeout") == 777
    finally:
        database.dispose()


@pytest.fixture
def database(tmp_path):
    instance = Database(f"sqlite:///{tmp_path / 'registry.db'}")
    instance.create_schema()
    yield instance
    instance.dispose()


def test_session_commits_on_success(database):
    with database.session() as session:
        session.add(Team(name="Dartford", area="Dartford", phone="01322 000000"))
    assert team_names(database) == ["Dartford"]
    # Visible to a completely separate engine too: it really was committed.
    other = Database(database.url)
    try:
        assert team_names(other) == ["Dartford"]
    finally:
        other.dispose()


def test_session_rolls_back_on_error(database):
    with database.session() as session:
        session.add(Team(name="Dartford", area="Dartford", phone="01322 000000"))

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with database.session() as session:
            session.add(Team(name="Swanley", area="Swanley", phone="01322 111111"))
            session.flush()  # the row reached the database inside the transaction
            raise Boom()
    assert team_names(database) == ["Dartford"]


def test_session_rolls_back_on_a_database_error(database):
    with database.session() as session:
        session.add(Team(name="Dartford", area="Dartford", phone="01322 000000"))
    with pytest.raises(sa.exc.IntegrityError):
        with database.session() as session:
            session.add(Team(name="Gravesham", area="Gravesham", phone="01474 000000"))
            session.flush()
            session.add(Team(name="Dartford", area="again", phone="0"))  # unique name clash
    assert team_names(database) == ["Dartford"]


def test_foreign_keys_are_enforced(database):
    from bot.models import Coordinator

    with pytest.raises(sa.exc.IntegrityError):
        with database.session() as session:
            session.add(Coordinator(name="Nobody", role="nurse", email="n@example.org", team_id=999))
    with database.session() as session:
        assert session.scalars(sa.select(Coordinator)).all() == []


def insert_rows(url: str, worker: int, count: int, start, results) -> None:
    """Run in a separate process: ``count`` inserts, each its own transaction."""
    from sqlalchemy.exc import OperationalError

    from bot.db import Database
    from bot.models import Team

    database = Database(url)
    errors = 0
    start.wait(timeout=60)  # both workers begin writing together
    for index in range(count):
        try:
            with database.session() as session:
                session.add(Team(name=f"worker{worker}-{index:03d}", area="test", phone="0"))
        except OperationalError:
            errors += 1
    database.dispose()
    results.put((worker, errors))


def test_two_processes_write_concurrently_without_locking_errors(database):
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=insert_rows, args=(database.url, n, ROWS_PER_WORKER, start, results))
               for n in (1, 2)]
    for process in workers:
        process.start()
    try:
        outcome = dict(results.get(timeout=120) for _ in workers)
    finally:
        for process in workers:
            process.join(timeout=60)
            if process.is_alive():  # pragma: no cover - only on a hang
                process.kill()
    assert [process.exitcode for process in workers] == [0, 0]
    assert outcome == {1: 0, 2: 0}, "OperationalError (database is locked?) in a worker"
    names = team_names(database)
    assert len(names) == 2 * ROWS_PER_WORKER
    assert names == sorted(f"worker{w}-{i:03d}" for w in (1, 2) for i in range(ROWS_PER_WORKER))


def test_a_store_can_create_its_own_table_on_first_use(tmp_path):
    from bot.translation.cache import CachedTranslation

    database = Database(f"sqlite:///{tmp_path / 'own.db'}")
    database.ensure_table(CachedTranslation.__table__)
    database.ensure_table(CachedTranslation.__table__)  # a second call is a no-op
    assert sa.inspect(database.engine).has_table("translation_cache")
    database.dispose()
