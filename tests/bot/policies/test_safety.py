"""SafetyPolicy: advice first, then the record, ahead of every other policy."""
from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.safety import SafetyPolicy
from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "bot" / "domain"))


@pytest.fixture
def policy(tmp_path) -> SafetyPolicy:
    return SafetyPolicy.create(SafetyPolicy.get_default_config(), LocalModelStorage(tmp_path), Resource("safety"),
                               ExecutionContext(GraphSchema({}), "t"))


def tracker(domain, intent: str, *actions: str, form: bool = False) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    if form:
        events += [ActionExecuted("verify_form"), ActiveLoop("verify_form"), ActionExecuted("action_listen")]
    events += [UserUttered("text", {"name": intent, "confidence": 1.0})]
    events += [ActionExecuted(a) for a in actions]
    return DialogueStateTracker.from_events("s", events, domain.slots)


def predicted(policy, domain, t) -> str:
    prediction = policy.predict_action_probabilities(t, domain)
    if max(prediction.probabilities) == 0:
        return None
    return domain.action_names_or_texts[prediction.max_confidence_index]


@pytest.mark.parametrize("form", [False, True])
def test_advice_then_record_then_abstain(policy, domain, form):
    assert predicted(policy, domain, tracker(domain, "red_flag", form=form)) == "utter_red_flag"
    assert predicted(policy, domain, tracker(domain, "red_flag", "utter_red_flag", form=form)) == "action_red_flag"
    assert predicted(policy, domain, tracker(domain, "red_flag", "utter_red_flag", "action_red_flag", form=form)) is None


def test_outranks_a_forms_happy_path(policy, domain):
    prediction = policy.predict_action_probabilities(tracker(domain, "red_flag", form=True), domain)
    assert prediction.is_no_user_prediction  # the RulePolicy's loop predictions are of this kind
    assert prediction.policy_priority > 6  # RulePolicy's priority
    assert prediction.max_confidence == 1.0


def test_abstains_on_other_intents(policy, domain):
    assert predicted(policy, domain, tracker(domain, "ask_next_appointment")) is None
    assert predicted(policy, domain, tracker(domain, "greet", "utter_greet")) is None
