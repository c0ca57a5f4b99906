"""Who takes a case, and what the patient is told: working hours, bank holidays, the duty
coordinator, red flags, triage."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff
from actions.safety import ActionRedFlag
from bot.models import Coordinator, HandoffCase, OutboxMessage
from tests.conftest import make_tracker, responses, user_event

T = dt.datetime
MONDAY_10 = T(2026, 11, 23, 10, 0)


def margaret(store):
    return store.verify("9990000018", dt.date(1948, 3, 14))


def request(patient_id=None):
    slots = {"patient_id": str(patient_id)} if patient_id else {}
    return make_tracker(slots, [user_event("can I talk to my coordinator", "request_coordinator")])


def set_hours(db, name, days, start=dt.time(9), end=dt.time(17)):
    with db.session() as session:
        session.execute(sa.update(Coordinator).where(Coordinator.name == name)
                        .values(work_days=days, work_start=start, work_end=end))


def only_case(db):
    with db.session() as session:
        case = session.execute(sa.select(HandoffCase)).scalar_one()
        return case.coordinator.name if case.coordinator else None, case.queue, case.urgent, dict(case.summary)


def emails(db):
    with db.session() as session:
        return [(row.recipient, row.payload["subject"]) for row in session.execute(sa.select(OutboxMessage)).scalars()]


async def test_in_hours_to_the_patients_own_coordinator(dispatcher, store, db):
    await handoff.hand_off_verified(dispatcher, request(margaret(store)), store, margaret(store))
    [message] = dispatcher.messages
    assert message["response"] == "utter_handoff_coordinator" and message["coordinator_name"] == "Priya Sharma"
    name, queue, urgent, summary = only_case(db)
    assert (name, queue, urgent, summary["in_hours"], summary["reply_by"]) == \
        ("Priya Sharma", "coordinator", False, True, "2026-11-23T17:00")


@pytest.mark.parametrize("now, day, time", [
    (T(2026, 11, 23, 20, 0), "Tuesday 24 November", "11:00"),
    (T(2026, 11, 27, 18, 30), "Monday 30 November", "11:00"),
    (T(2026, 12, 24, 17, 30), "Tuesday 29 December", "11:00"),  # Christmas and Boxing Day (Monday) are bank holidays
])
async def test_out_of_hours_the_patient_is_told_when_and_about_111(dispatcher, store, db, now, day, time):
    store.clock = lambda: now
    await handoff.hand_off_verified(dispatcher, request(margaret(store)), store, margaret(store))
    [message] = dispatcher.messages
    assert message["response"] == "utter_handoff_out_of_hours"
    assert (message["coordinator_name"], message["reply_day"], message["reply_time"]) == ("Priya Sharma", day, time)
    name, queue, _, summary = only_case(db)
    assert (name, queue, summary["in_hours"]) == ("Priya Sharma", "coordinator", False)
    [(recipient, _)] = emails(db)
    assert recipient == "priya.sharma@tellonce.invalid"


async def test_out_of_hours_replies_are_in_the_patients_language(dispatcher, store):
    store.clock = lambda: T(2026, 11, 27, 18, 30)
    tomasz = store.verify("9990000026", dt.date(1961, 7, 2))
    tracker = make_tracker({"patient_id": str(tomasz), "reply_language": "pl"},
                           [user_event("chcę rozmawiać z koordynatorem", "request_coordinator", metadata={"language": "pl"})])
    await handoff.hand_off_verified(dispatcher, tracker, store, tomasz)
    [message] = dispatcher.messages
    assert message["reply_day"] == "poniedziałek 30 listopada"


async def test_on_the_coordinators_day_off_the_duty_coordinator_takes_it(dispatcher, store, db):
    set_hours(db, "Priya Sharma", "1,2,3,4")  # not Fridays
    store.clock = lambda: T(2026, 11, 27, 10, 0)  # a Friday
    await handoff.hand_off_verified(dispatcher, request(margaret(store)), store, margaret(store))
    [message] = dispatcher.messages
    assert message["response"] == "utter_handoff_duty"
    assert (message["coordinator_name"], message["duty_name"], message["reply_time"]) == \
        ("Priya Sharma", "Daniel Hughes", "17:00")
    assert only_case(db)[:2] == ("Daniel Hughes", "duty")
    assert emails(db)[0][0] == "daniel.hughes@tellonce.invalid"


async def test_a_red_flag_opens_an_urgent_case_for_the_duty_coordinator(dispatcher, store, db):
    patient = margaret(store)
    tracker = make_tracker({"patient_id": str(patient), "red_flag_category": "chest_pain"},
                           [user_event("crushing chest pain", "red_flag", [{"entity": "red_flag", "value": "chest_pain"}])])
    await ActionRedFlag().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_red_flag_flagged"]
    name, queue, urgent, summary = only_case(db)
    assert (name, queue, urgent, summary["red_flags"]) == ("Daniel Hughes", "duty", True, ["chest_pain"])
    [(recipient, subject)] = emails(db)
    assert recipient == "daniel.hughes@tellonce.invalid" and subject.startswith("URGENT")


async def test_a_red_flag_escalates_an_open_case_once(dispatcher, store, db):
    patient = margaret(store)
    await handoff.hand_off_verified(dispatcher, request(patient), store, patient)
    tracker = make_tracker({"patient_id": str(patient), "red_flag_category": "stroke"},
                           [user_event("my face has dropped", "red_flag", [{"entity": "red_flag", "value": "stroke"}])])
    await ActionRedFlag().run(dispatcher, tracker, {})
    await ActionRedFlag().run(dispatcher, tracker, {})
    name, queue, urgent, _ = only_case(db)
    assert (name, queue, urgent) == ("Daniel Hughes", "duty", True)
    assert [r for r, _ in emails(db)] == ["priya.sharma@tellonce.invalid", "daniel.hughes@tellonce.invalid"]


async def test_a_red_flag_at_the_weekend_stays_with_the_own_coordinator(dispatcher, store, db):
    store.clock = lambda: T(2026, 11, 28, 22, 0)  # Saturday night: no duty rota
    patient = margaret(store)
    tracker = make_tracker({"patient_id": str(patient), "red_flag_category": "breathing"},
                           [user_event("I can't breathe", "red_flag", [{"entity": "red_flag", "value": "breathing"}])])
    await ActionRedFlag().run(dispatcher, tracker, {})
    name, queue, urgent, summary = only_case(db)
    assert (name, queue, urgent, summary["reply_by"]) == ("Priya Sharma", "coordinator", True, "2026-11-30T11:00")


async def test_unverified_patients_go_to_triage_with_its_hours(dispatcher, store, db):
    store.clock = lambda: T(2026, 11, 29, 15, 0)  # Sunday
    await handoff.hand_off_unverified(dispatcher, request(), "patient_request")
    [message] = dispatcher.messages
    assert message["response"] == "utter_handoff_triage_out_of_hours"
    assert (message["reply_day"], message["reply_time"]) == ("Monday 30 November", "11:00")
    name, queue, _, _ = only_case(db)
    assert (name, queue) == (None, "triage")
    assert emails(db)[0][0] == "triage@tellonce.invalid"


async def test_unverified_in_hours(dispatcher, store, db):
    await handoff.hand_off_unverified(dispatcher, request(), "patient_request")
    assert responses(dispatcher) == ["utter_handoff_triage"]


async def test_any_update_with_no_request(dispatcher, store):
    await handoff.case_update(dispatcher, make_tracker(events=[user_event("any update?", "ask_case_update")]))
    assert responses(dispatcher) == ["utter_case_update_none"]


async def test_any_update_while_waiting_says_who_and_when(dispatcher, store, db):
    patient = margaret(store)
    await handoff.hand_off_verified(dispatcher, request(patient), store, patient)
    store.clock = lambda: T(2026, 11, 23, 18, 0)  # that evening: the team has gone home
    update = CollectingDispatcher()
    await handoff.case_update(update, make_tracker({"patient_id": str(patient)},
                                                   [user_event("any update?", "ask_case_update")]))
    [message] = update.messages
    assert message["response"] == "utter_case_update_waiting"
    assert (message["coordinator_name"], message["reply_day"], message["reply_time"]) == \
        ("Priya Sharma", "Tuesday 24 November", "11:00")


async def test_any_update_while_a_coordinator_is_talking(dispatcher, store, db):
    from bot.live.store import LiveStore, Staff

    patient = margaret(store)
    await handoff.hand_off_verified(dispatcher, request(patient), store, patient)
    with db.session() as session:
        case_id, priya = session.execute(sa.select(HandoffCase.id, HandoffCase.coordinator_id)).one()
    LiveStore(db).claim(case_id, Staff(priya, "Priya Sharma", 1))
    update = CollectingDispatcher()
    await handoff.case_update(update, make_tracker({"patient_id": str(patient)},
                                                   [user_event("any news", "ask_case_update")]))
    assert update.messages[0]["response"] == "utter_case_update_live"


async def test_an_unverified_patient_hears_about_this_conversations_request_only(dispatcher, store):
    store.clock = lambda: T(2026, 11, 29, 15, 0)  # Sunday
    await handoff.hand_off_unverified(dispatcher, request(), "patient_request")
    update = CollectingDispatcher()
    await handoff.case_update(update, make_tracker(events=[user_event("any update?", "ask_case_update")]))
    assert update.messages[0]["response"] == "utter_case_update_triage"
    other = CollectingDispatcher()
    await handoff.case_update(other, make_tracker(events=[user_event("any update?", "ask_case_update")],
                                                  sender_id="someone-else"))
    assert other.messages[0]["response"] == "utter_case_update_none"
