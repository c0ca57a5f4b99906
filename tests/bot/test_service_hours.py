"""Working hours, bank holidays and the contact a patient can be promised."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.service_hours import Hours, default_calendar, load_calendar

OFFICE = Hours(frozenset({1, 2, 3, 4, 5}), dt.time(9), dt.time(17))
T = dt.datetime


@pytest.fixture(scope="module")
def calendar():
    return default_calendar()


def test_bank_holidays_of_england_and_wales(calendar):
    for day in ("2026-12-25", "2026-12-28", "2027-03-26", "2027-03-29", "2026-08-31"):
        assert dt.date.fromisoformat(day) in calendar.bank_holidays
    assert dt.date(2026, 12, 26) not in calendar.bank_holidays  # a Saturday: Monday the 28th instead
    assert all(day.isoweekday() <= 5 for day in calendar.bank_holidays)


@pytest.mark.parametrize("when, open_", [
    (T(2026, 11, 23, 9, 0), True), (T(2026, 11, 23, 16, 59), True), (T(2026, 11, 23, 17, 0), False),
    (T(2026, 11, 23, 8, 59), False), (T(2026, 11, 28, 12, 0), False),  # Saturday
    (T(2026, 12, 25, 12, 0), False),  # Christmas Day, a Friday
])
def test_is_open(calendar, when, open_):
    assert calendar.is_open(OFFICE, when) is open_


@pytest.mark.parametrize("now, promised", [
    (T(2026, 11, 23, 10, 0), T(2026, 11, 23, 17, 0)),   # Monday morning: before close today
    (T(2026, 11, 23, 16, 30), T(2026, 11, 24, 11, 0)),  # too near closing: tomorrow, within 2 h of opening
    (T(2026, 11, 23, 20, 0), T(2026, 11, 24, 11, 0)),   # Monday evening
    (T(2026, 11, 23, 6, 0), T(2026, 11, 23, 11, 0)),    # early morning: today, after opening
    (T(2026, 11, 27, 18, 0), T(2026, 11, 30, 11, 0)),   # Friday evening: Monday
    (T(2026, 12, 24, 18, 0), T(2026, 12, 29, 11, 0)),   # Christmas Eve: Tuesday 29th, after two bank holidays
])
def test_reply_by(calendar, now, promised):
    assert calendar.reply_by(OFFICE, now) == promised


def test_nobody_working_means_no_promise(calendar):
    never = Hours(frozenset(), dt.time(9), dt.time(17))
    assert calendar.next_opening(never, T(2026, 11, 23, 10)) is None
    assert calendar.reply_by(never, T(2026, 11, 23, 10)) is None


def test_parse_registry_days():
    assert Hours.parse("1,2,3,4", dt.time(9), dt.time(15)).days == frozenset({1, 2, 3, 4})
    assert Hours.parse("", dt.time(9), dt.time(15)).days == frozenset()


def test_a_trust_can_use_its_own_calendar(tmp_path, monkeypatch):
    own = tmp_path / "calendar.yml"
    own.write_text("version: 1\ntriage: {days: [1, 2, 3, 4, 5, 6], start: '08:00', end: '20:00'}\n"
                   "reply_window_hours: 1\nlast_promise_before_close_hours: 1\nbank_holidays: []\n")
    monkeypatch.setenv("SERVICE_CALENDAR", str(own))
    calendar = default_calendar()
    assert calendar.triage.start == dt.time(8) and 6 in calendar.triage.days
    assert calendar.reply_by(calendar.triage, T(2026, 12, 25, 21, 0)) == T(2026, 12, 26, 9, 0)
    load_calendar.cache_clear()
