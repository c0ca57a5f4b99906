"""Load the deterministic synthetic population: `python -m bot.seed [--if-stale]`.

Every record is fictional. NHS numbers are in the 999 test range with valid check
digits; mobiles are in Ofcom's drama range 07700 900xxx and team lines in 01632
960xxx. Appointment dates are relative to the day the seed runs.

A seed rebuilds the registry from scratch. With --if-stale it does nothing when the
registry was already seeded today, so `make run` keeps cases made earlier today.
"""
from __future__ import annotations

import argparse
import hashlib
import datetime as dt
import random
import sys
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa

from bot import nhs
from bot.db import Database
from bot.models import Appointment, Base, Coordinator, DutyRota, Patient, Team
from bot.settings import load_settings

SEED = 20261123
GENERATED_PATIENTS = 300

TEAMS = [
    # name, area, phone
    ("Dartford integrated care team", "Dartford", "01632 960001"),
    ("Gravesham integrated care team", "Gravesham", "01632 960002"),
    ("Swanley integrated care team", "Swanley", "01632 960003"),
]
COORDINATORS = [
    # name, role, team index, languages
    ("Priya Sharma", "community matron", 0, "en,hi,pa"),
    ("James Okafor", "social worker", 1, "en"),
    ("Ewa Kowalska", "community nurse", 2, "en,pl"),
]
# Each team's duty coordinator, Monday to Friday (the duty_rota table).
DUTY_COORDINATORS = [
    ("Daniel Hughes", "community nurse", 0, "en"),
    ("Grace Mensah", "community matron", 1, "en,ak"),
    ("Tom Fletcher", "occupational therapist", 2, "en"),
]
DUTY_DAYS = (1, 2, 3, 4, 5)
LOCATIONS = {
    "Darent Valley Hospital": "Darenth Wood Road, Dartford DA2 8DA",
    "Gravesham Community Hospital": "Bath Street, Gravesend DA11 0DG",
    "Swanley Health Centre": "Bevan Place, Swanley BR8 8BH",
}
HOSPITAL_PARKING = (
    "Pay-and-display parking on site; blue badge bays near the main entrance. "
    "Ask your GP or the clinic about hospital transport if you cannot travel."
)
HOME_VISIT = "The team will come to your home. Please keep pets in another room."


@dataclass(frozen=True)
class DemoAppointment:
    service: str
    clinician: str
    days_ahead: int
    time: dt.time
    location: Optional[str]  # None: at the patient's home
    what_to_bring: str


@dataclass(frozen=True)
class DemoPatient:
    given_name: str
    family_name: str
    nhs_number: str
    date_of_birth: dt.date
    language: str
    mobile: str
    coordinator: str
    address: str
    postcode: str
    appointments: tuple


DEMO_PATIENTS = [
    DemoPatient(
        "Margaret", "Ellis", "9990000018", dt.date(1948, 3, 14), "en", "07700 900001",
        "Priya Sharma", "7 Lavender Close, Dartford", "DA1 5ZZ",
        (
            DemoAppointment("Community Treatment Team home visit", "Community Treatment Team nurse",
                            3, dt.time(10, 30), None, "Your medicines and your care plan folder."),
            DemoAppointment("Occupational therapy equipment review", "Occupational therapist",
                            10, dt.time(14, 0), None, "Nothing; the therapist brings what is needed."),
        ),
    ),
    DemoPatient(
        "Tomasz", "Nowak", "9990000026", dt.date(1961, 7, 2), "pl", "07700 900002",
        "Ewa Kowalska", "22 Hazel Row, Swanley", "BR8 9ZZ",
        (
            DemoAppointment("Physiotherapy outpatient", "Physiotherapist", 5, dt.time(14, 15),
                            "Darent Valley Hospital", "Loose clothing and comfortable shoes."),
        ),
    ),
    DemoPatient(
        "Gurpreet", "Kaur", "9990000034", dt.date(1955, 11, 23), "pa", "07700 900003",
        "Priya Sharma", "3 Mill Lane, Dartford", "DA2 9ZZ",
        (
            DemoAppointment("Diabetes clinic", "Diabetes specialist nurse", 2, dt.time(9, 40),
                            "Gravesham Community Hospital", "Your blood glucose diary and your medicines."),
        ),
    ),
    DemoPatient(
        "Asha", "Gurung", "9990000042", dt.date(1972, 1, 30), "ne", "07700 900004",
        "James Okafor", "18 Elm Court, Gravesend", "DA11 9ZZ",
        (
            DemoAppointment("Social care needs assessment", "Kent County Council social worker",
                            7, dt.time(11, 0), None, "Any letters about your care and a list of what you find hard at home."),
        ),
    ),
    DemoPatient(
        "Ayesha", "Khan", "9990000050", dt.date(1980, 5, 9), "ur", "07700 900005",
        "James Okafor", "41 Station Road, Swanley", "BR8 7ZZ",
        (
            DemoAppointment("Mental health review", "Community mental health nurse", 4, dt.time(16, 0),
                            "Swanley Health Centre", "A list of your medicines."),
        ),
    ),
]

