"""The one form-validation base class every TellOnce form builds on."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, Text

from rasa_sdk import Tracker
from rasa_sdk.forms import FormValidationAction

from actions.store import Store, get_store


class TellOnceFormValidation(FormValidationAction, ABC):
    """Gives forms the registry store and a safe way to reject a slot value.

    Subclasses validate slots with ``validate_<slot>`` coroutines and must do any
    database work through ``actions.common.off_loop``.
    """

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
