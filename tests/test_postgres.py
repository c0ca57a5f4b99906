"""The same code on PostgreSQL: the registry, the actions' store and Rasa's tracker store."""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest

from actions.store import Store
from bot.db import Database
from bot.seed import seed
from tests.postgres import running_postgres

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pg_url():
    # Not pytest's tmp_path: its folders are private to root, and the server runs as 'postgres'.
    directory = Path(tempfile.mkdtemp(prefix="tellonce-pg-"))
    try:
        yield from running_postgres(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def pg_store(pg_url) -> Store:
    database = Database(pg_url)
    seed(database, today=dt.date.today(), generated=30)
    yield Store(database, secret_key="pg-test")
    database.dispose()


def test_registry_works_unchanged_on_postgresql(pg_store):
    assert pg_store.db.engine.dialect.name == "postgresql"
    patient_id = pg_store.verify("9990000018", dt.date(1948, 3, 14))
    assert patient_id is not None
    assert pg_store.verify("9990000018", dt.date(1948, 3, 15)) is None
    assert pg_store.patient(patient_id).coordinator.name == "Priya Sharma"
    [first, *_] = pg_store.upcoming_appointments(patient_id, dt.datetime.now() - dt.timedelta(hours=1))
    assert first.starts_at.time() == dt.time(10, 30)
    request_id = pg_store.request_change(patient_id, first.id, "cancel", "pg-conversation")
    assert pg_store.request_change(patient_id, first.id, "cancel", "pg-conversation") == request_id
    case = pg_store.open_handoff_case("pg-conversation", "patient_request", patient_id, summary={"verified": True})
    again = pg_store.open_handoff_case("pg-conversation", "patient_request", patient_id)
    assert case.created and not again.created and again.id == case.id
    pg_store.record_safety_event("pg-conversation", "chest_pain", patient_id)


def test_rasa_tracker_store_works_unchanged_on_postgresql(pg_url, monkeypatch):
    import asyncio

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.settings import PROJECT_ROOT
    from bot.tracker_store import TellOnceTrackerStore

    domain = Domain.load(str(PROJECT_ROOT / "bot" / "domain"))
    store = TellOnceTrackerStore(domain=domain, host=pg_url)
    assert store.engine.dialect.name == "postgresql"
    tracker = DialogueStateTracker.from_events(
        "pg-sender", [UserUttered("hello", {"name": "greet", "confidence": 1.0}), SlotSet("patient_id", "7")],
        domain.slots)
    asyncio.run(store.save(tracker))
    loaded = asyncio.run(store.retrieve("pg-sender"))
    assert loaded.get_slot("patient_id") == "7"
    assert loaded.latest_message.text == "hello"
