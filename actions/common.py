"""Small helpers shared by the action modules."""
from __future__ import annotations

import asyncio
import functools
from typing import Any, Callable, Optional, TypeVar

from rasa_sdk import Tracker

from bot.language import reply as language_reply
from bot.languages import default_table

T = TypeVar("T")


async def off_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking work (database, files) in a worker thread, not on the event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(fn, *args, **kwargs))


def verified_patient_id(tracker: Tracker) -> Optional[int]:
    value = tracker.get_slot("patient_id")
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def latest_metadata(tracker: Tracker) -> dict:
    """The channel's record of the patient's latest message (bot.inbound.MessageMetadata).

    Read from the events: Rasa's ``latest_message`` sent to actions has no metadata."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("metadata") or {}
    return {}


def translation_failed(tracker: Tracker) -> bool:
    """The channel could not translate the latest message (bot/inbound.py sent nlu_fallback)."""
    return latest_metadata(tracker).get("translation") == "failed"


def conversation_language(tracker: Tracker) -> str:
    """The language this turn's replies are in (bot/nlg.py decides the same way)."""
    return language_reply.reply_language(reversed(tracker.events), default_table())


def reply_locale(tracker: Tracker) -> str:
    """The Babel locale for dates and times in this turn's replies."""
    return language_reply.babel_locale(conversation_language(tracker), default_table())


# What the patient may ask for that needs verification first.
GOAL_INTENTS = frozenset({
    "ask_next_appointment", "ask_upcoming_appointments", "ask_appointment_details",
    "request_reschedule", "request_cancel", "ask_coordinator", "request_coordinator",
})


def latest_user_event(tracker: Tracker, intents=GOAL_INTENTS) -> Optional[dict]:
    """The most recent user message whose intent is one of ``intents``."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
            if intent in intents:
                return event
    return None


def latest_goal(tracker: Tracker) -> Optional[str]:
    event = latest_user_event(tracker)
    return event["parse_data"]["intent"]["name"] if event else None


def session_events(tracker: Tracker) -> list:
    """The events since the current session started."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "session_started":
            return events[index + 1:]
    return events
