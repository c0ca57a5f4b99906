"""Talking to a person: the assigned coordinator for verified patients, triage otherwise."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple, TypedDict

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import conversation_language, off_loop, reply_locale, session_events, verified_patient_id
from actions.store import CaseView, CoordinatorView, Store, get_store
from bot import dates


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


def reply_by_vars(case: CaseView, locale: str) -> Dict[Text, Any]:
    """When the patient will hear back, in their locale ({} if nobody's hours are known)."""
    if case.reply_by is None:
        return {}
    return {"reply_day": dates.spoken_day(case.reply_by, locale), "reply_time": dates.spoken_time(case.reply_by, locale)}


def case_reply(case: CaseView, locale: str) -> Tuple[Text, Dict[Text, Any]]:
    """The response that tells the patient who has their case and when they will hear back."""
    if not case.created:
        return "utter_handoff_existing", coordinator_vars(case.coordinator) if case.coordinator else {}
    when = reply_by_vars(case, locale)
    if case.queue == "triage" or case.coordinator is None:
        return ("utter_handoff_triage_out_of_hours", when) if when and not case.in_hours else ("utter_handoff_triage", {})
    if when and not case.in_hours:
        return "utter_handoff_out_of_hours", {**coordinator_vars(case.coordinator), **when}
    if case.queue == "duty" and case.assigned and case.assigned.id != case.coordinator.id and when:
        return "utter_handoff_duty", {**coordinator_vars(case.assigned), "duty_name": case.coordinator.name, **when}
    return "utter_handoff_coordinator", coordinator_vars(case.coordinator)


async def hand_off_verified(
    dispatcher: CollectingDispatcher, tracker: Tracker, store: Store, patient_id: int,
    reason: Text = "patient_request", quiet: bool = False, urgent: bool = False,
) -> List[EventType]:
    case = await off_loop(
        store.open_handoff_case, tracker.sender_id, reason, patient_id,
        urgent or bool(tracker.get_slot("red_flag_raised")), case_summary(tracker, reason),
    )
    if not quiet:
        response, variables = case_reply(case, reply_locale(tracker))
        dispatcher.utter_message(response=response, **variables)
    return []


async def hand_off_unverified(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: Text, store: Optional[Store] = None,
    quiet: bool = False, urgent: bool = False,
) -> List[EventType]:
    store = store or get_store()
    case = await off_loop(
        store.open_handoff_case, tracker.sender_id, reason, None,
        urgent or bool(tracker.get_slot("red_flag_raised")), case_summary(tracker, reason),
    )
    if not quiet:
        response, variables = case_reply(case, reply_locale(tracker))
        dispatcher.utter_message(response=response, **variables)
    return []


async def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, reason: Text,
                   quiet: bool = False, urgent: bool = False) -> List[EventType]:
    """Hand off to the coordinator if the patient is verified, else to triage.

    ``quiet``: open (or add to) the case without the usual "I've passed your message"
    reply, because the caller has already told the patient what happens. ``urgent``: a red
    flag, which sends the case to the duty coordinator."""
    patient_id = verified_patient_id(tracker)
    if patient_id is None:
        return await hand_off_unverified(dispatcher, tracker, reason, quiet=quiet, urgent=urgent)
    return await hand_off_verified(dispatcher, tracker, get_store(), patient_id, reason, quiet=quiet, urgent=urgent)


async def hand_off_untranslated(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """The channel could not translate the patient's message: say so in their language
    (catalogue) and pass the conversation, kept as written, to a person with an interpreter."""
    dispatcher.utter_message(response="utter_translation_failed")
    return await hand_off(dispatcher, tracker, "translation_failed", quiet=True)


async def case_update(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """"Any update?": from the case's status, in the patient's language."""
    case = await off_loop(get_store().active_case, tracker.sender_id, verified_patient_id(tracker))
    if case is None:
        dispatcher.utter_message(response="utter_case_update_none")
    elif case.status == "claimed" and case.coordinator is not None:
        dispatcher.utter_message(response="utter_case_update_live", coordinator_name=case.coordinator.name)
    else:
        when = reply_by_vars(case, reply_locale(tracker))
        if case.coordinator is not None and when:
            dispatcher.utter_message(response="utter_case_update_waiting", **coordinator_vars(case.coordinator), **when)
        elif when:
            dispatcher.utter_message(response="utter_case_update_triage", **when)
        else:  # nobody's hours are known: say who has it, without a promise
            response, variables = ("utter_handoff_existing", coordinator_vars(case.coordinator)) \
                if case.coordinator else ("utter_handoff_triage", {})
            dispatcher.utter_message(response=response, **variables)
    return []


class ActionCaseUpdate(Action):
    """Answers "any update?" from the case's status: none, waiting (with when), or live."""

    def name(self) -> Text:
        return "action_case_update"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return await case_update(dispatcher, tracker)
