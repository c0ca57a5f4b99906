"""UnknownWordsClassifier: gibberish is 'not understood', deterministically."""
from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.unknown_words import UnknownWordsClassifier


@pytest.fixture
def classifier(tmp_path) -> UnknownWordsClassifier:
    storage, resource = LocalModelStorage(tmp_path), Resource("unknown_words")
    context = ExecutionContext(GraphSchema({}), "t")
    examples = [Message(data={"text": t, "intent": "x"}) for t in
                ["when is my next appointment", "hello there", "14 March 1948", "can I talk to my coordinator"]]
    UnknownWordsClassifier.create({}, storage, resource, context).train(TrainingData(examples))
    return UnknownWordsClassifier.load({}, storage, resource, context)


def parsed(text: str, intent: str = "out_of_scope") -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.97}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": 0.97}], add_to_output=True)
    return message


@pytest.mark.parametrize("text", ["zzkq wrrp xxv", "qwzx vbnm plkj", "Blorp!"])
def test_only_unseen_words_means_not_understood(classifier, text):
    [message] = classifier.process([parsed(text)])
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    assert message.get("intent_ranking")[1]["name"] == "out_of_scope"


@pytest.mark.parametrize("text", ["when is it", "HELLO zzkq", "999 000 0018", "14/03/1948", "😀👍", ""])
def test_any_known_word_or_no_words_leaves_the_prediction_alone(classifier, text):
    [message] = classifier.process([parsed(text, "greet")])
    assert message.get("intent")["name"] == "greet"


def test_an_untrained_classifier_changes_nothing(tmp_path):
    fresh = UnknownWordsClassifier.create({}, LocalModelStorage(tmp_path), Resource("u"),
                                          ExecutionContext(GraphSchema({}), "t"))
    [message] = fresh.process([parsed("zzkq wrrp")])
    assert message.get("intent")["name"] == "out_of_scope"
