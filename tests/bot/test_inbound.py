"""The inbound pipeline (bot/inbound.py): language, red flags, masking and translation,
with deep-translator's real LibreTranslator client against the fake server on 127.0.0.1."""
from __future__ import annotations

import pytest

from bot.inbound import InboundPipeline, registry_names
from bot.language.conversations import ConversationLanguages
from bot.language.detect import default_detector
from bot.languages import default_table
from bot.redflags import default_lexicon
from bot.translation.breaker import CircuitBreaker
from bot.translation.cache import TranslationCache
from bot.translation.fake_libre import set_mode
from bot.translation.masking import Masker
from bot.translation.service import TranslationService


@pytest.fixture
def make_pipeline(db, libre, monkeypatch):
    monkeypatch.setenv("LIBRETRANSLATE_URL", libre)
    set_mode(libre, "ok")

    def build(provider: str = "libre", timeout: float = 1.0) -> InboundPipeline:
        translator = TranslationService(provider, TranslationCache(db), CircuitBreaker(threshold=5, reset_after=60),
                                        timeout=timeout, retries=0)
        return InboundPipeline(default_table(), default_detector(), default_lexicon(),
                               ConversationLanguages(db), translator, lambda: Masker(registry_names(db)))

    yield build
    set_mode(libre, "ok")


async def test_english_goes_through_untouched(make_pipeline):
    inbound = await make_pipeline().process("c1", "when is my next appointment")
    assert inbound.text == "when is my next appointment" and inbound.parse_data is None
    meta = inbound.metadata
    assert (meta["language"], meta["translation"], meta["english_text"]) == ("en", "none", inbound.text)
    assert meta["direction"] == "ltr"


async def test_polish_is_translated_and_everything_kept_for_transcripts(make_pipeline):
    pipeline = make_pipeline()
    inbound = await pipeline.process("c2", "Kiedy jest moja następna wizyta?")
    assert inbound.text == "When is my next appointment?"
    meta = inbound.metadata
    assert meta["original_text"] == "Kiedy jest moja następna wizyta?"
    assert meta["english_text"] == "When is my next appointment?"
    assert (meta["language"], meta["detected_language"], meta["provider"], meta["translation"]) == \
        ("pl", "pl", "libre", "machine")
    assert 0.5 < meta["language_confidence"] <= 1
    again = await pipeline.process("c2", "Kiedy jest moja następna wizyta?")
    assert again.metadata["translation"] == "cache" and again.text == inbound.text
    assert pipeline.conversations.get("c2").language == "pl"


async def test_short_replies_and_numbers_keep_the_language_and_need_no_provider_for_digits(make_pipeline, libre):
    pipeline = make_pipeline()
    await pipeline.process("c3", "Kiedy jest moja następna wizyta?")
    assert (await pipeline.process("c3", "tak")).text == "yes"
    calls = set_mode(libre, "ok")
    digits = await pipeline.process("c3", "999 000 0018")
    assert digits.text == "999 000 0018" and digits.metadata["language"] == "pl"
    assert digits.metadata["translation"] == "none"
    assert set_mode(libre, "ok") == calls  # nothing was sent


async def test_personal_data_is_masked_before_it_leaves_and_restored_after(make_pipeline):
    pipeline = make_pipeline()
    await pipeline.process("c4", "Kiedy jest moja następna wizyta?")
    inbound = await pipeline.process("c4", "Mój numer NHS to 999 000 0018, proszę o pomoc")
    # The phrasebook only knows the masked sentence, so this proves the number was not sent.
    assert inbound.text == "My NHS number is 999 000 0018, please help"


async def test_red_flags_never_wait_for_translation(make_pipeline):
    inbound = await make_pipeline(provider="none").process("c5", "ਮੇਰੀ ਛਾਤੀ ਵਿੱਚ ਬਹੁਤ ਦਰਦ ਹੈ")
    assert inbound.text == "ਮੇਰੀ ਛਾਤੀ ਵਿੱਚ ਬਹੁਤ ਦਰਦ ਹੈ" and inbound.parse_data is None
    assert inbound.metadata["red_flag"] == "chest_pain"
    assert (inbound.metadata["language"], inbound.metadata["translation"]) == ("pa", "skipped_red_flag")


