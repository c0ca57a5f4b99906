"""Identity verification against a real SQLite registry."""
from __future__ import annotations

import pytest

from actions.verification import ActionResumeAfterVerification, ValidateVerifyForm
from bot.models import VerificationFailure
from tests.conftest import MARGARET, make_tracker, responses, user_event

DOMAIN = {"forms": {"verify_form": {"required_slots": ["nhs_number", "date_of_birth"]}}}


@pytest.fixture
def form() -> ValidateVerifyForm:
    return ValidateVerifyForm()


@pytest.mark.parametrize("text", ["999 000 0018", "9990000018", "999-000-0018", "my number is 999 000 0018"])
async def test_nhs_number_formats_are_accepted(form, dispatcher, text):
    result = await form.validate_nhs_number(text, dispatcher, make_tracker(), DOMAIN)
    assert result == {"nhs_number": "9990000018"}
    assert dispatcher.messages == []


@pytest.mark.parametrize("text", ["999 000 0019", "12345", "hello", "", "😀😀", "9990000018 9990000026"])
async def test_bad_nhs_numbers_are_refused_with_a_format_hint(form, dispatcher, text):
    result = await form.validate_nhs_number(text, dispatcher, make_tracker(), DOMAIN)
    assert result == {"nhs_number": None}
    assert responses(dispatcher) == ["utter_nhs_number_format"]


async def test_unreadable_date_asks_again_without_counting_an_attempt(form, dispatcher, store):
    tracker = make_tracker({"nhs_number": MARGARET["nhs"]})
    result = await form.validate_date_of_birth("14/03/48", dispatcher, tracker, DOMAIN)
    assert result == {"date_of_birth": None}
    assert responses(dispatcher) == ["utter_date_of_birth_format"]


async def test_right_details_verify_and_forget_the_identifiers(form, dispatcher, store):
    tracker = make_tracker({"nhs_number": MARGARET["nhs"]})
    result = await form.validate_date_of_birth("14 March 1948", dispatcher, tracker, DOMAIN)
    assert result["patient_id"] is not None
    assert result["nhs_number"] is None and result["date_of_birth"] is None
    assert dispatcher.messages[0]["response"] == "utter_verified"
    assert dispatcher.messages[0]["given_name"] == "Margaret"


@pytest.mark.parametrize(
    "number, dob",
    [
        (MARGARET["nhs"], "15/03/1948"),  # right number, wrong date of birth
        ("9990001234", "14/03/1948"),  # well-formed number that is not registered
    ],
    ids=["wrong-dob", "unknown-number"],
)
async def test_failures_look_identical_and_disclose_nothing(form, dispatcher, store, number, dob):
    from bot import nhs

    number = number if nhs.is_valid(number) else nhs.with_check_digit(number[:9])
    tracker = make_tracker({"nhs_number": number})
    result = await form.validate_date_of_birth(dob, dispatcher, tracker, DOMAIN)
    assert result == {"verification_attempts": 1.0, "nhs_number": None, "date_of_birth": None}
    assert responses(dispatcher) == ["utter_verification_failed"]
    assert all("given_name" not in m for m in dispatcher.messages)


async def test_third_failure_locks_the_conversation(form, dispatcher, store):
    tracker = make_tracker({"nhs_number": MARGARET["nhs"], "verification_attempts": 2.0})
    result = await form.validate_date_of_birth("01/01/1950", dispatcher, tracker, DOMAIN)
    assert result["verification_locked"] is True
    assert result["verification_attempts"] == 3.0
    assert dispatcher.messages == []  # the lock message comes after the form ends


async def test_failures_are_recorded_by_keyed_hash_never_the_number(form, dispatcher, store, db):
    tracker = make_tracker({"nhs_number": MARGARET["nhs"]})
    await form.validate_date_of_birth("01/01/1950", dispatcher, tracker, DOMAIN)
    with db.session() as session:
        rows = session.query(VerificationFailure).all()
    assert len(rows) == 1
    assert MARGARET["nhs"] not in rows[0].nhs_hash and len(rows[0].nhs_hash) == 64


