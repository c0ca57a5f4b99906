"""The response catalogue: every bot message by response name, per language.

English lives in two places: responses that rules predict are in the domain
(bot/domain/*.yml), responses that custom actions send are in
data/catalogue/en.yml. Every other language has one file, data/catalogue/<code>.yml,
in Rasa's response format, translating both. Each variation carries
``metadata: {review: draft|approved}`` so a trust's translators can sign entries off.

`python -m bot.catalogue check [--only NAME,NAME] [CODE ...]` reports, for each
translated language, missing or extra responses and variations whose conditions
or placeholders differ from English (--only: the responses that must exist; without it,
every response for a language whose row in data/languages.yml says ``catalogue: full``,
the urgent replies for ``catalogue: urgent``).
"""
from __future__ import annotations

import string
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

import yaml

from bot.settings import PROJECT_ROOT

CATALOGUE_DIR = PROJECT_ROOT / "data" / "catalogue"
DOMAIN_DIR = PROJECT_ROOT / "bot" / "domain"
REVIEW_STATES = ("draft", "approved")
# What every language's catalogue must hold, whatever its coverage: these replies never come
# from machine translation (a language with catalogue "urgent" in data/languages.yml has only these).
URGENT_RESPONSES = frozenset({"utter_red_flag", "utter_red_flag_flagged", "utter_service_unavailable",
                              "utter_translation_failed"})

Responses = Dict[str, List[Dict[str, Any]]]


def load_responses(language: str = "en", directory: Optional[Path] = None) -> Responses:
    """Responses in Rasa's domain format ({name: [{"text": ...}, ...]}) for one language."""
    directory = directory or CATALOGUE_DIR
    data = yaml.safe_load((directory / f"{language}.yml").read_text(encoding="utf-8")) or {}
    responses = data.get("responses") or {}
    if not isinstance(responses, dict):
        raise ValueError(f"{directory / language}.yml: 'responses' must be a mapping")
    return responses


def domain_responses(directory: Path = DOMAIN_DIR) -> Responses:
    merged: Responses = {}
    for path in sorted(directory.glob("*.yml")):
        merged.update(yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {})
    return merged


def english_source() -> Responses:
    """Every English response: the domain's and the catalogue's."""
    return {**domain_responses(), **load_responses("en")}


def placeholders(text: str) -> Set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def problems(language: str, source: Responses = None, required: Set[str] = None,
             directory: Optional[Path] = None) -> List[str]:
    """What is wrong with one translated catalogue, compared with English.

    ``required`` limits which responses must exist (default: all of them); a
    language with only urgent replies passes ``URGENT_RESPONSES``.
    """
    source = source or english_source()
    translated = load_responses(language, directory)
    required = set(source) if required is None else required
    found = [f"missing: {name}" for name in sorted(required - set(translated))]
    found += [f"not in English: {name}" for name in sorted(set(translated) - set(source))]
    for name in sorted(set(translated) & set(source)):
        english, theirs = source[name], translated[name]
        if len(english) != len(theirs):
            found.append(f"{name}: {len(theirs)} variations, English has {len(english)}")
            continue
        for index, (en, tr) in enumerate(zip(english, theirs)):
            where = f"{name}[{index}]"
            if en.get("condition") != tr.get("condition"):
                found.append(f"{where}: condition differs from English")
            if not isinstance(tr.get("text"), str) or not tr["text"].strip():
                found.append(f"{where}: no text")
                continue
            if placeholders(tr["text"]) != placeholders(en["text"]):
                found.append(f"{where}: placeholders {sorted(placeholders(tr['text']))} "
                             f"!= English {sorted(placeholders(en['text']))}")
            if (tr.get("metadata") or {}).get("review") not in REVIEW_STATES:
                found.append(f"{where}: metadata.review must be one of {REVIEW_STATES}")
    return found


def main(argv: List[str]) -> int:
    required = None
    if argv[:1] == ["--only"]:
        required, argv = set(argv[1].split(",")), argv[2:]
    codes = argv or sorted(p.stem for p in CATALOGUE_DIR.glob("*.yml") if p.stem != "en")
    source = english_source()
    failures = 0
    from bot.languages import default_table

    table = default_table()
    for code in codes:
        # a language whose row says "urgent" must have the urgent replies, and may have more
        needed = required if required is not None else (
            set(URGENT_RESPONSES) if code in table and table[code].catalogue == "urgent" else None)
        issues = problems(code, source, needed)
        failures += bool(issues)
        print(f"{code}: {'ok' if not issues else f'{len(issues)} problems'}")
        for issue in issues:
            print(f"  - {issue}")
    return 1 if failures else 0


if __name__ == "__main__" and sys.argv[1:2] == ["check"]:
    sys.exit(main(sys.argv[2:]))
