"""Whole conversations in the patient's language, through the REST channel and real servers,
with the fake LibreTranslate (tests/fixtures/phrasebook.yml) as the translation provider."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Dict, List, Tuple

import pytest
import sqlalchemy as sa
import yaml

from bot import dates
from bot.catalogue import load_responses
from bot.languages import default_table
from bot.models import Appointment, HandoffCase, Patient
from bot.settings import PROJECT_ROOT
from bot.translation.fake_libre import set_mode

pytestmark = pytest.mark.slow
RED_FLAGS = PROJECT_ROOT / "data" / "safety" / "red_flags"

# The demo patients registered in these languages; the others borrow a generated patient
# (a different one each, so every conversation opens its own case). A conversation the
# patient clearly holds in another language than their registered one stays in it.
DEMO = {"pl": "9990000026", "pa": "9990000034", "ne": "9990000042", "ur": "9990000050"}
LANGUAGES = ["pl", "pa", "ur", "ne", "ro", "lt", "de"]  # de has no catalogue: machine translation


def patient_for(registry, language: str) -> Tuple[str, str]:
    """(NHS number, date of birth as dd/mm/yyyy) of a patient with an upcoming appointment."""
    with registry.session() as session:
        if language in DEMO:
            patient = session.execute(sa.select(Patient).where(Patient.nhs_number == DEMO[language])).scalar_one()
        else:
            upcoming = sa.select(Appointment.patient_id).where(Appointment.starts_at > dt.datetime.now())
            candidates = session.execute(sa.select(Patient).where(Patient.id.in_(upcoming),
                                                                  Patient.nhs_number.notin_(DEMO.values()),
                                                                  Patient.nhs_number != "9990000018")
                                         .order_by(Patient.id)).scalars().all()
            patient = candidates[LANGUAGES.index(language)]
        return patient.nhs_number, patient.date_of_birth.strftime("%d/%m/%Y")


def phrases(language: str) -> Dict[str, str]:
    """The patient's lines, from the phrasebook the fake provider answers from."""
    book = yaml.safe_load((PROJECT_ROOT / "tests" / "fixtures" / "phrasebook.yml").read_text(encoding="utf-8"))
    by_english = {english: original for original, english in book[f"{language}>en"].items()}
    return {"appointment": by_english["When is my next appointment?"],
            "transport": by_english["Can I get transport to hospital?"],
            "coordinator": by_english["I want to talk to my coordinator"]}


def chest_pain(language: str) -> str:
    data = yaml.safe_load((RED_FLAGS / f"{language}.yml").read_text(encoding="utf-8"))
    return data["examples"]["must_flag"]["chest_pain"][0]


def texts(replies: List[dict]) -> str:
    return "\n\n".join(r["text"] for r in replies)


def catalogue_text(language: str, name: str, **fields) -> str:
    return load_responses(language)[name][0]["text"].format(**fields)


def next_appointment(registry, nhs_number: str) -> Appointment:
    with registry.session() as session:
        patient = session.execute(sa.select(Patient).where(Patient.nhs_number == nhs_number.replace(" ", ""))).scalar_one()
        return session.execute(sa.select(Appointment).where(Appointment.patient_id == patient.id,
                                                            Appointment.starts_at > dt.datetime.now())
                               .order_by(Appointment.starts_at)).scalars().first()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_whole_conversation_in_the_patients_language(stack, registry, language):
    table = default_table()
    full = table[language].catalogue == "full"
    sender = f"e2e-{language}-{uuid.uuid4().hex}"
    nhs_number, born = patient_for(registry, language)
    lines = phrases(language)
    everything: List[dict] = []

    def say(text: str) -> List[dict]:
        replies = stack.exchange(sender, text)
        everything.extend(replies)
        return replies

    asked = say(lines["appointment"])
    if full:
        assert catalogue_text(language, "utter_ask_nhs_number") in texts(asked)
    say(nhs_number)
    answer = texts(say(born))
    appointment = next_appointment(registry, nhs_number)
    assert dates.spoken_day(appointment.starts_at, table[language].babel) in answer
    assert appointment.starts_at.strftime("%H:%M") in answer

    transport = texts(say(lines["transport"]))
    if full:
        assert transport == load_responses(language)["utter_faq/hospital_transport"][0]["text"]

    urgent = texts(say(chest_pain(language)))
    tracker_variation = [v for v in load_responses(language)["utter_red_flag"]
                         if (v.get("condition") or [{}])[0].get("value") == "chest_pain"][0]
    assert tracker_variation["text"] in urgent and "999" in urgent

    handoff = texts(say(lines["coordinator"]))
    assert handoff
    with registry.session() as session:
        case = session.execute(sa.select(HandoffCase).where(HandoffCase.conversation_id == sender)
                               .order_by(HandoffCase.id.desc())).scalars().first()
        assert case is not None, texts(everything)
        assert case.summary["language"] == language
        assert case.summary["interpreter_needed"] is True

    for reply in everything:
        assert reply["metadata"]["language"] == language, reply
        assert reply["metadata"]["direction"] == ("rtl" if table[language].rtl else "ltr")
    machine = [r for r in everything if r["metadata"].get("machine_translated")]
    assert bool(machine) == (not full)


