"""Explicit language requests and the numbered menu (bot/language/switch.py)."""
from __future__ import annotations

import pytest

from bot.language.switch import LanguageRequests
from bot.languages import default_table


@pytest.fixture(scope="module")
def requests() -> LanguageRequests:
    return LanguageRequests(default_table())


@pytest.mark.parametrize("text, code", [
    ("can we speak Polish", "pl"), ("po polsku proszę", "pl"), ("POLSKI", "pl"), ("în română vă rog", "ro"),
    ("ਪੰਜਾਬੀ", "pa"), ("اردو میں", "ur"), ("English please", "en"), ("traditional chinese please", "zh-Hant"),
    ("我想用中文", "zh"), ("한국어로 해주세요", "ko"), ("lietuviškai prašau", "lt"),
])
def test_short_requests_name_one_language(requests, text, code):
    assert requests.requested(text) == code


@pytest.mark.parametrize("text", [
    "I want to talk to my coordinator", "Polish and English", "", "when is my next appointment",
    "my daughter speaks Polish but I would like to continue in this chat as before please",
])
def test_other_messages_are_not_requests(requests, text):
    assert requests.requested(text) is None


def test_a_name_that_is_an_everyday_word_in_the_conversations_language_is_not_a_request(requests):
    assert requests.requested("hindi po", current="tl") is None  # Tagalog "hindi" = "not"
    assert requests.requested("Hindi please", current="en") == "hi"


def test_long_messages_count_only_when_nlu_already_judged_them_requests(requests):
    text = "I would like to carry on this conversation in Lithuanian please"
    assert requests.requested(text) is None
    assert requests.requested(text, max_words=None) == "lt"


def test_menu_lists_every_language_by_endonym_and_numbers_pick_them(requests):
    menu = requests.menu()
    table = default_table()
    assert len(menu) == len(table.languages) and menu[0] == "1. English"
    assert requests.from_menu(" 3. ") == table.languages[2].code
    assert requests.from_menu("٣") == table.languages[2].code  # Urdu keyboard digits
    assert requests.from_menu("0") is None and requests.from_menu("99") is None
    assert requests.from_menu("999 000 0018") is None
