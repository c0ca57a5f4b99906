"""The two-stage fallback: ask to rephrase once, then pass to a person. It never loops."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import handoff
from actions.common import session_events, translation_failed

FALLBACK_INTENT = "nlu_fallback"


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the patient's latest messages in a row the bot failed to understand."""
    count = 0
    for event in reversed(session_events(tracker)):
        if event.get("event") != "user":
            continue
        if (event.get("parse_data") or {}).get("intent", {}).get("name") != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionFallback(Action):
    """First miss: ask to rephrase. Second miss in a row: hand off to a person.

    A message that could not be translated is not the patient's fault and asking
    again will not help: they are told so in their language and handed off at once,
    to a coordinator who will bring an interpreter. Their message is kept as written.
    """

    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if translation_failed(tracker):
            return await handoff.hand_off_untranslated(dispatcher, tracker)
        if consecutive_fallbacks(tracker) < 2:
            dispatcher.utter_message(response="utter_rephrase")
            return []
        dispatcher.utter_message(response="utter_fallback_handoff")
        return await handoff.hand_off(dispatcher, tracker, "bot_failed")
