"""RedFlagDetector: trained into model storage, then overrides intents on a match."""
from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.red_flags import RedFlagDetector


@pytest.fixture
def detector(tmp_path) -> RedFlagDetector:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("red_flags")
    context = ExecutionContext(GraphSchema({}), "test")
    trained = RedFlagDetector.create({}, storage, resource, context)
    trained.train(TrainingData())
    # Load from storage, as the server does: the lexicon travels inside the model.
    return RedFlagDetector.load({}, storage, resource, context)


def message(text: str, intent: str = "greet", confidence: float = 0.9) -> Message:
    msg = Message(data={"text": text})
    msg.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    msg.set("intent_ranking", [{"name": intent, "confidence": confidence}], add_to_output=True)
    msg.set("entities", [], add_to_output=True)
    return msg


def test_lexicon_match_overrides_whatever_the_classifier_said(detector):
    [msg] = detector.process([message("when is my appointment, also I have crushing chest pain", "ask_next_appointment")])
    assert msg.get("intent") == {"name": "red_flag", "confidence": 1.0}
    assert msg.get("intent_ranking")[0]["name"] == "red_flag"
    assert msg.get("intent_ranking")[1]["name"] == "ask_next_appointment"
    [entity] = msg.get("entities")
    assert entity["entity"] == "red_flag" and entity["value"] == "chest_pain"
    assert "chest pain" in msg.get("text")[entity["start"]:entity["end"]]


def test_highest_priority_category_wins(detector):
    [msg] = detector.process([message("I want to die and I can't breathe")])
    assert msg.get("entities")[0]["value"] == "breathing"


def test_classifier_only_red_flag_gets_general_advice(detector):
    [msg] = detector.process([message("something terrible is happening", "red_flag", 0.8)])
    assert msg.get("intent")["name"] == "red_flag"
    assert msg.get("entities")[0]["value"] == "general"


def test_ordinary_messages_are_untouched(detector):
    [msg] = detector.process([message("hello there")])
    assert msg.get("intent") == {"name": "greet", "confidence": 0.9}
    assert msg.get("entities") == []


def test_an_untrained_detector_changes_nothing(tmp_path):
    fresh = RedFlagDetector.create({}, LocalModelStorage(tmp_path), Resource("x"), ExecutionContext(GraphSchema({}), "t"))
    [msg] = fresh.process([message("crushing chest pain")])
    assert msg.get("intent")["name"] == "greet"
