"""The red-flag lexicon (data/safety/red_flags.yml) and its matcher."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.exceptions import LexiconError
from bot.redflags import DEFAULT_LEXICON, RedFlagLexicon, load_lexicon_data
from bot.settings import PROJECT_ROOT

PRIORITY = ["chest_pain", "stroke", "breathing", "bleeding", "unconscious", "suicide", "self_harm", "safeguarding"]


@pytest.fixture(scope="module")
def lexicon() -> RedFlagLexicon:
    return RedFlagLexicon.from_file()


def categories(lexicon: RedFlagLexicon, text: str):
    return [m.category for m in lexicon.find(text)]


MUST_FLAG = [
    # chest_pain
    ("I've got crushing chest pain", "chest_pain"),
    ("CHEST PAIN", "chest_pain"),
    ("there's a pain in my chest", "chest_pain"),
    ("I have a tight feeling in my chest", "chest_pain"),
    ("My chest feels tight", "chest_pain"),
    ("my chest feels really tight and it's going down my arm", "chest_pain"),
    ("Dad has a pain going down his left arm", "chest_pain"),
    ("I think I'm having a heart attack", "chest_pain"),
    # stroke
    ("I think my husband is having a stroke", "stroke"),
    ("I THINK MY HUSBAND IS HAVING A STROKE", "stroke"),
    ("her face has dropped on one side", "stroke"),
    ("mum’s speech is slurred", "stroke"),
    ("he can't lift his arm", "stroke"),
    ("my arm has gone numb", "stroke"),
    ("I can’t speak properly", "stroke"),
    # breathing
    ("I can’t breathe", "breathing"),
    ("I can't breathe", "breathing"),
    ("cant breath", "breathing"),
    ("he's struggling to breathe", "breathing"),
    ("my mum can hardly breathe and her lips are going blue", "breathing"),
    ("I'm really short of breath", "breathing"),
    ("she's choking", "breathing"),
    ("Mum’s not breathing", "breathing"),
    # bleeding
    ("the bleeding won't stop", "bleeding"),
    ("the bleeding won’t stop", "bleeding"),
    ("he's coughing up blood", "bleeding"),
    ("there is blood everywhere", "bleeding"),
    ("I'm bleeding heavily", "bleeding"),
    ("my leg ulcer is pouring with blood", "bleeding"),
    # unconscious
    ("my dad has collapsed", "unconscious"),
    ("MY DAD HAS COLLAPSED", "unconscious"),
    ("she's unconscious", "unconscious"),
    ("I can't wake him up", "unconscious"),
    ("mum won't wake up", "unconscious"),
    ("my wife is having a seizure", "unconscious"),
    ("she's fitting and won't stop", "unconscious"),
    ("he passed out in the kitchen", "unconscious"),
    ("I've found my neighbour on the floor and he isn't responding", "unconscious"),
    ("he's not responding", "unconscious"),
    ("she’s not moving", "unconscious"),
    ("dad is not responding", "unconscious"),
    # suicide
    ("I want to kill myself", "suicide"),
    ("I don’t want to live anymore", "suicide"),
    ("everyone would be better off without me", "suicide"),
    ("I'm feeling suicidal", "suicide"),
    ("I want to end it all", "suicide"),
    ("I've been thinking about ending it all", "suicide"),
    # self_harm
    ("I've been cutting myself", "self_harm"),
    ("I took all my tablets", "self_harm"),
    ("I took too many pills", "self_harm"),
    ("I have self-harmed again", "self_harm"),
    ("she's taken an overdose", "self_harm"),
    # safeguarding
    ("my son hits me", "safeguarding"),
    ("my carer is taking my money", "safeguarding"),
    ("I'm scared of my husband", "safeguarding"),
    ("I am not safe at home", "safeguarding"),
    ("my neighbour is being abused", "safeguarding"),
    ("I'm scared to go home, my partner will hit me again", "safeguarding"),
]

MUST_NOT_FLAG = [
    "when is my next appointment",
    "I had a stroke last year and need a grab rail fitting",
    "do I need a blood test",
    "I've had lots of blood tests recently",
    "my blood pressure has been fine",
    "my blood sugars have been a bit high",
    "my knee is hurting me",
    "what is the crisis line number",
    "can I take all my tablets to the appointment",
    "I'm taking my tablets as prescribed",
    "can you cancel my physio",
    "can I change my appointment time",
    "I'm not moving my appointment, I just want to know the time",
    "hello",
    "thanks",
    "999 000 0018",
    "14/03/1948",
    "what should I bring to the diabetes clinic",
    "is there parking at Darent Valley Hospital",
    "who is my care coordinator",
    "I'd like to speak to someone",
    "can my daughter come with me",
    "my son is taking me to the appointment",
    "I lost my appointment letter",
    "I have a chest infection and the GP gave me antibiotics",
    "she is responding well to the new tablets",
    "the physio says he is moving much better now",
    pytest.param(
        "the occupational therapist is fitting a rail on Monday",
        marks=pytest.mark.xfail(
            strict=True,
            reason="known over-trigger: 'is fitting' (a seizure) cannot be told from fitting equipment",
        ),
    ),
]


@pytest.mark.parametrize("text, category", MUST_FLAG)
def test_must_flag(lexicon, text, category):
    found = categories(lexicon, text)
    assert found, f"not flagged: {text!r}"
    assert found[0] == category


@pytest.mark.parametrize("text", MUST_NOT_FLAG)
def test_must_not_flag(lexicon, text):
    assert categories(lexicon, text) == []


def test_every_category_is_covered_by_the_must_flag_table():
    assert {category for _, category in MUST_FLAG} == set(PRIORITY)


def test_categories_are_in_priority_order(lexicon):
    assert lexicon.category_names() == PRIORITY


def test_highest_priority_category_comes_first(lexicon):
    found = categories(lexicon, "I want to kill myself, I have crushing chest pain")
    assert found == ["chest_pain", "suicide"]


def test_each_category_is_reported_once_with_its_first_match(lexicon):
    text = "chest pain, chest pain and more chest pain"
    matches = lexicon.find(text)
    assert [m.category for m in matches] == ["chest_pain"]
    assert text[matches[0].start:matches[0].end].lower().startswith("chest pain")
    assert matches[0].start == 0


def test_match_offsets_point_into_the_original_text(lexicon):
    text = "hello, my dad has collapsed in the garden"
    (match,) = lexicon.find(text)
    assert text[match.start:match.end] == "collapsed"


def test_matches_whole_words_only(lexicon):
    # "unconscious" as part of a longer word, "choking" inside another word.
    assert categories(lexicon, "subconsciously unconsciousness") == []
    assert categories(lexicon, "chokingly") == []


def test_other_intents_in_the_nlu_data_are_not_flagged(lexicon):
    """The lexicon overrides the intent, so it must not fire on other intents' examples."""
    flagged = []
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in item or item["intent"] == "red_flag" or "examples" not in item:
                continue
            for line in item["examples"].splitlines():
                example = line.strip()[2:].strip()
                if example and lexicon.find(example):
                    flagged.append((path.name, item["intent"], example))
    assert flagged == []


