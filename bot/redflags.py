"""The multilingual red-flag lexicon and its matcher.

Deliberately independent of NLU models and of translation: a lexicon match always
wins, so urgent advice never depends on a classifier's mood or a provider being up.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import yaml

from bot.exceptions import LexiconError
from bot.settings import PROJECT_ROOT

DEFAULT_LEXICON = PROJECT_ROOT / "data" / "safety" / "red_flags.yml"
# Per-language patterns drafted but not yet live (they need a faster matcher first).
DRAFTS = PROJECT_ROOT / "data" / "safety" / "drafts" / "red_flags"
# The category when a classifier, not the lexicon, calls a red flag.
GENERAL_CATEGORY = "general"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


@dataclass(frozen=True)
class Category:
    name: str
    patterns: Sequence[re.Pattern]


@dataclass(frozen=True)
class RedFlagMatch:
    category: str
    start: int
    end: int


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise LexiconError(f"cannot read red-flag lexicon {path}: {error}") from error


def load_lexicon_data(path: Path = DEFAULT_LEXICON, languages_dir: Optional[Path] = None) -> Dict[str, Any]:
    """The lexicon as plain data (what a trained model persists).

    ``path`` holds the categories in priority order with English patterns; each
    file in the folder beside it (red_flags/<code>.yml) adds one language:
    ``{language: pl, categories: {chest_pain: [patterns]}, word_boundaries: true}``.
    Languages written without spaces (zh, ja, th) set ``word_boundaries: false``.
    ``languages_dir`` reads the language files from elsewhere (drafts not yet live).
    """
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise LexiconError(f"{path}: expected a 'categories' list")
    by_name = {entry.get("name"): entry for entry in data["categories"] if isinstance(entry, dict)}
    data.setdefault("unbounded", [])
    for language_file in language_files(path, languages_dir):
        extra = _read_yaml(language_file)
        try:
            language, categories = extra["language"], extra["categories"]
        except (KeyError, TypeError) as error:
            raise LexiconError(f"{language_file}: expected 'language' and 'categories'") from error
        for name, patterns in categories.items():
            if name not in by_name:
                raise LexiconError(f"{language_file}: unknown category {name!r}")
            by_name[name].setdefault("patterns", {})[language] = list(patterns or [])
        if extra.get("word_boundaries", True) is False:
            data["unbounded"].append(language)
    return data


def _compile(pattern: str, where: str, bounded: bool = True) -> re.Pattern:
    try:
        wrapped = rf"(?<!\w)(?:{pattern})(?!\w)" if bounded else pattern
        return re.compile(wrapped, re.IGNORECASE)
    except re.error as error:
        raise LexiconError(f"{where}: bad pattern {pattern!r}: {error}") from error


class RedFlagLexicon:
    """Finds red-flag categories in free text, in priority order."""

    def __init__(self, data: Dict[str, Any]) -> None:
        categories: List[Category] = []
        unbounded = set(data.get("unbounded") or [])
        for entry in data["categories"]:
            try:
                name, by_language = entry["name"], entry["patterns"]
            except (KeyError, TypeError) as error:
                raise LexiconError(f"category entry {entry!r} lacks name/patterns") from error
            compiled = [
                _compile(p, f"{name}/{lang}", lang not in unbounded)
                for lang, patterns in by_language.items() for p in patterns
            ]
            categories.append(Category(name, tuple(compiled)))
        self.categories = tuple(categories)

    @classmethod
    def from_file(cls, path: Path = DEFAULT_LEXICON) -> "RedFlagLexicon":
        return cls(load_lexicon_data(path))

    def find(self, text: str) -> List[RedFlagMatch]:
        """Every category present in ``text``, highest priority first, first match each."""
        text = (text or "").translate(_APOSTROPHES)
        found = []
        for category in self.categories:
            for pattern in category.patterns:
                match = pattern.search(text)
                if match:
                    found.append(RedFlagMatch(category.name, match.start(), match.end()))
                    break
        return found

    def category_names(self) -> List[str]:
        return [c.name for c in self.categories]


def language_files(path: Path = DEFAULT_LEXICON, languages_dir: Optional[Path] = None) -> List[Path]:
    folder = Path(languages_dir) if languages_dir else Path(path).with_suffix("")
    return sorted(folder.glob("*.yml")) if folder.is_dir() else []


def example_failures(lexicon: "RedFlagLexicon", language_file: Path) -> List[str]:
    """Where a language file's own examples disagree with the lexicon."""
    examples = (_read_yaml(language_file) or {}).get("examples") or {}
    failures = []
    for category, texts in (examples.get("must_flag") or {}).items():
        for text in texts:
            found = [m.category for m in lexicon.find(text)]
            if not found or found[0] != category:
                failures.append(f"{language_file.stem}: expected {category}, got {found or 'nothing'}: {text}")
    for text in examples.get("must_not_flag") or []:
        found = [m.category for m in lexicon.find(text)]
        if found:
            failures.append(f"{language_file.stem}: expected nothing, got {found}: {text}")
    return failures


def main(argv: List[str]) -> int:
    """`python -m bot.redflags check [--drafts] [CODE ...]`: compile the lexicon (with the drafted
    language files if --drafts) and test each language file's own examples."""
    drafts = argv[:1] == ["--drafts"]
    argv = argv[1:] if drafts else argv
    folder = DRAFTS if drafts else None
    lexicon = RedFlagLexicon(load_lexicon_data(DEFAULT_LEXICON, folder))
    files = [f for f in language_files(DEFAULT_LEXICON, folder) if not argv or f.stem in argv]
    failures = [failure for f in files for failure in example_failures(lexicon, f)]
    for failure in failures:
        print(failure)
    print(f"{len(files)} language files, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__" and sys.argv[1:2] == ["check"]:
    sys.exit(main(sys.argv[2:]))
