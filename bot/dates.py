"""Strict parsing of dates of birth, and natural formatting of appointment times."""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from babel.dates import format_date, format_time

from bot.exceptions import InvalidDate

MAX_AGE_YEARS = 125

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"

# Order matters: the first pattern that matches decides. Day-first, as in the UK.
_PATTERNS = [
    re.compile(rf"(?<!\d){_YEAR}-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})(?!\d)"),
    re.compile(rf"(?<!\d)(?P<day>\d{{1,2}})\s*([/.\-])\s*(?P<month>\d{{1,2}})\s*\2\s*{_YEAR}(?!\d)"),
    re.compile(rf"(?<!\d){_DAY}\s+(?:of\s+)?(?P<mname>{_MONTH})\.?,?\s+{_YEAR}(?!\d)", re.I),
    re.compile(rf"(?<![a-z])(?P<mname>{_MONTH})\.?\s+{_DAY},?\s+{_YEAR}(?!\d)", re.I),
]
_TWO_DIGIT_YEAR = re.compile(r"(?<!\d)\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2}(?!\d)")


def parse_date_of_birth(text: str, today: Optional[dt.date] = None) -> dt.date:
    """The one date of birth written in ``text``, in a common UK format.

    Accepts 14/03/1948, 14-3-1948, 14.03.1948, 1948-03-14, 14 March 1948,
    14th of Mar 1948 and March 14, 1948. Two-digit years, impossible dates,
    future dates and ages over 125 raise InvalidDate.
    """
    today = today or dt.date.today()
    text = text or ""
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        parts = match.groupdict()
        month = _MONTHS[parts["mname"].lower()] if parts.get("mname") else int(parts["month"])
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
