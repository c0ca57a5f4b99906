"""Collecting replies for request/response channels, keeping each reply's language metadata."""
from __future__ import annotations

from typing import Any, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel

# What clients are told about each reply (never the response name or review state).
PUBLIC_METADATA = ("language", "direction")


class CollectingWithMetadata(CollectingOutputChannel):
    """Rasa's CollectingOutputChannel, plus ``metadata`` on each reply.

    Reads the metadata ``bot.nlg`` puts on every response; writes
    ``{"language": "ur", "direction": "rtl"}`` (and ``"machine_translated": true``
    when the text came from machine translation, ``"machine_translated_fields"`` when
    only details such as a service's name did) into the reply, so a widget can
    lay out right-to-left text and mark machine translations. ``responses`` lists
    the response names sent, for the channel's own bookkeeping.
    """

    def __init__(self) -> None:
        super().__init__()
        self.responses: List[Optional[str]] = []

    @classmethod
    def name(cls) -> Text:
        return "collector"

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        metadata = kwargs.get("metadata") or {}
        self.responses.append(metadata.get("response"))
        public = {key: metadata[key] for key in PUBLIC_METADATA if key in metadata}
        if metadata.get("source") == "machine":
            public["machine_translated"] = True
        if metadata.get("machine_translated_fields"):
            public["machine_translated_fields"] = list(metadata["machine_translated_fields"])
        for part in text.strip().split("\n\n"):
            message = self._message(recipient_id, text=part)
            if public:
                message["metadata"] = public
            await self._persist_message(message)
