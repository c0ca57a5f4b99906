"""deep-translator's LibreTranslator, trusting what a self-hosted server says it supports."""
from __future__ import annotations

import threading
import time
from typing import Dict, List, Tuple

import requests
from deep_translator import LibreTranslator
from deep_translator.base import BaseTranslator

_LANGUAGES_TTL = 600.0
_cache: Dict[str, Tuple[float, List[str]]] = {}
_lock = threading.Lock()


def server_languages(url: str, timeout: float = 3.0) -> List[str]:
    """The language codes a LibreTranslate server offers (GET /languages), cached 10 min."""
    with _lock:
        hit = _cache.get(url)
        if hit and time.monotonic() - hit[0] < _LANGUAGES_TTL:
            return hit[1]
    reply = requests.get(url.rstrip("/") + "/languages", timeout=timeout)
    reply.raise_for_status()
    codes = sorted({entry["code"] for entry in reply.json()})
    with _lock:
        _cache[url] = (time.monotonic(), codes)
    return codes


class TrustingLibreTranslator(LibreTranslator):
    """LibreTranslator that accepts every language the server lists at GET /languages.

    deep-translator checks codes against a hard-coded list of 17 languages and
    refuses pa, ro, lt, ta, bg, ur, ne and most of ours, even when the server
    supports them. Translation itself is deep-translator's own code.
    """

    def __init__(self, source: str, target: str, api_key: str, custom_url: str, timeout: float = 3.0) -> None:
        if not custom_url.endswith("/"):
            custom_url += "/"
        self.api_key = api_key or "unused"  # a self-hosted server ignores it, the client insists on one
        codes = server_languages(custom_url, timeout)
        BaseTranslator.__init__(self, base_url=custom_url, source=source, target=target,
                                languages={code: code for code in codes})
