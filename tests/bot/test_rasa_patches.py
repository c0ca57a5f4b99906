"""The Rasa patches keep Rasa's behaviour: valid replies pass, invalid ones raise."""
from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import rasa_patches


@pytest.fixture(scope="module")
def action() -> RemoteAction:
    rasa_patches.apply()
    rasa_patches.apply()  # idempotent
    return RemoteAction("action_x", None)


def test_the_cached_validator_replaced_rasas(action):
    assert RemoteAction._validate_action_result.__module__ == "bot.rasa_patches"


def test_valid_action_server_replies_pass(action):
    reply = {"events": [{"event": "slot", "name": "patient_id", "value": "1"}],
             "responses": [{"response": "utter_verified", "given_name": "Margaret"}]}
    assert action._validate_action_result(reply) is True
    assert action._validate_action_result({"events": [], "responses": []}) is True


@pytest.mark.parametrize("reply", [
    {"events": "not a list"},
    {"events": [{"event": "no_such_event_type"}]},
    {"responses": "nope"},
    [],
])
def test_invalid_replies_still_raise_with_rasas_hint(action, reply):
    with pytest.raises(ValidationError) as error:
        action._validate_action_result(reply)
    assert "Failed to validate Action server response" in error.value.message
