"""Translate text through a configured provider, never unbounded.

deep-translator is synchronous and has no timeouts, so every provider call runs in
a bounded worker pool with a deadline; failures are retried with backoff, a
circuit breaker stops calling a provider that keeps failing, and results are
cached persistently. Callers on an event loop use ``atranslate``.

Configuration (environment): TRANSLATOR=google|libre|microsoft|deepl|mymemory|none
(default google), LIBRETRANSLATE_URL, LIBRETRANSLATE_API_KEY, MICROSOFT_TRANSLATOR_KEY,
MICROSOFT_TRANSLATOR_REGION, DEEPL_API_KEY, MYMEMORY_EMAIL, TRANSLATION_TIMEOUT_S (4),
TRANSLATION_RETRIES (1).
"""
from __future__ import annotations

import asyncio
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Callable, Optional

from bot.exceptions import TranslationUnavailable
from bot.translation.breaker import CircuitBreaker
from bot.translation.cache import TranslationCache

PROVIDERS = ("google", "libre", "microsoft", "deepl", "mymemory", "none")
MAX_CHARS = 4500  # Google refuses 5,000 characters or more


@dataclass(frozen=True)
class Translation:
    text: str
    provider: str
    cached: bool
    machine: bool


def make_client(provider: str, source: str, target: str, timeout: float):
    """A deep-translator client (its constructor may touch the network: call it in the pool)."""
    from deep_translator import DeeplTranslator, GoogleTranslator, MicrosoftTranslator, MyMemoryTranslator

    if provider == "google":
        return GoogleTranslator(source=source, target=target)
    if provider == "libre":
        from bot.translation.libre import TrustingLibreTranslator

        return TrustingLibreTranslator(source, target, os.environ.get("LIBRETRANSLATE_API_KEY", ""),
                                       os.environ.get("LIBRETRANSLATE_URL", "http://127.0.0.1:5000/"), timeout)
    if provider == "microsoft":
        return MicrosoftTranslator(api_key=os.environ.get("MICROSOFT_TRANSLATOR_KEY"), source=source, target=target,
                                   region=os.environ.get("MICROSOFT_TRANSLATOR_REGION"))
    if provider == "deepl":
        return DeeplTranslator(api_key=os.environ.get("DEEPL_API_KEY"), source=source, target=target,
                               use_free_api=True)
    if provider == "mymemory":
        return MyMemoryTranslator(source=source, target=target, email=os.environ.get("MYMEMORY_EMAIL"))
    raise TranslationUnavailable(f"unknown provider {provider!r}")


class TranslationService:
    """One provider, behind a deadline, retries, a circuit breaker and a cache."""

    def __init__(
        self,
        provider: str,
        cache: Optional[TranslationCache] = None,
        breaker: Optional[CircuitBreaker] = None,
        timeout: float = 4.0,
        retries: int = 1,
        backoff: float = 0.25,
        max_in_flight: int = 8,
        client_factory: Callable = make_client,
    ) -> None:
        if provider not in PROVIDERS:
            raise ValueError(f"TRANSLATOR must be one of {PROVIDERS}, got {provider!r}")
        self.provider = provider
        self.cache = cache
        self.breaker = breaker or CircuitBreaker()
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self._pool = ThreadPoolExecutor(max_workers=max_in_flight, thread_name_prefix=f"mt-{provider}")
        self._slots = threading.BoundedSemaphore(max_in_flight)  # calls still running, even abandoned ones
        self._client_factory = client_factory

    @classmethod
    def from_environment(cls, cache: Optional[TranslationCache] = None) -> "TranslationService":
        return cls(
            os.environ.get("TRANSLATOR", "google"), cache,
            timeout=float(os.environ.get("TRANSLATION_TIMEOUT_S", "4")),
            retries=int(os.environ.get("TRANSLATION_RETRIES", "1")),
        )

    def translate(self, text: str, source: str, target: str) -> Translation:
        """``text`` from ``source`` into ``target`` (provider codes). Raises TranslationUnavailable."""
        if source == target or not text.strip():
            return Translation(text, "none", cached=False, machine=False)
        if self.cache is not None:
            hit = self.cache.get(self.provider, source, target, text)
            if hit is not None:
                return Translation(hit, self.provider, cached=True, machine=True)
        if self.provider == "none":
            raise TranslationUnavailable("translation is switched off (TRANSLATOR=none)")
        if len(text) > MAX_CHARS:
            raise TranslationUnavailable(f"text longer than {MAX_CHARS} characters")
        if not self.breaker.allow():
            raise TranslationUnavailable(f"{self.provider} is failing; circuit open")
        last = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                result = self._call(text, source, target)
            except TranslationUnavailable as error:
                last = str(error)
                continue
            self.breaker.record_success()
            if self.cache is not None:
                self.cache.put(self.provider, source, target, text, result)
            return Translation(result, self.provider, cached=False, machine=True)
        self.breaker.record_failure()
        raise TranslationUnavailable(f"{self.provider} failed: {last}")

    def _call(self, text: str, source: str, target: str) -> str:
        if not self._slots.acquire(blocking=False):
            raise TranslationUnavailable("too many provider calls still running")

        def work() -> str:
            try:
                client = self._client_factory(self.provider, source, target, self.timeout)
                return client.translate(text)
            finally:
                self._slots.release()

        future = self._pool.submit(work)
        try:
            result = future.result(timeout=self.timeout)
        except FutureTimeout as error:
            raise TranslationUnavailable(f"no answer within {self.timeout:.1f} s") from error
        except Exception as error:  # noqa: BLE001 - deep-translator, requests and JSON raise many types
            raise TranslationUnavailable(f"{type(error).__name__}") from error
        if not isinstance(result, str) or not result.strip():
            raise TranslationUnavailable("empty or missing translation")
        return result

    async def atranslate(self, text: str, source: str, target: str) -> Translation:
        """``translate`` for code on an event loop: the waiting happens in a thread."""
        return await asyncio.get_running_loop().run_in_executor(None, self.translate, text, source, target)
