"""The care registry: SQLAlchemy 1.4 models.

Times of appointments are local wall-clock times (Europe/London by default), as a
patient reads them on a letter. Created-at stamps are UTC.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Team(Base):
    __tablename__ = "teams"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(120), nullable=False, unique=True)
    area = sa.Column(sa.String(60), nullable=False)
    phone = sa.Column(sa.String(20), nullable=False)

    coordinators = relationship("Coordinator", back_populates="team")


class Coordinator(Base):
    __tablename__ = "coordinators"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(120), nullable=False)
    role = sa.Column(sa.String(60), nullable=False)
    email = sa.Column(sa.String(200), nullable=False)
    languages = sa.Column(sa.String(60), nullable=False, default="en")
    team_id = sa.Column(sa.Integer, sa.ForeignKey("teams.id"), nullable=False)
    # Working days as ISO weekday numbers, e.g. "1,2,3,4,5" for Monday to Friday.
    work_days = sa.Column(sa.String(20), nullable=False, default="1,2,3,4,5")
    work_start = sa.Column(sa.Time, nullable=False, default=dt.time(9, 0))
    work_end = sa.Column(sa.Time, nullable=False, default=dt.time(17, 0))

    team = relationship("Team", back_populates="coordinators")


class DutyRota(Base):
    """Each team's duty coordinator by weekday: takes urgent cases, and cases whose own
    coordinator is not working when the team is."""

    __tablename__ = "duty_rota"
    __table_args__ = (sa.UniqueConstraint("team_id", "weekday"),)

    id = sa.Column(sa.Integer, primary_key=True)
    team_id = sa.Column(sa.Integer, sa.ForeignKey("teams.id"), nullable=False)
    weekday = sa.Column(sa.Integer, nullable=False)  # ISO, Monday = 1
    coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=False)

    team = relationship("Team")
    coordinator = relationship("Coordinator")


class Patient(Base):
    __tablename__ = "patients"

    id = sa.Column(sa.Integer, primary_key=True)
    nhs_number = sa.Column(sa.String(10), nullable=False, unique=True, index=True)
    given_name = sa.Column(sa.String(80), nullable=False)
    family_name = sa.Column(sa.String(80), nullable=False)
    date_of_birth = sa.Column(sa.Date, nullable=False)
    preferred_language = sa.Column(sa.String(12), nullable=False, default="en")
    mobile = sa.Column(sa.String(20), nullable=False)
    address = sa.Column(sa.String(200), nullable=False)
    postcode = sa.Column(sa.String(10), nullable=False)
    coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=False)

    coordinator = relationship("Coordinator")
    appointments = relationship("Appointment", back_populates="patient")


class Appointment(Base):
    __tablename__ = "appointments"

    id = sa.Column(sa.Integer, primary_key=True)
    patient_id = sa.Column(sa.Integer, sa.ForeignKey("patients.id"), nullable=False, index=True)
    service = sa.Column(sa.String(120), nullable=False)
    clinician = sa.Column(sa.String(120), nullable=False)
    starts_at = sa.Column(sa.DateTime, nullable=False)
    duration_minutes = sa.Column(sa.Integer, nullable=False, default=30)
    at_home = sa.Column(sa.Boolean, nullable=False, default=False)
    location_name = sa.Column(sa.String(120), nullable=False)
    location_address = sa.Column(sa.String(200), nullable=False)
    what_to_bring = sa.Column(sa.String(300), nullable=False, default="")
    transport_parking = sa.Column(sa.String(300), nullable=False, default="")
    status = sa.Column(sa.String(20), nullable=False, default="booked")

    patient = relationship("Patient", back_populates="appointments")


class AppointmentRequest(Base):
    """A patient's request to reschedule or cancel, for the service to action."""

    __tablename__ = "appointment_requests"

    id = sa.Column(sa.Integer, primary_key=True)
    appointment_id = sa.Column(sa.Integer, sa.ForeignKey("appointments.id"), nullable=False)
    patient_id = sa.Column(sa.Integer, sa.ForeignKey("patients.id"), nullable=False, index=True)
    kind = sa.Column(sa.String(20), nullable=False)  # reschedule | cancel
    status = sa.Column(sa.String(20), nullable=False, default="pending")
    conversation_id = sa.Column(sa.String(255), nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)

    appointment = relationship("Appointment")


