"""The in-process NLG renders domain and catalogue responses, surviving Rasa's reset."""
from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

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
