"""The in-process NLG renders domain and catalogue responses, surviving Rasa's reset."""
from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.catalogue import load_responses
from bot.nlg import CatalogueNaturalLanguageGenerator
from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "bot" / "domain"))


async def test_renders_catalogue_responses_with_arguments(domain):
    nlg = CatalogueNaturalLanguageGenerator(None, domain)
    tracker = DialogueStateTracker("t", domain.slots)
    reply = await nlg.generate("utter_verified", tracker, "rest", given_name="Margaret")
    assert reply["text"] == "Thank you, Margaret. I've confirmed who you are."


async def test_catalogue_survives_the_agent_resetting_responses(domain):
    # rasa.core.agent sets `nlg.responses = domain.responses` after loading a model.
    nlg = CatalogueNaturalLanguageGenerator(None, None)
    nlg.responses = domain.responses
    tracker = DialogueStateTracker("t", domain.slots)
    assert (await nlg.generate("utter_ask_nhs_number", tracker, "rest"))["text"].startswith("To keep")
    assert (await nlg.generate("utter_greet", tracker, "rest"))["text"].startswith("Hello")


async def test_red_flag_advice_follows_the_category_slot(domain):
    nlg = CatalogueNaturalLanguageGenerator(None, domain)
    tracker = DialogueStateTracker("t", domain.slots)
    general = (await nlg.generate("utter_red_flag", tracker, "rest"))["text"]
    tracker.slots["red_flag_category"].value = "suicide"
    suicide = (await nlg.generate("utter_red_flag", tracker, "rest"))["text"]
    assert "116 123" in suicide and suicide != general


def tracker_in(domain, language: str, *events) -> DialogueStateTracker:
    from rasa.shared.core.events import UserUttered

    tracker = DialogueStateTracker("t", domain.slots)
    tracker.update(UserUttered("x", {"name": "greet", "confidence": 1.0}, metadata={"language": language}))
    for event in events:
        tracker.update(event)
    return tracker


async def test_replies_in_the_language_of_the_latest_message_from_its_catalogue(domain):
    nlg = CatalogueNaturalLanguageGenerator(None, domain)
    reply = await nlg.generate("utter_verified", tracker_in(domain, "pl"), "rest", given_name="Tomasz")
    expected = load_responses("pl")["utter_verified"][0]["text"].format(given_name="Tomasz")
    assert reply["text"] == expected
    assert reply["metadata"]["language"] == "pl" and reply["metadata"]["source"] == "catalogue"
    assert reply["metadata"]["direction"] == "ltr"


async def test_right_to_left_languages_say_so(domain):
    nlg = CatalogueNaturalLanguageGenerator(None, domain)
    reply = await nlg.generate("utter_greet", tracker_in(domain, "ur"), "rest")
    assert reply["metadata"]["direction"] == "rtl"
    assert reply["text"] == load_responses("ur")["utter_greet"][0]["text"]


async def test_an_action_or_the_reply_language_slot_overrides_the_message(domain):
    from rasa.shared.core.events import SlotSet

    nlg = CatalogueNaturalLanguageGenerator(None, domain)
    reply = await nlg.generate("utter_anything_else", tracker_in(domain, "en"), "rest", language="ro")
    assert reply["metadata"]["language"] == "ro"
    slot = tracker_in(domain, "en", SlotSet("reply_language", "lt"))
    assert (await nlg.generate("utter_anything_else", slot, "rest"))["metadata"]["language"] == "lt"


async def test_red_flag_advice_comes_from_the_catalogue_in_every_language(domain):
    nlg = CatalogueNaturalLanguageGenerator(None, domain)
    for code in ("pa", "sn", "am", "ko"):
        tracker = tracker_in(domain, code)
        tracker.slots["red_flag_category"].value = "chest_pain"
        reply = await nlg.generate("utter_red_flag", tracker, "rest")
        assert reply["metadata"]["source"] == "catalogue" and "999" in reply["text"], code


@pytest.fixture
def translator(libre, monkeypatch, tmp_path):
    """The real TranslationService and deep-translator client, against the fake LibreTranslate."""
    from bot.db import Database
    from bot.translation.cache import TranslationCache
    from bot.translation.fake_libre import set_mode
    from bot.translation.service import TranslationService

    monkeypatch.setenv("LIBRETRANSLATE_URL", libre)
    set_mode(libre, "ok")
    yield TranslationService("libre", TranslationCache(Database(f"sqlite:///{tmp_path / 'c.db'}")),
                             timeout=1.0, retries=0)
    set_mode(libre, "ok")


async def test_languages_without_a_catalogue_get_a_translated_template_with_no_personal_data(domain, translator):
    nlg = CatalogueNaturalLanguageGenerator(None, domain, translator=translator)
    reply = await nlg.generate("utter_verified", tracker_in(domain, "de"), "rest", given_name="Margaret")
    # The phrasebook knows only the template with [[1]]: the name never left the system.
    assert reply["text"] == "Danke, Margaret. Ich habe Ihre Identität bestätigt."
    assert reply["metadata"]["source"] == "machine" and reply["metadata"]["language"] == "de"


async def test_urgent_replies_never_use_machine_translation_and_a_failure_falls_back_to_english(
        domain, translator, libre):
    from bot.translation.fake_libre import set_mode

    nlg = CatalogueNaturalLanguageGenerator(None, domain, translator=translator)
    set_mode(libre, "error")
    reply = await nlg.generate("utter_anything_else", tracker_in(domain, "de"), "rest")
    assert reply["metadata"]["source"] == "english" and reply["text"].startswith("Is there anything")
    calls = set_mode(libre, "ok")
    reply = await nlg.generate("utter_translation_failed", tracker_in(domain, "de"), "rest")
    assert reply["metadata"]["source"] == "catalogue"
    assert set_mode(libre, "ok") == calls  # the provider was not asked


async def test_registry_text_in_a_reply_is_translated_but_places_are_not(domain, translator):
    nlg = CatalogueNaturalLanguageGenerator(None, domain, translator=translator)
    fields = dict(service="Physiotherapy outpatient", day="czwartek 26 listopada", time="14:15",
                  location="Darent Valley Hospital", address="Darenth Wood Road, Dartford")
    reply = await nlg.generate("utter_next_appointment_clinic", tracker_in(domain, "pl"), "rest", **fields)
    assert "Fizjoterapia ambulatoryjna" in reply["text"] and "Darent Valley Hospital" in reply["text"]
    assert reply["metadata"]["machine_translated_fields"] == ["service"]
    assert reply["metadata"]["source"] == "catalogue"


async def test_an_action_can_ask_for_a_language_without_a_catalogue(domain, translator):
    nlg = CatalogueNaturalLanguageGenerator(None, domain, translator=translator)
    reply = await nlg.generate("utter_verified", tracker_in(domain, "en"), "rest", given_name="Margaret",
                               language="de")
    assert reply["text"] == "Danke, Margaret. Ich habe Ihre Identität bestätigt."