class HandoffCase(Base):
    """A conversation handed to a person. One open case per patient."""

    __tablename__ = "handoff_cases"

    id = sa.Column(sa.Integer, primary_key=True)
    patient_id = sa.Column(sa.Integer, sa.ForeignKey("patients.id"), nullable=True, index=True)
    coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=True)
    team_id = sa.Column(sa.Integer, sa.ForeignKey("teams.id"), nullable=True)
    queue = sa.Column(sa.String(20), nullable=False)  # coordinator | duty | triage
    reason = sa.Column(sa.String(40), nullable=False)
    urgent = sa.Column(sa.Boolean, nullable=False, default=False)
    status = sa.Column(sa.String(20), nullable=False, default="open")  # open | claimed | closed
    conversation_id = sa.Column(sa.String(255), nullable=False, index=True)
    summary = sa.Column(sa.JSON, nullable=False, default=dict)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    # live conversation: status becomes "claimed" while a coordinator talks to the patient
    claimed_by_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=True)
    claimed_at = sa.Column(sa.DateTime, nullable=True)
    closed_at = sa.Column(sa.DateTime, nullable=True)

    patient = relationship("Patient")
    coordinator = relationship("Coordinator", foreign_keys=[coordinator_id])
    claimed_by = relationship("Coordinator", foreign_keys=[claimed_by_id])


class CaseMessage(Base):
    """One message of a case's live conversation, kept for the coordinator and the transcript.

    ``direction``: patient (to the coordinator: their words, and English), coordinator (to
    the patient: English as written, and what the patient receives), or notice (a catalogue
    response the bot sends, such as "your coordinator has joined"). ``delivered_at`` is set
    when a message reaches the patient (the REST channel returns it with their next message).
    """

    __tablename__ = "case_messages"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("handoff_cases.id"), nullable=False, index=True)
    conversation_id = sa.Column(sa.String(255), nullable=False, index=True)
    direction = sa.Column(sa.String(12), nullable=False)
    coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=True)
    original_text = sa.Column(sa.Text, nullable=False, default="")
    english_text = sa.Column(sa.Text, nullable=True)
    patient_text = sa.Column(sa.Text, nullable=True)  # coordinator and notice: what the patient receives
    language = sa.Column(sa.String(12), nullable=False, default="en")
    translation = sa.Column(sa.String(12), nullable=False, default="none")  # none | catalogue | machine | failed
    response = sa.Column(sa.String(60), nullable=True)  # notice: the catalogue response name
    variables = sa.Column(sa.JSON, nullable=True)  # notice: its placeholders' values
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    delivered_at = sa.Column(sa.DateTime, nullable=True)


class StaffToken(Base):
    """An API token of a coordinator, kept as a SHA-256 hash (the token is shown once)."""

    __tablename__ = "staff_tokens"

    id = sa.Column(sa.Integer, primary_key=True)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    revoked = sa.Column(sa.Boolean, nullable=False, default=False)

    coordinator = relationship("Coordinator")


class OutboxMessage(Base):
    """A notification to deliver, written in the same transaction as what it announces.

    The outbox worker (bot.outbox.worker) delivers it with retries; ``dedupe_key`` makes a
    second write of the same notification impossible, and the deterministic Message-ID
    lets a receiving system drop a copy if the worker dies between sending and recording.
    ``payload`` holds the finished message (no patient free text; see data/notifications.yml).
    """

    __tablename__ = "outbox"

    id = sa.Column(sa.Integer, primary_key=True)
    channel = sa.Column(sa.String(12), nullable=False)  # email (sms, webhook to come)
    dedupe_key = sa.Column(sa.String(120), nullable=False, unique=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("handoff_cases.id"), nullable=True, index=True)
    recipient = sa.Column(sa.String(200), nullable=False)
    payload = sa.Column(sa.JSON, nullable=False, default=dict)
    status = sa.Column(sa.String(12), nullable=False, default="pending")  # pending | sending | sent | dead
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    next_attempt_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, index=True)
    lease_until = sa.Column(sa.DateTime, nullable=True)
    last_error = sa.Column(sa.String(200), nullable=True)  # the error's kind and code, never content
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    sent_at = sa.Column(sa.DateTime, nullable=True)


class SafetyEvent(Base):
    """A red flag raised in a conversation, for staff to review. Holds no patient text."""

    __tablename__ = "safety_events"

    id = sa.Column(sa.Integer, primary_key=True)
    conversation_id = sa.Column(sa.String(255), nullable=False, index=True)
    category = sa.Column(sa.String(40), nullable=False)
    patient_id = sa.Column(sa.Integer, sa.ForeignKey("patients.id"), nullable=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class VerificationFailure(Base):
    """A failed identity check, keyed by a keyed hash of the NHS number (never the number)."""

    __tablename__ = "verification_failures"

    id = sa.Column(sa.Integer, primary_key=True)
    nhs_hash = sa.Column(sa.String(64), nullable=False, index=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class ConversationLanguage(Base):
    """The language a conversation is held in, and why (kept across restarts).

    ``source``: default (nothing known yet), detected (the patient wrote clearly in
    it), chosen (the patient asked for it) or registered (their record says so).
    ``menu_open`` is set while the language menu awaits a numbered reply.
    """

    __tablename__ = "conversation_languages"

    conversation_id = sa.Column(sa.String(255), primary_key=True)
    language = sa.Column(sa.String(12), nullable=False)
    source = sa.Column(sa.String(12), nullable=False, default="default")
    menu_open = sa.Column(sa.Boolean, nullable=False, default=False)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
