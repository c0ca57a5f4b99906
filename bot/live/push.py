"""Pushing coordinators' replies to patients whose chat is open (socket.io).

The handoff API runs in its own process and only writes a reply to the registry; the
Rasa server's socket.io channel knows which conversations have an open socket. So the
channel polls: every ``interval`` seconds one query asks the registry what waits for the
conversations connected to this process, takes it (marked delivered, with the same
conditional update as the REST channel, so nothing goes twice even with several Rasa
servers) and sends it. A patient who is not connected keeps their messages waiting for
their next connection or message.

Reads: ``Connections`` (which conversations have a socket here). Writes: ``delivered_at``
on the messages it takes, and calls ``send(conversation_id, messages)`` for each.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, Dict, List, Optional, Set

from sqlalchemy.exc import SQLAlchemyError

from bot.live.store import LiveStore, Outgoing

logger = logging.getLogger(__name__)

Send = Callable[[str, List[Outgoing]], Awaitable[None]]


class Connections:
    """Which open sockets (sids) belong to which conversation, in this process."""

    def __init__(self) -> None:
        self._conversation: Dict[str, str] = {}  # sid -> conversation id
        self._sockets: Dict[str, Set[str]] = {}  # conversation id -> sids

    def add(self, sid: str, conversation_id: str) -> None:
        self.remove(sid)
        self._conversation[sid] = conversation_id
        self._sockets.setdefault(conversation_id, set()).add(sid)

    def remove(self, sid: str) -> Optional[str]:
        conversation_id = self._conversation.pop(sid, None)
        if conversation_id is not None:
            sockets = self._sockets.get(conversation_id, set())
            sockets.discard(sid)
            if not sockets:
                self._sockets.pop(conversation_id, None)
        return conversation_id

    def conversation(self, sid: str) -> Optional[str]:
        return self._conversation.get(sid)

    def conversations(self) -> List[str]:
        return list(self._sockets)

    def __len__(self) -> int:
        return len(self._conversation)


class LivePush:
    """Takes what waits for connected conversations and sends it; see the module doc."""

    def __init__(self, live: Callable[[], Awaitable[LiveStore]], connections: Connections, send: Send,
                 interval: float = 0.5) -> None:
        self.live = live
        self.connections = connections
        self.send = send
        self.interval = interval

    async def deliver(self, conversation_ids: Optional[List[str]] = None) -> int:
        """One round, for ``conversation_ids`` or every connected conversation: how many were sent."""
        ids = self.connections.conversations() if conversation_ids is None else conversation_ids
        if not ids:
            return 0
        store = await self.live()
        taken = await asyncio.get_running_loop().run_in_executor(None, store.take_outgoing_for, ids)
        for conversation_id, messages in taken.items():
            await self.send(conversation_id, messages)
        return sum(len(m) for m in taken.values())

    async def run(self) -> None:
        """Deliver every ``interval`` seconds until cancelled; a registry that is away is retried."""
        while True:
            try:
                await self.deliver()
            except SQLAlchemyError as error:
                logger.error("live.push.unavailable error=%s", type(error).__name__)
            await asyncio.sleep(self.interval)
