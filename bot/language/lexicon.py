"""Word-frequency evidence: how often each language writes the words of a message.

The three statistical models (bot.language.detect) look at letters, not words, and so
struggle with one or two words of neighbouring languages: "obrigado" against "gracias",
"ktorý" against "který", "hierdie" against "deze". How often a language uses a word settles
most of those. The frequencies are the wordfreq package's lists (from Wikipedia, subtitles,
news, books, web text and social media; data CC BY-SA 4.0), read straight from the files
inside its wheel, for the languages whose row in data/languages.yml names a list
(detectors.wordfreq). Nothing is downloaded. Most languages use the "small" list (words used
at least once per million); those the detector names in ``large`` use the "large" one (down to
once per hundred million words, ~10 times as many words), which knows the rare and inflected
words that single words of neighbours often are ("receptech" in Czech, "remarcação" in
Portuguese: neither small list has them). wordfreq ships large lists for only some languages
(not Slovak or Bulgarian, for instance).

Reads: a text's words (letters and combining marks, lower-cased). Writes: log-probabilities
over the candidate languages, for the detector's vote. A word missing from a small list scores
``MISSING`` there (below the list's floor of 1e-6, as such a word is rarer), one missing from a
large list ``MISSING_LARGE`` (below 1e-8), so a rare word a large list knows counts for that
language and one it lacks counts against it. A candidate without a list scores each word at
``UNLISTED``, except one that borrows a close relative's list (``BORROWS``: Afrikaans shares
most written words with Dutch, and without this Dutch would win every shared word).

Memory: ~4.8 million (word, language) entries kept as two sorted numpy arrays (a 32-bit hash
of the word; 16 bits of list and centibels of frequency): 29 MB, instead of ~700 MB of Python
dictionaries. A 32-bit hash of one of the text's words matches some other word's entry about
once in a thousand lookups, which costs nothing measurable. Hashes are CRC-32s, so a text gets
the same scores in every process; they are built at load time and never stored. Loading takes ~4-5 s; ``load`` does
it up front (the detector's ``warm_up`` calls it).

The constants and the choice of large lists were made on the dev split of ../shared/langid
(lines 501-1000), never on the lines `python -m bench.langid` reports on.
"""
from __future__ import annotations

import gzip
import math
import threading
import zlib
from array import array
from importlib import resources
from itertools import repeat
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Sequence

import msgpack
import numpy as np
import regex

MISSING = -7.5  # log10 frequency of a word a language's small list lacks (small lists stop at -6)
MISSING_LARGE = -8.5  # log10 frequency of a word a large list lacks (large lists stop at -8)
UNLISTED = -7.0  # log10 frequency of any word, for a language without a list
TEMPERATURE = 0.75  # of the softmax that turns summed log-frequencies into log-probabilities
BORROWS = {"af": "nl"}  # language without a list -> the listed relative whose words it shares
_WORD = regex.compile(r"[\p{L}\p{M}]+")
# A word's entry: a 32-bit hash of the word, and 16 bits of (list << 10 | centibels).
LANGUAGE_BITS, CENTIBEL_BITS = 6, 10
CENTIBEL_MASK = (1 << CENTIBEL_BITS) - 1


def _hash(word: str) -> int:
    """CRC-32 of the word's UTF-8: the same in every process (Python's own hash is salted per
    process, so which rare words collided, and so a few detections, changed between runs)."""
    return zlib.crc32(word.encode("utf-8"))


def words(text: str) -> List[str]:
    """The words of ``text`` as the lists write them: letters with their marks, lower case."""
    return [w.lower() for w in _WORD.findall(text)]


def _read_list(name: str, size: str = "small") -> Iterator[List[str]]:
    """wordfreq's "cB" format: a header, then one list of words per centibel of frequency.

    Read one list at a time, so that at most one list's strings are alive: reading the whole
    file at once leaves ~25 MB of freed string memory behind that the process never returns.
    """
    path = resources.files("wordfreq") / "data" / f"{size}_{name}.msgpack.gz"
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

    def __init__(self, lists: Mapping[str, str], large: Iterable[str] = ()) -> None:
        self.lists = dict(lists)  # TellOnce code -> wordfreq list name
        self.large = frozenset(c for c in large if c in self.lists)  # codes read from the "large" list
        self._lock = threading.Lock()
        self._codes: List[str] = sorted(self.lists)
        if len(self._codes) > 1 << LANGUAGE_BITS:
            raise ValueError(f"at most {1 << LANGUAGE_BITS} word lists")
        self._hashes: Optional[np.ndarray] = None
        self._cells: Optional[np.ndarray] = None

    def missing(self, code: str) -> float:
        """What a word ``code``'s list lacks is taken to score there (its list's floor, and less)."""
        return MISSING_LARGE if code in self.large else MISSING

    def load(self) -> "WordFrequencies":
        with self._lock:
            if self._hashes is None:
                # array.array grows in place: thousands of small numpy arrays would fragment the
                # heap and leave ~30 MB resident after loading
                hashes, cells = array("I"), array("H")
                for index, code in enumerate(self._codes):
                    size = "large" if code in self.large else "small"
                    for centibel, bucket in enumerate(_read_list(self.lists[code], size)):
                        hashes.extend(_hash(word) for word in bucket)
                        cells.extend(repeat(index << CENTIBEL_BITS | min(centibel, CENTIBEL_MASK), len(bucket)))
                all_hashes = np.frombuffer(hashes, dtype=np.uint32)
                order = np.argsort(all_hashes, kind="stable")
                self._hashes = all_hashes[order]
                self._cells = np.frombuffer(cells, dtype=np.uint16)[order]
                del hashes, cells, all_hashes, order
        return self

    def frequencies(self, word: str) -> Dict[str, float]:
        """{language: log10 frequency} for the listed languages that use ``word`` (lower case)."""
        self.load()
        key = np.uint32(_hash(word))  # a Python int would make numpy cast the whole array
        start = int(np.searchsorted(self._hashes, key, side="left"))
        end = int(np.searchsorted(self._hashes, key, side="right"))
        found: Dict[str, float] = {}
        for cell in self._cells[start:end].tolist():
            code = self._codes[cell >> CENTIBEL_BITS]
            found.setdefault(code, -(cell & CENTIBEL_MASK) / 100)  # the first is the most frequent
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
                    totals[code] += known.get(code, self.missing(code))
                elif BORROWS.get(code) in known:
                    totals[code] += max(known[BORROWS[code]], UNLISTED)
                else:
                    totals[code] += UNLISTED
        scaled = [v * math.log(10) / TEMPERATURE for v in totals.values()]
        top = max(scaled)
        norm = top + math.log(sum(math.exp(v - top) for v in scaled))
        return {code: v - norm for code, v in zip(totals, scaled)}
