"""A conversation keeps its language: short or unclear messages never flip it."""
from __future__ import annotations

from typing import Optional

from bot.language.detect import Detection
from bot.language.scripts import word_count
from bot.languages import default_table

DEFAULT_LANGUAGE = "en"


def next_language(current: Optional[str], detection: Detection, text: str,
                  flip_confidence: float = 0.8, min_words: int = 3, first_min_words: int = 2,
                  certain: float = 0.95, same_script_confidence: float = 0.99) -> str:
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
    # The models disagreeing takes near-certainty to overrule ("qwzx vbnm plkj" is no language).
    trusted = detection.agreed or detection.confidence >= certain
    if current is None:
        clear = detection.method == "script" or word_count(text) >= first_min_words
        return detection.code if clear and trusted and detection.confidence >= 0.5 else DEFAULT_LANGUAGE
    if detection.code == current:
        return current
    clear = detection.method == "script" or word_count(text) >= min_words
    # Neighbours sharing a non-Latin script (Nepali and Hindi, Urdu and Persian, Russian and
    # Bulgarian) confuse every model on short text: leaving one for the other takes near-
    # certainty. Latin script is shared by 28 languages, English among them: the usual bar.
    table = default_table()
    same_script = current in table and detection.code in table and \
        table[current].script == table[detection.code].script != "Latn"
    needed = same_script_confidence if same_script else flip_confidence
    return detection.code if clear and trusted and detection.confidence >= needed else current
