"""The multilingual red-flag lexicon and its matcher.

Deliberately independent of NLU models and of translation: a lexicon match always
wins, so urgent advice never depends on a classifier's mood or a provider being up.

How :meth:`RedFlagLexicon.find` stays fast with every language live (2,600 patterns)
while giving exactly the results of the naive loop (:meth:`RedFlagLexicon.naive_find`,
kept as the reference: every pattern of every category in order, first match each):

* Each pattern is analysed (``sre_parse``) for *factors*: a few literal strings one of
  which every match contains, preferably *beginnings*, which every match starts with (at
  most a few characters in): "chest" for ``chest (pains?|...)``, the Gurmukhi words for
  chest for the Punjabi chest-pain patterns.
* A message is *folded* (lower case, Python's case-insensitive equivalences, whitespace,
  accents and the spelling variants the lexicon writes as one letter merged; one character
  for one, so positions carry over) and scanned for every factor at once: a trie of
  literals per script, compiled as one regular expression and run at C speed. Tries of a
  script whose first letters are absent from the message are not run, so Latin-script text
  never meets Gurmukhi patterns; beginnings of patterns with word boundaries are only
  looked for at word starts.
* Only patterns whose factors occur run, in priority order, a category stopping at its
  first match; a pattern with beginnings is tried (``match``) only where they occur instead
  of searching the whole message. The rare patterns with only one-letter factors are
  decided by a plain ``in`` test.
* Patterns are compiled when first needed, and the analysis (``build_index``) is stored in
  a trained model, so loading one builds only the tries.
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple

import yaml

from bot.exceptions import LexiconError
from bot.settings import PROJECT_ROOT

try:  # Python 3.11 and later
    from re import _compiler as sre_compile, _constants as sre_constants, _parser as sre_parse
except ImportError:  # Python 3.10
    import sre_compile
    import sre_constants
    import sre_parse

DEFAULT_LEXICON = PROJECT_ROOT / "data" / "safety" / "red_flags.yml"
# Language files drafted but not live yet. `python -m bot.redflags check --drafts` checks them
# with the live ones (a draft replaces the live file of the same language); moving a file to
# data/safety/red_flags/ puts it live.
DRAFTS = PROJECT_ROOT / "data" / "safety" / "drafts" / "red_flags"
NLU_DIR = PROJECT_ROOT / "data" / "nlu"
# The category when a classifier, not the lexicon, calls a red flag.
GENERAL_CATEGORY = "general"
RED_FLAG_INTENT = "red_flag"
_APOSTROPHES = ("\u2019", "\u2018", "\u02bc")
# Bump when the analysis changes: an index stored by another version is recomputed.
_INDEX_VERSION = 1


@dataclass(frozen=True)
class RedFlagMatch:
    category: str
    start: int
    end: int


def _read_yaml(path: Path) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as error:
        raise LexiconError(f"cannot read red-flag lexicon {path}: {error}") from error


def load_lexicon_data(
    path: Path = DEFAULT_LEXICON, languages_dir: Optional[Path] = None, drafts_dir: Optional[Path] = None,
) -> Dict[str, Any]:
    """The lexicon as plain data (what a trained model persists).

    ``path`` holds the categories in priority order with English patterns; each
    file in the folder beside it (red_flags/<code>.yml) adds one language:
    ``{language: pl, categories: {chest_pain: [patterns]}, word_boundaries: true}``.
    Languages written without spaces (zh, ja, th) set ``word_boundaries: false``.
    ``languages_dir`` reads the language files from elsewhere; ``drafts_dir`` adds
    files not live yet (a draft replaces the live file of the same language).
    """
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise LexiconError(f"{path}: expected a 'categories' list")
    by_name = {entry.get("name"): entry for entry in data["categories"] if isinstance(entry, dict)}
    data.setdefault("unbounded", [])
    for language_file in language_files(path, languages_dir, drafts_dir):
        extra = _read_yaml(language_file)
        try:
            language, categories = extra["language"], extra["categories"]
            items = list(categories.items())
        except (KeyError, TypeError, AttributeError) as error:
            raise LexiconError(f"{language_file}: expected 'language' and 'categories'") from error
        for name, patterns in items:
            if name not in by_name:
                raise LexiconError(f"{language_file}: unknown category {name!r}")
            by_name[name].setdefault("patterns", {})[language] = list(patterns or [])
        if extra.get("word_boundaries", True) is False:
            data["unbounded"].append(language)
    return data


def language_files(
    path: Path = DEFAULT_LEXICON, languages_dir: Optional[Path] = None, drafts_dir: Optional[Path] = None,
) -> List[Path]:
    """The language files read with ``path``: red_flags/<code>.yml beside it (or in
    ``languages_dir``), plus ``drafts_dir`` (a draft replaces the live file of its language)."""
    by_stem: Dict[str, Path] = {}
    for folder in (Path(languages_dir) if languages_dir else Path(path).with_suffix(""), drafts_dir):
        if folder is not None and Path(folder).is_dir():
            by_stem.update({f.stem: f for f in Path(folder).glob("*.yml")})
    return [by_stem[stem] for stem in sorted(by_stem)]


def _wrapped(pattern: str, bounded: bool) -> str:
    return rf"(?<!\w)(?:{pattern})(?!\w)" if bounded else pattern


def _compile(pattern: str, where: str, bounded: bool = True) -> re.Pattern:
    try:
        return re.compile(_wrapped(pattern, bounded), re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as error:
        raise LexiconError(f"{where}: bad pattern {pattern!r}: {error}") from error


# --- normalisation ------------------------------------------------------------------------------

# Combining diacritics (U+0300-U+036F) are dropped when folding, so patterns that allow them
# anywhere ([aàá][\u0300-\u036f]*) still have long literal factors.
_MARK_LO, _MARK_HI = 0x300, 0x36F
_MARKS = re.compile("[\u0300-\u036f]")
# Latin, Greek and Cyrillic letters whose accents fold away (ọ ó ò -> o, ά -> α, й -> и).
_ACCENTED = ((0xC0, 0x24F), (0x370, 0x4FF), (0x1E00, 0x1FFF))


def _fold_table() -> Dict[int, str]:
    """Per-character folding after lower-casing: characters Python's case-insensitive matching
    treats as one (dotless i and i, final and medial sigma ...: sre_compile._equivalences),
    whitespace to a space and accented letters to their base letter."""
    table: Dict[int, str] = {}
    for group in getattr(sre_compile, "_equivalences", ()):
        letters = [c for c in group if re.fullmatch(r"(LATIN|GREEK|CYRILLIC) SMALL LETTER \w+",
                                                    unicodedata.name(chr(c), ""))]
        representative = min(letters or group)
        table.update({other: chr(representative) for other in group if other != representative})
    for code in range(0x3001):  # whitespace: \s matches any, and factors may span it
        if code != 0x20 and re.match(r"\s", chr(code)):
            table[code] = " "
    for low, high in _ACCENTED:
        for code in range(low, high + 1):
            char = table.get(code, chr(code))
            base = "".join(c for c in unicodedata.normalize("NFD", char) if not _MARK_LO <= ord(c) <= _MARK_HI)
            if base and base != chr(code):
                table[code] = base
    return table


_FOLD = _fold_table()
_FOLDED_CHARS = re.compile("[%s]" % "".join(re.escape(chr(c)) for c in sorted(_FOLD)))
_FOLD_BY_CHAR = {chr(code): value for code, value in _FOLD.items()}


def normalise(text: str) -> str:
    """What every pattern sees: NFC (a letter and its accent typed separately become one
    character, as in the lexicon files), typographic apostrophes folded to '."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    for apostrophe in _APOSTROPHES:
        if apostrophe in text:
            text = text.replace(apostrophe, "'")
    return text


