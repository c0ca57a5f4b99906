"""The registry as the actions see it: typed, read-mostly views and a few writes.

Every method is synchronous and short; actions call them through
:func:`actions.common.off_loop` so the action server's event loop never blocks.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import List, Optional

import sqlalchemy as sa

from bot.db import Database
from bot.language.conversations import ConversationLanguages
from bot.outbox import enqueue as outbox
from bot.outbox.enqueue import NotifyConfig
from bot.models import (
    Appointment,
    AppointmentRequest,
    Coordinator,
    HandoffCase,
    Patient,
    SafetyEvent,
    VerificationFailure,
    utcnow,
)
from bot.settings import Settings, load_settings


@dataclass(frozen=True)
class CoordinatorView:
    id: int
    name: str
    role: str
    team_id: int
    team_name: str
    team_phone: str


@dataclass(frozen=True)
class PatientView:
    id: int
    given_name: str
    preferred_language: str
    coordinator: CoordinatorView


@dataclass(frozen=True)
class AppointmentView:
    id: int
    service: str
    clinician: str
    starts_at: dt.datetime
    at_home: bool
    location_name: str
    location_address: str
    what_to_bring: str
    transport_parking: str


@dataclass(frozen=True)
class CaseView:
    id: int
    created: bool
    queue: str
    coordinator: Optional[CoordinatorView]


def _coordinator_view(coordinator: Coordinator) -> CoordinatorView:
    return CoordinatorView(
        coordinator.id, coordinator.name, coordinator.role, coordinator.team_id,
        coordinator.team.name, coordinator.team.phone,
    )


def _appointment_view(a: Appointment) -> AppointmentView:
    return AppointmentView(
        a.id, a.service, a.clinician, a.starts_at, a.at_home, a.location_name,
        a.location_address, a.what_to_bring, a.transport_parking,
    )


class Store:
    """Registry queries for one database. Creates no connection until first used."""

    def __init__(self, db: Database, secret_key: str, max_failures_per_day: int = 6,
                 notify: Optional[NotifyConfig] = None) -> None:
        self.db = db
        self.notify = notify or NotifyConfig()
        self._key = secret_key.encode("utf-8")
        self.max_failures_per_day = max_failures_per_day
        # Each conversation's language, shared with the channel (bot/inbound.py).
        self.languages = ConversationLanguages(db)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Store":
        return cls(
            Database(settings.database_url, settings.sqlite_busy_timeout_ms),
            settings.secret_key(),
            settings.verify_max_failures_per_day,
            NotifyConfig.from_settings(settings),
        )

    # identity -----------------------------------------------------------
    def _nhs_hash(self, nhs_number: str) -> str:
        return hmac.new(self._key, nhs_number.encode("ascii"), hashlib.sha256).hexdigest()

    def verify(self, nhs_number: str, date_of_birth: dt.date) -> Optional[int]:
        """The patient id if both match and the number is not throttled; else None.

        A miss records a failure against a keyed hash of the number. The answer never
        says which part was wrong, nor whether the number exists.
        """
        nhs_hash = self._nhs_hash(nhs_number)
        since = utcnow() - dt.timedelta(days=1)
        with self.db.session() as session:
            failures = session.execute(
                sa.select(sa.func.count(VerificationFailure.id)).where(
                    VerificationFailure.nhs_hash == nhs_hash, VerificationFailure.created_at >= since
                )
            ).scalar_one()
            patient = session.execute(
                sa.select(Patient).where(Patient.nhs_number == nhs_number)
            ).scalar_one_or_none()
            if failures < self.max_failures_per_day and patient and patient.date_of_birth == date_of_birth:
                return patient.id
            session.add(VerificationFailure(nhs_hash=nhs_hash))
            return None

    def patient(self, patient_id: int) -> Optional[PatientView]:
        with self.db.session() as session:
            patient = session.get(Patient, patient_id)
            if patient is None:
                return None
            return PatientView(
                patient.id, patient.given_name, patient.preferred_language,
                _coordinator_view(patient.coordinator),
            )

    # appointments -------------------------------------------------------
    def upcoming_appointments(self, patient_id: int, now: dt.datetime, limit: int = 10) -> List[AppointmentView]:
        with self.db.session() as session:
            rows = session.execute(
                sa.select(Appointment)
                .where(Appointment.patient_id == patient_id, Appointment.starts_at >= now,
                       Appointment.status == "booked")
                .order_by(Appointment.starts_at)
                .limit(limit)
            ).scalars()
            return [_appointment_view(a) for a in rows]

    def appointment(self, patient_id: int, appointment_id: int) -> Optional[AppointmentView]:
        with self.db.session() as session:
            a = session.get(Appointment, appointment_id)
            if a is None or a.patient_id != patient_id:
                return None
            return _appointment_view(a)

    def request_change(self, patient_id: int, appointment_id: int, kind: str, conversation_id: str) -> int:
        """Store a reschedule or cancel request for the service; the same pending one is reused."""
        with self.db.session() as session:
            existing = session.execute(
                sa.select(AppointmentRequest).where(
                    AppointmentRequest.appointment_id == appointment_id,
                    AppointmentRequest.kind == kind,
                    AppointmentRequest.status == "pending",
                )
            ).scalar_one_or_none()
            if existing:
                return existing.id
            request = AppointmentRequest(
                appointment_id=appointment_id, patient_id=patient_id, kind=kind,
                conversation_id=conversation_id,
            )
            session.add(request)
            session.flush()
            return request.id

    # handoff and safety ------------------------------------------------
    def open_handoff_case(
        self, conversation_id: str, reason: str, patient_id: Optional[int] = None,
        urgent: bool = False, summary: Optional[dict] = None,
    ) -> CaseView:
        """The patient's open case, or a new one for their coordinator (triage if unverified)."""
        with self.db.session() as session:
            patient = session.get(Patient, patient_id) if patient_id is not None else None
            query = sa.select(HandoffCase).where(HandoffCase.status == "open")
            query = (
                query.where(HandoffCase.patient_id == patient.id)
                if patient
                else query.where(HandoffCase.conversation_id == conversation_id,
                                 HandoffCase.patient_id.is_(None))
            )
            case = session.execute(query.order_by(HandoffCase.id)).scalars().first()
            created = case is None
            if created:
                case = HandoffCase(
                    patient_id=patient.id if patient else None,
                    coordinator_id=patient.coordinator_id if patient else None,
                    team_id=patient.coordinator.team_id if patient else None,
                    queue="coordinator" if patient else "triage",
                    reason=reason, urgent=urgent, conversation_id=conversation_id,
                    summary=summary or {},
                )
                session.add(case)
                session.flush()
                # same transaction: the case and its notification commit together, or neither
                outbox.case_opened(session, case, self.notify)
            elif urgent and not case.urgent:
                case.urgent = True
            coordinator = _coordinator_view(case.coordinator) if case.coordinator else None
            return CaseView(case.id, created, case.queue, coordinator)

    def record_safety_event(self, conversation_id: str, category: str, patient_id: Optional[int]) -> None:
        with self.db.session() as session:
            session.add(SafetyEvent(conversation_id=conversation_id, category=category, patient_id=patient_id))


_store: Optional[Store] = None


def get_store() -> Store:
    """The process-wide store, built from the environment on first use."""
    global _store
    if _store is None:
        _store = Store.from_settings(load_settings())
        _store.db.create_schema()
    return _store


def set_store(store: Optional[Store]) -> None:
    """Point the actions at another store (tests, or an app factory)."""
    global _store
    _store = store
