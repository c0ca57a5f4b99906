"""The red-flag lexicon (data/safety/red_flags.yml and every language file in
data/safety/red_flags/) and its matcher."""
from __future__ import annotations

import random
import time
import unicodedata
from pathlib import Path

import pytest

import bot.redflags
from bot.exceptions import LexiconError
from bot.redflags import (
    DEFAULT_LEXICON, DRAFTS, RedFlagLexicon, build_index, example_failures, language_examples, language_files,
    load_lexicon_data, main, nlu_examples, nlu_failures,
)
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
    # English words that are red-flag words in another live language (lv "insults" is a
    # stroke, ro "violat", cs "týrán", fr "scarifier", ku "şîdet", ro "abuz", da "mishandling")
    "the comedian's insults were very funny",
    "I got a parking violation at the hospital",
    "there was a violent storm last night",
    "my manager is a bit of a tyrant",
    "the gardener is scarifying my lawn",
    "sorry, I don't want to get sidetracked",
    "the waiting room was abuzz this morning",
    "I think this is medical negligence",
    "I want to complain about the mishandling of my referral",
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
    """The lexicon overrides the intent, so it must not fire on other intents' examples (with
    every language live: a word of another language must not turn an English question red)."""
    assert len(nlu_examples()) > 500
    assert nlu_failures(lexicon) == []


def test_nlu_examples_lose_their_entity_annotations(tmp_path):
    (tmp_path / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: ask_time\n  examples: |\n'
        '    - is it on [Monday](date) or [next week]{"entity": "date"}?\n'
        '- intent: red_flag\n  examples: |\n    - chest pain\n', encoding="utf-8")
    assert nlu_examples(tmp_path) == [("nlu.yml", "ask_time", "is it on Monday or next week?")]


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


LANGUAGE_FILES = language_files()


def test_all_52_languages_are_live(lexicon):
    assert len(LANGUAGE_FILES) == 52
    assert {language for _, language, _ in lexicon.rules()} == {"en"} | {f.stem for f in LANGUAGE_FILES}
    assert not list(DRAFTS.glob("*.yml")), "a drafted language file is not live"


@pytest.mark.parametrize("language_file", LANGUAGE_FILES, ids=lambda f: f.stem)
def test_each_language_agrees_with_its_examples_with_every_language_live(lexicon, language_file):
    """must_flag: that category first; must_not_flag: nothing, from any language's patterns."""
    assert example_failures(lexicon, language_file) == []


def test_the_punjabi_chest_pain_sentence_is_flagged(lexicon):
    [match] = lexicon.find("ਮੇਰੀ ਛਾਤੀ ਵਿੱਚ ਬਹੁਤ ਦਰਦ ਹੈ")
    assert match.category == "chest_pain"


def test_check_command_checks_every_language_and_the_nlu_data(capsys):
    assert main([]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"52 language files and {len(nlu_examples())} NLU examples, 0 failures")


