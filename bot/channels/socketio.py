"""The socket.io channel, hardened, with coordinators' replies pushed as they are written."""
from __future__ import annotations

import asyncio
import logging
import os
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import jwt
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.guard import RateLimiter, clean_sender, clean_text
from bot.channels.rest import MAX_BODY_BYTES
from bot.channels.turns import PatientTurns, sender_hash
from bot.exceptions import MessageFailed, RejectedInput
from bot.live.push import Connections, LivePush
from bot.live.relay import render
from bot.live.store import Outgoing

logger = logging.getLogger(__name__)

REJECTED_EVENT = "rejected"


def _public(message: Dict[str, Any]) -> Dict[str, Any]:
    """A reply as socket.io clients (Rasa's widgets) expect it: no recipient id."""
    return {key: value for key, value in message.items() if key != "recipient_id"}


class GuardedSocketIOInput(SocketIOInput):
    """socket.io at ``/socket.io``: the web chat's channel, which can push.

    Events: the client emits ``session_request`` ``{"session_id": id}`` (answered by
    ``session_confirm`` with the conversation id), then ``user_uttered``
    ``{"message": text}``. The server emits ``bot_uttered`` ``{"text", "metadata"}`` for
    each bot reply and, pushed as soon as they are written (``bot.live.push``, every
    LIVE_PUSH_POLL_SECONDS), each coordinator reply and notice ("Priya has joined"); and
    ``rejected`` ``{"error", "detail"}`` for input it refuses, as the REST channel's 4xx.

    Differences from Rasa's SocketIOInput:
    - the conversation is the one the socket's ``session_request`` confirmed, not whatever
      each message claims; a message before it, or naming another session, is refused;
    - ``enter_room`` is awaited (Rasa calls it without ``await``, which with python-socketio
      5's coroutine silently drops every reply: RasaHQ/rasa issue 13027);
    - the REST channel's guard: size, encoding, control characters, the "/intent" syntax,
      floods (SOCKETIO_RATE_LIMIT_PER_MINUTE, default 20, per conversation); client
      metadata is ignored; no patient text or conversation id in the logs;
    - every message goes through ``bot.channels.turns``, like REST: language, red flags,
      translation, and the live relay while a coordinator has the conversation;
    - SOCKETIO_JWT_KEY (and SOCKETIO_JWT_METHOD, default HS256) requires a token on
      connect (``auth: {"token": ...}``); its ``session_id`` claim, if any, is the only
      conversation that socket may open: the web chat's back end issues it per patient;
    - cross-origin browsers may connect only from SOCKETIO_CORS_ORIGINS (comma-separated;
      empty: the same origin only).
    """

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "GuardedSocketIOInput":
        credentials = credentials or {}
        return cls(PatientTurns.shared(), namespace=credentials.get("namespace"),
                   socketio_path=credentials.get("socketio_path", "/socket.io"))

    def __init__(self, turns: Optional[PatientTurns] = None, namespace: Optional[Text] = None,
                 socketio_path: Text = "/socket.io") -> None:
        super().__init__(namespace=namespace, session_persistence=True, socketio_path=socketio_path,
                         jwt_key=os.environ.get("SOCKETIO_JWT_KEY") or None,
                         jwt_method=os.environ.get("SOCKETIO_JWT_METHOD") or "HS256")
        self.turns = turns or PatientTurns()
        self.limiter = RateLimiter(limit=int(os.environ.get("SOCKETIO_RATE_LIMIT_PER_MINUTE", "20")))
        origins = [o.strip() for o in os.environ.get("SOCKETIO_CORS_ORIGINS", "").split(",") if o.strip()]
        self.cors_origins = origins or None  # None: python-engineio allows the same origin only
        self.connections = Connections()
        self.push = LivePush(self.turns.live, self.connections, self._send_outgoing,
                             interval=float(os.environ.get("LIVE_PUSH_POLL_SECONDS", "0.5")))
        self._bound: Dict[str, Optional[str]] = {}  # sid -> the conversation its token allows
        self._push_task: Optional[asyncio.Task] = None

    # sending ----------------------------------------------------------------
    async def _emit(self, conversation_id: str, messages: List[Dict[str, Any]]) -> None:
        for message in messages:
            await self.sio.emit(self.bot_message_evt, _public(message), room=conversation_id,
                                namespace=self.namespace)

    async def _send_outgoing(self, conversation_id: str, outgoing: List[Outgoing]) -> None:
        await self._emit(conversation_id, [render(item, conversation_id) for item in outgoing])

    async def _reject(self, sid: str, error: RejectedInput) -> None:
        await self.sio.emit(REJECTED_EVENT, {"error": error.code, "detail": error.detail}, room=sid,
                            namespace=self.namespace)

    def _token_session(self, auth: Any) -> Optional[Dict[str, Any]]:
        """The token's claims if it is valid, else None."""
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token:
            return None
        try:
            claims = jwt.decode(token.removeprefix("Bearer ").strip(), self.jwt_key, algorithms=[self.jwt_algorithm])
        except jwt.PyJWTError as error:
            logger.warning("socketio.connect.refused error=%s", type(error).__name__)
            return None
        return claims if isinstance(claims, dict) else None

    # the server -------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.cors_origins,
                          max_http_buffer_size=MAX_BODY_BYTES)
        self.sio = sio  # Rasa's get_output_channel uses it
        webhook = SocketBlueprint(sio, self.socketio_path, f"tellonce_{type(self).__name__}", __name__)
        namespace = self.namespace

        @webhook.listener("after_server_start")
        async def start(app, loop) -> None:
            await self.turns.warm_up()
            self._push_task = loop.create_task(self.push.run())

        @webhook.listener("before_server_stop")
        async def stop(app, loop) -> None:
            if self._push_task is not None:
                self._push_task.cancel()

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "connected": len(self.connections)})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if not self.jwt_key:
                self._bound[sid] = None
                return True
            claims = self._token_session(auth)
            if claims is None:
                return False  # the client gets connect_error
            bound = claims.get("session_id")
            self._bound[sid] = bound if isinstance(bound, str) else None
            return True

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: Text) -> None:
            self.connections.remove(sid)
            self._bound.pop(sid, None)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Any = None) -> None:
            data = data if isinstance(data, dict) else {}
            bound = self._bound.get(sid)
            try:
                conversation_id = clean_sender(data.get("session_id") or bound or uuid.uuid4().hex)
                if bound and conversation_id != bound:
                    raise RejectedInput("session_not_allowed", 403, "Your token is for another conversation.")
            except RejectedInput as error:
                await self._reject(sid, error)
                return
            previous = self.connections.conversation(sid)
            if previous and previous != conversation_id:
                await sio.leave_room(sid, previous, namespace=namespace)
            await sio.enter_room(sid, conversation_id, namespace=namespace)
            self.connections.add(sid, conversation_id)
            await sio.emit("session_confirm", conversation_id, room=sid, namespace=namespace)
            try:
                await self.push.deliver([conversation_id])  # what a coordinator wrote while they were away
            except SQLAlchemyError as error:  # the push loop will try again
                logger.error("socketio.session.push_unavailable error=%s", type(error).__name__)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any = None) -> None:
            conversation_id = self.connections.conversation(sid)
            try:
                if conversation_id is None:
                    raise RejectedInput("no_session", 400, "Send session_request before messages.")
                if not isinstance(data, dict):
                    raise RejectedInput("invalid_request", 400, "The message must be an object: {\"message\": text}.")
                if data.get("session_id") not in (None, conversation_id):
                    raise RejectedInput("session_not_allowed", 403, "This socket belongs to another conversation.")
                text = clean_text(data.get("message"))
                self.limiter.check(conversation_id)
            except RejectedInput as error:
                await self._reject(sid, error)
                return
            try:
                messages = await self.turns.handle(conversation_id, text, self.name(), on_new_message)
            except MessageFailed as failed:
                logger.warning("socketio.message.unavailable sender_hash=%s", sender_hash(conversation_id))
                messages = [{"text": self.turns.unavailable(failed.language)}]
            await self._emit(conversation_id, messages)

        return webhook
