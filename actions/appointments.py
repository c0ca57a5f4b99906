"""Appointments: when, where, with whom, and requests to move or cancel."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_goal, latest_user_event, off_loop, reply_locale, verified_patient_id
from actions.store import AppointmentView, Store, get_store
from bot import dates
from bot.service_hours import local_now

_WORD = re.compile(r"[a-z']{4,}")
CHANGE_KINDS = {"request_reschedule": "reschedule", "request_cancel": "cancel"}


def describe(appointment: AppointmentView, locale: str = "en_GB") -> Dict[Text, Any]:
    """The template variables every appointment response uses."""
    return {
        "service": appointment.service,
        "day": dates.spoken_day(appointment.starts_at, locale),
        "time": dates.spoken_time(appointment.starts_at, locale),
        "location": appointment.location_name,
        "address": appointment.location_address,
        "clinician": appointment.clinician,
        "bring": appointment.what_to_bring,
        "transport": appointment.transport_parking,
    }


# Response names, by where the appointment is and by kind of change.
NEXT = {True: "utter_next_appointment_home", False: "utter_next_appointment_clinic"}
LINE = {True: "utter_appointment_line_home", False: "utter_appointment_line_clinic"}
DETAILS = {True: "utter_appointment_details_home", False: "utter_appointment_details_clinic"}
CONFIRM = {"reschedule": "utter_confirm_reschedule", "cancel": "utter_confirm_cancel"}
DONE = {"reschedule": "utter_reschedule_requested", "cancel": "utter_cancel_requested"}


def pick(appointments: List[AppointmentView], text: Text) -> Optional[AppointmentView]:
    """The appointment the patient's words point to ("my physio"), else the next one."""
    if not appointments:
        return None
    words = set(_WORD.findall((text or "").lower()))
    best = max(appointments, key=lambda a: len(words & set(_WORD.findall(a.service.lower()))))
    return best if words & set(_WORD.findall(best.service.lower())) else appointments[0]


def _goal_text(tracker: Tracker) -> Text:
    event = latest_user_event(tracker, {"ask_appointment_details", *CHANGE_KINDS})
    return (event or {}).get("text") or ""


async def _upcoming(store: Store, patient_id: int) -> List[AppointmentView]:
    return await off_loop(store.upcoming_appointments, patient_id, local_now())


async def tell_next(dispatcher: CollectingDispatcher, tracker: Tracker, store: Store, patient_id: int) -> List[EventType]:
    upcoming = await _upcoming(store, patient_id)
    if not upcoming:
        dispatcher.utter_message(response="utter_no_appointments")
        return []
    first = upcoming[0]
    dispatcher.utter_message(response=NEXT[first.at_home], **describe(first, reply_locale(tracker)))
    return []


async def tell_upcoming(dispatcher: CollectingDispatcher, tracker: Tracker, store: Store, patient_id: int) -> List[EventType]:
    upcoming = await _upcoming(store, patient_id)
    if not upcoming:
        dispatcher.utter_message(response="utter_no_appointments")
        return []
    dispatcher.utter_message(response="utter_upcoming_count", count=len(upcoming))
    locale = reply_locale(tracker)
    for appointment in upcoming:
        dispatcher.utter_message(response=LINE[appointment.at_home], **describe(appointment, locale))
    return []


async def tell_details(dispatcher: CollectingDispatcher, tracker: Tracker, store: Store, patient_id: int) -> List[EventType]:
    chosen = pick(await _upcoming(store, patient_id), _goal_text(tracker))
    if chosen is None:
        dispatcher.utter_message(response="utter_no_appointments")
        return []
    dispatcher.utter_message(response=DETAILS[chosen.at_home], **describe(chosen, reply_locale(tracker)))
    return []


async def offer_change(dispatcher: CollectingDispatcher, tracker: Tracker, store: Store, patient_id: int) -> List[EventType]:
    """Say which appointment would change and ask the patient to confirm."""
    kind = CHANGE_KINDS[latest_goal(tracker)]
    chosen = pick(await _upcoming(store, patient_id), _goal_text(tracker))
    if chosen is None:
        dispatcher.utter_message(response="utter_no_appointments")
        return []
    dispatcher.utter_message(response=CONFIRM[kind], **describe(chosen, reply_locale(tracker)))
    return [
        SlotSet("change_pending", True),
        SlotSet("change_kind", kind),
        SlotSet("change_appointment_id", str(chosen.id)),
    ]


def _clear_change() -> List[EventType]:
    return [SlotSet("change_pending", False), SlotSet("change_kind", None), SlotSet("change_appointment_id", None)]


class ActionSubmitChange(Action):
    """The patient said yes: store the reschedule or cancel request for the service."""

    def name(self) -> Text:
        return "action_submit_change"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        patient_id = verified_patient_id(tracker)
        kind = tracker.get_slot("change_kind")
        appointment_id = tracker.get_slot("change_appointment_id")
        store = get_store()
        if patient_id is None or kind not in CHANGE_KINDS.values() or not appointment_id:
            dispatcher.utter_message(response="utter_change_not_sent")
            return _clear_change()
        appointment = await off_loop(store.appointment, patient_id, int(appointment_id))
        if appointment is None:
            dispatcher.utter_message(response="utter_change_not_sent")
            return _clear_change()
        await off_loop(store.request_change, patient_id, appointment.id, kind, tracker.sender_id)
        dispatcher.utter_message(response=DONE[kind])
        return _clear_change()


class ActionDeclineChange(Action):
    """The patient said no: nothing changes."""

    def name(self) -> Text:
        return "action_decline_change"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_change_not_sent")
        return _clear_change()