def test_tomasz_gets_his_appointment_in_polish_with_a_polish_date(stack, registry):
    sender = f"e2e-tomasz-{uuid.uuid4().hex}"
    stack.say(sender, "Kiedy jest moja następna wizyta?")
    stack.say(sender, "999 000 0026")
    replies = stack.exchange(sender, "02/07/1961")
    appointment = next_appointment(registry, "9990000026")
    # The service's name is registry text, machine-translated (the phrasebook's en>pl entry).
    assert appointment.service == "Physiotherapy outpatient"
    expected = catalogue_text("pl", "utter_next_appointment_clinic", service="Fizjoterapia ambulatoryjna",
                              day=dates.spoken_day(appointment.starts_at, "pl_PL"), time="14:15",
                              location=appointment.location_name, address=appointment.location_address)
    assert expected in texts(replies)
    assert catalogue_text("pl", "utter_verified", given_name="Tomasz") in texts(replies)
    assert all(r["metadata"]["language"] == "pl" for r in replies)


def test_an_urdu_conversation_is_right_to_left(stack):
    replies = stack.exchange(f"e2e-ur-{uuid.uuid4().hex}", "میری اگلی ملاقات کب ہے؟")
    assert replies and all(r["metadata"] == {"language": "ur", "direction": "rtl"} for r in replies)


def test_ok_and_1_do_not_flip_a_polish_conversation_but_clear_english_does(stack):
    sender = f"e2e-flip-{uuid.uuid4().hex}"
    stack.exchange(sender, "Kiedy jest moja następna wizyta?")
    for text in ("ok", "1"):
        assert {r["metadata"]["language"] for r in stack.exchange(sender, text)} == {"pl"}
    flipped = stack.exchange(sender, "Sorry, could we carry on in English, I want my next appointment")
    assert {r["metadata"]["language"] for r in flipped} == {"en"}


def test_asking_for_a_language_and_the_menu(stack):
    sender = f"e2e-menu-{uuid.uuid4().hex}"
    [chosen] = stack.exchange(sender, "po polsku proszę")
    assert chosen["text"] == catalogue_text("pl", "utter_language_set", language_name="Polski")
    menu = stack.exchange(sender, "zmień język")
    assert "ਪੰਜਾਬੀ" in texts(menu) and {r["metadata"]["language"] for r in menu} == {"pl"}
    [romanian] = stack.exchange(sender, "3")
    assert romanian["metadata"]["language"] == "ro"
    assert romanian["text"] == catalogue_text("ro", "utter_language_set", language_name="Română")


@pytest.mark.parametrize("mode", ["error", "garbage", "slow"])
def test_a_failing_provider_is_explained_in_the_patients_language_and_nothing_is_lost(stack, registry, libre, mode):
    sender = f"e2e-down-{mode}-{uuid.uuid4().hex}"
    stack.exchange(sender, "Când este următoarea mea programare?")  # sets Romanian, provider up
    set_mode(libre, mode, delay=5.0)
    message = f"Am o întrebare despre transport, mod {mode}"  # never translated before: not cached
    try:
        replies = stack.exchange(sender, message)
    finally:
        set_mode(libre, "ok")
    assert texts(replies) == catalogue_text("ro", "utter_translation_failed")
    with registry.session() as session:
        case = session.execute(sa.select(HandoffCase).where(HandoffCase.conversation_id == sender)).scalar_one()
        assert (case.reason, case.summary["language"]) == ("translation_failed", "ro")
    status, tracker = stack.get(f"{stack.rasa_url}/conversations/{sender}/tracker?token={stack.token}")
    kept = [e for e in tracker["events"] if e["event"] == "user"][-1]
    assert kept["text"] == message
    assert kept["metadata"]["translation"] == "failed" and kept["metadata"]["original_text"] == kept["text"]
    # The provider is back: the next message is understood again (the breaker did not stay open).
    again = texts(stack.exchange(sender, "Când este următoarea mea programare?"))
    assert again and again != catalogue_text("ro", "utter_translation_failed")
