"""In-process response generation, in the conversation's language.

The language is decided by ``bot.language.reply.reply_language``: one an action
passes with the response, else the ``reply_language`` slot if an action set it this
turn (the registered language taking over after verification), else the latest
patient message's metadata (set by ``bot.inbound``), else English.

What text is used:
- the language's reviewed catalogue (data/catalogue/<code>.yml) when it has the response;
- the urgent replies (``bot.catalogue.URGENT_RESPONSES``) only ever from a catalogue;
- otherwise the English response machine-translated as a *template*: placeholders
  become [[n]] before translation and are filled afterwards, so no personal data is
  sent and each response is translated once per language (the cache keeps it);
- English when translation is unavailable.

Registry text an action fills in (a service's name, what to bring) is English; for other
languages it is machine-translated, cached, and listed in ``machine_translated_fields``.

Every message carries ``metadata``: language, direction (rtl for right-to-left
languages), source (catalogue | machine | english) and the response name.
"""
from __future__ import annotations

import asyncio
import copy
import logging
import re
from typing import Any, Dict, Iterator, List, Optional, Tuple

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.catalogue import URGENT_RESPONSES, load_responses
from bot.exceptions import TranslationUnavailable
from bot.language.reply import ENGLISH, reply_language
from bot.languages import LanguageTable, default_table
from bot.translation.masking import Masked

logger = logging.getLogger(__name__)
_FIELD = re.compile(r"\{[a-z_]+\}")
# Template fields whose values are the registry's English text about a service (not names,
# places or addresses), machine-translated for other languages.
REGISTRY_TEXT_FIELDS = ("service", "clinician", "bring", "transport")


def _events_newest_first(tracker: Optional[DialogueStateTracker]) -> Iterator[Dict[str, Any]]:
    for event in reversed(tracker.events if tracker is not None else ()):
        if isinstance(event, (UserUttered, SlotSet)):
            yield event.as_dict()


def protect_fields(template: str) -> Masked:
    """"Hello {given_name}" -> "Hello [[1]]", which providers pass through unchanged."""
    originals: List[str] = []

    def swap(match: re.Match) -> str:
        originals.append(match.group(0))
        return f"[[{len(originals)}]]"

    return Masked(_FIELD.sub(swap, template), tuple(originals))


class CatalogueNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    """Renders every bot message inside the Rasa server (see the module docstring).

    Configured in endpoints.yml as ``nlg: {type: bot.nlg.CatalogueNaturalLanguageGenerator}``.
    Rasa's Agent replaces ``responses`` with the domain's when it loads a model, so
    the English catalogue is merged in whenever ``responses`` is set.
    """

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None,
                 table: Optional[LanguageTable] = None, translator: Any = None, **_: Any) -> None:
        self.table = table or default_table()
        self._catalogue = load_responses(ENGLISH)
        self._translator = translator
        self._languages: Dict[str, TemplatedNaturalLanguageGenerator] = {
            language.code: TemplatedNaturalLanguageGenerator(load_responses(language.code))
            for language in self.table.languages if language.catalogue != ENGLISH
        }
        super().__init__(domain.responses if domain else {})

    @property
    def responses(self) -> Dict[str, List[Dict[str, Any]]]:
        return self._responses

    @responses.setter
    def responses(self, domain_responses: Optional[Dict[str, List[Dict[str, Any]]]]) -> None:
        self._responses = {**self._catalogue, **(domain_responses or {})}

    def translator(self):
        if self._translator is None:
            from bot.db import Database
            from bot.settings import load_settings
            from bot.translation.cache import TranslationCache
            from bot.translation.service import TranslationService

            settings = load_settings()
            cache = TranslationCache(Database(settings.database_url, settings.sqlite_busy_timeout_ms))
            self._translator = TranslationService.from_environment(cache)
        return self._translator

    def _provider_codes(self, language: str) -> Optional[Tuple[Any, str, str]]:
        """(translator, English's code, ``language``'s code) for the provider, or None if it
        cannot translate into ``language``."""
        translator = self.translator()
        codes = self.table.provider_codes(ENGLISH, language, translator.provider)
        return (translator, *codes) if codes else None

    def _metadata(self, message: Dict[str, Any], language: str, source: str, name: str,
                  translated_fields: Optional[List[str]] = None) -> Dict[str, Any]:
        metadata = dict(message.get("metadata") or {})
        metadata.update(language=language, direction=self.table.direction(language), source=source, response=name)
        if translated_fields:
            metadata["machine_translated_fields"] = translated_fields
        message["metadata"] = metadata
        return message

    async def generate(self, utter_action: str, tracker: DialogueStateTracker, output_channel: str,
                       **kwargs: Any) -> Optional[Dict[str, Any]]:
        language = reply_language(_events_newest_first(tracker), self.table, kwargs.get("language"))
        translated_fields: List[str] = []
        if language != ENGLISH:
            translated_fields = await self._translate_fields(kwargs, language)
            generator = self._languages.get(language)
            if generator is not None and utter_action in generator.responses:
                message = await generator.generate(utter_action, tracker, output_channel, **kwargs)
                if message is not None:
                    return self._metadata(message, language, "catalogue", utter_action, translated_fields)
            if utter_action not in URGENT_RESPONSES:
                message = await self._machine(utter_action, tracker, output_channel, language, kwargs)
                if message is not None:
                    return self._metadata(message, language, "machine", utter_action, translated_fields)
        message = await super().generate(utter_action, tracker, output_channel, **kwargs)
        return self._metadata(message, ENGLISH, "english", utter_action) if message is not None else None

    async def _translate_fields(self, kwargs: Dict[str, Any], language: str) -> List[str]:
        """Registry text an action fills in (service names, what to bring) is English:
        machine-translate it in place, cached; on failure it stays English. Addresses,
        places and people's names are never sent."""
        fields = [f for f in REGISTRY_TEXT_FIELDS if isinstance(kwargs.get(f), str) and kwargs[f].strip()]
        if not fields:
            return []
        codes = self._provider_codes(language)
        if codes is None:
            return []
        translator, source, target = codes
        results = await asyncio.gather(*(translator.atranslate(kwargs[f], source, target) for f in fields),
                                       return_exceptions=True)  # together: one deadline, not four
        done = []
        for field, result in zip(fields, results):
            if isinstance(result, TranslationUnavailable):
                logger.warning("nlg.field.untranslated language=%s field=%s reason=%s", language, field, result)
            elif isinstance(result, BaseException):
                raise result
            else:
                kwargs[field] = result.text
                done.append(field)
        return done

    async def _machine(self, utter_action: str, tracker: DialogueStateTracker, output_channel: str,
                       language: str, fields: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """The English response, translated as a template, then filled. None if unavailable."""
        filled_slots = tracker.current_slot_values()
        chosen = self._random_response_for(utter_action, output_channel, filled_slots)
        if chosen is None or not isinstance(chosen.get("text"), str):
            return None
        codes = self._provider_codes(language)
        if codes is None:
            return None
        translator, source, target = codes
        protected = protect_fields(chosen["text"])
        try:
            result = await translator.atranslate(protected.text, source, target)
        except TranslationUnavailable as error:
            logger.warning("nlg.translation.unavailable language=%s response=%s reason=%s",
                           language, utter_action, error)
            return None
        response = copy.deepcopy(chosen)
        response["text"] = protected.restore(result.text)
        return self._fill_response(response, filled_slots, **fields)
