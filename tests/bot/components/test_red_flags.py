"""RedFlagDetector: trained into model storage, then overrides intents on a match."""
from __future__ import annotations

import json

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import bot.redflags
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


def message(text: str, intent: str = "greet", confidence: float = 0.9, metadata=None) -> Message:
    msg = Message(data={"text": text, "metadata": metadata})
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


PUNJABI_CHEST_PAIN = "ਮੇਰੀ ਛਾਤੀ ਵਿੱਚ ਬਹੁਤ ਦਰਦ ਹੈ"  # "I have a lot of pain in my chest"


def test_the_patients_own_words_are_scanned_before_translation(detector):
    """The channel puts the original words in the metadata: a harmless (mis)translation
    must not hide an emergency."""
    text = "I have a question about my appointment"
    [msg] = detector.process([message(text, "ask_next_appointment", metadata={"original_text": PUNJABI_CHEST_PAIN})])
    assert msg.get("intent") == {"name": "red_flag", "confidence": 1.0}
    assert msg.get("intent_ranking")[0]["name"] == "red_flag"
    [entity] = msg.get("entities")
    assert entity["entity"] == "red_flag" and entity["value"] == "chest_pain"
    assert (entity["start"], entity["end"]) == (0, len(text))  # the match is not in `text`


def test_the_higher_priority_category_wins_across_text_and_original_words(detector):
    [msg] = detector.process([message("I want to die", metadata={"original_text": PUNJABI_CHEST_PAIN})])
    assert msg.get("entities")[0]["value"] == "chest_pain"
    [msg] = detector.process([message("I can't breathe", metadata={"original_text": "ਮੈਂ ਮਰਨਾ ਚਾਹੁੰਦਾ ਹਾਂ"})])
    [entity] = msg.get("entities")
    assert entity["value"] == "breathing"
    assert msg.get("text")[entity["start"]:entity["end"]] == "can't breathe"


def test_a_match_in_both_keeps_the_offsets_in_the_text(detector):
    text = "he has crushing chest pain"
    [msg] = detector.process([message(text, metadata={"original_text": PUNJABI_CHEST_PAIN})])
    [entity] = msg.get("entities")
    assert entity["value"] == "chest_pain"
    assert text[entity["start"]:entity["end"]] == "chest pain"


@pytest.mark.parametrize("metadata", [None, {}, {"original_text": None}, {"original_text": 42}, ["not", "a dict"],
                                      {"original_text": "when is my appointment"}])
def test_missing_or_odd_metadata_changes_nothing(detector, metadata):
    [msg] = detector.process([message("hello there", metadata=metadata)])
    assert msg.get("intent") == {"name": "greet", "confidence": 0.9}
    assert msg.get("entities") == []


def test_the_model_stores_the_prefilter_so_loading_does_not_analyse(tmp_path, monkeypatch):
    storage, resource = LocalModelStorage(tmp_path), Resource("red_flags")
    context = ExecutionContext(GraphSchema({}), "test")
    RedFlagDetector.create({}, storage, resource, context).train(TrainingData())
    with storage.read_from(resource) as directory:
        stored = json.loads((directory / "red_flags.json").read_text(encoding="utf-8"))
    assert stored["index"]["fingerprint"] and len(stored["index"]["factors"]) > 2500

    def analyse(_data):
        raise AssertionError("analysed at load")

    monkeypatch.setattr(bot.redflags, "build_index", analyse)
    loaded = RedFlagDetector.load({}, storage, resource, context)
    [msg] = loaded.process([message("hello", metadata={"original_text": PUNJABI_CHEST_PAIN})])
    assert msg.get("entities")[0]["value"] == "chest_pain"
