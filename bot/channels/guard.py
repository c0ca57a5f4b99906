"""Input hygiene shared by every channel: size, encoding, control characters, floods."""
from __future__ import annotations

import re
import time
import unicodedata
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Deque, Optional

from bot.exceptions import RejectedInput

MAX_MESSAGE_CHARS = 5000
# U+200C/U+200D (zero-width non-joiner/joiner) are kept: emoji sequences and
# scripts such as Persian and the Indic scripts need them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Rasa treats "/intent{...}" as a command that bypasses NLU and can set entities.
_COMMAND_PREFIX = re.compile(r"^[\s/]+")
_SENDER = re.compile(r"[A-Za-z0-9_.:@\-]{1,128}")


def clean_text(raw: object) -> str:
    """Patient text made safe to process: valid Unicode, no control or bidi characters,
    no leading '/', NFC-normalised. Raises RejectedInput if empty or too long."""
    if not isinstance(raw, str):
        raise RejectedInput("invalid_message", 400, "'message' must be a string.")
    text = _SURROGATE.sub("\ufffd", raw)  # lone surrogates become U+FFFD
    if len(text) > MAX_MESSAGE_CHARS:
        raise RejectedInput("message_too_long", 413, f"Messages can be at most {MAX_MESSAGE_CHARS} characters.")
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    text = _COMMAND_PREFIX.sub("", text).strip()
    if not text:
        raise RejectedInput("empty_message", 400, "The message is empty.")
    return text


def clean_sender(raw: object) -> str:
    if not isinstance(raw, str) or not _SENDER.fullmatch(raw):
        raise RejectedInput(
            "invalid_sender", 400, "'sender' must be 1 to 128 letters, digits or _ . : @ -."
        )
    return raw


@dataclass
class RateLimiter:
    """At most ``limit`` messages per ``window`` seconds per sender (sliding window).

    Memory is bounded: beyond ``max_senders`` the least recently seen senders are
    forgotten first.
    """

    limit: int = 20
    window: float = 60.0
    max_senders: int = 100_000

    def __post_init__(self) -> None:
        self._seen: "OrderedDict[str, Deque[float]]" = OrderedDict()

    def check(self, sender: str, now: Optional[float] = None) -> None:
        now = time.monotonic() if now is None else now
        stamps = self._seen.pop(sender, None) or deque()
        self._seen[sender] = stamps  # now the most recently seen
        while len(self._seen) > self.max_senders:
            self._seen.popitem(last=False)
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        if len(stamps) >= self.limit:
            raise RejectedInput("too_many_messages", 429, "Too many messages; please wait a minute.")
        stamps.append(now)