def _translate(text: str, table: Dict[int, str], by_char: Dict[str, str], chars: re.Pattern) -> str:
    """``text.translate(table)``, where ``chars`` matches the table's keys. str.translate
    costs ~50 ns a character outside ASCII; replacing only the characters concerned is
    several times faster unless they are dense (Vietnamese, Arabic)."""
    sample = chars.findall(text, 0, 256)
    if not sample:
        return text if len(text) <= 256 or not chars.search(text, 256) else text.translate(table)
    if len(sample) * 8 > min(len(text), 256):
        return text.translate(table)
    return chars.sub(lambda match: by_char[match.group()], text)


def _lowered(text: str) -> str:
    """Lower case, case-equivalent characters merged, whitespace made spaces, accented letters
    made plain: one character for one (İ, whose lower case is two, becomes i as sre has it)."""
    if "\u0130" in text:
        text = text.replace("\u0130", "i")
    return _translate(text.lower(), _FOLD, _FOLD_BY_CHAR, _FOLDED_CHARS)


def fold(text: str) -> str:
    """``_lowered(text)`` without combining accents (U+0300-U+036F). Every step maps characters
    one by one, so when a pattern matches part of a text case-insensitively, the folded match
    is part of the folded text."""
    folded = _lowered(text)
    return _MARKS.sub("", folded) if _MARKS.search(folded) else folded


