"""Choosing a language, the menu, and what happens when translation fails."""
from __future__ import annotations

from actions.fallback import ActionFallback
from actions.languages import ActionLanguageMenu, ActionSetLanguage
from actions.verification import ValidateVerifyForm
from bot.models import HandoffCase
from tests.conftest import make_tracker, responses, user_event


async def test_a_named_language_is_set_and_confirmed_in_it(dispatcher, store):
    tracker = make_tracker(events=[user_event("po polsku prosze", "set_language",
                                              [{"entity": "language", "value": "pl"}])])
    events = await ActionSetLanguage().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert (message["response"], message["language"], message["language_name"]) == \
        ("utter_language_set", "pl", "Polski")
    assert events == [{"event": "slot", "timestamp": None, "name": "reply_language", "value": "pl"}]
    assert store.languages.get("test-conversation").language == "pl"


async def test_nlu_requests_are_read_from_the_patients_own_words(dispatcher, store):
    tracker = make_tracker(events=[user_event("I'd like to carry on this conversation in Lithuanian please",
                                              "set_language")])
    await ActionSetLanguage().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["language"] == "lt"


async def test_an_unclear_request_shows_the_menu_of_endonyms(dispatcher, store):
    await ActionSetLanguage().run(dispatcher, make_tracker(events=[user_event("another language", "set_language")]), {})
    [menu] = dispatcher.messages
    assert menu["response"] == "utter_language_menu"
    lines = menu["options"].splitlines()
    assert len(lines) == 53 and lines[0] == "1. English" and "ਪੰਜਾਬੀ" in lines[1]
    dispatcher.messages.clear()
    await ActionLanguageMenu().run(dispatcher, make_tracker(), {})
    assert responses(dispatcher) == ["utter_language_menu"]


async def test_untranslatable_message_is_explained_and_handed_off_with_an_interpreter(dispatcher, store, db):
    meta = {"language": "pl", "translation": "failed", "original_text": "Czy mogę dostać transport?"}
    tracker = make_tracker(events=[user_event("Czy mogę dostać transport?", "nlu_fallback", metadata=meta)])
    await ActionFallback().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_translation_failed"]  # no second "passed your message" reply
    with db.session() as session:
        case = session.query(HandoffCase).one()
        assert (case.queue, case.reason) == ("triage", "translation_failed")
        assert case.summary["language"] == "pl" and case.summary["interpreter_needed"] is True


async def test_verification_makes_the_registered_language_the_conversations(dispatcher, store):
    form = ValidateVerifyForm()
    tracker = make_tracker({"nhs_number": "9990000026"},
                           [user_event("02/07/1961", "inform", metadata={"language": "en"})],
                           active_loop="verify_form")
    result = await form.validate_date_of_birth("02/07/1961", dispatcher, tracker, {})
    assert result["reply_language"] == "pl"
    assert dispatcher.messages[0]["language"] == "pl"
    assert store.languages.get("test-conversation").source == "registered"


async def test_a_language_the_patient_chose_outranks_the_registered_one(dispatcher, store):
    store.languages.set("test-conversation", "en", "chosen")
    tracker = make_tracker({"nhs_number": "9990000026"}, [user_event("02/07/1961", "inform")],
                           active_loop="verify_form")
    result = await ValidateVerifyForm().validate_date_of_birth("02/07/1961", dispatcher, tracker, {})
    assert result["reply_language"] == "en"  # Tomasz is registered Polish but chose English


async def test_an_untranslatable_answer_stops_the_form_and_hands_off(dispatcher, store, db):
    meta = {"language": "ro", "translation": "failed"}
    tracker = make_tracker(events=[user_event("Am o întrebare", "nlu_fallback", metadata=meta)],
                           active_loop="verify_form")
    tracker.slots["requested_slot"] = "nhs_number"
    events = await ValidateVerifyForm().run(dispatcher, tracker, {"forms": {}, "slots": {}})
    assert responses(dispatcher) == ["utter_translation_failed"]
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None} in events
    with db.session() as session:
        assert session.query(HandoffCase).one().reason == "translation_failed"
