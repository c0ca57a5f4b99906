"""The multilingual red-flag lexicon and its matcher.

Deliberately independent of NLU models and of translation: a lexicon match always
wins, so urgent advice never depends on a classifier's mood or a provider being up.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Sequence

import yaml

from bot.exceptions import LexiconError
from bot.settings import PROJECT_ROOT

DEFAULT_LEXICON = PROJECT_ROOT / "data" / "safety" / "red_flags.yml"
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


def load_lexicon_data(path: Path = DEFAULT_LEXICON) -> Dict[str, Any]:
    """The lexicon file as plain data (what a trained model persists)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise LexiconError(f"cannot read red-flag lexicon {path}: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise LexiconError(f"{path}: expected a 'categories' list")
    return data


def _compile(pattern: str, where: str) -> re.Pattern:
    try:
        return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE)
    except re.error as error:
        raise LexiconError(f"{where}: bad pattern {pattern!r}: {error}") from error


class RedFlagLexicon:
    """Finds red-flag categories in free text, in priority order."""

    def __init__(self, data: Dict[str, Any]) -> None:
        categories: List[Category] = []
        for entry in data["categories"]:
            try:
                name, by_language = entry["name"], entry["patterns"]
            except (KeyError, TypeError) as error:
                raise LexiconError(f"category entry {entry!r} lacks name/patterns") from error
            compiled = [
                _compile(p, f"{name}/{lang}") for lang, patterns in by_language.items() for p in patterns
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
