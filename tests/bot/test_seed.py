"""The deterministic synthetic registry."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot import nhs
from bot.db import Database
from bot.models import Appointment, Coordinator, Patient
from bot.seed import DEMO_PATIENTS, TEAMS, schema_fingerprint, seed, seed_stamp, seeded_on

TODAY = dt.date(2026, 11, 23)
GENERATED = 50

# Who coordinates each demo patient, and in which team (written out, not derived).
DEMO_COORDINATION = {
    "9990000018": ("Priya Sharma", "Dartford integrated care team"),
    "9990000026": ("Ewa Kowalska", "Swanley integrated care team"),
    "9990000034": ("Priya Sharma", "Dartford integrated care team"),
    "9990000042": ("James Okafor", "Gravesham integrated care team"),
    "9990000050": ("James Okafor", "Gravesham integrated care team"),
}


def make_db(path) -> Database:
    return Database(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    database = make_db(tmp_path_factory.mktemp("seed") / "t.db")
    seed(database, today=TODAY, generated=GENERATED)
    yield database
    database.dispose()


def patients(db: Database):
    with db.session() as session:
        return session.execute(
            select(Patient).options(
                selectinload(Patient.coordinator).selectinload(Coordinator.team),
                selectinload(Patient.appointments),
            )
        ).scalars().all()


def first_appointment(db: Database, nhs_number: str) -> Appointment:
    with db.session() as session:
        return session.execute(
            select(Appointment).join(Patient)
            .where(Patient.nhs_number == nhs_number)
            .order_by(Appointment.starts_at)
        ).scalars().first()


def dump(db: Database):
    with db.session() as session:
        people = sorted(
            session.execute(
                select(Patient.nhs_number, Patient.given_name, Patient.family_name,
                       Patient.date_of_birth, Patient.preferred_language, Patient.mobile,
                       Patient.address, Patient.postcode)
            ).all()
        )
        appointments = sorted(
            session.execute(
                select(Patient.nhs_number, Appointment.service, Appointment.clinician,
                       Appointment.starts_at, Appointment.duration_minutes, Appointment.at_home,
                       Appointment.location_name, Appointment.location_address, Appointment.status)
                .join(Patient)
            ).all()
        )
    return [tuple(row) for row in people], [tuple(row) for row in appointments]


def test_population_size(seeded):
    assert len(patients(seeded)) == len(DEMO_PATIENTS) + GENERATED


@pytest.mark.parametrize("demo", DEMO_PATIENTS, ids=lambda d: d.given_name)
def test_demo_patient_exists_as_defined(seeded, demo):
    by_nhs = {p.nhs_number: p for p in patients(seeded)}
    patient = by_nhs[demo.nhs_number]
    assert (patient.given_name, patient.family_name) == (demo.given_name, demo.family_name)
    assert patient.date_of_birth == demo.date_of_birth
    assert patient.preferred_language == demo.language
    assert patient.mobile == demo.mobile
    assert (patient.address, patient.postcode) == (demo.address, demo.postcode)
    assert patient.coordinator.name == demo.coordinator
    assert (patient.coordinator.name, patient.coordinator.team.name) == DEMO_COORDINATION[demo.nhs_number]
    assert len(patient.appointments) == len(demo.appointments)


def test_demo_patients_spot_values(seeded):
    by_nhs = {p.nhs_number: p for p in patients(seeded)}
    margaret = by_nhs["9990000018"]
    assert (margaret.given_name, margaret.family_name, margaret.date_of_birth) == (
        "Margaret", "Ellis", dt.date(1948, 3, 14))
    tomasz = by_nhs["9990000026"]
    assert (tomasz.given_name, tomasz.preferred_language, tomasz.mobile) == ("Tomasz", "pl", "07700 900002")


def test_margaret_first_appointment_is_a_home_visit_in_three_days(seeded):
    appointment = first_appointment(seeded, "9990000018")
    assert appointment.starts_at == dt.datetime(2026, 11, 26, 10, 30)
    assert appointment.at_home is True
    assert appointment.location_name == "your home"
    assert appointment.location_address == "7 Lavender Close, Dartford, DA1 5ZZ"
    assert appointment.status == "booked"


def test_tomasz_first_appointment_is_at_darent_valley_in_five_days(seeded):
    appointment = first_appointment(seeded, "9990000026")
    assert appointment.starts_at == dt.datetime(2026, 11, 28, 14, 15)
    assert appointment.at_home is False
    assert appointment.location_name == "Darent Valley Hospital"
    assert "Dartford" in appointment.location_address
    assert appointment.service == "Physiotherapy outpatient"


def test_nhs_numbers_are_valid_test_range_and_unique(seeded):
    numbers = [p.nhs_number for p in patients(seeded)]
    assert len(numbers) == len(set(numbers))
    for number in numbers:
        assert number.startswith("999"), number
        assert nhs.is_valid(number), number


def test_mobiles_are_in_the_drama_range_and_unique(seeded):
    mobiles = [p.mobile for p in patients(seeded)]
    assert all(m.startswith("07700 900") for m in mobiles), mobiles
    assert len(mobiles) == len(set(mobiles))


def test_every_patient_has_a_future_appointment(seeded):
    for patient in patients(seeded):
        assert patient.appointments, patient.nhs_number
        assert all(a.starts_at.date() > TODAY for a in patient.appointments)


def test_seeding_is_deterministic(seeded, tmp_path):
    first = dump(seeded)
    other = make_db(tmp_path / "again.db")
    try:
        seed(other, today=TODAY, generated=GENERATED)
        assert dump(other) == first
        seed(other, today=TODAY, generated=GENERATED)  # reseeding rebuilds, not appends
        assert dump(other) == first
    finally:
        other.dispose()
    assert len(first[0]) == len(DEMO_PATIENTS) + GENERATED


def test_appointments_move_with_today(tmp_path):
    database = make_db(tmp_path / "later.db")
    try:
        seed(database, today=TODAY + dt.timedelta(days=7), generated=0)
        assert len(patients(database)) == len(DEMO_PATIENTS)
        assert first_appointment(database, "9990000018").starts_at == dt.datetime(2026, 12, 3, 10, 30)
    finally:
        database.dispose()


def test_seeded_on(seeded, tmp_path):
    assert seeded_on(seeded) == f"2026-11-23 {schema_fingerprint()}" == seed_stamp(dt.date(2026, 11, 23))
    empty = make_db(tmp_path / "empty.db")
    try:
        assert seeded_on(empty) is None
    finally:
        empty.dispose()


def test_sqlite_file_is_in_wal_mode(seeded):
    with seeded.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    # WAL is a property of the file: a plain connection, without our hooks, sees it too.
    raw = sqlite3.connect(seeded.engine.url.database)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


def test_a_schema_change_makes_a_registry_seeded_today_stale(monkeypatch):
    import sqlalchemy as sa

    from bot.models import Base

    before = schema_fingerprint()
    table = sa.Table("future_table", Base.metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        assert schema_fingerprint() != before
    finally:
        Base.metadata.remove(table)
    assert schema_fingerprint() == before


def test_each_team_has_a_duty_coordinator_on_weekdays(seeded):
    import sqlalchemy as sa

    from bot.models import DutyRota, Team

    with seeded.session() as session:
        rows = session.execute(sa.select(Team.name, DutyRota.weekday, DutyRota.coordinator_id)
                               .join(DutyRota, DutyRota.team_id == Team.id)).all()
        assert {(name, day) for name, day, _ in rows} == {(t, d) for t, *_ in TEAMS for d in range(1, 6)}
