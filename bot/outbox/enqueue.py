"""Writing notifications into the outbox, inside the caller's transaction.

The caller passes its open session: the notification commits or rolls back with the case
it announces, so a case never exists without its notification, nor a notification without
its case. ``dedupe_key`` is unique: the same notification cannot be queued twice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.models import HandoffCase, OutboxMessage, utcnow
from bot.outbox import messages


@dataclass(frozen=True)
class NotifyConfig:
    from_address: str = "tellonce@tellonce.invalid"
    triage_email: str = "triage@tellonce.invalid"
    timezone: str = "Europe/London"
    webhook_url: str = ""  # a case-management system to tell too (CASE_WEBHOOK_URL)

    @property
    def domain(self) -> str:
        return self.from_address.rsplit("@", 1)[-1]

    @classmethod
    def from_settings(cls, settings) -> "NotifyConfig":
        return cls(settings.notify_from, settings.triage_email, settings.timezone, settings.case_webhook_url)


def _local(moment: dt.datetime, timezone: str) -> dt.datetime:
    return moment.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(timezone))


def case_opened(session: Session, case: HandoffCase, config: NotifyConfig, event: str = "opened") -> OutboxMessage:
    """Queue the email announcing a case to whoever holds it (or the triage queue).

    ``event``: opened (a new case), or urgent (an open case escalated by a red flag)."""
    summary = case.summary or {}
    coordinator = case.coordinator
    recipient = coordinator.email if coordinator else config.triage_email
    queue_name = coordinator.name if coordinator else "the triage queue"
    patient = case.patient
    key = f"case:{case.id}:{event}:email"
    payload = messages.case_opened_email(
        case_id=case.id, queue_name=queue_name, urgent=bool(case.urgent),
        verified=bool(summary.get("verified", patient is not None)),
        patient_initials=messages.initials(patient.given_name, patient.family_name) if patient else "",
        reason=case.reason, language=summary.get("language", "en"),
        interpreter_needed=bool(summary.get("interpreter_needed")),
        red_flags=list(summary.get("red_flags") or []),
        opened_local=_local(case.created_at or utcnow(), config.timezone),
        dedupe_key=key, domain=config.domain,
    )
    row = OutboxMessage(channel="email", dedupe_key=key, case_id=case.id, recipient=recipient, payload=dict(payload))
    session.add(row)
    if config.webhook_url:
        hook_key = f"case:{case.id}:{event}:webhook"
        body = {"event": f"case.{event}", "case": {
            "id": case.id, "reference": messages.reference(case.id), "queue": case.queue, "urgent": bool(case.urgent),
            "reason": case.reason, "coordinator_email": recipient if coordinator else None,
            "verified": patient is not None, "language": summary.get("language", "en"),
            "interpreter_needed": bool(summary.get("interpreter_needed")),
            "red_flags": list(summary.get("red_flags") or []),
            "created_at": (case.created_at or utcnow()).isoformat(timespec="seconds") + "Z"}}
        session.add(OutboxMessage(channel="webhook", dedupe_key=hook_key, case_id=case.id, recipient=config.webhook_url,
                                  payload={"body": body, "idempotency_key": hook_key}))
    return row
