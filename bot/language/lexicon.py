"""Word-frequency evidence: how often each language writes the words of a message.

The three statistical models (bot.language.detect) look at letters, not words, and so
struggle with one or two words of neighbouring languages: "obrigado" against "gracias",
"ktorý" against "který", "hierdie" against "deze". How often a language uses a word settles
most of those. The frequencies are the wordfreq package's "small" lists (words used at least
once per million, from Wikipedia, subtitles, news, books, web text and social media; data
CC BY-SA 4.0), read straight from the files inside its wheel, for the languages whose row in
data/languages.yml names a list (detectors.wordfreq). Nothing is downloaded.

Reads: a text's words (letters and combining marks, lower-cased). Writes: log-probabilities
over the candidate languages, for the detector's vote. A candidate without a list scores
each word at ``UNLISTED`` (a rare word), except one that borrows a close relative's list
(``BORROWS``: Afrikaans shares most written words with Dutch, and without this Dutch would win
every shared word). A word missing from a list scores ``MISSING`` there.

Memory: ~1.1 million (word, language) pairs kept as three numpy arrays (64-bit hash of the
word, language, frequency): 11.5 MB, ~25 MB resident after loading, instead of ~170 MB of
Python dictionaries. Hashes are Python's own, built in this process, so they need no cache
and are never stored. Loading takes ~0.7 s; ``load`` does it up front (the detector's ``warm_up`` calls it).

The constants were chosen on the dev split of ../shared/langid (lines 501-1000), never on the
lines `python -m bench.langid` reports on.
"""
from __future__ import annotations

import gzip
import math
import threading
from array import array
from importlib import resources
from itertools import repeat
from typing import Dict, Iterator, List, Mapping, Optional, Sequence

import msgpack
import numpy as np
import regex

MISSING = -6.5  # log10 frequency of a word a language's list lacks (the lists stop at -6)
UNLISTED = -6.25  # log10 frequency of any word, for a language without a list
TEMPERATURE = 0.5  # of the softmax that turns summed log-frequencies into log-probabilities
BORROWS = {"af": "nl"}  # language without a list -> the listed relative whose words it shares
_WORD = regex.compile(r"[\p{L}\p{M}]+")


def words(text: str) -> List[str]:
    """The words of ``text`` as the lists write them: letters with their marks, lower case."""
    return [w.lower() for w in _WORD.findall(text)]


def _read_list(name: str) -> Iterator[List[str]]:
    """wordfreq's "cB" format: a header, then one list of words per centibel of frequency.

    Read one list at a time, so that at most one list's strings are alive: reading the whole
    file at once leaves ~25 MB of freed string memory behind that the process never returns.
    """
    path = resources.files("wordfreq") / "data" / f"small_{name}.msgpack.gz"
    with gzip.open(str(path), "rb") as handle:
        unpacker = msgpack.Unpacker(handle, raw=False, strict_map_key=False)
        count = unpacker.read_array_header()
        header = unpacker.unpack()
        if header.get("format") != "cB":
            raise ValueError(f"unexpected wordfreq list format in {path}: {header}")
        for _ in range(count - 1):
            yield unpacker.unpack()


class WordFrequencies:
    """Log10 frequencies of words in the languages that have a list; see the module doc."""

    def __init__(self, lists: Mapping[str, str]) -> None:
        self.lists = dict(lists)  # TellOnce code -> wordfreq list name
        self._lock = threading.Lock()
        self._codes: List[str] = sorted(self.lists)
        self._hashes: Optional[np.ndarray] = None
        self._language: Optional[np.ndarray] = None
        self._centibels: Optional[np.ndarray] = None

    def load(self) -> "WordFrequencies":
        with self._lock:
            if self._hashes is None:
                # array.array grows in place: thousands of small numpy arrays would fragment the
                # heap and leave ~30 MB resident after loading
                hashes, language, centibels = array("q"), array("B"), array("H")
                for index, code in enumerate(self._codes):
                    for centibel, bucket in enumerate(_read_list(self.lists[code])):
                        hashes.extend(hash(word) for word in bucket)
                        language.extend(repeat(index, len(bucket)))
                        centibels.extend(repeat(centibel, len(bucket)))
                all_hashes = np.frombuffer(hashes, dtype=np.int64)
                order = np.argsort(all_hashes, kind="stable")
                self._hashes = all_hashes[order]
                self._language = np.frombuffer(language, dtype=np.uint8)[order]
                self._centibels = np.frombuffer(centibels, dtype=np.uint16)[order]
                del hashes, language, centibels, all_hashes, order
        return self

    def frequencies(self, word: str) -> Dict[str, float]:
        """{language: log10 frequency} for the listed languages that use ``word`` (lower case)."""
        self.load()
        key = hash(word)
        start = int(np.searchsorted(self._hashes, key, side="left"))
        end = int(np.searchsorted(self._hashes, key, side="right"))
        found: Dict[str, float] = {}
        for i in range(start, end):
            code = self._codes[self._language[i]]
            found.setdefault(code, -int(self._centibels[i]) / 100)  # the first is the most frequent
        return found

    def log_probabilities(self, text: str, candidates: Sequence[str]) -> Dict[str, float]:
        """Log-probabilities over ``candidates`` from the words of ``text``; {} if they say nothing."""
        listed = [c for c in candidates if c in self.lists]
        found = words(text)
        if not listed or not found:
            return {}
        totals = dict.fromkeys(candidates, 0.0)
        for word in found:
            known = self.frequencies(word)
            for code in candidates:
                if code in self.lists:
                    totals[code] += known.get(code, MISSING)
                elif BORROWS.get(code) in known:
                    totals[code] += max(known[BORROWS[code]], UNLISTED)
                else:
                    totals[code] += UNLISTED
        scaled = [v * math.log(10) / TEMPERATURE for v in totals.values()]
        top = max(scaled)
        norm = top + math.log(sum(math.exp(v - top) for v in scaled))
        return {code: v - norm for code, v in zip(totals, scaled)}
