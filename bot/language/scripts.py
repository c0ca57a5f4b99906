"""Writing-system evidence: the dominant script of a text, from Unicode character names."""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from typing import Dict, Optional

# First word of a character's Unicode name -> ISO 15924 code.
_SCRIPTS = {
    "LATIN": "Latn", "CYRILLIC": "Cyrl", "ARABIC": "Arab", "DEVANAGARI": "Deva", "BENGALI": "Beng",
    "GURMUKHI": "Guru", "GUJARATI": "Gujr", "TAMIL": "Taml", "TELUGU": "Telu", "MALAYALAM": "Mlym",
    "SINHALA": "Sinh", "THAI": "Thai", "ETHIOPIC": "Ethi", "GREEK": "Grek", "HANGUL": "Kore",
    "HIRAGANA": "Kana", "KATAKANA": "Kana", "CJK": "Hani",
}
# Scripts written without spaces between words: a character weighs half a word.
UNSPACED = {"Hani", "Kana", "Thai"}
# Scripts in which one character is already evidence (a Chinese or Japanese "word" may be one).
ONE_CHARACTER_SUFFICES = {"Hani", "Kana", "Jpan", "Kore"}
# Letters Tigrinya writes and Amharic does not (labialised q' and x series).
TIGRINYA_ONLY = set("ቐቑቒቓቔቕቖቘቚቛቜቝኸኹኺኻኼኽኾዀዂዃዄዅ")
# Letters that mark Urdu or Pashto among Arabic-script languages.
URDU_ONLY = set("ٹڈڑںےۓھ")
PASHTO_ONLY = set("ټډړږښګڼۍې")
# Persian and Urdu write these (and Farsi yeh and keheh); Arabic does not.
PERSIAN_OR_URDU = set("پچژگیک")
# Arabic writes ta marbuta; Persian and Urdu (almost) never do.
ARABIC_NOT_PERSIAN_OR_URDU = set("ة")
UKRAINIAN_ONLY = set("іїєґІЇЄҐ")
# Russian writes these; neither Bulgarian nor Ukrainian does.
RUSSIAN_NOT_BULGARIAN = set("ыэёЫЭЁ")
# Marathi writes the retroflex lateral; Hindi does not (Nepali may).
MARATHI_NOT_HINDI = set("ळ")
# Frequent characters written differently in Traditional and Simplified Chinese.
TRADITIONAL = set("這們個來時會對說為還過醫預約護們嗎問題應該請電話號碼聯絡幫臨檢查藥診療院顧")
SIMPLIFIED = set("这们个来时会对说为还过医预约护吗问题应该请电话号码联络帮临检查药诊疗院顾")


_WORD = re.compile(r"\w+", re.UNICODE)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


@functools.lru_cache(maxsize=8192)
def script_of(char: str) -> Optional[str]:
    """The ISO 15924 code of a letter's script among those TellOnce knows, or None."""
    if not char.isalpha():
        return None
    return _SCRIPTS.get(unicodedata.name(char, "?").split(" ", 1)[0])


def script_weights(text: str) -> Dict[str, float]:
    """How many words each script writes in ``text``.

    A word that changes script ("iPhoneの") counts once for each script; in scripts
    written without spaces (Han, kana, Thai) two characters count as a word.
    """
    words: Counter = Counter()
    chars: Counter = Counter()
    previous = None
    for char in text:
        script = script_of(char)
        if script is None:
            if not char.isalnum() and char not in "'’-\u200c\u200d" and not unicodedata.category(char).startswith("M"):
                previous = None  # a space or punctuation ends a word; joiners and marks do not
            continue
        chars[script] += 1
        if script != previous:
            words[script] += 1
            previous = script
    return {script: (chars[script] / 2 if script in UNSPACED else words[script]) for script in chars}


def dominant_script(text: str) -> Optional[str]:
    """The script most of the words are in (Jpan if any kana is mixed with Han), or None.

    Words, not letters, are counted, and a tie goes to the non-Latin script: an Urdu
    or Hindi message with a few English words in it ("میرا GP appointment کب ہے")
    is written in its own script, though English words have more letters.
    """
    weights = script_weights(text)
    if not weights:
        return None
    kana, han = weights.get("Kana", 0), weights.get("Hani", 0)
    others = [w for s, w in weights.items() if s not in ("Kana", "Hani")]
    if kana and kana + han >= max(others, default=0):
        return "Jpan"
    return max(weights, key=lambda s: (weights[s], s != "Latn"))


def in_script(text: str, script: str) -> str:
    """``text`` with the words of other scripts taken out (the English words of an Urdu message)."""
    present = {script_of(c) for c in text} - {None}
    if len(present) < 2:
        return text
    if script == "Jpan":
        keep = {"Hani", "Kana"}
    else:
        keep = {script}
    out = []
    for token in re.split(r"(\s+)", text):
        scripts = {script_of(c) for c in token} - {None}
        if not scripts or scripts & keep:
            out.append(token)
    return re.sub(r"\s+", " ", "".join(out)).strip()