def test_check_drafts_adds_drafted_language_files(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bot.redflags, "DRAFTS", tmp_path)
    (tmp_path / "eo.yml").write_text(
        "language: eo\ncategories:\n  chest_pain: ['doloro en (mia|la) brusto']\n"
        "examples:\n  must_flag:\n    chest_pain: ['Mi havas doloron en mia brusto', 'doloro en mia brusto']\n"
        "  must_not_flag: ['kiam estas mia rendevuo?']\n", encoding="utf-8")
    assert main(["--drafts", "eo"]) == 1  # "doloron" is not "doloro": the draft's own example fails
    assert "eo: expected chest_pain, got nothing: Mi havas doloron en mia brusto" in capsys.readouterr().out
    (tmp_path / "eo.yml").write_text((tmp_path / "eo.yml").read_text().replace("'doloro en (", "'doloro?n? en ("))
    assert main(["--drafts", "eo"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 language files, 0 failures"


# --- the matcher: fast, with the naive loop's results ------------------------------------------

def _sample_messages(count: int, seed: int = 2026):
    """Every kind of text the matcher meets: each language's examples, NLU examples, joined,
    shouted, decomposed (NFD), with stray combining accents, Turkish dotted capitals, new lines."""
    rng = random.Random(seed)
    texts = [text for _, _, text in nlu_examples()]
    for path in LANGUAGE_FILES:
        must_flag, must_not_flag = language_examples(path)
        texts += must_not_flag + [text for examples in must_flag.values() for text in examples]
    variants = [
        lambda t: t, str.upper, str.title, lambda t: unicodedata.normalize("NFD", t),
        lambda t: t.replace(" ", "\u0301 "), lambda t: "x\u0301" + t, lambda t: t.replace("i", "\u0130"),
        lambda t: t.replace(" ", "\n"), lambda t: t + rng.choice([" ", "", "-", "\u0300"]) + rng.choice(texts),
    ]
    return [rng.choice(variants)(rng.choice(texts)) for _ in range(count)]


def test_find_gives_the_naive_loops_results(lexicon):
    """The prefilter only skips patterns that cannot match: same categories, same offsets."""
    different = [(text, lexicon.find(text), lexicon.naive_find(text))
                 for text in _sample_messages(600) if lexicon.find(text) != lexicon.naive_find(text)]
    assert different == []


def test_text_is_nfc_normalised_and_offsets_point_into_the_original(lexicon):
    decomposed = unicodedata.normalize("NFD", "J'ai une douleur à la poitrine")
    assert len(decomposed) == 31  # "à" typed as a + U+0300
    (match,) = lexicon.find(decomposed)
    assert match.category == "chest_pain"
    assert unicodedata.normalize("NFC", decomposed[match.start:match.end]) == "douleur à la poitrine"


def test_only_patterns_that_can_match_are_run(lexicon):
    languages = lambda text: {lexicon.rules()[i][1] for i in lexicon.candidates(text)}  # noqa: E731
    assert languages("I have a question about my appointment") == set()
    assert languages("ਮੇਰੀ ਛਾਤੀ ਵਿੱਚ ਬਹੁਤ ਦਰਦ ਹੈ") == {"pa"}  # Gurmukhi: only Punjabi patterns
    assert "en" in languages("my chest hurts")


def test_a_model_stores_the_analysis_and_loading_skips_it(monkeypatch):
    data = load_lexicon_data()
    data["index"] = build_index(data)

    def analyse(_data):
        raise AssertionError("analysed again")

    monkeypatch.setattr(bot.redflags, "build_index", analyse)
    began = time.perf_counter()
    lexicon = RedFlagLexicon(data)
    assert time.perf_counter() - began < 5  # ~0.3 s on a quiet machine: budget is 1 s
    assert [m.category for m in lexicon.find("crushing chest pain")] == ["chest_pain"]
    data["categories"][0]["patterns"]["en"].append("new pattern")  # the stored index is stale now
    with pytest.raises(AssertionError, match="analysed again"):
        RedFlagLexicon(data)


def test_long_and_hostile_messages_stay_fast(lexicon):
    rng = random.Random(7)
    harmless = [text for _, _, text in nlu_examples()]
    for path in LANGUAGE_FILES:
        harmless += language_examples(path)[1]
    messages = [" ".join(rng.choice(harmless) for _ in range(300))[:10000] for _ in range(3)]
    # 5,000 characters (the channel's cap) of one word, no spaces: many places to try a pattern,
    # each with a long \S* run (patterns like "X\S* ?.{0,15}Y" cap it at \S{0,30} for this)
    hostile = ("a", "chest ", "ਛਾਤੀ", "గుండె", "ሙሉ-", "गला", "胸", "!", "\u0301", "x" * 49 + " ")
    messages += [(word * 5000)[:5000] for word in hostile]
    for message in messages:
        began = time.perf_counter()
        lexicon.find(message)
        assert time.perf_counter() - began < 0.5, message[:40]  # a few ms on a quiet machine
