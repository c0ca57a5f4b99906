"""Rasa NLU component: a message made only of words never seen in training is not understood."""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Set, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

FALLBACK_INTENT = "nlu_fallback"
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_VOCABULARY_FILE = "vocabulary.json"


def words(text: str) -> List[str]:
    return _WORD.findall((text or "").lower())


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UnknownWordsClassifier(GraphComponent, IntentClassifier):
    """Predicts ``nlu_fallback`` when none of a message's words occur in the training data.

    Reads: the message ``text``. Writes: ``intent`` = nlu_fallback with confidence
    1.0 (first in ``intent_ranking``) when the message has words of two or more
    letters and none of them was ever seen in an NLU training example.
    Messages without words (numbers, dates, emoji) are left alone.

    Statistical classifiers still answer something confident for gibberish such as
    "zzkq wrrp xxv"; this makes "I did not understand" deterministic, so the
    two-stage fallback and its hand-off to a person behave the same on every
    training run. Place it after the classifiers and before the RedFlagDetector.
    """

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 vocabulary: Optional[Set[str]] = None) -> None:
        self._model_storage, self._resource = model_storage, resource
        self.vocabulary = vocabulary or set()

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "UnknownWordsClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        self.vocabulary = {w for example in training_data.training_examples for w in words(example.get(TEXT))}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _VOCABULARY_FILE).write_text(json.dumps(sorted(self.vocabulary)), encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "UnknownWordsClassifier":
        with model_storage.read_from(resource) as directory:
            vocabulary = set(json.loads((directory / _VOCABULARY_FILE).read_text(encoding="utf-8")))
        return cls(config, model_storage, resource, vocabulary)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = words(message.get(TEXT))
            if found and self.vocabulary and not any(w in self.vocabulary for w in found):
                prediction = {"name": FALLBACK_INTENT, "confidence": 1.0}
                message.set(INTENT, prediction, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [prediction] + list(message.get(INTENT_RANKING_KEY) or []),
                            add_to_output=True)
        return messages
