"""NHS numbers: 10 digits, the last a Modulus 11 check digit."""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

from bot.exceptions import InvalidNHSNumber

_WEIGHTS = range(10, 1, -1)
# Ten digits, optionally grouped 3-3-4 with single spaces or dashes.
_CANDIDATE = re.compile(r"(?<!\d)(\d{3})[ \-]?(\d{3})[ \-]?(\d{4})(?!\d)")


def check_digit(first_nine: str) -> Optional[int]:
    """The Modulus 11 check digit for nine digits, or None where no valid one exists."""
    total = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid(digits: str) -> bool:
    return (
        len(digits) == 10
        and digits.isascii()
        and digits.isdigit()
        and check_digit(digits[:9]) == int(digits[9])
    )


def ascii_digits(text: str) -> str:
    """Digits typed on other keyboards (Urdu ۱۲۳, Hindi १२३, Bengali ১২৩, full-width １２３) as 0-9."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text)


def normalise(text: str) -> str:
    """The 10 digits of the single NHS number in ``text``, validated.

    Spaces and dashes between groups are allowed ("999 000 0018", "999-000-0018"),
    and digits from any script count. Raises InvalidNHSNumber when there is none,
    more than one, or the check digit fails.
    """
    found = [m.group(1) + m.group(2) + m.group(3) for m in _CANDIDATE.finditer(ascii_digits(text or ""))]
    if len(set(found)) != 1:
        raise InvalidNHSNumber("expected exactly one 10-digit number")
    digits = found[0]
    if not is_valid(digits):
        raise InvalidNHSNumber("check digit does not match")
    return digits


def with_check_digit(first_nine: str) -> Optional[str]:
    """Complete nine digits into a valid NHS number, or None if no check digit exists."""
    digit = check_digit(first_nine)
    return None if digit is None else f"{first_nine}{digit}"


def mask(digits: str) -> str:
    """Show only the last three digits: '*** *** *018'."""
    return f"*** *** *{digits[-3:]}" if len(digits) == 10 else "***"
