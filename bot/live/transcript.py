"""A conversation's transcript from Rasa's tracker store, for the coordinator.

Reads the ``events`` table that Rasa's SQLTrackerStore writes (sender_id, type_name,
timestamp, data as JSON), read-only, so the handoff API needs no Rasa server. For each
patient message: their own words, the English that NLU read, and the language; for each bot
message: the text as sent and its language. Nothing else of the tracker leaves.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Dict, List, Optional

import sqlalchemy as sa

from bot.db import make_engine


class TranscriptReader:
    def __init__(self, tracker_store_url: str, busy_timeout_ms: int = 15000) -> None:
        self.url, self.busy_timeout_ms = tracker_store_url, busy_timeout_ms
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            self._engine = make_engine(self.url, self.busy_timeout_ms)
        return self._engine

    def read(self, conversation_id: str, limit: int = 500) -> List[Dict[str, Optional[str]]]:
        """The last ``limit`` patient and bot messages of the conversation, oldest first."""
        if not sa.inspect(self.engine).has_table("events"):
            return []
        events = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
                          sa.column("timestamp"), sa.column("data"))
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(events.c.type_name, events.c.timestamp, events.c.data)
                .where(events.c.sender_id == conversation_id, events.c.type_name.in_(("user", "bot")))
                .order_by(events.c.id.desc()).limit(limit)).all()
        return [entry for entry in (self._entry(*row) for row in reversed(rows)) if entry]

    @staticmethod
    def _entry(type_name: str, timestamp: float, data: str) -> Optional[Dict[str, Optional[str]]]:
        try:
            event = json.loads(data)
        except (TypeError, ValueError):
            return None
        metadata = event.get("metadata") or {}
        when = dt.datetime.utcfromtimestamp(timestamp).isoformat(timespec="seconds") + "Z" if timestamp else None
        if type_name == "user":
            original = metadata.get("original_text") or event.get("text")
            english = metadata.get("english_text")
            if english is None and metadata.get("language", "en") == "en":
                english = original
            return {"from": "patient", "at": when, "text": original, "english_text": english,
                    "language": metadata.get("language", "en")}
        return {"from": "bot", "at": when, "text": event.get("text"), "english_text": None,
                "language": metadata.get("language", "en")}

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
