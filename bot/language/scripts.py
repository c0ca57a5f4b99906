"""Writing-system evidence: the dominant script of a text, from Unicode character names."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Optional

# First word of a character's Unicode name -> ISO 15924 code.
_SCRIPTS = {
    "LATIN": "Latn", "CYRILLIC": "Cyrl", "ARABIC": "Arab", "DEVANAGARI": "Deva", "BENGALI": "Beng",
    "GURMUKHI": "Guru", "GUJARATI": "Gujr", "TAMIL": "Taml", "TELUGU": "Telu", "MALAYALAM": "Mlym",
    "SINHALA": "Sinh", "THAI": "Thai", "ETHIOPIC": "Ethi", "GREEK": "Grek", "HANGUL": "Kore",
    "HIRAGANA": "Kana", "KATAKANA": "Kana", "CJK": "Hani",
}
# Letters Tigrinya writes and Amharic does not (labialised q' and x series).
TIGRINYA_ONLY = set("ቐቑቒቓቔቕቖቘቚቛቜቝኸኹኺኻኼኽኾዀዂዃዄዅ")
# Letters that mark Urdu or Pashto among Arabic-script languages.
URDU_ONLY = set("ٹڈڑںےۓھ")
PASHTO_ONLY = set("ټډړږښګڼۍې")
PERSIAN_OR_URDU = set("پچژگ")
UKRAINIAN_ONLY = set("іїєґІЇЄҐ")
RUSSIAN_NOT_BULGARIAN = set("ыэёЫЭЁ")
# Frequent characters written differently in Traditional and Simplified Chinese.
TRADITIONAL = set("這們個來時會對說為還過醫預約護們嗎問題應該請電話號碼聯絡幫臨檢查藥診療院顧")
SIMPLIFIED = set("这们个来时会对说为还过医预约护吗问题应该请电话号码联络帮临检查药诊疗院顾")


_WORD = re.compile(r"\w+", re.UNICODE)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


def dominant_script(text: str) -> Optional[str]:
    """The script most of the letters are in (Jpan if any kana is mixed with Han), or None."""
    counts: Counter = Counter()
    for char in text:
        if char.isalpha():
            script = _SCRIPTS.get(unicodedata.name(char, "?").split(" ")[0])
            if script:
                counts[script] += 1
    if not counts:
        return None
    if counts["Kana"] and (counts["Hani"] or counts["Kana"] >= max(counts.values())):
        return "Jpan"
    return counts.most_common(1)[0][0]
