"""One patient message through TellOnce, the same on every channel (REST, socket.io).

For each message, after the channel has checked its size, encoding and sender:

1. ``bot.inbound`` (language, red flags, masking, translation to English), off the loop;
2. if a coordinator has the conversation (``bot.live``), the message is recorded for
   them and the bot stays quiet, unless it is a red flag: the advice never waits;
3. otherwise Rasa handles it; its replies are collected with their language metadata;
4. whatever waits for the patient (a coordinator's reply, "Priya has joined") is taken
   and returned first.

Returns the messages for the patient in order, as the REST channel's JSON list
(``recipient_id``, ``text``, ``metadata``). Raises ``MessageFailed`` after logging (the
sender's hash and where it failed, never the text) if anything breaks.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import traceback
from functools import partial
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import UserMessage
from sqlalchemy.exc import SQLAlchemyError

from bot.catalogue import load_responses
from bot.channels.output import CollectingWithMetadata
from bot.exceptions import MessageFailed
from bot.inbound import InboundPipeline, pipeline_from_settings
from bot.live.relay import render
from bot.live.store import LiveStore

logger = logging.getLogger(__name__)

_shared: Optional["PatientTurns"] = None
_shared_lock = threading.Lock()


def sender_hash(sender: str) -> str:
    """What logs say instead of a conversation id."""
    return hashlib.sha256(sender.encode()).hexdigest()[:12]


class PatientTurns:
    """The language pipeline and the live relay for one Rasa process's channels.

    Reads: a cleaned patient message and its conversation id. Writes: the conversation's
    language and, while a coordinator has the conversation, the message to their case.
    The pipeline (detector models, lexicon, masker: seconds to build, ~300 MB) is built
    once, lazily and off the event loop; ``shared()`` gives every channel the same one.
    """

    def __init__(self, pipeline: Optional[InboundPipeline] = None) -> None:
        self._pipeline = pipeline
        self._building = threading.Lock()
        self._unavailable: Dict[str, str] = {}
        self._warm = False

    @classmethod
    def shared(cls) -> "PatientTurns":
        """The process's one instance, for channels built from credentials.yml."""
        global _shared
        with _shared_lock:
            if _shared is None:
                _shared = cls()
            return _shared

    def pipeline(self) -> InboundPipeline:
        """Built once (blocking: seconds for the lexicon and models), so call it off the loop."""
        with self._building:
            if self._pipeline is None:
                self._pipeline = pipeline_from_settings()
            return self._pipeline

    async def ready_pipeline(self) -> InboundPipeline:
        if self._pipeline is not None:
            return self._pipeline
        return await asyncio.get_running_loop().run_in_executor(None, self.pipeline)

    async def warm_up(self) -> None:
        """Load the language and masking models now, not on the first patient's message (once,
        whichever channel asks first)."""
        if not self._warm:
            await asyncio.get_running_loop().run_in_executor(None, lambda: self.pipeline().warm_up())
            self._warm = True

    async def live(self) -> LiveStore:
        return LiveStore((await self.ready_pipeline()).conversations.db)

    def unavailable(self, language: str) -> str:
        """The "technical problem" reply in ``language`` (every catalogue has it)."""
        if language not in self._unavailable:
            try:
                self._unavailable[language] = load_responses(language)["utter_service_unavailable"][0]["text"]
            except (OSError, KeyError):
                self._unavailable[language] = load_responses("en")["utter_service_unavailable"][0]["text"]
        return self._unavailable[language]

    async def handle(self, sender: str, text: str, channel: str,
                     on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> List[Dict[str, Any]]:
        """Everything this message brings the patient, in order (see the module doc)."""
        collector = CollectingWithMetadata()
        language = "en"
        recorded = False
        try:
            loop = asyncio.get_running_loop()
            pipeline = await self.ready_pipeline()
            inbound = await pipeline.process_safely(sender, text)
            language = inbound.metadata["language"]
            live = await self.live()
            outgoing = []
            try:
                # one registry hop: is a coordinator talking to this patient (then the message is
                # recorded for them), and what waits for the patient
                recorded, outgoing = await loop.run_in_executor(None, partial(
                    live.patient_message, sender, text, inbound.metadata.get("english_text"), language,
                    inbound.metadata.get("translation") or "none"))
            except SQLAlchemyError as error:  # the registry is away: the bot takes the message, so it is kept
                logger.error("%s.live.unavailable error=%s", channel, type(error).__name__)
            if not recorded or inbound.metadata.get("red_flag"):
                await on_new_message(UserMessage(
                    inbound.text, collector, sender, input_channel=channel,
                    parse_data=inbound.parse_data, metadata=dict(inbound.metadata),
                ))
            if "utter_language_menu" in collector.responses:
                await loop.run_in_executor(None, pipeline.conversations.set_menu_open, sender, True)
            pending = [render(item, sender) for item in outgoing]
        except Exception as error:  # noqa: BLE001 - the patient must get an answer, and the log no text
            # The exception's message may quote the text or the sender, so log only its
            # type and where it was raised (exc_info would print it).
            logger.error(
                "%s.message.failed sender_hash=%s error=%s\n%s", channel, sender_hash(sender),
                type(error).__name__, "".join(traceback.format_tb(error.__traceback__)).rstrip(),
            )
            raise MessageFailed(type(error).__name__, language) from None
        if not collector.messages and not recorded and not pending:
            logger.warning("%s.message.no_reply", channel)
            collector.messages.append({"recipient_id": sender, "text": self.unavailable(language)})
        return pending + collector.messages