def test_empty_and_emoji_only_messages_return_nothing(lexicon):
    assert lexicon.find("") == []
    assert lexicon.find(None) == []
    assert lexicon.find("\U0001f600\U0001f44d\u2764\ufe0f\U0001f64f") == []


def test_one_megabyte_message_completes(lexicon):
    filler = ("please can you tell me when my next appointment is " * 20000)[:1_000_000]
    # Completing at all is the point: catastrophic backtracking would hang here.
    # (Channels cap messages at 5,000 characters; speed is measured in bench/.)
    assert categories(lexicon, filler + " and I can't breathe") == ["breathing"]


def test_default_lexicon_is_the_project_file():
    assert DEFAULT_LEXICON == PROJECT_ROOT / "data" / "safety" / "red_flags.yml"
    assert load_lexicon_data()["categories"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lexicon.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\n",  # no categories
        "version: 1\ncategories: {chest_pain: []}\n",  # not a list
        "- just\n- a list\n",
        "",
        "categories: [unclosed\n",  # not YAML
    ],
)
def test_malformed_lexicon_file_raises(tmp_path, text):
    with pytest.raises(LexiconError):
        RedFlagLexicon.from_file(write(tmp_path, text))


def test_bad_regex_raises_lexicon_error(tmp_path):
    path = write(tmp_path, 'categories:\n  - name: broken\n    patterns:\n      en:\n        - "chest (pain"\n')
    with pytest.raises(LexiconError, match="broken"):
        RedFlagLexicon.from_file(path)


def test_category_without_patterns_raises(tmp_path):
    with pytest.raises(LexiconError):
        RedFlagLexicon.from_file(write(tmp_path, "categories:\n  - name: lonely\n"))


def test_missing_file_raises(tmp_path):
    with pytest.raises(LexiconError):
        RedFlagLexicon.from_file(tmp_path / "missing.yml")


def test_small_valid_lexicon_from_file(tmp_path):
    path = write(
        tmp_path,
        "categories:\n"
        "  - name: first\n    patterns:\n      en: [\"alpha\"]\n      pl: [\"beta\"]\n"
        "  - name: second\n    patterns:\n      en: [\"alpha\"]\n",
    )
    lexicon = RedFlagLexicon.from_file(path)
    assert lexicon.category_names() == ["first", "second"]
    assert [m.category for m in lexicon.find("BETA then ALPHA")] == ["first", "second"]
    assert lexicon.find("alphabet") == []


def test_every_drafted_language_file_passes_its_own_examples():
    """The per-language drafts (not live yet) must keep agreeing with their examples."""
    from bot.redflags import DRAFTS, example_failures, language_files

    files = language_files(DEFAULT_LEXICON, DRAFTS)
    assert len(files) == 52
    drafted = RedFlagLexicon(load_lexicon_data(DEFAULT_LEXICON, DRAFTS))
    failures = [failure for path in files for failure in example_failures(drafted, path)]
    assert failures == []
    # And the live lexicon is still English only, until a faster matcher lands.
    assert load_lexicon_data()["categories"][0]["patterns"].keys() == {"en"}
