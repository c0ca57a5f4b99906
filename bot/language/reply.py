"""Which language the bot replies in, decided the same way by the NLG and by actions."""
from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from bot.languages import LanguageTable

ENGLISH = "en"
REPLY_LANGUAGE_SLOT = "reply_language"


def reply_language(events_newest_first: Iterable[Dict[str, Any]], table: LanguageTable,
                   requested: Optional[str] = None) -> str:
    """``requested`` (an action asked for it), else the ``reply_language`` slot if an action
    set it since the patient's latest message, else that message's ``metadata.language``
    (set by bot/inbound.py), else English. Events are Rasa event dicts, newest first."""
    if requested in table:
        return requested
    for event in events_newest_first:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == REPLY_LANGUAGE_SLOT and event.get("value") in table:
            return event["value"]
        if kind == "user":
            language = (event.get("metadata") or {}).get("language")
            return language if language in table else ENGLISH
    return ENGLISH


def babel_locale(language: str, table: LanguageTable) -> str:
    return table[language].babel if language in table else table[ENGLISH].babel
