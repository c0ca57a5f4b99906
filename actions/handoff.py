"""Talking to a person: the assigned coordinator for verified patients, triage otherwise."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, TypedDict

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import conversation_language, off_loop, session_events, verified_patient_id
from actions.store import CoordinatorView, Store, get_store


def coordinator_vars(coordinator: CoordinatorView) -> Dict[Text, Any]:
    return {
        "coordinator_name": coordinator.name,
        "coordinator_role": coordinator.role,
        "team_name": coordinator.team_name,
        "team_phone": coordinator.team_phone,
    }


class CaseSummary(TypedDict):
    """What a person needs to pick a conversation up, without free patient text."""

    reason: str
    verified: bool
    language: str
    interpreter_needed: bool
    asked_about: List[str]
    red_flags: List[str]


def case_summary(tracker: Tracker, reason: Text) -> CaseSummary:
    """What a person needs to pick the conversation up: no free text, only structure."""
    events = session_events(tracker)
    asked = [
        e["parse_data"]["intent"]["name"]
        for e in events
        if e.get("event") == "user" and (e.get("parse_data") or {}).get("intent", {}).get("name")
    ]
    red_flags = sorted({
        entity["value"]
        for e in events if e.get("event") == "user"
        for entity in (e.get("parse_data") or {}).get("entities", []) if entity.get("entity") == "red_flag"
    })
    language = conversation_language(tracker)
    return CaseSummary(
        reason=reason,
        verified=verified_patient_id(tracker) is not None,
        language=language,
        interpreter_needed=language != "en",
        asked_about=asked[-20:],
        red_flags=red_flags,
    )


async def tell_coordinator(dispatcher: CollectingDispatcher, tracker: Tracker, store: Store, patient_id: int) -> List[EventType]:
    patient = await off_loop(store.patient, patient_id)
    dispatcher.utter_message(response="utter_your_coordinator", **coordinator_vars(patient.coordinator))
    return []


async def hand_off_verified(
    dispatcher: CollectingDispatcher, tracker: Tracker, store: Store, patient_id: int,
    reason: Text = "patient_request", quiet: bool = False,
) -> List[EventType]:
    case = await off_loop(
        store.open_handoff_case, tracker.sender_id, reason, patient_id,
        bool(tracker.get_slot("red_flag_raised")), case_summary(tracker, reason),
    )
    if quiet:
        return []
    response = "utter_handoff_coordinator" if case.created else "utter_handoff_existing"
    dispatcher.utter_message(response=response, **coordinator_vars(case.coordinator))
    return []


async def hand_off_unverified(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: Text, store: Optional[Store] = None,
    quiet: bool = False,
) -> List[EventType]:
    store = store or get_store()
    await off_loop(
        store.open_handoff_case, tracker.sender_id, reason, None,
        bool(tracker.get_slot("red_flag_raised")), case_summary(tracker, reason),
    )
    if not quiet:
        dispatcher.utter_message(response="utter_handoff_triage")
    return []


async def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, reason: Text,
                   quiet: bool = False) -> List[EventType]:
    """Hand off to the coordinator if the patient is verified, else to triage.

    ``quiet``: open (or add to) the case without the usual "I've passed your message"
    reply, because the caller has already told the patient what happens."""
    patient_id = verified_patient_id(tracker)
    if patient_id is None:
        return await hand_off_unverified(dispatcher, tracker, reason, quiet=quiet)
    return await hand_off_verified(dispatcher, tracker, get_store(), patient_id, reason, quiet=quiet)


async def hand_off_untranslated(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """The channel could not translate the patient's message: say so in their language
    (catalogue) and pass the conversation, kept as written, to a person with an interpreter."""
    dispatcher.utter_message(response="utter_translation_failed")
    return await hand_off(dispatcher, tracker, "translation_failed", quiet=True)