def _original_offset(text: str, normalised_offset: int) -> int:
    """The offset in ``text`` of ``normalised_offset`` in its NFC form."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high) // 2
        if len(unicodedata.normalize("NFC", text[:middle])) < normalised_offset:
            low = middle + 1
        else:
            high = middle
    return low


def _script(char: str) -> str:
    if char.isalpha() or unicodedata.category(char).startswith("M"):
        return unicodedata.name(char, "?").split(" ")[0]
    return "COMMON"


# --- pattern analysis: literal factors ----------------------------------------------------------

Strings = FrozenSet[str]
_MAX_SET = 64          # strings in an exact set before it is given up
_MAX_STARTS = 256      # strings in a set of beginnings
_MAX_LEAD = 4          # characters a match may have before one of its beginnings
_MAX_REPEAT_EXPAND = 4
_GOOD = 3.0            # factors this selective make a good prefilter
_WEAK = 2.0            # weaker ones are not looked for with the tries but with `in`
_TRIE_FIRSTS = 48      # first letters per trie: sre tries a branch's alternatives one by one
_START_WEIGHT = 5.0    # beginnings are cut to this weight
_ENOUGH = 4.0          # factors at least this selective are all as good: then fewer is better
_IDEOGRAPHIC = ("CJK", "HANGUL SYLLABLE")
_SYLLABIC = ("ETHIOPIC", "HIRAGANA", "KATAKANA")
# Scripts whose small character classes ([یيى], [ੇਾ]) are spelling variants merged when folding.
_NO_MERGE = {"LATIN", "CJK", "HANGUL", "HIRAGANA", "KATAKANA", "COMMON"}
_MERGE_USES, _MERGE_CLASS, _MERGE_GROUP = 5, 4, 6
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
if hasattr(sre_constants, "POSSESSIVE_REPEAT"):
    _REPEATS.add(sre_constants.POSSESSIVE_REPEAT)
_ZERO_WIDTH = {sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT}


@functools.lru_cache(maxsize=1 << 16)
def _weight(string: str) -> float:
    """How selective a factor is: ideographs and Hangul syllables count 3, Ethiopic and kana 2,
    other letters, digits and vowel signs 1, spaces and punctuation 1/2."""
    return sum(map(_char_weight, string))


@functools.lru_cache(maxsize=None)
def _char_weight(char: str) -> float:
    if unicodedata.category(char)[0] in "LMN":
        name = unicodedata.name(char, "")
        return 3.0 if name.startswith(_IDEOGRAPHIC) else 2.0 if name.startswith(_SYLLABIC) else 1.0
    return 0.5


def _minimal(strings: Iterable[str]) -> Strings:
    """Drop strings that contain another one: finding the shorter one is enough."""
    kept: List[str] = []
    for string in sorted(set(strings), key=len):
        if not any(k in string for k in kept):
            kept.append(string)
    return frozenset(kept)


def _score(strings: Strings) -> Tuple[float, int, float]:
    weakest = min(_weight(s) for s in strings)
    return (min(weakest, _ENOUGH), -len(strings), weakest)


def _best(candidates: Iterable[Optional[Strings]]) -> Optional[Strings]:
    best, best_score = None, (0.0, 0, 0.0)
    for candidate in candidates:
        if candidate and "" not in candidate:
            candidate = _minimal(candidate)
            score = _score(candidate)
            if score > best_score:
                best, best_score = candidate, score
    return best


class _Node(NamedTuple):
    """What the analysis knows of a parsed node, all strings folded (None: unknown or too many).

    ``exact``: every string it can match. ``factors``: strings one of which every match
    contains. ``starts``: strings one of which every match begins with, after at most
    ``lead`` characters (a bounded prefix such as \\w{0,2}). ``width``: its longest match
    (None if unbounded)."""
    exact: Optional[Strings] = None
    factors: Optional[Strings] = None
    starts: Optional[Strings] = None
    lead: int = 0
    width: Optional[int] = None


def _exact_node(exact: Optional[Strings], width: Optional[int]) -> _Node:
    return _Node(exact, None, exact, 0, width)


def _concatenated(left: Optional[Strings], right: Optional[Strings], limit: int = _MAX_SET) -> Optional[Strings]:
    if left is None or right is None or len(left) * len(right) > limit:
        return None
    return frozenset(a + b for a in left for b in right)


class _Analysis:
    """Factors of parsed patterns, folding literals with the lexicon's variant merges."""

    def __init__(self, merges: Dict[str, str]) -> None:
        self.merges = merges
        self.state: Any = None

    def char(self, code: int) -> str:
        if _MARK_LO <= code <= _MARK_HI:
            return ""
        return "".join(self.merges.get(c, c) for c in fold(chr(code)))

    def charset(self, items: Any) -> Optional[Strings]:
        chars: Set[str] = set()
        for op, av in items:
            if op is sre_constants.LITERAL:
                chars.add(self.char(av))
            elif op is sre_constants.RANGE and (_MARK_LO <= av[0] and av[1] <= _MARK_HI):
                chars.add("")
            elif op is sre_constants.RANGE and av[1] - av[0] < 16:
                chars.update(self.char(c) for c in range(av[0], av[1] + 1))
            elif op is sre_constants.CATEGORY and av is sre_constants.CATEGORY_SPACE:
                chars.add(" ")  # whitespace folds to a space
            else:  # NEGATE, CATEGORY (\w, \d ...), big ranges: too many characters
                return None
        return frozenset(chars) if len(chars) <= _MAX_SET else None

    def width(self, op: Any, av: Any) -> Optional[int]:
        high = sre_parse.SubPattern(self.state, [(op, av)]).getwidth()[1]
        return high if high < sre_constants.MAXREPEAT else None

    def node(self, op: Any, av: Any) -> _Node:
        if op is sre_constants.LITERAL:
            return _exact_node(frozenset({self.char(av)}), 1)
        if op is sre_constants.IN:
            return _exact_node(self.charset(av), 1)
        if op in _ZERO_WIDTH:
            return _exact_node(frozenset({""}), 0)
        if op is sre_constants.SUBPATTERN:
            return self.sequence(av[-1])
        if op is sre_constants.BRANCH:
            return self.branch([self.sequence(alternative) for alternative in av[1]])
        if op in _REPEATS:
            low, high, item = av
            inner = self.sequence(item)
            width = None if inner.width is None or high >= sre_constants.MAXREPEAT else inner.width * high
            exact = None
            if high == 0 or inner.exact == frozenset({""}):
                exact = frozenset({""})
            elif inner.exact is not None and high <= _MAX_REPEAT_EXPAND:
                exact = _repeat(inner.exact, low, high)
            if exact is not None:
                return _Node(exact, _best([inner.exact, inner.factors]) if low else None, exact, 0, width)
            if low == 0:
                return _Node(width=width)
            return _Node(None, _best([inner.exact, inner.factors]), inner.starts, inner.lead, width)
        return _Node(width=self.width(op, av))  # ANY, NOT_LITERAL, group references ...

    def branch(self, results: List[_Node]) -> _Node:
        exact = starts = None
        if all(r.exact is not None for r in results):
            union = frozenset().union(*(r.exact for r in results))
            exact = union if len(union) <= _MAX_SET else None
        if all(r.starts is not None for r in results):
            union = _prefix_minimal(frozenset().union(*(r.starts for r in results)))
            starts = union if len(union) <= _MAX_STARTS else None
        factors: Optional[Set[str]] = set()
        for r in results:
            chosen = _best([r.exact, r.factors])
            if chosen is None:
                factors = None
                break
            factors |= chosen
        widths = [r.width for r in results]
        width = None if None in widths else max(widths, default=0)
        return _Node(exact, _minimal(factors) if factors else None, starts,
                     max((r.lead for r in results), default=0), width)

    def sequence(self, items: Any) -> _Node:
        run: Optional[Strings] = frozenset({""})  # what the items since the last break can match
        literal = ""                              # the fixed text the latest items match
        starts: Strings = frozenset({""})
        lead = 0
        starting = True                           # still extending ``starts``
        complete = True
        width: Optional[int] = 0
        candidates: List[Optional[Strings]] = []
        for op, av in items:
            node = self.node(op, av)
            width = None if width is None or node.width is None else width + node.width
            candidates += [node.exact, node.factors]
            if starting:
                starts, lead, starting = _extended(starts, lead, node)
            if node.exact is not None and len(node.exact) == 1:
                literal += next(iter(node.exact))
            else:
                candidates.append(frozenset({literal}))
                literal = ""
            longer = _concatenated(run, node.exact)
            if longer is not None:
                run = longer
                continue
            complete = False
            candidates.append(run)
            run = node.exact if node.exact is not None else frozenset({""})
        candidates += [frozenset({literal}), run]
        if "" in starts:
            starts, lead = None, 0
        return _Node(run if complete else None, _best(candidates), starts, lead, width)

    def factors(self, parsed: Any) -> Tuple[Optional[List[str]], int]:
        """The factors to look for, and -1, or N when every match begins with one of them at
        most N characters in: then the pattern is tried only there. Beginnings are preferred,
        even a little less selective: trying a pattern at a few places costs far less than
        searching a long text."""
        self.state = parsed.state
        node = self.sequence(parsed)
        starts = _prefix_minimal(node.starts) if node.starts else None
        if starts and node.lead <= _MAX_LEAD and min(map(_weight, starts)) >= _WEAK:
            return sorted(starts), node.lead
        chosen = _best([node.exact, node.factors])
        return (sorted(chosen) if chosen else None), -1


