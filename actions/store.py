"""The registry as the actions see it: typed, read-mostly views and a few writes.

Every method is synchronous and short; actions call them through
:func:`actions.common.off_loop` so the action server's event loop never blocks.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Callable, List, Optional

import sqlalchemy as sa

from bot.db import Database
from bot.language.conversations import ConversationLanguages
from bot.outbox import enqueue as outbox
from bot.outbox.enqueue import NotifyConfig
from bot.models import (
    Appointment,
    AppointmentRequest,
    Coordinator,
    DutyRota,
    HandoffCase,
    Patient,
    SafetyEvent,
    VerificationFailure,
    utcnow,
)
from bot.service_hours import Calendar, Hours, default_calendar, local_now
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


ACTIVE = ("open", "claimed")  # a case a patient's later messages attach to


@dataclass(frozen=True)
class CaseView:
    id: int
    created: bool
    queue: str  # coordinator | duty | triage
    coordinator: Optional[CoordinatorView]  # who holds the case
    assigned: Optional[CoordinatorView] = None  # the patient's own coordinator
    in_hours: bool = True  # the holder is working now
    reply_by: Optional[dt.datetime] = None  # local time the patient can be promised contact by
    status: str = "open"  # open | claimed (a coordinator is talking to the patient)


@dataclass(frozen=True)
class Route:
    coordinator: Optional[Coordinator]
    queue: str
    in_hours: bool
    reply_by: Optional[dt.datetime]


def _hours(coordinator: Coordinator) -> Hours:
    return Hours.parse(coordinator.work_days, coordinator.work_start, coordinator.work_end)


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
                 notify: Optional[NotifyConfig] = None, calendar: Optional[Calendar] = None,
                 timezone: str = "Europe/London", clock: Optional[Callable[[], dt.datetime]] = None) -> None:
        self.db = db
        self.notify = notify or NotifyConfig()
        self.calendar = calendar or default_calendar()
        self.timezone = timezone
        # local wall-clock time, naive (working hours and appointments are in local time)
        self.clock = clock or (lambda: local_now(self.timezone))
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
            default_calendar(),
            settings.timezone,
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
    def _route(self, session, patient: Optional[Patient], urgent: bool, now: dt.datetime) -> Route:
        """Who takes a new case: the patient's coordinator if working now; else the team's duty
        coordinator if working now; else (out of hours) the patient's coordinator when they are
        next in. Urgent (red-flag) cases go to the duty coordinator. Unverified: team triage."""
        calendar = self.calendar
        if patient is None:
            hours = calendar.triage
            return Route(None, "triage", calendar.is_open(hours, now), calendar.reply_by(hours, now))
        own = patient.coordinator
        rota = session.execute(sa.select(DutyRota).where(
            DutyRota.team_id == own.team_id, DutyRota.weekday == now.isoweekday())).scalar_one_or_none()
        duty = rota.coordinator if rota else None
        if urgent and duty is not None:
            holder, queue = duty, "duty"
        elif calendar.is_open(_hours(own), now) or duty is None:
            holder, queue = own, "coordinator"
        elif calendar.is_open(_hours(duty), now):
            holder, queue = duty, "duty"
        else:
            holder, queue = own, "coordinator"
        return Route(holder, queue, calendar.is_open(_hours(holder), now), calendar.reply_by(_hours(holder), now))

    def open_handoff_case(
        self, conversation_id: str, reason: str, patient_id: Optional[int] = None,
        urgent: bool = False, summary: Optional[dict] = None, now: Optional[dt.datetime] = None,
    ) -> CaseView:
        """The patient's open case, or a new one routed by ``_route``; ``now`` is local time.

        A later request attaches to the open case; an urgent one escalates it to the duty
        coordinator once, with a second (urgent) notification."""
        now = now or self.clock()
        with self.db.session() as session:
            patient = session.get(Patient, patient_id) if patient_id is not None else None
            query = sa.select(HandoffCase).where(HandoffCase.status.in_(ACTIVE))
            query = (
                query.where(HandoffCase.patient_id == patient.id)
                if patient
                else query.where(HandoffCase.conversation_id == conversation_id,
                                 HandoffCase.patient_id.is_(None))
            )
            case = session.execute(query.order_by(HandoffCase.id)).scalars().first()
            created = case is None
            route = self._route(session, patient, urgent or bool(case and case.urgent), now)
            if created:
                case = HandoffCase(
                    patient_id=patient.id if patient else None,
                    coordinator_id=route.coordinator.id if route.coordinator else None,
                    team_id=patient.coordinator.team_id if patient else None,
                    queue=route.queue, reason=reason, urgent=urgent, conversation_id=conversation_id,
                    summary={**(summary or {}), "in_hours": route.in_hours,
                             "reply_by": route.reply_by.isoformat(timespec="minutes") if route.reply_by else None},
                )
                session.add(case)
                session.flush()
                # same transaction: the case and its notification commit together, or neither
                outbox.case_opened(session, case, self.notify)
            elif urgent and not case.urgent:
                case.urgent = True
                if route.queue == "duty":
                    case.coordinator_id, case.queue = route.coordinator.id, "duty"
                session.flush()
                session.refresh(case)
                outbox.case_opened(session, case, self.notify, event="urgent")
            holder = _coordinator_view(case.coordinator) if case.coordinator else None
            assigned = _coordinator_view(patient.coordinator) if patient else None
            return CaseView(case.id, created, case.queue, holder, assigned, route.in_hours, route.reply_by)

    def active_case(self, conversation_id: str, patient_id: Optional[int] = None) -> Optional[CaseView]:
        """The open or claimed case of this patient (verified) or this conversation, with when
        the patient can now be promised contact (worked out afresh, so never in the past)."""
        now = self.clock()
        with self.db.session() as session:
            query = sa.select(HandoffCase).where(HandoffCase.status.in_(ACTIVE))
            query = (query.where(HandoffCase.patient_id == patient_id) if patient_id is not None
                     else query.where(HandoffCase.conversation_id == conversation_id))
            case = session.execute(query.order_by(HandoffCase.id.desc())).scalars().first()
            if case is None:
                return None
            holder = case.claimed_by or case.coordinator
            hours = _hours(holder) if holder else self.calendar.triage
            return CaseView(case.id, False, case.queue, _coordinator_view(holder) if holder else None,
                            _coordinator_view(case.patient.coordinator) if case.patient else None,
                            self.calendar.is_open(hours, now), self.calendar.reply_by(hours, now),
                            status=case.status)

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
