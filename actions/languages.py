"""Switching language on request, and the language menu."""
from __future__ import annotations

import functools
from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import conversation_language, latest_metadata, off_loop
from actions.store import get_store
from bot.language.switch import LanguageRequests
from bot.languages import default_table


@functools.lru_cache(maxsize=1)
def requests() -> LanguageRequests:
    return LanguageRequests(default_table())


def requested_language(tracker: Tracker) -> Optional[str]:
    """The language the latest message asks for: the channel's entity, else a name in the text."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "language" and entity.get("value") in default_table():
            return entity["value"]
    text = latest_metadata(tracker).get("original_text") or (tracker.latest_message or {}).get("text") or ""
    return requests().requested(text, conversation_language(tracker), max_words=None)


class ActionSetLanguage(Action):
    """Sets the conversation's language to the one asked for, or shows the menu if unclear."""

    def name(self) -> Text:
        return "action_set_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        code = requested_language(tracker)
        if code is None:
            return await ActionLanguageMenu().run(dispatcher, tracker, domain)
        await off_loop(get_store().languages.set, tracker.sender_id, code, "chosen")
        dispatcher.utter_message(response="utter_language_set", language_name=default_table()[code].endonym,
                                 language=code)
        return [SlotSet("reply_language", code)]


class ActionLanguageMenu(Action):
    """Lists every language by endonym, numbered; the channel takes the number as the choice."""

    def name(self) -> Text:
        return "action_language_menu"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_language_menu", options="\n".join(requests().menu()))
        return []