def _extended(starts: Strings, lead: int, node: _Node) -> Tuple[Strings, int, bool]:
    """A sequence's (starts, lead, still extending) once ``node`` follows. Beginnings selective
    enough (_START_WEIGHT) are finished: cut there, and not extended."""
    done = frozenset(s for s in starts if _weight(s) >= _START_WEIGHT)
    todo = starts - done
    if node.exact is not None:
        longer = _concatenated(todo, node.exact, _MAX_STARTS)
        if longer is not None:  # not minimal yet: "ab" and "ab " grow differently
            longer = done | {_truncated(s) for s in longer}
            return longer, lead, min(map(_weight, longer)) < _START_WEIGHT
    if node.starts is not None and (node.lead == 0 or starts == frozenset({""})):
        longer = _concatenated(todo, node.starts, _MAX_STARTS)
        if longer is not None:
            return _prefix_minimal(done | {_truncated(s) for s in longer}), lead + node.lead, False
    if starts == frozenset({""}) and node.width is not None and lead + node.width <= _MAX_LEAD:
        return starts, lead + node.width, True  # a short prefix: the beginnings come after it
    return starts, lead, False


def _truncated(string: str) -> str:
    """The shortest beginning of ``string`` selective enough (fewer, shared trie strings)."""
    for end in range(1, len(string)):
        if _weight(string[:end]) >= _START_WEIGHT:
            return string[:end]
    return string


