"""Strict parsing of dates of birth, and natural formatting of appointment times."""
from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Dict, List, Optional, Tuple

from babel.dates import format_date, format_time

from bot.exceptions import InvalidDate

MAX_AGE_YEARS = 125

_ENGLISH_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|\.)?"
_YEAR = r"(?P<year>\d{4})"
_TWO_DIGIT_YEAR = re.compile(r"(?<!\d)\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2}(?!\d)")


def _fold(name: str) -> str:
    return name.casefold().rstrip(".")


@functools.lru_cache(maxsize=1)
def month_names() -> Tuple[Dict[str, Dict[str, int]], Dict[str, int]]:
    """Month names (wide and abbreviated, in running text and on their own) from Babel for
    every language TellOnce serves: ({language code: {name: month}}, {name: month} for the
    names that mean the same month in every language; "listopad" is November in Polish
    and October in Croatian, so it counts only when the conversation is in one of them)."""
    from babel import Locale

    from bot.languages import default_table

    per_language: Dict[str, Dict[str, int]] = {"en": dict(_ENGLISH_MONTHS)}
    for language in default_table().languages:
        locale = Locale.parse(language.babel)
        names = per_language.setdefault(language.code, {})
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    key = _fold(name)
                    if len(key) >= 2 and not any(c.isdigit() for c in key):
                        names.setdefault(key, number)
    meanings: Dict[str, set] = {}
    for names in per_language.values():
        for key, number in names.items():
            meanings.setdefault(key, set()).add(number)
    unambiguous = {key: numbers.pop() for key, numbers in meanings.items() if len(numbers) == 1}
    return per_language, unambiguous


@functools.lru_cache(maxsize=1)
def _patterns() -> List[re.Pattern]:
    per_language, _ = month_names()
    every = sorted({name for names in per_language.values() for name in names}, key=len, reverse=True)
    month = "|".join(re.escape(name) for name in every)
    # Order matters: the first pattern that matches decides. Day-first, as in the UK.
    return [
        re.compile(rf"(?<!\d){_YEAR}-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})(?!\d)"),
        re.compile(rf"(?<!\d)(?P<day>\d{{1,2}})\s*([/.\-])\s*(?P<month>\d{{1,2}})\s*\2\s*{_YEAR}(?!\d)"),
        # 1961年7月2日, 1961년 7월 2일
        re.compile(rf"(?<!\d){_YEAR}\s*[年년]\s*(?P<month>\d{{1,2}})\s*[月월]\s*(?P<day>\d{{1,2}})\s*[日일]?"),
        re.compile(rf"(?<!\d){_DAY}\s+(?:of\s+|de\s+)?(?P<mname>{month})\.?,?\s+(?:de\s+)?{_YEAR}(?!\d)", re.I),
        re.compile(rf"(?<!\w)(?P<mname>{month})\.?\s+{_DAY},?\s+{_YEAR}(?!\d)", re.I),
        # Year first, as in Hungarian "1961. július 2." and Lithuanian "1961 m. liepos 2 d."
        re.compile(rf"(?<!\d){_YEAR}\.?\s+(?:m\.\s+)?(?P<mname>{month})\.?\s+{_DAY}(?!\d)", re.I),
    ]


def date_spans(text: str) -> List[Tuple[int, int]]:
    """Where ``text`` writes dates (any accepted format, two-digit years too), for masking."""
    spans = [m.span() for pattern in _patterns() for m in pattern.finditer(text or "")]
    spans += [m.span() for m in _TWO_DIGIT_YEAR.finditer(text or "")]
    return sorted(spans)


def parse_date_of_birth(text: str, today: Optional[dt.date] = None, language: str = "en") -> dt.date:
    """The one date of birth written in ``text``, in a common format.

    Accepts 14/03/1948, 14-3-1948, 14.03.1948, 1948-03-14, 14 March 1948,
    14th of Mar 1948, March 14, 1948, month names in every language TellOnce serves
    ("14 marca 1948", "14 ਮਾਰਚ 1948"; ``language``'s own names win where languages
    disagree) and 1948年3月14日. Two-digit years, impossible dates, future dates and
    ages over 125 raise InvalidDate.
    """
    today = today or dt.date.today()
    text = text or ""
    per_language, unambiguous = month_names()
    months = {**unambiguous, **per_language["en"], **per_language.get(language, {})}
    for pattern in _patterns():
        match = pattern.search(text)
        if not match:
            continue
        parts = match.groupdict()
        if parts.get("mname") and _fold(parts["mname"]) not in months:
            continue  # a month name that means different months in different languages
        month = months[_fold(parts["mname"])] if parts.get("mname") else int(parts["month"])
        try:
            born = dt.date(int(parts["year"]), month, int(parts["day"]))
        except ValueError as error:
            raise InvalidDate("no such date") from error
        if born > today:
            raise InvalidDate("date is in the future")
        if today.year - born.year > MAX_AGE_YEARS:
            raise InvalidDate("date is too long ago")
        return born
    if _TWO_DIGIT_YEAR.search(text):
        raise InvalidDate("year needs four digits")
    raise InvalidDate("no date found")


def spoken_day(when: dt.datetime, locale: str = "en_GB") -> str:
    """'Tuesday 3 March' in the given locale."""
    return format_date(when, "EEEE d MMMM", locale=locale)


def spoken_time(when: dt.datetime, locale: str = "en_GB") -> str:
    """'10:30' (24-hour, as on NHS letters)."""
    return format_time(when, "HH:mm", locale=locale)
