"""Targeted fixes to Rasa 3.6.21 internals, applied by bot.serve before Rasa starts.

Each patch keeps Rasa's behaviour and is covered by tests/bot/test_rasa_patches.py.
"""
from __future__ import annotations

from typing import Any, Dict

_applied = False


def apply() -> None:
    """Apply every patch once (idempotent)."""
    global _applied
    if not _applied:
        _validate_action_results_with_a_cached_validator()
        _applied = True


def _validate_action_results_with_a_cached_validator() -> None:
    """RemoteAction checked every action-server reply with ``jsonschema.validate``,
    which re-validates the schema itself against its meta-schema on each call: about
    20 ms per custom action on our machines, most of a turn's time. The reply is
    still validated against the same schema, with a validator built once.
    """
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is not None:
            error.message += (
                ". Failed to validate Action server response from API, make sure your response "
                f"from the Action endpoint is valid. For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    RemoteAction._validate_action_result = _validate_action_result
