"""What a staff notification says, from data/notifications.yml. No patient free text."""
from __future__ import annotations

import datetime as dt
import functools
from typing import Optional, TypedDict

import yaml

from bot.languages import default_table
from bot.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "data" / "notifications.yml"


class EmailPayload(TypedDict):
    """An email ready to send: the outbox stores exactly this."""

    subject: str
    body: str
    message_id: str


@functools.lru_cache(maxsize=1)
def templates() -> dict:
    data = yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))
    if data.get("version") != 1:
        raise ValueError(f"{TEMPLATES}: unsupported version {data.get('version')!r}")
    return data


def reference(case_id: int) -> str:
    return f"TO-{case_id:06d}"


def message_id(dedupe_key: str, domain: str) -> str:
    """The same notification always has the same Message-ID, so a copy can be recognised."""
    return f"<{dedupe_key.replace(':', '.')}@{domain}>"


def initials(given_name: Optional[str], family_name: Optional[str]) -> str:
    return " ".join(f"{part.strip()[0].upper()}." for part in (given_name, family_name) if part and part.strip())


def case_opened_email(*, case_id: int, queue_name: str, urgent: bool, verified: bool,
                      patient_initials: str, reason: str, language: str, interpreter_needed: bool,
                      red_flags: list, opened_local: dt.datetime, dedupe_key: str, domain: str) -> EmailPayload:
    template = templates()["case_opened"]
    email, values = template["email"], template["values"]
    yes, no = values["yes"], values["no"]
    table = default_table()
    language_name = f"{table[language].name} ({language})" if language in table else language
    fields = {
        "reference": reference(case_id),
        "queue_name": queue_name,
        "urgent": yes if urgent else no,
        "patient": patient_initials if verified and patient_initials else values["not_verified"],
        "verified": yes if verified else no,
        "reason": values["reasons"].get(reason, reason),
        "language": language_name,
        "interpreter": yes if interpreter_needed else no,
        "red_flags": ", ".join(sorted(red_flags)) or values["none"],
        "opened": opened_local.strftime("%Y-%m-%d %H:%M"),
    }
    subject = (email["subject_urgent"] if urgent else email["subject"]).format(**fields)
    return EmailPayload(subject=subject, body=email["body"].format(**fields),
                        message_id=message_id(dedupe_key, domain))
