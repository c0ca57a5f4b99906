"""Every patient message, before Rasa: language, red flags, masking and translation.

One pipeline for every channel (REST and socket.io through ``bot.channels.turns``; SMS later). For each message:

1. the conversation's language menu or an explicit request ("po polsku proszę")
   switches the language: Rasa gets the ``set_language`` intent directly;
2. the language is detected and the conversation's language updated (short or
   unclear messages never flip it: ``bot.language.sticky``);
3. the multilingual red-flag lexicon runs on the patient's own words: on a match
   nothing waits for translation, and the Rasa model's RedFlagDetector sees the
   same words in the metadata, so urgent advice never depends on a provider;
4. otherwise personal data is masked, the text translated to English through the
   bounded ``TranslationService`` and the originals restored; when translation is
   unavailable Rasa gets ``nlu_fallback`` with ``translation: failed`` in the metadata
   (the patient is told in their language and handed to a person with an
   interpreter) and the message is kept untranslated.

The CPU and database work runs in one worker-thread hop; translation has its own
bounded pool. ``Inbound.metadata`` is what transcripts keep (see ``MessageMetadata``).
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, TypedDict

from bot.exceptions import TranslationUnavailable
from bot.language.conversations import ConversationLanguages
from bot.language.detect import Detection, LanguageDetector
from bot.language.scripts import letters
from bot.language.sticky import DEFAULT_LANGUAGE, next_language
from bot.language.switch import LanguageRequests
from bot.languages import LanguageTable
from bot.redflags import RedFlagLexicon, default_lexicon
from bot.translation.masking import Masker
from bot.translation.service import TranslationService

logger = logging.getLogger(__name__)

SET_LANGUAGE_INTENT = "set_language"
# An untranslatable message is one NLU cannot understand: Rasa's own nlu_fallback intent,
# with metadata.translation == "failed" telling action_fallback why (actions/fallback.py).
TRANSLATION_FAILED_INTENT = "nlu_fallback"


class MessageMetadata(TypedDict):
    """Kept with every patient message (``UserUttered.metadata``) for transcripts."""

    original_text: str          # the patient's own words
    english_text: Optional[str]  # what NLU read; None when it could not be translated
    language: str                # the conversation's language after this message
    detected_language: Optional[str]
    language_confidence: float
    detection_method: str
    direction: str               # ltr | rtl, of the conversation's language
    translation: str             # none | machine | cache | failed | skipped_red_flag
    provider: Optional[str]      # the translation provider, when one was asked
    red_flag: Optional[str]      # the lexicon's highest-priority category, if any


@dataclass
class Inbound:
    """What to hand Rasa: the English text (or a parsed intent) plus the metadata."""

    text: str
    metadata: MessageMetadata
    parse_data: Optional[Dict[str, Any]] = None


def _intent(name: str, text: str, entities: Iterable[Dict[str, Any]] = ()) -> Dict[str, Any]:
    return {"intent": {"name": name, "confidence": 1.0}, "entities": list(entities), "text": text,
            "intent_ranking": [{"name": name, "confidence": 1.0}]}


@dataclass
class InboundPipeline:
    table: LanguageTable
    detector: LanguageDetector
    lexicon: RedFlagLexicon
    conversations: ConversationLanguages
    translator: TranslationService
    masker_factory: Callable[[], Masker] = Masker
    _masker: Optional[Masker] = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.requests = LanguageRequests(self.table)

    def masker(self) -> Masker:
        if self._masker is None:
            self._masker = self.masker_factory()
        return self._masker

    def warm_up(self) -> None:
        """Load the models (call in a worker thread at start-up, not per message)."""
        self.detector.warm_up()
        self.masker().mask("warm up 999 000 0018")

    # the pipeline ---------------------------------------------------------
    async def process(self, conversation_id: str, text: str) -> Inbound:
        loop = asyncio.get_running_loop()
        inbound, language, detection = await loop.run_in_executor(None, self._local, conversation_id, text)
        if inbound is not None:
            return inbound
        return await self._translate(text, language, detection)

    async def process_safely(self, conversation_id: str, text: str) -> Inbound:
        """``process``, but a failure of the pipeline itself (a database error, say) passes
        the text on untranslated, so the message still reaches Rasa and is kept."""
        try:
            return await self.process(conversation_id, text)
        except Exception as error:  # noqa: BLE001 - never lose the message; log no text
            logger.error("inbound.pipeline.failed error=%s", type(error).__name__)
            detection = Detection(None, 0.0, "none")
            return Inbound(text, self._metadata(text, DEFAULT_LANGUAGE, detection, "failed", None))

    def _metadata(self, text: str, language: str, detection: Detection, translation: str,
                  english: Optional[str], provider: Optional[str] = None,
                  red_flag: Optional[str] = None) -> MessageMetadata:
        return MessageMetadata(
            original_text=text, english_text=english, language=language,
            detected_language=detection.code, language_confidence=round(detection.confidence, 3),
            detection_method=detection.method,
            direction=self.table.direction(language),
            translation=translation, provider=provider, red_flag=red_flag,
        )

    def _local(self, conversation_id: str, text: str):
        """Everything but translation (worker thread): (Inbound, or None to translate; language; detection)."""
        state = self.conversations.get(conversation_id)
        chosen = ((self.requests.from_menu(text) if state.menu_open else None)
                  or self.requests.requested(text, state.language))
        if chosen:
            self.conversations.set(conversation_id, chosen, "chosen")  # also closes the menu
            entities = [{"entity": "language", "value": chosen, "start": 0, "end": len(text)}]
            metadata_detection = Detection(chosen, 1.0, "request")
            metadata = self._metadata(text, chosen, metadata_detection, "none", None)
            return Inbound(text, metadata, _intent(SET_LANGUAGE_INTENT, text, entities)), chosen, metadata_detection

        detection = self.detector.detect(text)
        language = next_language(state.language, detection, text)
        if language != state.language:  # also closes the menu
            clear = detection.code == language
            self.conversations.set(conversation_id, language, "detected" if clear else state.source)
        elif state.menu_open:
            self.conversations.set_menu_open(conversation_id, False)

        found = self.lexicon.find(text)
        if found:
            metadata = self._metadata(text, language, detection, "skipped_red_flag", None, red_flag=found[0].category)
            return Inbound(text, metadata), language, detection
        if language == DEFAULT_LANGUAGE or letters(text) == 0:
            # English, or digits and symbols only (an NHS number, a date, "1"): nothing to translate.
            return Inbound(text, self._metadata(text, language, detection, "none", text)), language, detection
        return None, language, detection

    async def _translate(self, text: str, language: str, detection: Detection) -> Inbound:
        provider = self.translator.provider
        source = self.table.provider_code(language, provider) if provider != "none" else language
        english_code = self.table.provider_code(DEFAULT_LANGUAGE, provider) or DEFAULT_LANGUAGE
        try:
            if not source:
                raise TranslationUnavailable(f"{provider} has no {language}")
            masked = await asyncio.get_running_loop().run_in_executor(None, self.masker().mask, text)
            result = await self.translator.atranslate(masked.text, source, english_code)
        except TranslationUnavailable as error:
            # Our own wording, never the patient's text.
            logger.warning("inbound.translation.unavailable language=%s provider=%s reason=%s",
                           language, provider, error)
            metadata = self._metadata(text, language, detection, "failed", None, provider=provider)
            return Inbound(text, metadata, _intent(TRANSLATION_FAILED_INTENT, text))
        english = masked.restore(result.text)
        metadata = self._metadata(text, language, detection, "cache" if result.cached else "machine",
                                  english, provider=provider)
        return Inbound(english, metadata)


def registry_names(db) -> List[str]:
    """Every patient's and coordinator's name parts, for masking (blocking: call off the loop)."""
    import sqlalchemy as sa

    from bot.models import Coordinator, Patient

    names = set()
    try:
        with db.session() as session:
            for given, family in session.execute(sa.select(Patient.given_name, Patient.family_name)):
                names.update((given, family))
            for (name,) in session.execute(sa.select(Coordinator.name)):
                names.update(name.split())
    except sa.exc.SQLAlchemyError as error:  # no registry yet: nobody's name to protect
        logger.warning("inbound.registry_names.unavailable error=%s", type(error).__name__)
    return sorted(names)


def pipeline_from_settings(settings=None) -> InboundPipeline:
    """The pipeline on the configured database and translation provider (connects lazily)."""
    from bot.db import Database
    from bot.language.detect import default_detector
    from bot.languages import default_table
    from bot.settings import load_settings
    from bot.translation.cache import TranslationCache

    settings = settings or load_settings()
    db = Database(settings.database_url, settings.sqlite_busy_timeout_ms)
    return InboundPipeline(
        table=default_table(), detector=default_detector(), lexicon=default_lexicon(),
        conversations=ConversationLanguages(db),
        translator=TranslationService.from_environment(TranslationCache(db)),
        masker_factory=lambda: Masker(registry_names(db)),
    )
