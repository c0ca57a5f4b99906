"""Which language each conversation is held in, kept in the registry database.

The channel reads and updates it for every patient message; the verification
action sets the patient's registered language as the prior once they are known.
Blocking (SQLAlchemy): call it from a worker thread, not the event loop.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from bot.db import Database
from bot.models import ConversationLanguage

SOURCES = ("default", "detected", "chosen", "registered")
# Sources that a verified patient's registered language does not override.
DELIBERATE = frozenset({"detected", "chosen"})


@dataclass(frozen=True)
class ConversationState:
    language: Optional[str]  # None before the first message
    source: str
    menu_open: bool


UNKNOWN = ConversationState(None, "default", False)


class ConversationLanguages:
    """get/set a conversation's language. Creates its table on first use."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, conversation_id: str) -> ConversationState:
        self.db.ensure_table(ConversationLanguage.__table__)
        with self.db.session() as session:
            row = session.get(ConversationLanguage, conversation_id)
            return ConversationState(row.language, row.source, row.menu_open) if row else UNKNOWN

    def set(self, conversation_id: str, language: str, source: str, menu_open: bool = False) -> None:
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}")
        self._write(conversation_id, language=language, source=source, menu_open=menu_open)

    def set_menu_open(self, conversation_id: str, menu_open: bool) -> None:
        self._write(conversation_id, menu_open=menu_open)

    def _write(self, conversation_id: str, **changes) -> None:
        """Update the conversation's row, creating it (English, nothing known) if missing."""
        self.db.ensure_table(ConversationLanguage.__table__)
        with self.db.session() as session:
            row = session.get(ConversationLanguage, conversation_id)
            if row is None:
                fields = {"language": "en", "source": "default", "menu_open": False, **changes}
                session.add(ConversationLanguage(conversation_id=conversation_id, **fields))
            else:
                for name, value in changes.items():
                    setattr(row, name, value)

    def prefer_registered(self, conversation_id: str, registered: str) -> str:
        """Once the patient is verified: their registered language, unless the conversation
        is already in a language they chose or clearly wrote in. Returns the language."""
        state = self.get(conversation_id)
        if state.language and state.source in DELIBERATE:
            return state.language
        self.set(conversation_id, registered, "registered")
        return registered
