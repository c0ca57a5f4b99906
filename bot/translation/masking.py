"""Mask personal data before text leaves the system, and restore it afterwards.

spaCy rule-based matching on a blank multilingual pipeline (no statistical model):
NHS numbers, UK phone numbers, emails, postcodes, dates (with month names in every
language served: ``bot.dates.date_spans``) and the names of people in the registry
become numbered placeholders such as [[1]], which translation
providers pass through; ``restore`` puts the originals back into the translation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Tuple

_DIGITS = lambda n: {"TEXT": {"REGEX": rf"^\d{{{n}}}$"}}  # noqa: E731 - a tiny pattern helper
_SEP = {"TEXT": {"IN": ["-", "–", "."]}, "OP": "?"}
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")

PATTERNS: Dict[str, List[List[dict]]] = {
    "NHS_NUMBER": [[_DIGITS(10)], [_DIGITS(3), _SEP, _DIGITS(3), _SEP, _DIGITS(4)],
                   [{"TEXT": {"REGEX": r"^\d{3}-\d{3}-\d{4}$"}}]],
    "PHONE": [[{"TEXT": {"REGEX": r"^(\+44|0)\d{9,10}$"}}],
              [{"TEXT": {"REGEX": r"^(\+44|0)\d{2,4}$"}}, {"TEXT": {"REGEX": r"^\d{3,4}$"}, "OP": "?"},
               {"TEXT": {"REGEX": r"^\d{3,6}$"}}],
              [{"TEXT": {"IN": ["+44", "0044"]}}, {"TEXT": {"REGEX": r"^\d{2,4}$"}},
               {"TEXT": {"REGEX": r"^\d{3,4}$"}, "OP": "?"}, {"TEXT": {"REGEX": r"^\d{3,6}$"}}]],
    "EMAIL": [[{"LIKE_EMAIL": True}]],
    "POSTCODE": [[{"TEXT": {"REGEX": r"(?i)^[A-Z]{1,2}\d[A-Z\d]?$"}}, {"TEXT": {"REGEX": r"(?i)^\d[A-Z]{2}$"}}]],
    "DATE": [[{"TEXT": {"REGEX": r"^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}$"}}],
             [{"TEXT": {"REGEX": r"^\d{1,2}(st|nd|rd|th)?$"}}, {"LOWER": "of", "OP": "?"},
              {"LOWER": {"REGEX": rf"^({_MONTHS})$"}}, {"TEXT": {"REGEX": r"^\d{4}$"}, "OP": "?"}]],
}
_PLACEHOLDER = re.compile(r"\[\[\s*(\d+)\s*\]\]")


@dataclass(frozen=True)
class Masked:
    text: str
    originals: Tuple[str, ...]  # originals[i] replaced [[i+1]]

    def restore(self, translated: str) -> str:
        """Put the originals back; any placeholder the provider dropped is appended."""
        used = set()

        def put_back(match: re.Match) -> str:
            index = int(match.group(1)) - 1
            if 0 <= index < len(self.originals):
                used.add(index)
                return self.originals[index]
            return match.group(0)

        restored = _PLACEHOLDER.sub(put_back, translated)
        missing = [self.originals[i] for i in range(len(self.originals)) if i not in used]
        return " ".join([restored, *missing]) if missing else restored


class Masker:
    """Finds personal data with spaCy's Matcher and PhraseMatcher; build once, reuse."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        import spacy
        from spacy.matcher import Matcher, PhraseMatcher

        self.nlp = spacy.blank("xx")
        self.matcher = Matcher(self.nlp.vocab)
        for label, patterns in PATTERNS.items():
            self.matcher.add(label, patterns)
        self.names = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        unique = sorted({n.strip() for n in names if n and len(n.strip()) >= 3})
        if unique:
            self.names.add("NAME", list(self.nlp.tokenizer.pipe(unique)))

    def mask(self, text: str) -> Masked:
        from bot.dates import date_spans

        doc = self.nlp.make_doc(text)
        ranges = [(doc[a:b].start_char, doc[a:b].end_char) for _, a, b in self.matcher(doc)]
        ranges += [(doc[a:b].start_char, doc[a:b].end_char) for _, a, b in self.names(doc)]
        # Dates in any format or language TellOnce reads ("2 listopada 1961", 1961年7月2日),
        # by characters: scripts without spaces do not split into tokens.
        ranges += date_spans(text)
        chosen: List[Tuple[int, int]] = []
        for begin, end in sorted(ranges, key=lambda r: (r[0] - r[1], r[0])):  # longest first
            if all(end <= b or begin >= e for b, e in chosen):
                chosen.append((begin, end))
        out, originals, cursor = [], [], 0
        for begin, end in sorted(chosen):
            out.append(text[cursor:begin])
            originals.append(text[begin:end])
            out.append(f"[[{len(originals)}]]")
            cursor = end
        out.append(text[cursor:])
        return Masked("".join(out), tuple(originals))