def _prefix_minimal(strings: Iterable[str]) -> Strings:
    """Drop strings that begin with another one: a match that begins with the longer one
    begins with the shorter one too."""
    kept: List[str] = []
    for string in sorted(set(strings), key=len):
        if not any(string.startswith(k) for k in kept if k):  # "" is "nothing yet", kept apart
            kept.append(string)
    return frozenset(kept)


def _repeat(exact: Strings, low: int, high: int) -> Optional[Strings]:
    result: Set[str] = set()
    power: Set[str] = {""}
    for count in range(high + 1):
        if count >= low:
            result |= power
        if count == high:
            break
        power = {a + b for a in power for b in exact}
        if len(power) > _MAX_SET:
            return None
    return frozenset(result) if len(result) <= _MAX_SET else None


def _variant_merges(parsed_patterns: Iterable[Any]) -> Dict[str, str]:
    """Letters the lexicon systematically writes as interchangeable ([یيى], [ہهة], [ੇਾ]: a
    small class of one non-Latin script, used in at least _MERGE_USES places), each mapped to
    one representative. A merge only makes the prefilter a little less selective."""
    uses: Dict[FrozenSet[str], int] = {}

    def visit(items: Any) -> None:
        for op, av in items:
            if op is sre_constants.IN and all(o is sre_constants.LITERAL for o, _ in av):
                chars = frozenset(fold(chr(code)) for _, code in av)
                scripts = {_script(c) if len(c) == 1 else "COMMON" for c in chars}
                if 2 <= len(chars) <= _MERGE_CLASS and len(scripts) == 1 and not scripts & _NO_MERGE:
                    uses[chars] = uses.get(chars, 0) + 1
            elif op is sre_constants.SUBPATTERN:
                visit(av[-1])
            elif op is sre_constants.BRANCH:
                for alternative in av[1]:
                    visit(alternative)
            elif op in _REPEATS:
                visit(av[2])

    for parsed in parsed_patterns:
        visit(parsed)
    groups: Dict[str, Set[str]] = {}   # each merged letter -> its group (shared set)
    for chars, count in sorted(uses.items(), key=lambda item: (-item[1], sorted(item[0]))):
        if count < _MERGE_USES:
            break
        merged = set(chars).union(*(groups.get(c, set()) for c in chars))
        if len(merged) <= _MERGE_GROUP:
            for char in merged:
                groups[char] = merged
    return {char: min(group) for char, group in sorted(groups.items()) if char != min(group)}


# --- the lexicon --------------------------------------------------------------------------------

class _Rule:
    """One pattern of one language in one category, compiled when first needed."""

    __slots__ = ("category", "language", "source", "bounded", "_regex")

    def __init__(self, category: str, language: str, source: str, bounded: bool) -> None:
        self.category, self.language, self.source, self.bounded = category, language, source, bounded
        self._regex: Optional[re.Pattern] = None

    @property
    def regex(self) -> re.Pattern:
        if self._regex is None:
            self._regex = _compile(self.source, f"{self.category}/{self.language}", self.bounded)
        return self._regex


def _rules(data: Dict[str, Any]) -> List[_Rule]:
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise LexiconError("expected a 'categories' list")
    unbounded = set(data.get("unbounded") or [])
    rules = []
    for entry in data["categories"]:
        try:
            name, by_language = entry["name"], entry["patterns"]
            items = [(language, pattern) for language, patterns in by_language.items() for pattern in patterns]
        except (KeyError, TypeError, AttributeError) as error:
            raise LexiconError(f"category entry {entry!r} lacks name/patterns") from error
        for language, pattern in items:
            if not isinstance(pattern, str):
                raise LexiconError(f"{name}/{language}: pattern {pattern!r} is not a string")
            rules.append(_Rule(name, language, pattern, language not in unbounded))
    return rules


def _fingerprint(rules: Sequence[_Rule]) -> str:
    digest = hashlib.sha256(f"{_INDEX_VERSION} {sys.version_info[:2]}".encode())
    for rule in rules:
        digest.update(json.dumps([rule.category, rule.language, rule.source, rule.bounded]).encode())
    return digest.hexdigest()


