"""Red flags: record the event and open an urgent case once the advice has gone out.

The advice itself (utter_red_flag) is sent by the Rasa server before this action
runs, so it never depends on the action server or the database.
"""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import handoff
from actions.common import off_loop, verified_patient_id
from actions.store import get_store
from bot.redflags import GENERAL_CATEGORY


class ActionRedFlag(Action):
    """Flags the conversation: a safety event for staff, and the red_flag_raised slot."""

    def name(self) -> Text:
        return "action_red_flag"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        category = tracker.get_slot("red_flag_category") or GENERAL_CATEGORY
        await off_loop(get_store().record_safety_event, tracker.sender_id, category, verified_patient_id(tracker))
        # "flagged for your care team" is true: an urgent case, with the duty coordinator
        await handoff.hand_off(dispatcher, tracker, "red_flag", quiet=True, urgent=True)
        dispatcher.utter_message(response="utter_red_flag_flagged")
        return [SlotSet("red_flag_raised", True)]
