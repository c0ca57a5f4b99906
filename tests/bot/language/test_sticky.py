"""The conversation's language flips on clear messages only."""
from __future__ import annotations

import pytest

from bot.language import detect
from bot.language.detect import Detection
from bot.language.sticky import next_language


@pytest.mark.parametrize("text", ["ok", "yes", "1", "14/03/1948", "999 000 0018", "👍", "dzięki"])
def test_short_or_ambiguous_messages_never_flip_a_polish_conversation(text):
    assert next_language("pl", detect(text), text) == "pl"


@pytest.mark.parametrize("text", ["ok", "yes", "1", "thanks"])
def test_nor_an_urdu_one(text):
    assert next_language("ur", detect(text), text) == "ur"


def test_a_clear_message_in_another_language_flips_it():
    text = "Sorry, can we continue in English please"
    assert next_language("pl", detect(text), text) == "en"
    text = "Kiedy jest moja następna wizyta?"
    assert next_language("en", detect(text), text) == "pl"


def test_a_script_that_settles_the_language_flips_even_when_short():
    assert next_language("en", detect("ਸਤ ਸ੍ਰੀ ਅਕਾਲ"), "ਸਤ ਸ੍ਰੀ ਅਕਾਲ") == "pa"


def test_the_first_message_sets_the_language_when_confident_enough():
    assert next_language(None, Detection("ro", 0.9, "fasttext"), "Bună ziua") == "ro"
    assert next_language(None, Detection("lg", 0.15, "lingua"), "ok") == "en"
    assert next_language(None, Detection(None, 0.0, "none"), "1") == "en"


def test_gibberish_that_wins_the_vote_against_fasttext_does_not_set_a_language():
    detection = detect("qwzx vbnm plkj")
    assert not detection.agreed
    assert next_language(None, detection, "qwzx vbnm plkj") == "en"
    assert next_language("pl", detection, "qwzx vbnm plkj") == "pl"


def test_a_neighbour_in_the_same_script_needs_near_certainty():
    text = "के म अस्पताल जान यातायात पाउन सक्छु?"  # Nepali that every model takes for Hindi
    assert next_language("ne", Detection("hi", 0.97, "fused"), text) == "ne"
    assert next_language("ne", Detection("hi", 0.995, "fused"), text) == "hi"
    assert next_language("en", Detection("hi", 0.97, "fused"), text) == "hi"
