"""In-process response generation from the domain plus the response catalogue."""
from __future__ import annotations

from typing import Any, Optional

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from bot.catalogue import load_responses


class CatalogueNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    """Renders every bot message inside the Rasa server, with no network call.

    Responses that rules predict come from the domain; responses that custom
    actions name come from the catalogue (data/catalogue/en.yml). Configured in
    endpoints.yml as ``nlg: {type: bot.nlg.CatalogueNaturalLanguageGenerator}``.
    """

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None, **_: Any) -> None:
        responses = dict(load_responses("en"))
        responses.update(domain.responses if domain else {})
        super().__init__(responses)