def build_index(data: Dict[str, Any]) -> Dict[str, Any]:
    """The prefilter for ``data`` (each pattern's factors, the variant merges), as plain data:
    a trained model stores it so that loading needs no analysis. Checks every pattern
    (LexiconError for a bad one)."""
    rules = _rules(data)
    fingerprint = _fingerprint(rules)
    if fingerprint in _INDEXES:
        return dict(_INDEXES[fingerprint])
    parsed = []
    for rule in rules:
        try:
            parsed.append(sre_parse.parse(_wrapped(rule.source, rule.bounded), re.IGNORECASE))
        except (re.error, RecursionError, OverflowError) as error:
            raise LexiconError(f"{rule.category}/{rule.language}: bad pattern {rule.source!r}: {error}") from error
    merges = _variant_merges(parsed)
    analysis = _Analysis(merges)
    factors, leads = zip(*(analysis.factors(p) for p in parsed)) if parsed else ((), ())
    index = {
        "version": _INDEX_VERSION,
        "fingerprint": fingerprint,
        "merges": merges,
        "factors": list(factors),
        # {pattern: N}: every match begins with a factor, at most N characters in; the pattern
        # is tried only there
        "anchored": {str(i): lead for i, lead in enumerate(leads) if lead >= 0},
        # factors too short for the tries: a plain `in` test decides
        "gated": [i for i, strings in enumerate(factors) if strings and min(map(_weight, strings)) < _WEAK],
    }
    if len(_INDEXES) >= 4:
        _INDEXES.clear()
    _INDEXES[fingerprint] = index
    return dict(index)


_INDEXES: Dict[str, Dict[str, Any]] = {}  # by fingerprint: building one takes seconds


def _trie_pattern(strings: Iterable[str]) -> str:
    """A regular expression matching, at any position, the longest of ``strings`` there."""
    trie: Dict[str, Any] = {}
    for string in strings:
        node = trie
        for char in string:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: Dict[str, Any]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


_WORD = re.compile(r"\w")


class _Trie:
    """A trie of factors as a regular expression; ``word_start`` ones are tried only at the
    start of a word, unless folding dropped accents typed separately (a word start in the text
    then need not be one in the folded text): everywhere then, compiled on first use."""

    __slots__ = ("pattern", "word_start", "_regex", "_anywhere")

    def __init__(self, strings: List[str], word_start: bool) -> None:
        self.pattern, self.word_start = _trie_pattern(strings), word_start
        self._regex = re.compile(rf"\b(?:{self.pattern})" if word_start else self.pattern)
        self._anywhere = None if word_start else self._regex

    def regex(self, at_word_starts: bool) -> re.Pattern:
        if at_word_starts:
            return self._regex
        if self._anywhere is None:
            self._anywhere = re.compile(self.pattern)
        return self._anywhere


