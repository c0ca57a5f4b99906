"""A dialogue policy that puts urgent advice before everything else."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

RED_FLAG_INTENT = "red_flag"
ADVICE_ACTION = "utter_red_flag"
RECORD_ACTION = "action_red_flag"
# Actions Rasa runs by itself between a user message and the first prediction.
_BOOKKEEPING = {"action_listen", "action_extract_slots", "action_session_start"}


def actions_since_last_user_message(tracker: DialogueStateTracker) -> Optional[List[Text]]:
    """Action names run since the latest user message, or None if there is none."""
    actions: List[Text] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return list(reversed(actions))
        if isinstance(event, ActionExecuted) and event.action_name not in _BOOKKEEPING:
            actions.append(event.action_name)
    return None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class SafetyPolicy(Policy):
    """After a ``red_flag`` message: ``utter_red_flag`` first, then ``action_red_flag``.

    Reads: the latest user intent and the actions run since it.
    Predicts: the advice, then the recording action, each with confidence 1.0,
    marked as a no-user-input prediction and with priority 7 so it outranks the
    RulePolicy, including an active form's happy path. Afterwards it abstains and
    the other policies carry on (an interrupted form asks its question again).
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 7}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        action = self._next_action(tracker)
        if action is None or action not in domain.action_names_or_texts:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, is_no_user_prediction=True)

    @staticmethod
    def _next_action(tracker: DialogueStateTracker) -> Optional[Text]:
        if (tracker.latest_message.intent or {}).get("name") != RED_FLAG_INTENT:
            return None
        done = actions_since_last_user_message(tracker)
        if done == []:
            return ADVICE_ACTION
        if done == [ADVICE_ACTION]:
            return RECORD_ACTION
        return None
