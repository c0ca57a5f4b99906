"""Appointments: answers and change requests against a real SQLite registry."""
from __future__ import annotations

import datetime as dt

import pytest

from actions import appointments
from actions.appointments import ActionDeclineChange, ActionSubmitChange
from bot.models import AppointmentRequest
from tests.conftest import make_tracker, responses, user_event


@pytest.fixture
def margaret(store) -> int:
    return store.verify("9990000018", dt.date(1948, 3, 14))


@pytest.fixture
def tomasz(store) -> int:
    return store.verify("9990000026", dt.date(1961, 7, 2))


async def test_next_appointment_says_day_time_and_place(dispatcher, store, margaret):
    tracker = make_tracker({"patient_id": str(margaret)})
    await appointments.tell_next(dispatcher, tracker, store, margaret)
    [message] = dispatcher.messages
    expected = dt.date.today() + dt.timedelta(days=3)
    assert message["response"] == "utter_next_appointment_home"
    assert message["time"] == "10:30"
    assert message["day"] == f"{expected:%A} {expected.day} {expected:%B}"
    assert message["address"] == "7 Lavender Close, Dartford, DA1 5ZZ"
    assert message["service"] == "Community Treatment Team home visit"


async def test_clinic_appointment_names_the_hospital(dispatcher, store, tomasz):
    await appointments.tell_next(dispatcher, make_tracker(), store, tomasz)
    [message] = dispatcher.messages
    assert message["response"] == "utter_next_appointment_clinic"
    assert message["location"] == "Darent Valley Hospital"
    assert message["time"] == "14:15"


async def test_upcoming_lists_every_appointment_in_order(dispatcher, store, margaret):
    await appointments.tell_upcoming(dispatcher, make_tracker(), store, margaret)
    assert responses(dispatcher) == ["utter_upcoming_count", "utter_appointment_line_home", "utter_appointment_line_home"]
    assert dispatcher.messages[0]["count"] == 2
    assert dispatcher.messages[1]["service"].startswith("Community Treatment Team")


async def test_details_pick_the_appointment_the_patient_names(dispatcher, store, margaret):
    tracker = make_tracker(events=[user_event("what should I bring to the occupational therapy visit",
                                              "ask_appointment_details")])
    await appointments.tell_details(dispatcher, tracker, store, margaret)
    [message] = dispatcher.messages
    assert message["service"] == "Occupational therapy equipment review"
    assert message["bring"] and message["transport"] and message["clinician"]


async def test_patient_with_no_appointments_is_told_so(dispatcher, store, margaret, db):
    from bot.models import Appointment

    with db.session() as session:
        session.query(Appointment).filter_by(patient_id=margaret).update({"status": "cancelled"})
    await appointments.tell_next(dispatcher, make_tracker(), store, margaret)
    assert responses(dispatcher) == ["utter_no_appointments"]


@pytest.mark.parametrize("intent, kind", [("request_reschedule", "reschedule"), ("request_cancel", "cancel")])
async def test_change_is_confirmed_before_anything_is_stored(dispatcher, store, margaret, db, intent, kind):
    tracker = make_tracker({"patient_id": str(margaret)}, [user_event("I need to change my appointment", intent)])
    events = await appointments.offer_change(dispatcher, tracker, store, margaret)
    assert responses(dispatcher) == [f"utter_confirm_{kind}"]
    slots = {e["name"]: e["value"] for e in events}
    assert slots["change_pending"] is True and slots["change_kind"] == kind
    with db.session() as session:
        assert session.query(AppointmentRequest).count() == 0


async def test_yes_stores_one_request_for_the_service(dispatcher, store, margaret, db):
    upcoming = store.upcoming_appointments(margaret, dt.datetime.now() - dt.timedelta(hours=1))
    slots = {"patient_id": str(margaret), "change_pending": True, "change_kind": "cancel",
             "change_appointment_id": str(upcoming[0].id)}
    for _ in range(2):  # a repeated "yes" must not file a second request
        events = await ActionSubmitChange().run(dispatcher, make_tracker(slots), {})
    assert responses(dispatcher) == ["utter_cancel_requested"] * 2
    assert {"event": "slot", "name": "change_pending", "value": False, "timestamp": None} in events
    with db.session() as session:
        [request] = session.query(AppointmentRequest).all()
    assert (request.kind, request.status, request.appointment_id) == ("cancel", "pending", upcoming[0].id)
    assert request.conversation_id == "test-conversation"


async def test_another_patients_appointment_cannot_be_changed(dispatcher, store, margaret, tomasz, db):
    others = store.upcoming_appointments(tomasz, dt.datetime.now() - dt.timedelta(hours=1))
    slots = {"patient_id": str(margaret), "change_pending": True, "change_kind": "cancel",
             "change_appointment_id": str(others[0].id)}
    await ActionSubmitChange().run(dispatcher, make_tracker(slots), {})
    assert responses(dispatcher) == ["utter_change_not_sent"]
    with db.session() as session:
        assert session.query(AppointmentRequest).count() == 0


async def test_no_changes_nothing(dispatcher, store, margaret, db):
    events = await ActionDeclineChange().run(dispatcher, make_tracker({"change_pending": True}), {})
    assert responses(dispatcher) == ["utter_change_not_sent"]
    assert events[0]["name"] == "change_pending" and events[0]["value"] is False
    with db.session() as session:
        assert session.query(AppointmentRequest).count() == 0