class RedFlagLexicon:
    """Finds red-flag categories in free text, in priority order."""

    def __init__(self, data: Dict[str, Any]) -> None:
        rules = _rules(data)
        names: List[str] = []
        for rule_entry in data["categories"]:
            if rule_entry["name"] not in names:
                names.append(rule_entry["name"])
        self.categories: Tuple[str, ...] = tuple(names)
        priority = {name: position for position, name in enumerate(names)}
        index = data.get("index")
        if not (isinstance(index, dict) and index.get("fingerprint") == _fingerprint(rules)):
            index = build_index(data)
        # Rules in priority order: category, then as written (the naive loop's order).
        order = sorted(range(len(rules)), key=lambda i: (priority[rules[i].category], i))
        self._rules: Tuple[_Rule, ...] = tuple(rules[i] for i in order)
        self._rank: Tuple[int, ...] = tuple(priority[rule.category] for rule in self._rules)
        self._merges = {ord(char): other for char, other in index["merges"].items()}
        self._merges_by_char = dict(index["merges"])
        self._merged_chars = re.compile("[%s]" % "".join(map(re.escape, index["merges"]))) if self._merges else None
        new_id = {old: new for new, old in enumerate(order)}
        self._lead = {new_id[int(i)]: lead for i, lead in index["anchored"].items()}
        self._build_prefilter([index["factors"][i] for i in order], {new_id[i] for i in index["gated"]})

    def _build_prefilter(self, factors: Sequence[Optional[List[str]]], gated: Set[int]) -> None:
        anchored = set(self._lead)
        by_factor: Dict[str, Set[int]] = {}
        self._always: FrozenSet[int] = frozenset(i for i, strings in enumerate(factors) if not strings)
        self._gated: List[Tuple[Tuple[str, ...], int]] = []   # short factors: a plain `in` test
        for rule_id, strings in enumerate(factors):
            if rule_id in gated:
                self._gated.append((tuple(strings or ()), rule_id))
            else:
                for string in strings or ():
                    by_factor.setdefault(string, set()).add(rule_id)
        # The trie finds the longest factor at a position: the shorter ones there are its prefixes.
        self._rules_by_hit: Dict[str, FrozenSet[int]] = {}
        self._anchored_by_hit: Dict[str, Tuple[int, ...]] = {}
        for string in by_factor:
            hit: Set[int] = set()
            for end in range(1, len(string) + 1):
                hit |= by_factor.get(string[:end], set())
            self._rules_by_hit[string] = frozenset(hit)
            self._anchored_by_hit[string] = tuple(sorted(hit & anchored))
        # One trie per script (split if it has many first letters), scanned at C speed. Factors
        # that only matter at the start of a word (beginnings of patterns with word boundaries)
        # have their own tries, tried only at word starts: twice as fast as everywhere.
        word_start = {string for string, rule_ids in by_factor.items()
                      if _WORD.match(string)
                      and all(self._lead.get(i) == 0 and self._rules[i].bounded for i in rule_ids)}
        groups: Dict[Tuple[str, bool], List[str]] = {}
        for string in by_factor:
            script = _script(string[0])  # digits, spaces, punctuation: with Latin (one scan fewer)
            groups.setdefault(("LATIN" if script == "COMMON" else script, string in word_start), []).append(string)
        self._tries: List[Tuple[FrozenSet[str], _Trie]] = []
        for (_, at_word_start), strings in sorted(groups.items()):
            firsts = sorted({s[0] for s in strings})
            for begin in range(0, len(firsts), _TRIE_FIRSTS):
                group = frozenset(firsts[begin:begin + _TRIE_FIRSTS])
                self._tries.append((group, _Trie([s for s in strings if s[0] in group], at_word_start)))
        # Tries for first letters outside ASCII run only when one of theirs is in the text.
        self._always_tries = [trie for group, trie in self._tries if any(c.isascii() for c in group)]
        self._tries_by_first: Dict[str, List[_Trie]] = {}
        for group, trie in self._tries:
            if not any(c.isascii() for c in group):
                for char in group:
                    self._tries_by_first.setdefault(char, []).append(trie)
        self._firsts = (re.compile("[%s]" % "".join(map(re.escape, sorted(self._tries_by_first))))
                        if self._tries_by_first else None)

    @classmethod
    def from_file(cls, path: Path = DEFAULT_LEXICON) -> "RedFlagLexicon":
        """The lexicon read from ``path`` and its language files. This analyses every pattern
        (a few seconds for all languages): share one, e.g. ``default_lexicon()``."""
        return cls(load_lexicon_data(path))

    def fold(self, text: str) -> str:
        """``fold(text)`` with the lexicon's spelling-variant letters merged too."""
        return self._folded(text)[0]

    def _folded(self, text: str) -> Tuple[str, List[int]]:
        """The folded text, and where combining accents were dropped: for each, its position
        in the folded text (the position in ``text`` of what follows it, minus those before)."""
        folded = _lowered(text)
        dropped: List[int] = []
        if _MARKS.search(folded):
            dropped = [match.start() - i for i, match in enumerate(_MARKS.finditer(folded))]
            folded = _MARKS.sub("", folded)
        if self._merged_chars is not None:
            folded = _translate(folded, self._merges, self._merges_by_char, self._merged_chars)
        return folded, dropped

    def _prefilter(self, normalised: str) -> Tuple[List[int], Dict[int, List[int]]]:
        """The rules that may match ``normalised`` (in priority order) and, for those every match
        of which begins with a factor (``self._lead`` characters in at most), the positions in
        ``normalised`` where such a match may begin: the only places to try."""
        folded, dropped = self._folded(normalised)
        hits: Dict[str, List[int]] = {}
        tries = list(self._always_tries)
        if self._firsts is not None and not folded.isascii():
            for char in set(self._firsts.findall(folded)):
                tries += [trie for trie in self._tries_by_first[char] if trie not in tries]
        for trie in tries:
            search = trie.regex(at_word_starts=not dropped).search
            match = search(folded)
            while match is not None:
                position = match.start()
                hits.setdefault(match.group(), []).append(position)
                match = search(folded, position + 1)
        found: Set[int] = set(self._always)
        starts: Dict[int, List[int]] = {}
        for string, positions in hits.items():
            found |= self._rules_by_hit[string]
            if dropped:  # a match may also begin with the accents just before
                positions = [p for f in positions for p in range(f + bisect.bisect_left(dropped, f),
                                                                  f + bisect.bisect_right(dropped, f) + 1)]
            for rule_id in self._anchored_by_hit[string]:
                starts.setdefault(rule_id, []).extend(positions)
        for strings, rule_id in self._gated:
            if any(s in folded for s in strings):
                found.add(rule_id)
        return sorted(found), starts

    def candidates(self, text: str) -> List[int]:
        """Ids of the rules that may match ``text``, in priority order."""
        return self._prefilter(normalise(text))[0]

    def find(self, text: Optional[str]) -> List[RedFlagMatch]:
        """Every category present in ``text``, highest priority first, first match each."""
        if not text:
            return []
        normalised = normalise(text)
        return self._search(text, normalised, *self._prefilter(normalised))

    def naive_find(self, text: Optional[str]) -> List[RedFlagMatch]:
        """The reference matcher: every pattern of every category, in order, until one
        matches. Same results as find(), without the prefilter (so much slower)."""
        if not text:
            return []
        return self._search(text, normalise(text), range(len(self._rules)), {})

    def _search(self, text: str, normalised: str, rule_ids: Iterable[int],
                starts: Dict[int, List[int]]) -> List[RedFlagMatch]:
        found: List[RedFlagMatch] = []
        done = -1
        for rule_id in rule_ids:
            if self._rank[rule_id] <= done:
                continue
            regex = self._rules[rule_id].regex
            positions = starts.get(rule_id)
            if positions is None:
                match = regex.search(normalised)
            else:  # the leftmost match begins at one of these: try only there
                match = None
                lead = self._lead[rule_id]
                if lead:
                    positions = [p - back for p in positions for back in range(lead + 1) if p >= back]
                for position in sorted(set(positions)):
                    match = regex.match(normalised, position)
                    if match:
                        break
            if match:
                found.append(RedFlagMatch(self._rules[rule_id].category, match.start(), match.end()))
                done = self._rank[rule_id]
        if len(normalised) != len(text):  # NFC changed the text: offsets into the original
            found = [RedFlagMatch(m.category, _original_offset(text, m.start), _original_offset(text, m.end))
                     for m in found]
        return found

    def compile_all(self) -> "RedFlagLexicon":
        """Compile every pattern now rather than on first use."""
        for rule in self._rules:
            rule.regex
        return self

    def category_names(self) -> List[str]:
        return list(self.categories)

    def rules(self) -> List[Tuple[str, str, str]]:
        """(category, language, pattern) of every pattern, in priority order."""
        return [(rule.category, rule.language, rule.source) for rule in self._rules]


