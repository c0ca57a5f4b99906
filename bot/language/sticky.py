"""A conversation keeps its language: short or unclear messages never flip it."""
from __future__ import annotations

from typing import Optional

from bot.language.detect import Detection
from bot.language.scripts import word_count

DEFAULT_LANGUAGE = "en"


def next_language(current: Optional[str], detection: Detection, text: str,
                  flip_confidence: float = 0.8, min_words: int = 3, first_min_words: int = 2) -> str:
    """The conversation's language after a message.

    ``current`` is the conversation's language so far (None before the first
    message; a verified patient's registered language once known). A message flips
    it only when it is clearly in another language: confident, and at least
    ``min_words`` words, or written in a script that settles the language by itself.
    "ok", "yes", "1", a date, an NHS number or emoji never flip it. A conversation
    starts in English; its first message sets another language from
    ``first_min_words`` words ("Bună ziua"), never from one ("hi", "ok").
    """
    if detection.code is None:
        return current or DEFAULT_LANGUAGE
    if current is None:
        clear = detection.method == "script" or word_count(text) >= first_min_words
        return detection.code if clear and detection.confidence >= 0.5 else DEFAULT_LANGUAGE
    if detection.code == current:
        return current
    clear = detection.method == "script" or word_count(text) >= min_words
    return detection.code if clear and detection.confidence >= flip_confidence else current
