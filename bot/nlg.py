"""In-process response generation from the domain plus the response catalogue."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from bot.catalogue import load_responses


class CatalogueNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    """Renders every bot message inside the Rasa server, with no network call.

    Responses that rules predict come from the domain; responses that custom
    actions name come from the catalogue (data/catalogue/en.yml). Configured in
    endpoints.yml as ``nlg: {type: bot.nlg.CatalogueNaturalLanguageGenerator}``.

    Rasa's Agent replaces ``responses`` with the domain's when it loads a model,
    so the catalogue is merged in whenever ``responses`` is set.
    """

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None, **_: Any) -> None:
        self._catalogue = load_responses("en")
        super().__init__(domain.responses if domain else {})

    @property
    def responses(self) -> Dict[str, List[Dict[str, Any]]]:
        return self._responses

    @responses.setter
    def responses(self, domain_responses: Optional[Dict[str, List[Dict[str, Any]]]]) -> None:
        self._responses = {**self._catalogue, **(domain_responses or {})}
