"""Talking to a person: cases for the assigned coordinator, or triage."""
from __future__ import annotations

import datetime as dt

from actions import handoff
from actions.fallback import ActionFallback
from actions.safety import ActionRedFlag
from bot.models import HandoffCase, SafetyEvent
from tests.conftest import make_tracker, responses, user_event


async def test_verified_request_names_the_coordinator_and_opens_one_case(dispatcher, store, db):
    margaret = store.verify("9990000018", dt.date(1948, 3, 14))
    tracker = make_tracker({"patient_id": str(margaret)},
                           [user_event("can I talk to my coordinator", "request_coordinator")])
    await handoff.hand_off_verified(dispatcher, tracker, store, margaret)
    await handoff.hand_off_verified(dispatcher, tracker, store, margaret)
    first, second = dispatcher.messages
    assert first["response"] == "utter_handoff_coordinator"
    assert first["coordinator_name"] == "Priya Sharma"
    assert first["team_name"] == "Dartford integrated care team"
    assert second["response"] == "utter_handoff_existing"
    with db.session() as session:
        [case] = session.query(HandoffCase).all()
        assert case.coordinator.name == "Priya Sharma"
        assert (case.queue, case.status, case.reason) == ("coordinator", "open", "patient_request")
        assert case.summary["verified"] is True
        assert case.summary["asked_about"] == ["request_coordinator"]


async def test_summary_holds_structure_not_patient_text(dispatcher, store, db):
    margaret = store.verify("9990000018", dt.date(1948, 3, 14))
    events = [user_event("my number is 999 000 0018 and I feel awful", "inform"),
              user_event("chest pain", "red_flag", [{"entity": "red_flag", "value": "chest_pain"}]),
              user_event("put me through", "request_coordinator")]
    tracker = make_tracker({"patient_id": str(margaret), "red_flag_raised": True}, events)
    await handoff.hand_off_verified(dispatcher, tracker, store, margaret)
    with db.session() as session:
        case = session.query(HandoffCase).one()
        assert case.urgent is True
        assert case.summary["red_flags"] == ["chest_pain"]
        assert "999 000 0018" not in str(case.summary) and "awful" not in str(case.summary)


async def test_ask_coordinator_names_them_without_opening_a_case(dispatcher, store, db):
    tomasz = store.verify("9990000026", dt.date(1961, 7, 2))
    await handoff.tell_coordinator(dispatcher, make_tracker(), store, tomasz)
    [message] = dispatcher.messages
    assert message["response"] == "utter_your_coordinator"
    assert message["coordinator_name"] == "Ewa Kowalska"
    assert message["team_phone"].startswith("01632 960")
    with db.session() as session:
        assert session.query(HandoffCase).count() == 0


async def test_first_misunderstanding_asks_to_rephrase(dispatcher, store, db):
    tracker = make_tracker(events=[user_event("hello", "greet"), user_event("blorp", "nlu_fallback")])
    await ActionFallback().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_rephrase"]
    with db.session() as session:
        assert session.query(HandoffCase).count() == 0


async def test_second_misunderstanding_in_a_row_hands_off(dispatcher, store, db):
    tracker = make_tracker(events=[user_event("blorp", "nlu_fallback"), user_event("zzz", "nlu_fallback")])
    await ActionFallback().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_fallback_handoff", "utter_handoff_triage"]
    with db.session() as session:
        case = session.query(HandoffCase).one()
        assert (case.queue, case.reason) == ("triage", "bot_failed")


async def test_misunderstandings_in_an_earlier_session_do_not_count(dispatcher, store):
    events = [user_event("blorp", "nlu_fallback"), {"event": "session_started"}, user_event("zzz", "nlu_fallback")]
    await ActionFallback().run(dispatcher, make_tracker(events=events), {})
    assert responses(dispatcher) == ["utter_rephrase"]


async def test_red_flag_is_recorded_for_staff(dispatcher, store, db):
    tracker = make_tracker({"red_flag_category": "chest_pain"},
                           [user_event("crushing chest pain", "red_flag", [{"entity": "red_flag", "value": "chest_pain"}])])
    events = await ActionRedFlag().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_red_flag_flagged"]
    assert events[0]["name"] == "red_flag_raised" and events[0]["value"] is True
    with db.session() as session:
        event = session.query(SafetyEvent).one()
        assert (event.category, event.conversation_id) == ("chest_pain", "test-conversation")