async def test_a_number_under_attack_is_refused_even_with_the_right_date(form, dispatcher, store):
    for _ in range(store.max_failures_per_day):
        assert store.verify(MARGARET["nhs"], __import__("datetime").date(1900, 1, 1)) is None
    tracker = make_tracker({"nhs_number": MARGARET["nhs"]})
    result = await form.validate_date_of_birth(MARGARET["dob"], dispatcher, tracker, DOMAIN)
    assert "patient_id" not in result
    assert responses(dispatcher) == ["utter_verification_failed"]


async def test_verified_or_locked_conversations_need_no_more_slots(form, dispatcher):
    slots = ["nhs_number", "date_of_birth"]
    assert await form.required_slots(slots, dispatcher, make_tracker(), DOMAIN) == slots
    assert await form.required_slots(slots, dispatcher, make_tracker({"patient_id": "1"}), DOMAIN) == []
    assert await form.required_slots(slots, dispatcher, make_tracker({"verification_locked": True}), DOMAIN) == []


async def test_locked_conversation_is_offered_a_person_or_the_phone_line(dispatcher, store):
    tracker = make_tracker({"verification_locked": True},
                           [user_event("when is my next appointment", "ask_next_appointment")])
    await ActionResumeAfterVerification().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_verification_locked"]


async def test_locked_patient_asking_for_a_person_reaches_triage(dispatcher, store, db):
    from bot.models import HandoffCase

    tracker = make_tracker({"verification_locked": True}, [user_event("talk to someone", "request_coordinator")])
    await ActionResumeAfterVerification().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_handoff_triage"]
    with db.session() as session:
        case = session.query(HandoffCase).one()
    assert case.queue == "triage" and case.patient_id is None


async def test_verified_patient_gets_what_they_asked_for(dispatcher, store):
    patient_id = store.verify(MARGARET["nhs"], __import__("datetime").date(1948, 3, 14))
    tracker = make_tracker({"patient_id": str(patient_id)},
                           [user_event("when is my next appointment", "ask_next_appointment")])
    await ActionResumeAfterVerification().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_next_appointment_home"]


async def test_stopping_verification_for_a_person_still_reaches_triage(dispatcher, store, db):
    from actions.verification import ActionVerificationStopped
    from bot.models import HandoffCase

    tracker = make_tracker(events=[user_event("can I speak to someone", "request_coordinator"),
                                   user_event("stop", "stop")])
    events = await ActionVerificationStopped().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_handoff_triage"]
    assert {e["name"] for e in events if e["event"] == "slot"} >= {"nhs_number", "date_of_birth"}
    with db.session() as session:
        assert session.query(HandoffCase).one().queue == "triage"


async def test_stopping_verification_otherwise_just_stops(dispatcher, store, db):
    from actions.verification import ActionVerificationStopped
    from bot.models import HandoffCase

    tracker = make_tracker(events=[user_event("when is my appointment", "ask_next_appointment"),
                                   user_event("stop", "stop")])
    await ActionVerificationStopped().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_stopped"]
    with db.session() as session:
        assert session.query(HandoffCase).count() == 0


def test_every_goal_that_needs_verification_has_an_answer():
    from actions.common import GOAL_INTENTS
    from actions.verification import GOALS

    assert set(GOALS) == GOAL_INTENTS


@pytest.mark.parametrize("action, response", [
    ("ActionAskNhsNumber", "utter_ask_nhs_number"),
    ("ActionAskDateOfBirth", "utter_ask_date_of_birth"),
])
async def test_the_form_asks_its_questions_by_response_name(dispatcher, action, response):
    import actions.verification as module

    ask = getattr(module, action)()
    assert ask.name() == response.replace("utter_", "action_")
    assert await ask.run(dispatcher, make_tracker(), {}) == []
    assert responses(dispatcher) == [response]