@functools.lru_cache(maxsize=1)
def default_lexicon() -> RedFlagLexicon:
    """The project's lexicon, built once per process (the first call takes seconds: make it at
    start-up, not on the event loop)."""
    return RedFlagLexicon.from_file()


# --- checks -------------------------------------------------------------------------------------

def language_examples(language_file: Path) -> Tuple[Dict[str, List[str]], List[str]]:
    """A language file's (must_flag by category, must_not_flag) examples."""
    examples = (_read_yaml(language_file) or {}).get("examples") or {}
    return dict(examples.get("must_flag") or {}), list(examples.get("must_not_flag") or [])


def example_failures(lexicon: RedFlagLexicon, language_file: Path) -> List[str]:
    """Where a language file's own examples disagree with the lexicon."""
    must_flag, must_not_flag = language_examples(language_file)
    failures = []
    for category, texts in must_flag.items():
        for text in texts:
            found = [m.category for m in lexicon.find(text)]
            if not found or found[0] != category:
                failures.append(f"{language_file.stem}: expected {category}, got {found or 'nothing'}: {text}")
    for text in must_not_flag:
        found = lexicon.find(text)
        if found:
            failures.append(f"{language_file.stem}: expected nothing, got {_described(text, found)}: {text}")
    return failures


_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def nlu_examples(folder: Path = NLU_DIR) -> List[Tuple[str, str, str]]:
    """(file, intent, text) of every NLU example of an intent other than red_flag, with entity
    annotations ([Monday](date)) reduced to their text."""
    examples = []
    for path in sorted(Path(folder).glob("*.yml")):
        for item in (_read_yaml(path) or {}).get("nlu") or []:
            if not isinstance(item, dict) or "intent" not in item or item["intent"] == RED_FLAG_INTENT:
                continue
            for line in str(item.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.append((path.name, item["intent"], _ANNOTATION.sub(r"\1", line[2:].strip())))
    return examples


def nlu_failures(lexicon: RedFlagLexicon, folder: Path = NLU_DIR) -> List[str]:
    """NLU examples of other intents that the lexicon flags (it overrides their intent)."""
    return [f"{name} {intent}: expected nothing, got {_described(text, found)}: {text}"
            for name, intent, text in nlu_examples(folder) for found in [lexicon.find(text)] if found]


def _described(text: str, found: List[RedFlagMatch]) -> str:
    return ", ".join(f"{m.category} ({text[m.start:m.end]!r})" for m in found)


def main(argv: List[str]) -> int:
    """`python -m bot.redflags check [--drafts] [CODE ...]`: compile the whole lexicon (with the
    drafted language files too if --drafts) and check, against all of it, each language file's
    own examples (must_flag: that category first; must_not_flag: nothing) and every NLU example
    of another intent (nothing). CODEs limit the language files checked."""
    drafts = argv[:1] == ["--drafts"]
    argv = argv[1:] if drafts else argv
    folder = DRAFTS if drafts else None
    lexicon = RedFlagLexicon(load_lexicon_data(DEFAULT_LEXICON, drafts_dir=folder)).compile_all()
    files = [f for f in language_files(DEFAULT_LEXICON, drafts_dir=folder) if not argv or f.stem in argv]
    failures = [failure for f in files for failure in example_failures(lexicon, f)]
    nlu = [] if argv else nlu_failures(lexicon)
    for failure in failures + nlu:
        print(failure)
    checked = f"{len(files)} language files" + ("" if argv else f" and {len(nlu_examples())} NLU examples")
    print(f"{checked}, {len(failures) + len(nlu)} failures")
    return 1 if failures or nlu else 0


if __name__ == "__main__" and sys.argv[1:2] == ["check"]:
    sys.exit(main(sys.argv[2:]))
