"""The REST channel, hardened: it refuses bad input clearly and never logs patient text."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import threading
import traceback
from functools import partial
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.catalogue import load_responses
from bot.channels.guard import MAX_MESSAGE_CHARS, RateLimiter, clean_sender, clean_text
from bot.channels.output import CollectingWithMetadata
from bot.exceptions import RejectedInput
from bot.inbound import InboundPipeline, pipeline_from_settings
from bot.live.relay import render
from bot.live.store import LiveStore

logger = logging.getLogger(__name__)
# A character can take 12 bytes as a JSON escape (a \\uXXXX surrogate pair).
MAX_BODY_BYTES = 12 * MAX_MESSAGE_CHARS + 4096


def _error(error: RejectedInput) -> HTTPResponse:
    return response.json({"error": error.code, "detail": error.detail}, status=error.status)


class GuardedRestInput(RestInput):
    """POST /webhooks/rest/webhook with {"sender": id, "message": text}; replies as a JSON list.

    Differences from Rasa's RestInput: bodies over the size limit, invalid JSON or
    UTF-8, bad sender ids and empty messages get a 4xx JSON error instead of
    reaching NLU; a sender sending more than REST_RATE_LIMIT_PER_MINUTE (default
    20) messages a minute gets 429; client metadata is ignored; a leading "/"
    cannot trigger Rasa's intent-command syntax; failures are logged with a hash
    of the sender, never the text. If REST_CHANNEL_TOKEN is set, requests must
    carry ``Authorization: Bearer <token>``. If the bot produced no reply at all
    (the action server is down, say), the patient is told so instead of silence.

    Every message goes through ``bot.inbound`` first (language, red flags, masking,
    translation to English); each reply carries ``metadata`` with its language and
    direction (``bot.channels.output``).
    """

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "GuardedRestInput":
        return cls()

    def __init__(self, pipeline: Optional[InboundPipeline] = None) -> None:
        self.limiter = RateLimiter(limit=int(os.environ.get("REST_RATE_LIMIT_PER_MINUTE", "20")))
        self.token = os.environ.get("REST_CHANNEL_TOKEN", "")
        self._pipeline = pipeline
        self._building = threading.Lock()
        self._unavailable: Dict[str, str] = {}

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

    def unavailable(self, language: str) -> str:
        """The "technical problem" reply in ``language`` (every catalogue has it)."""
        if language not in self._unavailable:
            try:
                self._unavailable[language] = load_responses(language)["utter_service_unavailable"][0]["text"]
            except (OSError, KeyError):
                self._unavailable[language] = load_responses("en")["utter_service_unavailable"][0]["text"]
        return self._unavailable[language]

    def _authorised(self, request: Request) -> bool:
        if not self.token:
            return True
        supplied = request.headers.get("Authorization", "")
        return hmac.compare_digest(supplied.encode(), f"Bearer {self.token}".encode())

    def parse(self, request: Request) -> Dict[str, str]:
        if len(request.body or b"") > MAX_BODY_BYTES:
            raise RejectedInput("message_too_long", 413, f"Messages can be at most {MAX_MESSAGE_CHARS} characters.")
        try:
            body = json.loads((request.body or b"").decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RejectedInput("invalid_request", 400, "The body must be JSON in UTF-8.") from error
        if not isinstance(body, dict):
            raise RejectedInput("invalid_request", 400, "The body must be a JSON object.")
        return {"sender": clean_sender(body.get("sender")), "message": clean_text(body.get("message"))}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint(f"tellonce_{type(self).__name__}", __name__)

        @webhook.listener("after_server_start")
        async def warm_up(app, loop) -> None:
            # Load the language and masking models now, not on the first patient's message.
            await loop.run_in_executor(None, lambda: self.pipeline().warm_up())

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "unauthorised", "detail": "Missing or wrong token."}, status=401)
            try:
                payload = self.parse(request)
                self.limiter.check(payload["sender"])
            except RejectedInput as error:
                return _error(error)
            collector = CollectingWithMetadata()
            language = "en"
            recorded = False
            pending = []
            try:
                loop = asyncio.get_running_loop()
                pipeline = await self.ready_pipeline()
                inbound = await pipeline.process_safely(payload["sender"], payload["message"])
                language = inbound.metadata["language"]
                live = LiveStore(pipeline.conversations.db)
                outgoing = []
                try:
                    # a coordinator has the conversation: record and relay every message; the bot
                    # stays silent unless it is a red flag (the advice never waits). Also take the
                    # coordinator's replies and notices, returned with this message.
                    recorded, outgoing = await loop.run_in_executor(None, partial(
                        live.patient_message, payload["sender"], payload["message"],
                        inbound.metadata.get("english_text"), language, inbound.metadata.get("translation") or "none"))
                except SQLAlchemyError as error:  # the registry is away: the bot takes the message, so it is kept
                    logger.error("rest.live.unavailable error=%s", type(error).__name__)
                if not recorded or inbound.metadata.get("red_flag"):
                    await on_new_message(UserMessage(
                        inbound.text, collector, payload["sender"], input_channel=self.name(),
                        parse_data=inbound.parse_data, metadata=dict(inbound.metadata),
                    ))
                if "utter_language_menu" in collector.responses:
                    await loop.run_in_executor(None, pipeline.conversations.set_menu_open, payload["sender"], True)
                pending = [render(item, payload["sender"]) for item in outgoing]
            except Exception as error:  # noqa: BLE001 - the patient must get an answer, and the log no text
                digest = hashlib.sha256(payload["sender"].encode()).hexdigest()[:12]
                # The exception's message may quote the text or the sender, so log
                # only its type and where it was raised (exc_info would print it).
                logger.error(
                    "rest.message.failed sender_hash=%s error=%s\n%s", digest, type(error).__name__,
                    "".join(traceback.format_tb(error.__traceback__)).rstrip(),
                )
                return response.json({"error": "internal_error", "detail": "Sorry, something went wrong."}, status=500)
            if not collector.messages and not recorded and not pending:
                logger.warning("rest.message.no_reply")
                collector.messages.append({"recipient_id": payload["sender"], "text": self.unavailable(language)})
            return response.json(pending + collector.messages)

        return webhook