GIVEN = ["Alan", "Beryl", "Chidi", "Doreen", "Emre", "Fatima", "George", "Harpreet", "Irena",
         "Joan", "Kamala", "Liam", "Maria", "Nikhil", "Olu", "Patricia", "Raj", "Sofia",
         "Tariq", "Una", "Vasile", "Wendy", "Xin", "Yusuf", "Zofia", "Ana", "Bogdan", "Iveta"]
FAMILY = ["Adams", "Brown", "Chowdhury", "Dimitrova", "Evans", "Fernandes", "Gill", "Horvath",
          "Ivanov", "Jones", "Kovacs", "Lewis", "Murphy", "Novak", "Okeke", "Popescu", "Rai",
          "Smith", "Taylor", "Usman", "Vaitkus", "Walker", "Yilmaz", "Zielinski"]
LANGUAGES = ["en"] * 14 + ["pa", "ro", "pl", "lt", "ta", "ru", "pt", "bg", "es", "sk", "hu", "ne",
                            "bn", "it", "fr", "tr", "ur", "te", "zh", "hi"]
SERVICES = [
    ("Community Treatment Team home visit", "Community Treatment Team nurse", None),
    ("Physiotherapy outpatient", "Physiotherapist", "Darent Valley Hospital"),
    ("Diabetes clinic", "Diabetes specialist nurse", "Gravesham Community Hospital"),
    ("Mental health review", "Community mental health nurse", "Swanley Health Centre"),
    ("Carer's assessment", "Kent County Council carers' assessor", None),
    ("Falls prevention clinic", "Falls prevention team", "Gravesham Community Hospital"),
    ("Heart failure nurse review", "Heart failure specialist nurse", "Darent Valley Hospital"),
]
STREETS = ["Acorn Way", "Birch Grove", "Cedar Drive", "Dove Lane", "Fern Walk", "Heron Road"]
TOWNS = [("Dartford", "DA1"), ("Gravesend", "DA12"), ("Swanley", "BR8"), ("Northfleet", "DA11")]


def _appointment(patient: Patient, demo: DemoAppointment, today: dt.date) -> Appointment:
    at_home = demo.location is None
    return Appointment(
        patient=patient,
        service=demo.service,
        clinician=demo.clinician,
        starts_at=dt.datetime.combine(today + dt.timedelta(days=demo.days_ahead), demo.time),
        duration_minutes=45 if at_home else 30,
        at_home=at_home,
        location_name="your home" if at_home else demo.location,
        location_address=f"{patient.address}, {patient.postcode}" if at_home else LOCATIONS[demo.location],
        what_to_bring=demo.what_to_bring,
        transport_parking=HOME_VISIT if at_home else HOSPITAL_PARKING,
    )


def _generated_nhs_numbers(rng: random.Random, count: int):
    seen = {p.nhs_number for p in DEMO_PATIENTS}
    while count:
        candidate = nhs.with_check_digit(f"999{rng.randrange(1000, 999999):06d}")
        if candidate and candidate not in seen:
            seen.add(candidate)
            count -= 1
            yield candidate


