"""Shared fixtures: a real, seeded SQLite registry and rasa_sdk trackers."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import store as store_module
from actions.store import Store
from bot.db import Database
from bot.seed import seed

# Nothing in the tests may talk to the outside world or report telemetry.
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

PHRASEBOOK = Path(__file__).parent / "fixtures" / "phrasebook.yml"
MARGARET = {"nhs": "9990000018", "dob": "14/03/1948", "name": "Margaret"}
TOMASZ = {"nhs": "9990000026", "dob": "02/07/1961", "name": "Tomasz"}


@pytest.fixture(scope="session")
def trained_model():
    """The model for the current data and config: trained at most once, cached by content hash."""
    from bot.model import ensure_model

    return ensure_model()


@pytest.fixture(scope="session")
def libre():
    """The fake LibreTranslate server (bot/translation/fake_libre.py) answering from
    tests/fixtures/phrasebook.yml; yields its URL. Tests that change its mode reset it."""
    from bot.translation.fake_libre import running

    with running(PHRASEBOOK) as url:
        yield url


@pytest.fixture
def db(tmp_path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'registry.db'}")
    seed(database, today=dt.date.today(), generated=20)
    yield database
    database.dispose()


@pytest.fixture
def store(db, monkeypatch) -> Store:
    """The actions' store, pointed at the seeded test database."""
    # Monday 23 November 2026, 10:00 local: every coordinator at work (tests of other times set store.clock)
    instance = Store(db, secret_key="test-secret", max_failures_per_day=6,
                     clock=lambda: dt.datetime(2026, 11, 23, 10, 0))
    monkeypatch.setattr(store_module, "_store", instance)
    return instance


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def user_event(text: str, intent: str, entities: Optional[List[Dict[str, Any]]] = None,
               metadata: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """A user event as Rasa sends it to actions; ``metadata`` as bot/inbound.py records it."""
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 1.0}, "entities": entities or [], "text": text},
        "metadata": metadata or {},
    }


def make_tracker(
    slots: Optional[Dict[str, Any]] = None,
    events: Optional[List[Dict[str, Any]]] = None,
    sender_id: str = "test-conversation",
    active_loop: Optional[str] = None,
) -> Tracker:
    events = list(events or [])
    latest = next((e["parse_data"] for e in reversed(events) if e.get("event") == "user"), {})
    return Tracker(
        sender_id=sender_id,
        slots={"verification_attempts": 0.0, "verification_locked": False, "change_pending": False,
               "red_flag_raised": False, **(slots or {})},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def responses(dispatcher: CollectingDispatcher) -> List[str]:
    return [m.get("response") for m in dispatcher.messages]
