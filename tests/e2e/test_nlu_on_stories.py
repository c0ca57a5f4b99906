"""The words in the test stories are understood as labelled.

`rasa test core` predicts actions from the stories' labelled intents, so it cannot
see NLU mistakes. This asks the running model to parse every user turn instead.
"""
from __future__ import annotations

import json
import urllib.request

import pytest
import yaml

from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow


def labelled_turns():
    for path in sorted((PROJECT_ROOT / "tests" / "stories").glob("*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
            for step in story["steps"]:
                if "user" in step:
                    yield step["user"].strip(), step["intent"]


TURNS = sorted(set(labelled_turns()))


def parse(stack, text: str) -> dict:
    request = urllib.request.Request(f"{stack.rasa_url}/model/parse?token={stack.token}",
                                     data=json.dumps({"text": text}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        return json.loads(reply.read())


@pytest.mark.parametrize("text, intent", TURNS, ids=[t for t, _ in TURNS])
def test_story_turn_is_understood_as_labelled(stack, text, intent):
    result = parse(stack, text)
    predicted = result["intent"]["name"]
    if intent.startswith("faq/"):
        assert predicted == "faq", result["intent"]
        predicted = result["response_selector"]["faq"]["response"]["intent_response_key"]
    assert predicted == intent
