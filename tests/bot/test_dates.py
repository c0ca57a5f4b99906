"""Strict date-of-birth parsing and spoken appointment times."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.dates import parse_date_of_birth, spoken_day, spoken_time
from bot.exceptions import InvalidDate

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("14/03/1948", dt.date(1948, 3, 14)),
        ("14-3-1948", dt.date(1948, 3, 14)),
        ("14.03.1948", dt.date(1948, 3, 14)),
        ("1948-03-14", dt.date(1948, 3, 14)),
        ("14 March 1948", dt.date(1948, 3, 14)),
        ("14th of Mar 1948", dt.date(1948, 3, 14)),
        ("March 14, 1948", dt.date(1948, 3, 14)),
        ("14 MARCH 1948", dt.date(1948, 3, 14)),
        ("my date of birth is 02/07/1961", dt.date(1961, 7, 2)),
        ("born on the 3rd of June 1950", dt.date(1950, 6, 3)),
        ("1st Sept 1972", dt.date(1972, 9, 1)),
        ("Nov 23rd, 1955", dt.date(1955, 11, 23)),
        ("29/02/1948", dt.date(1948, 2, 29)),  # a leap year
        ("24/11/1901", dt.date(1901, 11, 24)),  # 124 years old: allowed
        ("23/11/2026", TODAY),  # born today
    ],
)
def test_accepted_formats(text, expected):
    assert parse_date_of_birth(text, today=TODAY) == expected


def test_day_comes_before_month_as_in_the_uk():
    assert parse_date_of_birth("02/07/1961", today=TODAY) == dt.date(1961, 7, 2)


@pytest.mark.parametrize(
    "text",
    [
        "14/03/48",  # two-digit year
        "31/02/1950",  # no such date
        "29/02/1949",  # not a leap year
        "14/13/1950",  # no 13th month
        "24/11/2026",  # tomorrow
        "01/01/2030",  # the future
        "22/11/1900",  # 126 years ago
        "14/03/1850",
        "yesterday",
        "",
        "999 000 0018",  # an NHS number is not a date
        "9990000018",
        "999-000-0018",
    ],
)
def test_rejected(text):
    with pytest.raises(InvalidDate):
        parse_date_of_birth(text, today=TODAY)


def test_none_is_rejected():
    with pytest.raises(InvalidDate):
        parse_date_of_birth(None, today=TODAY)


def test_invalid_date_is_a_value_error():
    with pytest.raises(ValueError):
        parse_date_of_birth("31/02/1950", today=TODAY)


def test_today_decides_what_is_in_the_future():
    # The same text is a future date for one "today" and a valid birth date for a later one.
    with pytest.raises(InvalidDate):
        parse_date_of_birth("01/12/2026", today=TODAY)
    assert parse_date_of_birth("01/12/2026", today=dt.date(2026, 12, 1)) == dt.date(2026, 12, 1)


def test_spoken_day_and_time():
    when = dt.datetime(2026, 3, 3, 10, 30)
    assert spoken_day(when) == "Tuesday 3 March"
    assert spoken_time(when) == "10:30"


def test_spoken_time_is_24_hour_with_leading_zero():
    assert spoken_time(dt.datetime(2026, 3, 3, 9, 5)) == "09:05"
    assert spoken_time(dt.datetime(2026, 3, 3, 16, 0)) == "16:00"


@pytest.mark.parametrize("text, language, expected", [
    ("14 marca 1948", "pl", dt.date(1948, 3, 14)),
    ("2 listopada 1961", "pl", dt.date(1961, 11, 2)),
    ("14 ਮਾਰਚ 1948", "pa", dt.date(1948, 3, 14)),
    ("2 نومبر 1961", "ur", dt.date(1961, 11, 2)),
    ("٢ نومبر ١٩٦١", "ur", dt.date(1961, 11, 2)),
    ("1961年7月2日", "zh", dt.date(1961, 7, 2)),
    ("1961년 7월 2일", "ko", dt.date(1961, 7, 2)),
    ("1961. július 2.", "hu", dt.date(1961, 7, 2)),
    ("1961 m. liepos 2 d.", "lt", dt.date(1961, 7, 2)),
    ("14 de marzo de 1948", "es", dt.date(1948, 3, 14)),
    ("2 octombrie 1961", "en", dt.date(1961, 10, 2)),  # unambiguous names count in any conversation
])
def test_month_names_in_every_language_served(text, language, expected):
    assert parse_date_of_birth(text, dt.date(2026, 11, 23), language) == expected


def test_a_month_name_that_differs_between_languages_follows_the_conversation():
    # "listopad" is November in Polish and Czech, October in Croatian.
    assert parse_date_of_birth("2 listopad 1961", dt.date(2026, 1, 1), "pl").month == 11
    assert parse_date_of_birth("2 listopad 1961", dt.date(2026, 1, 1), "hr").month == 10
    with pytest.raises(InvalidDate):
        parse_date_of_birth("2 listopad 1961", dt.date(2026, 1, 1), "en")
