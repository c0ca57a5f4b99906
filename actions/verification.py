"""Identity verification: NHS number plus date of birth, then carry on."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import appointments, handoff
from actions.base import TellOnceFormValidation
from actions.common import (conversation_language, latest_goal, off_loop, translation_failed,
                            verified_patient_id)
from actions.store import get_store
from bot import dates, nhs
from bot.exceptions import InvalidDate, InvalidNHSNumber
from bot.language.reply import REPLY_LANGUAGE_SLOT
from bot.languages import default_table
from bot.service_hours import local_now
from bot.settings import load_settings

# What the patient asked for that needed verification, and who answers it.
GOALS = {
    "ask_next_appointment": appointments.tell_next,
    "ask_upcoming_appointments": appointments.tell_upcoming,
    "ask_appointment_details": appointments.tell_details,
    "request_reschedule": appointments.offer_change,
    "request_cancel": appointments.offer_change,
    "ask_coordinator": handoff.tell_coordinator,
    "request_coordinator": handoff.hand_off_verified,
}


class ValidateVerifyForm(TellOnceFormValidation):
    """Checks the NHS number's format and check digit, then NHS number plus date of birth.

    Failures never say whether the number exists or which field was wrong. After
    VERIFY_MAX_ATTEMPTS failed checks the conversation is locked for the session.
    """

    def name(self) -> Text:
        return "validate_verify_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if verified_patient_id(tracker) is not None or tracker.get_slot("verification_locked"):
            return []
        return domain_slots

    async def validate_nhs_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        try:
            return {"nhs_number": nhs.normalise(str(value or ""))}
        except InvalidNHSNumber:
            dispatcher.utter_message(response="utter_nhs_number_format")
            return self.reject("nhs_number")

    async def validate_date_of_birth(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        try:
            born = dates.parse_date_of_birth(str(value or ""), local_now().date(), conversation_language(tracker))
        except InvalidDate:
            dispatcher.utter_message(response="utter_date_of_birth_format")
            return self.reject("date_of_birth")

        number = tracker.get_slot("nhs_number")
        patient_id = await off_loop(self.store.verify, number, born) if number else None
        if patient_id is not None:
            patient = await off_loop(self.store.patient, patient_id)
            # Their registered language becomes the conversation's, unless they chose or
            # clearly wrote in another one.
            language = conversation_language(tracker)
            if patient.preferred_language in default_table():
                language = await off_loop(self.store.languages.prefer_registered, tracker.sender_id,
                                          patient.preferred_language)
            dispatcher.utter_message(response="utter_verified", given_name=patient.given_name, language=language)
            # Keep the identifiers no longer than needed: only the opaque id stays.
            return {
                "patient_id": str(patient_id), "verification_attempts": 0.0, REPLY_LANGUAGE_SLOT: language,
                **self.reject("nhs_number", "date_of_birth"),
            }

        attempts = float(tracker.get_slot("verification_attempts") or 0) + 1
        if attempts >= load_settings().verify_max_attempts:
            return {"verification_attempts": attempts, "verification_locked": True,
                    **self.reject("nhs_number", "date_of_birth")}
        dispatcher.utter_message(response="utter_verification_failed")
        return {"verification_attempts": attempts, **self.reject("nhs_number", "date_of_birth")}


class ActionResumeAfterVerification(Action):
    """After the verify form: answers the patient's original request, or explains the lock."""

    def name(self) -> Text:
        return "action_resume_after_verification"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if translation_failed(tracker):
            return []  # the form stopped: the patient was told and handed to a person
        goal = latest_goal(tracker)
        patient_id = verified_patient_id(tracker)
        if patient_id is None:
            if goal == "request_coordinator":
                return await handoff.hand_off_unverified(dispatcher, tracker, "patient_request")
            dispatcher.utter_message(response="utter_verification_locked")
            return []
        if goal is None:
            dispatcher.utter_message(response="utter_anything_else")
            return []
        return await GOALS[goal](dispatcher, tracker, get_store(), patient_id)


class _AskAction(Action, ABC):
    """Asks the form's next question (text from the catalogue, by response name)."""

    response: Text

    @abstractmethod
    def name(self) -> Text:
        """action_ask_<slot>"""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response=self.response)
        return []


class ActionAskNhsNumber(_AskAction):
    response = "utter_ask_nhs_number"

    def name(self) -> Text:
        return "action_ask_nhs_number"


class ActionAskDateOfBirth(_AskAction):
    response = "utter_ask_date_of_birth"

    def name(self) -> Text:
        return "action_ask_date_of_birth"


class ActionVerificationStopped(Action):
    """The patient stopped verifying. Someone who wanted a person still gets one (triage)."""

    def name(self) -> Text:
        return "action_verification_stopped"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = [SlotSet("nhs_number", None), SlotSet("date_of_birth", None)]
        if latest_goal(tracker) == "request_coordinator" and verified_patient_id(tracker) is None:
            return events + await handoff.hand_off_unverified(dispatcher, tracker, "patient_request")
        dispatcher.utter_message(response="utter_stopped")
        return events
