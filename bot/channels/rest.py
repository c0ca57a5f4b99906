"""The REST channel, hardened: it refuses bad input clearly and never logs patient text."""
from __future__ import annotations

import hmac
import json
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import MAX_MESSAGE_CHARS, RateLimiter, clean_sender, clean_text
from bot.channels.turns import PatientTurns
from bot.exceptions import MessageFailed, RejectedInput

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

    Every message then goes through ``bot.channels.turns`` (the language pipeline, the
    live relay to a coordinator, Rasa); each reply carries ``metadata`` with its language
    and direction (``bot.channels.output``). REST cannot push: a coordinator's replies
    wait and come back with the patient's next message.
    """

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "GuardedRestInput":
        return cls(PatientTurns.shared())  # one language pipeline for every channel of the process

    def __init__(self, turns: Optional[PatientTurns] = None) -> None:
        self.limiter = RateLimiter(limit=int(os.environ.get("REST_RATE_LIMIT_PER_MINUTE", "20")))
        self.token = os.environ.get("REST_CHANNEL_TOKEN", "")
        self.turns = turns or PatientTurns()

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
            await self.turns.warm_up()

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
            try:
                messages = await self.turns.handle(payload["sender"], payload["message"], self.name(), on_new_message)
            except MessageFailed:
                return response.json({"error": "internal_error", "detail": "Sorry, something went wrong."}, status=500)
            return response.json(messages)

        return webhook
