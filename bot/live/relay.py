"""Between the coordinator's English and the patient's language."""
from __future__ import annotations

import functools
import re
from typing import Dict, Optional, Tuple

from bot.catalogue import english_source, load_responses
from bot.exceptions import TranslationUnavailable
from bot.languages import LanguageTable, default_table
from bot.live.store import Outgoing
from bot.translation.masking import Masker
from bot.translation.service import TranslationService

_SPACE = re.compile(r"\s+")


def _normal(text: str) -> str:
    return _SPACE.sub(" ", text.strip().lower())


@functools.lru_cache(maxsize=1)
def catalogue_phrases() -> Dict[str, str]:
    """English text of every response without placeholders -> its name: a coordinator who
    writes one of them word for word gets the reviewed translation, not a machine's."""
    phrases = {}
    for name, variations in english_source().items():
        for variation in variations:
            text = variation.get("text") or ""
            if text and "{" not in text:
                phrases.setdefault(_normal(text), name)
    return phrases


@functools.lru_cache(maxsize=64)
def _catalogue(language: str) -> Dict:
    try:
        return load_responses(language)
    except OSError:
        return {}


def catalogue_text(response: str, language: str, variables: Optional[Dict[str, str]] = None) -> Optional[str]:
    """A response's first variation in ``language``, filled in; None if the catalogue lacks it."""
    variations = _catalogue(language).get(response) or []
    if not variations:
        return None
    return variations[0]["text"].format(**(variables or {}))


class ReplyTranslator:
    """A coordinator's English reply in the patient's language: (text, how).

    how: ``none`` (English), ``catalogue`` (a reviewed phrase), ``machine`` (machine
    translation, masked first and flagged to the patient), or ``failed`` (no translation
    could be had: the English goes, and the coordinator is told, to arrange an interpreter).
    """

    def __init__(self, translator: TranslationService, masker: Masker, table: Optional[LanguageTable] = None) -> None:
        self.translator = translator
        self.masker = masker
        self.table = table or default_table()

    def translate(self, english: str, language: str) -> Tuple[str, str]:
        if language == "en":
            return english, "none"
        name = catalogue_phrases().get(_normal(english))
        if name:
            text = catalogue_text(name, language)
            if text:
                return text, "catalogue"
        codes = self.table.provider_codes("en", language, self.translator.provider)
        if codes is None:
            return english, "failed"
        source, target = codes
        masked = self.masker.mask(english)
        try:
            result = self.translator.translate(masked.text, source, target)
        except TranslationUnavailable:
            return english, "failed"
        return masked.restore(result.text), "machine"


def render(outgoing: Outgoing, recipient: str, table: Optional[LanguageTable] = None) -> Dict:
    """The message the REST channel returns to the patient (``metadata`` as bot replies carry)."""
    table = table or default_table()
    language = outgoing.language
    if outgoing.direction == "notice":
        text = catalogue_text(outgoing.response, language, outgoing.variables)
        if text is None:
            language, text = "en", catalogue_text(outgoing.response, "en", outgoing.variables)
        metadata = {"from": "tellonce", "response": outgoing.response}
    else:
        text = outgoing.text
        if outgoing.translation in ("none", "failed"):
            language = "en"
        metadata = {"from": "coordinator", "coordinator_name": outgoing.coordinator_name,
                    "machine_translated": outgoing.translation == "machine"}
    return {"recipient_id": recipient, "text": text,
            "metadata": {**metadata, "language": language, "direction": table.direction(language)}}
