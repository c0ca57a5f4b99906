"""The one form-validation base class every TellOnce form builds on."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import handoff
from actions.common import translation_failed
from actions.store import Store, get_store


class TellOnceFormValidation(FormValidationAction, ABC):
    """Gives forms the registry store and a safe way to reject a slot value.

    Subclasses validate slots with ``validate_<slot>`` coroutines and must do any
    database work through ``actions.common.off_loop``.

    A message the channel could not translate is not an answer to the form's question:
    the patient is told so in their language, a person with an interpreter takes over
    (handoff case), and the form stops.
    """

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if translation_failed(tracker):
            events = await handoff.hand_off_untranslated(dispatcher, tracker)
            return events + [ActiveLoop(None), SlotSet("requested_slot", None)]
        return await super().run(dispatcher, tracker, domain)

    @abstractmethod
    def name(self) -> Text:
        """The validation action's name: validate_<form name>."""

    @property
    def store(self) -> Store:
        return get_store()

    @staticmethod
    def reject(*slots: Text) -> Dict[Text, Any]:
        """Clear the named slots so the form asks for them again."""
        return {slot: None for slot in slots}

    @staticmethod
    def conversation_id(tracker: Tracker) -> Text:
        return tracker.sender_id
