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


def test_handoff_outbox_and_live_conversation_on_postgresql(pg_store):
    """The case's email commits with it; the worker's conditional claim, the duty rota, claims,
    replies and delivery all run unchanged on PostgreSQL."""
    import sqlalchemy as sa

    from bot.live.store import LiveStore
    from bot.models import OutboxMessage
    from bot.outbox.senders import RecordingSender
    from bot.outbox.worker import OutboxWorker

    patient_id = pg_store.verify("9990000026", dt.date(1961, 7, 2))
    monday_10 = dt.datetime(2026, 11, 23, 10, 0)
    case = pg_store.open_handoff_case("pg-live", "red_flag", patient_id, True, {"language": "pl"}, now=monday_10)
    assert (case.queue, case.coordinator.name, case.assigned.name) == ("duty", "Tom Fletcher", "Ewa Kowalska")
    with pg_store.db.session() as session:
        assert session.execute(sa.select(OutboxMessage.recipient).where(OutboxMessage.case_id == case.id)
                               ).scalars().all() == ["tom.fletcher@tellonce.invalid"]
    sender = RecordingSender()
    assert OutboxWorker(pg_store.db, {"email": sender}).run_once().sent >= 1
    assert any(payload["subject"].startswith("URGENT") for _, payload in sender.sent)
    live = LiveStore(pg_store.db)
    token = live.issue_token("tom.fletcher@tellonce.invalid")
    tom = live.staff_for_token(token)
    live.claim(case.id, tom)
    assert live.live_case("pg-live").id == case.id
    live.record_patient_message(case.id, "pg-live", "Boli mnie w klatce", "My chest hurts", "pl", "machine")
    live.add_reply(case.id, tom, "An ambulance is on its way.", "Karetka jest w drodze.", "pl", "machine")
    outgoing = live.take_outgoing("pg-live")
    assert [o.direction for o in outgoing] == ["notice", "coordinator"] and live.take_outgoing("pg-live") == []
    assert live.release(case.id, tom, close=True)["status"] == "closed"


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
