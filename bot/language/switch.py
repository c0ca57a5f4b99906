"""Explicit language requests: "can we speak Polish", "po polsku proszę", "ਪੰਜਾਬੀ", or a menu number."""
from __future__ import annotations

import re
import unicodedata
from typing import Dict, List, Optional

from bot.language.scripts import word_count
from bot.languages import LanguageTable
from bot.nhs import ascii_digits

# A request is short: "can we speak Polish please" has five words.
MAX_WORDS = 6
# Language names that are everyday words in another language: "hindi" is Tagalog for "not".
NOT_A_REQUEST_IN = {"hindi": {"tl"}}
# Scripts written without spaces between words (or with particles attached, as in Korean
# 한국어로): their names are matched anywhere, not only as whole words.
_UNSPACED = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _unspaced(name: str) -> bool:
    return any(unicodedata.name(c, "").startswith(_UNSPACED) for c in name if c.isalpha())


class LanguageRequests:
    """Finds which of the table's languages a short message asks for, if any."""

    def __init__(self, table: LanguageTable) -> None:
        self.table = table
        names: Dict[str, str] = {}
        for language in table.languages:
            for alias in (language.name, language.endonym, *language.aliases):
                names.setdefault(_fold(alias), language.code)
        # Longest first, so "traditional chinese" wins over "chinese".
        ordered = sorted(names, key=len, reverse=True)
        self._names = names
        self._pattern = re.compile("|".join(
            re.escape(name) if _unspaced(name) else rf"(?<!\w){re.escape(name)}(?!\w)" for name in ordered))

    def requested(self, text: str, current: Optional[str] = None,
                  max_words: Optional[int] = MAX_WORDS) -> Optional[str]:
        """The language a short message names, if it names exactly one; else None.

        ``current`` is the conversation's language ("hindi po" in Tagalog asks for nothing);
        ``max_words=None`` looks in a message of any length (NLU already judged it a request)."""
        folded = _fold(text or "")
        if not folded or (max_words is not None and word_count(folded) > max_words):
            return None
        found = {self._names[m.group(0)] for m in self._pattern.finditer(folded)
                 if current not in NOT_A_REQUEST_IN.get(m.group(0), ())}
        return found.pop() if len(found) == 1 else None

    def menu(self) -> List[str]:
        """The language menu in table order: "1. English", "2. ਪੰਜਾਬੀ", ..."""
        return [f"{number}. {language.endonym}" for number, language in enumerate(self.table.languages, 1)]

    def from_menu(self, text: str) -> Optional[str]:
        """The language a menu number picks ("3", " 3. "), or None."""
        match = re.fullmatch(r"\s*(\d{1,2})\s*\.?\s*", ascii_digits(text or ""))
        if not match:
            return None
        index = int(match.group(1)) - 1
        return self.table.languages[index].code if 0 <= index < len(self.table.languages) else None