def seed(db: Database, today: Optional[dt.date] = None, generated: int = GENERATED_PATIENTS) -> None:
    """Rebuild the registry with the demo records plus ``generated`` synthetic patients."""
    today = today or dt.date.today()
    rng = random.Random(SEED)
    Base.metadata.drop_all(db.engine)
    Base.metadata.create_all(db.engine)
    with db.session() as session:
        teams = [Team(name=n, area=a, phone=p) for n, a, p in TEAMS]
        coordinators = {
            name: Coordinator(
                name=name, role=role, team=teams[team], languages=langs,
                email=f"{name.lower().replace(' ', '.')}@tellonce.invalid",
            )
            for name, role, team, langs in COORDINATORS + DUTY_COORDINATORS
        }
        session.add_all(teams + list(coordinators.values()))
        session.add_all(DutyRota(team=teams[team], weekday=day, coordinator=coordinators[name])
                        for name, _, team, _ in DUTY_COORDINATORS for day in DUTY_DAYS)
        for demo in DEMO_PATIENTS:
            patient = Patient(
                nhs_number=demo.nhs_number, given_name=demo.given_name, family_name=demo.family_name,
                date_of_birth=demo.date_of_birth, preferred_language=demo.language,
                mobile=demo.mobile, address=demo.address, postcode=demo.postcode,
                coordinator=coordinators[demo.coordinator],
            )
            session.add(patient)
            session.add_all(_appointment(patient, a, today) for a in demo.appointments)
        coordinator_list = [coordinators[name] for name, *_ in COORDINATORS]
        for index, number in enumerate(_generated_nhs_numbers(rng, generated)):
            town, district = rng.choice(TOWNS)
            patient = Patient(
                nhs_number=number, given_name=rng.choice(GIVEN), family_name=rng.choice(FAMILY),
                date_of_birth=dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(0, 70 * 365)),
                preferred_language=rng.choice(LANGUAGES), mobile=f"07700 900{100 + index:03d}",
                address=f"{rng.randrange(1, 120)} {rng.choice(STREETS)}, {town}",
                postcode=f"{district} {rng.randrange(1, 9)}ZZ",
                coordinator=rng.choice(coordinator_list),
            )
            session.add(patient)
            for _ in range(rng.randrange(1, 4)):
                service, clinician, location = rng.choice(SERVICES)
                demo = DemoAppointment(service, clinician, rng.randrange(1, 60),
                                       dt.time(rng.randrange(9, 17), rng.choice([0, 15, 30, 45])),
                                       location, "Your medicines.")
                session.add(_appointment(patient, demo, today))
        session.execute(sa.text("CREATE TABLE IF NOT EXISTS seed_meta (seeded_on TEXT NOT NULL)"))
        session.execute(sa.text("DELETE FROM seed_meta"))
        session.execute(sa.text("INSERT INTO seed_meta (seeded_on) VALUES (:d)"), {"d": seed_stamp(today)})


def schema_fingerprint() -> str:
    """Changes whenever a table or column of the registry does."""
    shape = sorted(f"{table.name}.{column.name}:{column.type}" for table in Base.metadata.sorted_tables
                   for column in table.columns)
    return hashlib.sha256("\n".join(shape).encode()).hexdigest()[:12]


def seed_stamp(today: dt.date) -> str:
    """What seed_meta records: the day, and the schema it was seeded with (a registry from an
    older schema is rebuilt even on the same day)."""
    return f"{today.isoformat()} {schema_fingerprint()}"


def seeded_on(db: Database) -> Optional[str]:
    if not sa.inspect(db.engine).has_table("seed_meta"):
        return None
    with db.session() as session:
        return session.execute(sa.text("SELECT seeded_on FROM seed_meta")).scalar()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if-stale", action="store_true", help="skip if already seeded today")
    args = parser.parse_args(argv)
    settings = load_settings()
    db = Database(settings.database_url, settings.sqlite_busy_timeout_ms)
    today = dt.date.today()
    if args.if_stale and seeded_on(db) == seed_stamp(today):
        print("Registry already seeded today; keeping it.")
        return 0
    seed(db, today)
    print(f"Seeded {len(DEMO_PATIENTS)} demo and {GENERATED_PATIENTS} generated patients.")
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
