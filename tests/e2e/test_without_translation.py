"""With TRANSLATOR=none (or every provider down) the patient is still kept safe, in their language."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from bot.catalogue import load_responses
from bot.db import Database
from bot.models import HandoffCase, SafetyEvent
from tests.e2e.conftest import running_stack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def offline(trained_model, tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("var-offline"), {"TRANSLATOR": "none"}) as running:
        database = Database(f"sqlite:///{running.var_dir / 'tellonce.db'}")
        yield running, database
        database.dispose()


def test_punjabi_chest_pain_gets_999_advice_in_punjabi(offline):
    stack, registry = offline
    sender = f"e2e-offline-{uuid.uuid4().hex}"
    replies = stack.exchange(sender, "ਮੇਰੀ ਛਾਤੀ ਵਿੱਚ ਬਹੁਤ ਦਰਦ ਹੈ")
    advice = [v["text"] for v in load_responses("pa")["utter_red_flag"]
              if (v.get("condition") or [{}])[0].get("value") == "chest_pain"][0]
    assert replies[0]["text"] == advice.split("\n\n")[0] and "999" in advice
    assert all(r["metadata"]["language"] == "pa" for r in replies)
    with registry.session() as session:
        event = session.execute(sa.select(SafetyEvent).where(SafetyEvent.conversation_id == sender)).scalar_one()
        assert event.category == "chest_pain"


def test_other_messages_are_kept_and_handed_to_a_person_with_an_interpreter(offline):
    stack, registry = offline
    sender = f"e2e-offline-{uuid.uuid4().hex}"
    replies = stack.exchange(sender, "ਮੇਰੀ ਅਗਲੀ ਮੁਲਾਕਾਤ ਕਦੋਂ ਹੈ?")
    assert [r["text"] for r in replies] == [load_responses("pa")["utter_translation_failed"][0]["text"]]
    with registry.session() as session:
        case = session.execute(sa.select(HandoffCase).where(HandoffCase.conversation_id == sender)).scalar_one()
        assert case.summary["language"] == "pa" and case.summary["interpreter_needed"]


def test_english_needs_no_provider_at_all(offline):
    stack, _ = offline
    replies = stack.say(f"e2e-offline-{uuid.uuid4().hex}", "when is my next appointment")
    assert "NHS number" in replies[0]
