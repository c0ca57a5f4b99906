"""The translation harness, driven through deep-translator's real LibreTranslator client
against the fake LibreTranslate server on 127.0.0.1."""
from __future__ import annotations

import pytest
from deep_translator import LibreTranslator
from deep_translator.exceptions import LanguageNotSupportedException

from bot.db import Database
from bot.exceptions import TranslationUnavailable
from bot.translation.breaker import CircuitBreaker
from bot.launch import free_port
from bot.translation.cache import TranslationCache
from bot.translation.fake_libre import set_mode
from bot.translation.service import TranslationService

@pytest.fixture
def service(libre, monkeypatch, tmp_path):
    monkeypatch.setenv("LIBRETRANSLATE_URL", libre)
    monkeypatch.setenv("LIBRETRANSLATE_API_KEY", "any-key")
    set_mode(libre, "ok")
    cache = TranslationCache(Database(f"sqlite:///{tmp_path / 'cache.db'}"))
    yield TranslationService("libre", cache, CircuitBreaker(threshold=2, reset_after=60), timeout=1.0,
                             retries=1, backoff=0.01)
    set_mode(libre, "ok")


def test_translates_through_the_real_client(service):
    result = service.translate("Kiedy jest moja następna wizyta?", "pl", "en")
    assert result.text == "When is my next appointment?"
    assert (result.provider, result.machine, result.cached) == ("libre", True, False)


def test_languages_beyond_deep_translators_list_of_17_are_trusted(service, libre):
    with pytest.raises(LanguageNotSupportedException):
        LibreTranslator(source="pa", target="en", api_key="k", custom_url=libre)  # why we extend it
    assert service.translate("ਮੇਰੀ ਅਗਲੀ ਮੁਲਾਕਾਤ ਕਦੋਂ ਹੈ?", "pa", "en").text == "When is my next appointment?"


def test_a_repeated_text_comes_from_the_cache_without_calling_the_provider(service, libre):
    service.translate("Hello", "en", "pl")
    calls = set_mode(libre, "ok")
    again = service.translate("Hello", "en", "pl")
    assert again.text == "Dzień dobry" and again.cached is True
    assert set_mode(libre, "ok") == calls


@pytest.mark.parametrize("mode", ["slow", "error", "garbage", "empty"])
def test_a_misbehaving_provider_gives_a_clean_error(service, libre, mode):
    set_mode(libre, mode, delay=3.0)
    with pytest.raises(TranslationUnavailable):
        service.translate(f"Chcę porozmawiać z moim koordynatorem ({mode})", "pl", "en")


def test_a_failing_provider_is_not_called_once_the_circuit_opens(service, libre):
    set_mode(libre, "error")
    for attempt in range(2):
        with pytest.raises(TranslationUnavailable):
            service.translate(f"tekst {attempt}", "pl", "en")
    calls = set_mode(libre, "error")
    with pytest.raises(TranslationUnavailable, match="circuit open"):
        service.translate("tekst 3", "pl", "en")
    assert set_mode(libre, "ok") == calls


def test_a_provider_that_is_down_gives_a_clean_error(monkeypatch, tmp_path):
    monkeypatch.setenv("LIBRETRANSLATE_URL", f"http://127.0.0.1:{free_port()}/")
    service = TranslationService("libre", timeout=1.0, retries=0)
    with pytest.raises(TranslationUnavailable):
        service.translate("Kiedy jest moja następna wizyta?", "pl", "en")


def test_switched_off_or_same_language():
    service = TranslationService("none")
    assert service.translate("hello", "en", "en").machine is False
    with pytest.raises(TranslationUnavailable, match="switched off"):
        service.translate("dzień dobry", "pl", "en")


async def test_atranslate_does_not_block_the_event_loop(service):
    result = await service.atranslate("Kiedy jest moja następna wizyta?", "pl", "en")
    assert result.text == "When is my next appointment?"
