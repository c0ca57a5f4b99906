"""Rasa NLU component that makes red-flag messages unmistakable."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.redflags import (
    DEFAULT_LEXICON, GENERAL_CATEGORY, RedFlagLexicon, RedFlagMatch, build_index, load_lexicon_data,
)
from bot.settings import PROJECT_ROOT

RED_FLAG_INTENT = "red_flag"
RED_FLAG_ENTITY = "red_flag"
METADATA = "metadata"
# Where the channel puts the patient's own words when it translates them before NLU.
ORIGINAL_TEXT = "original_text"
_LEXICON_FILE = "red_flags.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RedFlagDetector(GraphComponent, IntentClassifier):
    """Overrides the intent with ``red_flag`` when the red-flag lexicon matches.

    Reads: the message ``text``; ``metadata["original_text"]`` when there is one (the
    patient's own words before the channel translated them into ``text``), scanned too,
    since a patient's words should not depend on a translation; and the ``intent`` set by
    earlier classifiers. Every language in the lexicon is looked for in both.
    Writes: ``intent`` = red_flag with confidence 1.0 (also first in ``intent_ranking``)
    and one ``red_flag`` entity whose value is the highest-priority category matched in
    either text (``general`` when only a classifier saw a red flag). Its ``start``/``end``
    are the match in ``text``; when the match is only in the original words, or there is
    none, they span the whole of ``text``. The ``red_flag_category`` slot is filled from
    that entity.

    Place it last in the pipeline, after the FallbackClassifier, so that nothing
    can downgrade an emergency. The lexicon (``lexicon`` in the config, default
    data/safety/red_flags.yml and the language files in data/safety/red_flags/) is read
    at training time and stored in the model with its prefilter index, so a trained model
    is self-contained and loads quickly.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"lexicon": str(DEFAULT_LEXICON.relative_to(PROJECT_ROOT))}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        lexicon_data: Optional[Dict[Text, Any]] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._lexicon_data = lexicon_data
        self._lexicon = RedFlagLexicon(lexicon_data) if lexicon_data else None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RedFlagDetector":
        return cls(config, model_storage, resource)

    def _lexicon_path(self) -> Path:
        path = Path(self._config["lexicon"])
        return path if path.is_absolute() else PROJECT_ROOT / path

    def train(self, training_data: TrainingData) -> Resource:
        self._lexicon_data = load_lexicon_data(self._lexicon_path())
        self._lexicon_data["index"] = build_index(self._lexicon_data)  # loading then skips the analysis
        self._lexicon = RedFlagLexicon(self._lexicon_data)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _LEXICON_FILE).write_text(json.dumps(self._lexicon_data), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "RedFlagDetector":
        with model_storage.read_from(resource) as directory:
            data = json.loads((directory / _LEXICON_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, data)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _matches(self, message: Message) -> Tuple[Optional[RedFlagMatch], bool]:
        """The highest-priority match in the text or the original words, and whether it is in
        the text (on a tie the text's, which has offsets into ``text``)."""
        if self._lexicon is None:
            return None, False
        text = message.get(TEXT) or ""
        in_text = self._lexicon.find(text)
        metadata = message.get(METADATA)
        original = metadata.get(ORIGINAL_TEXT) if isinstance(metadata, dict) else None
        in_original = self._lexicon.find(original) if isinstance(original, str) and original != text else []
        rank = self._lexicon.category_names().index
        if in_original and (not in_text or rank(in_original[0].category) < rank(in_text[0].category)):
            return in_original[0], False
        return (in_text[0], True) if in_text else (None, False)

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        top, in_text = self._matches(message)
        current = (message.get(INTENT) or {}).get("name")
        if top is None and current != RED_FLAG_INTENT:
            return
        entities = list(message.get(ENTITIES) or [])
        if top is not None:
            prediction = {"name": RED_FLAG_INTENT, "confidence": 1.0}
            message.set(INTENT, prediction, add_to_output=True)
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != RED_FLAG_INTENT]
            message.set(INTENT_RANKING_KEY, [prediction] + ranking, add_to_output=True)
        entities.append({
            "entity": RED_FLAG_ENTITY,
            "value": top.category if top else GENERAL_CATEGORY,
            "start": top.start if in_text else 0,
            "end": top.end if in_text else len(text),
            "confidence_entity": 1.0,
            "extractor": self.__class__.__name__,
        })
        message.set(ENTITIES, entities, add_to_output=True)
