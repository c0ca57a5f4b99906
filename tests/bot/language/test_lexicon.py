"""Word-frequency evidence (bot.language.lexicon), read from the lists inside the wordfreq wheel."""
from __future__ import annotations

import math

import pytest

from bot.language import lexicon
from bot.language.detect import default_detector
from bot.language.lexicon import WordFrequencies


@pytest.fixture(scope="module")
def words() -> WordFrequencies:
    # The detector's own instance: every listed language of a voting script, loaded once.
    return default_detector()._word_frequencies()


def test_lists_come_from_the_language_table(words):
    assert words.lists["tl"] == "fil" and words.lists["hr"] == "sh"
    assert "af" not in words.lists and "yo" not in words.lists
    # scripts that settle the language by themselves need no list (and no memory)
    assert "el" not in words.lists and "ta" not in words.lists and "ja" not in words.lists


@pytest.mark.parametrize("word, top", [
    ("which", "en"), ("obrigado", "pt"), ("gracias", "es"), ("który", "pl"), ("který", "cs"),
    ("ktorý", "sk"), ("deze", "nl"), ("больница", "ru"), ("болница", "bg"), ("лікарня", "uk"),
    ("کیوں", "ur"), ("چرا", "fa"), ("لماذا", "ar"), ("अस्पताल", "hi"),
])
def test_the_most_frequent_language_of_a_word(words, word, top):
    found = words.frequencies(word)
    assert max(found, key=found.get) == top, found
    assert all(-8.0 <= value <= 0 for value in found.values())


def test_devanagari_words_keep_their_vowel_signs():
    # \w would split "अस्पताल" at its marks; the lists hold whole words
    assert lexicon.words("मेरी अस्पताल!") == ["मेरी", "अस्पताल"]
    assert lexicon.words("Dzień DOBRY, 12.03") == ["dzień", "dobry"]


def test_log_probabilities_are_normalised_over_the_candidates(words):
    scores = words.log_probabilities("gracias", ["es", "pt", "it", "en"])
    assert set(scores) == {"es", "pt", "it", "en"}
    assert math.isclose(sum(math.exp(v) for v in scores.values()), 1.0, rel_tol=1e-9)
    assert max(scores, key=scores.get) == "es"


def test_a_word_no_list_has_favours_the_languages_without_lists(words):
    # Yoruba, Shona and Luganda have no list: an unknown word is more likely theirs than
    # a word English (which has a list of 29,000) has never been seen writing.
    scores = words.log_probabilities("ndatenda", ["en", "sn", "yo"])
    assert scores["sn"] == scores["yo"] > scores["en"]


def test_afrikaans_scores_shared_words_as_dutch_does(words):
    shared = words.log_probabilities("water", ["nl", "af", "en"])
    assert math.isclose(shared["af"], shared["nl"]) or shared["af"] > shared["nl"]
    dutch_only = words.log_probabilities("deze", ["nl", "af", "de"])
    assert math.isclose(dutch_only["af"], dutch_only["nl"])


def test_nothing_to_say_without_words_or_lists(words):
    assert words.log_probabilities("", ["en", "pl"]) == {}
    assert words.log_probabilities("12 345 😀", ["en", "pl"]) == {}
    assert words.log_probabilities("hello", ["yo", "sn"]) == {}


def test_loading_reads_the_wheel_not_the_network(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the word lists must not be downloaded")

    monkeypatch.setattr(socket, "create_connection", no_network)
    small = WordFrequencies({"pl": "pl", "cs": "cs"}).load()
    assert small.frequencies("tylko") and max(small.frequencies("tylko").items(), key=lambda kv: kv[1])[0] == "pl"
    assert small.frequencies("qzxv") == {}


def test_large_lists_know_the_rare_words_of_neighbours(monkeypatch):
    import socket

    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("no downloads"))
    # "receptech" (Czech: in prescriptions) and "remarcação" (Portuguese: rebooking) are used
    # less than once per million words: the small lists lack them, the large ones do not.
    small = WordFrequencies({"cs": "cs", "sk": "sk", "pt": "pt", "es": "es"}).load()
    large = WordFrequencies({"cs": "cs", "sk": "sk", "pt": "pt", "es": "es"}, large=["cs", "pt"]).load()
    for word, code, other in (("receptech", "cs", "sk"), ("remarcação", "pt", "es")):
        assert small.frequencies(word) == {}
        assert -8.0 <= large.frequencies(word)[code] < -6.0
        alike = small.log_probabilities(word, [code, other])
        assert math.isclose(alike[code], alike[other])  # the small lists cannot tell them apart
        told = large.log_probabilities(word, [code, other])
        assert told[code] > told[other]
    # a word a large list lacks is rarer there than one a small list lacks
    assert large.missing("cs") < large.missing("sk") == lexicon.MISSING
    assert large.large == {"cs", "pt"}


def test_the_detector_reads_large_lists_for_the_configured_languages(words):
    from bot.language.detect import LARGE_LISTS

    assert words.large == set(LARGE_LISTS) and "sk" not in words.large
    assert words.frequencies("receptech").get("cs", 0) < -6.0


@pytest.mark.parametrize("text, code", [
    ("receptech", "cs"), ("remarcação", "pt"), ("obrigado", "pt"), ("gracias", "es"), ("ktorý", "sk"), ("který", "cs"), ("hierdie", "af"),
    ("dziękuję bardzo", "pl"), ("bună ziua", "ro"), ("labas rytas", "lt"),
])
def test_the_detector_uses_word_frequencies_on_one_or_two_words(text, code):
    assert default_detector().detect(text).code == code
