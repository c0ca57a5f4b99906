"""Training-data importer that reads stories against the domain Rasa will actually use."""
from __future__ import annotations

from typing import Optional

from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.structures import StoryGraph
from rasa.shared.importers import utils
from rasa.shared.importers.rasa import RasaFileImporter


class RetrievalAwareImporter(RasaFileImporter):
    """RasaFileImporter whose stories and rules see the retrieval intents of the NLU data.

    Rasa 3.6 adds retrieval intents (our ``faq``) to the domain from the NLU data,
    but reads stories against the raw domain files. Declaring ``faq`` in the
    domain then warns of a duplicate; not declaring it warns that rules use an
    unknown intent. This importer reads stories against the domain plus the
    retrieval intents, so the domain need not declare them and
    `rasa data validate` is clean. Training behaves exactly as before.
    """

    def _story_domain(self) -> Domain:
        domain = self.get_domain()
        missing = sorted(self.get_nlu_data().retrieval_intents - set(domain.intents))
        return domain.merge(Domain.from_dict({"intents": missing})) if missing else domain

    def get_stories(self, exclusion_percentage: Optional[int] = None) -> StoryGraph:
        return utils.story_graph_from_paths(self._story_files, self._story_domain(), exclusion_percentage)

    def get_conversation_tests(self) -> StoryGraph:
        return utils.story_graph_from_paths(self._conversation_test_files, self._story_domain())