@pytest.mark.parametrize("mode", ["error", "garbage", "empty", "slow"])
async def test_an_unusable_provider_becomes_a_fallback_that_keeps_the_message(make_pipeline, libre, mode):
    pipeline = make_pipeline(timeout=0.5)
    set_mode(libre, mode, delay=2.0)
    inbound = await pipeline.process("c6", "Czy mogę dostać transport do szpitala?")
    assert inbound.parse_data["intent"]["name"] == "nlu_fallback"
    assert inbound.text == "Czy mogę dostać transport do szpitala?"
    assert (inbound.metadata["translation"], inbound.metadata["english_text"]) == ("failed", None)
    assert inbound.metadata["language"] == "pl"


async def test_translation_switched_off_is_a_fallback_too(make_pipeline):
    inbound = await make_pipeline(provider="none").process("c7", "Când este următoarea mea programare?")
    assert inbound.parse_data["intent"]["name"] == "nlu_fallback"
    assert inbound.metadata["language"] == "ro"


async def test_urdu_is_right_to_left(make_pipeline):
    inbound = await make_pipeline().process("c8", "میری اگلی ملاقات کب ہے؟")
    assert inbound.text == "When is my next appointment?"
    assert (inbound.metadata["language"], inbound.metadata["direction"]) == ("ur", "rtl")


@pytest.mark.parametrize("text, code", [("po polsku proszę", "pl"), ("can we speak Romanian", "ro"),
                                        ("ਪੰਜਾਬੀ", "pa"), ("English please", "en")])
async def test_an_explicit_request_sets_the_language(make_pipeline, text, code):
    pipeline = make_pipeline()
    inbound = await pipeline.process("c9", text)
    assert inbound.parse_data["intent"]["name"] == "set_language"
    assert inbound.parse_data["entities"][0]["value"] == code
    state = pipeline.conversations.get("c9")
    assert (state.language, state.source) == (code, "chosen")


async def test_a_menu_number_counts_only_while_the_menu_is_open(make_pipeline):
    pipeline = make_pipeline()
    assert (await pipeline.process("c10", "3")).parse_data is None
    pipeline.conversations.set_menu_open("c10", True)
    inbound = await pipeline.process("c10", "3")
    assert inbound.parse_data["entities"][0]["value"] == default_table().languages[2].code
    assert not pipeline.conversations.get("c10").menu_open


async def test_a_broken_pipeline_still_passes_the_message_on(make_pipeline, monkeypatch):
    pipeline = make_pipeline()

    def broken(_conversation_id):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(pipeline.conversations, "get", broken)
    inbound = await pipeline.process_safely("c11", "Kiedy jest moja następna wizyta?")
    assert inbound.text == "Kiedy jest moja następna wizyta?"
    assert inbound.metadata["translation"] == "failed"


async def test_a_provider_that_is_down_is_a_fallback_within_the_deadline(make_pipeline, monkeypatch):
    from bot.launch import free_port

    monkeypatch.setenv("LIBRETRANSLATE_URL", f"http://127.0.0.1:{free_port()}/")  # nothing listens
    inbound = await make_pipeline().process("c12", "Kiedy jest moja następna wizyta?")
    assert inbound.parse_data["intent"]["name"] == "nlu_fallback"
    assert inbound.metadata["translation"] == "failed"


async def test_any_other_answer_closes_the_menu(make_pipeline):
    pipeline = make_pipeline()
    pipeline.conversations.set_menu_open("c13", True)
    inbound = await pipeline.process("c13", "when is my next appointment")
    assert inbound.parse_data is None
    assert not pipeline.conversations.get("c13").menu_open
    assert (await pipeline.process("c13", "3")).parse_data is None  # no longer a menu choice
