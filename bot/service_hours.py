"""Working hours, bank holidays and the reply a patient can be promised (data/service_calendar.yml).

Times are local wall-clock times (TELLONCE_TIMEZONE), naive, as appointments are stored.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import FrozenSet, Optional
from zoneinfo import ZoneInfo

import yaml

from bot.settings import PROJECT_ROOT, load_settings

CALENDAR = PROJECT_ROOT / "data" / "service_calendar.yml"
SEARCH_DAYS = 60  # the longest gap between working days worth looking across
logger = logging.getLogger(__name__)


def local_now(timezone: Optional[str] = None) -> dt.datetime:
    """Wall-clock time in the service's timezone (TELLONCE_TIMEZONE), naive, as appointments
    and working hours are stored."""
    return dt.datetime.now(ZoneInfo(timezone or load_settings().timezone)).replace(tzinfo=None)


@dataclass(frozen=True)
class Hours:
    """When someone works: ISO weekdays, and a start and end time on each of them."""

    days: FrozenSet[int]
    start: dt.time
    end: dt.time

    @classmethod
    def parse(cls, days: str, start: dt.time, end: dt.time) -> "Hours":
        """From the registry's "1,2,3,4,5" form."""
        return cls(frozenset(int(d) for d in days.split(",") if d.strip()), start, end)


@dataclass(frozen=True)
class Calendar:
    triage: Hours
    bank_holidays: FrozenSet[dt.date]
    reply_window: dt.timedelta
    last_promise_before_close: dt.timedelta

    def working_day(self, hours: Hours, day: dt.date) -> bool:
        return day.isoweekday() in hours.days and day not in self.bank_holidays

    def is_open(self, hours: Hours, when: dt.datetime) -> bool:
        return self.working_day(hours, when.date()) and hours.start <= when.time() < hours.end

    def next_opening(self, hours: Hours, after: dt.datetime) -> Optional[dt.datetime]:
        """The first start of work at or after ``after`` (None if none within SEARCH_DAYS)."""
        for offset in range(SEARCH_DAYS + 1):
            day = after.date() + dt.timedelta(days=offset)
            opening = dt.datetime.combine(day, hours.start)
            if self.working_day(hours, day) and opening >= after:
                return opening
        return None

    def reply_by(self, hours: Hours, now: dt.datetime) -> Optional[dt.datetime]:
        """When the patient can be promised contact: before today's close while there is
        time, else within the reply window of the next opening. None if no opening is known."""
        if self.is_open(hours, now):
            close = dt.datetime.combine(now.date(), hours.end)
            if close - now >= self.last_promise_before_close:
                return close
            now = close
        opening = self.next_opening(hours, now)
        return opening + self.reply_window if opening else None


def default_calendar() -> Calendar:
    """The calendar in SERVICE_CALENDAR (a trust's own file), else data/service_calendar.yml."""
    return load_calendar(Path(os.environ.get("SERVICE_CALENDAR") or CALENDAR))


@functools.lru_cache(maxsize=4)
def load_calendar(path: Path) -> Calendar:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if data.get("version") != 1:
        raise ValueError(f"{path}: unsupported version {data.get('version')!r}")
    triage = data["triage"]
    holidays = frozenset(dt.date.fromisoformat(str(d)) for d in data["bank_holidays"])
    if holidays and dt.date.today() > max(holidays):
        logger.warning("%s lists bank holidays only up to %s: add this year's", path.name, max(holidays))
    return Calendar(
        triage=Hours(frozenset(triage["days"]), dt.time.fromisoformat(triage["start"]),
                     dt.time.fromisoformat(triage["end"])),
        bank_holidays=holidays,
        reply_window=dt.timedelta(hours=data["reply_window_hours"]),
        last_promise_before_close=dt.timedelta(hours=data["last_promise_before_close_hours"]),
    )
