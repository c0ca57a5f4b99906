"""The language table (data/languages.yml): codes for detectors and providers, scripts, direction."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from bot.settings import PROJECT_ROOT

LANGUAGES_FILE = PROJECT_ROOT / "data" / "languages.yml"


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    endonym: str
    script: str
    rtl: bool
    babel: str
    catalogue: str  # en | full | urgent
    detectors: Dict[str, Optional[str]]
    providers: Dict[str, Optional[str]]
    # Lower-case names a patient may use to ask for the language, in English and in the
    # language itself ("polish", "polski", "po polsku"); the endonym always counts.
    aliases: Tuple[str, ...] = ()


class LanguageTable:
    """All languages, in order of local speakers, with lookups by any detector's code."""

    def __init__(self, languages: List[Language]) -> None:
        self.languages = languages
        self.by_code = {language.code: language for language in languages}
        self._by_detector: Dict[str, Dict[str, str]] = {}
        for language in languages:
            for detector, label in language.detectors.items():
                if label:  # the first row wins: zh (Simplified) for fastText's plain "zh"
                    self._by_detector.setdefault(detector, {}).setdefault(label, language.code)

    def from_detector(self, detector: str, label: str) -> Optional[str]:
        """TellOnce's code for what ``detector`` returned, or None if we do not serve it."""
        return self._by_detector.get(detector, {}).get(label)

    def provider_code(self, code: str, provider: str) -> Optional[str]:
        """The code to ask ``provider`` for, or None if it cannot translate ``code``.

        A self-hosted LibreTranslate may run more models than the standard set the table
        lists, and TellOnce trusts the server's own GET /languages: for a language
        without a listed libre code, ask for its ISO code and let the server decide."""
        if code not in self.by_code:
            return None
        listed = self.by_code[code].providers.get(provider)
        if listed or provider != "libre":
            return listed
        return code.split("-")[0]

    def provider_codes(self, source: str, target: str, provider: str) -> Optional[Tuple[str, str]]:
        """(source code, target code) to ask ``provider`` for, or None if it cannot translate
        into ``target`` (or translation is switched off)."""
        if provider == "none":
            return None
        to = self.provider_code(target, provider)
        return (self.provider_code(source, provider) or source, to) if to else None

    def direction(self, code: str) -> str:
        """"rtl" for languages written right to left, else "ltr" (unknown codes too)."""
        return "rtl" if code in self.by_code and self.by_code[code].rtl else "ltr"

    def with_script(self, script: str) -> List[str]:
        return [language.code for language in self.languages if language.script == script]

    def __getitem__(self, code: str) -> Language:
        return self.by_code[code]

    def __contains__(self, code: object) -> bool:
        return code in self.by_code


def load_table(path: Path = LANGUAGES_FILE) -> LanguageTable:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["languages"]
    return LanguageTable([Language(**{**row, "aliases": tuple(row.get("aliases") or ())}) for row in rows])


@functools.lru_cache(maxsize=1)
def default_table() -> LanguageTable:
    return load_table()
