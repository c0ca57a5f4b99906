"""Each conversation's language, kept in the registry (bot/language/conversations.py)."""
from __future__ import annotations

import pytest

from bot.language.conversations import ConversationLanguages


@pytest.fixture
def languages(db) -> ConversationLanguages:
    return ConversationLanguages(db)


def test_unknown_conversation_has_no_language_yet(languages):
    state = languages.get("new")
    assert (state.language, state.source, state.menu_open) == (None, "default", False)


def test_set_and_menu_flag_survive_a_new_instance(languages, db):
    languages.set("c", "pl", "detected")
    languages.set_menu_open("c", True)
    state = ConversationLanguages(db).get("c")
    assert (state.language, state.source, state.menu_open) == ("pl", "detected", True)


@pytest.mark.parametrize("source, expected", [("default", "ur"), ("registered", "ur"),
                                              ("detected", "en"), ("chosen", "en")])
def test_registered_language_is_the_prior_unless_the_patient_chose_or_wrote_clearly(languages, source, expected):
    languages.set("c", "en", source)
    assert languages.prefer_registered("c", "ur") == expected
    assert languages.get("c").language == expected


def test_a_bad_source_is_refused(languages):
    with pytest.raises(ValueError):
        languages.set("c", "pl", "guessed")
