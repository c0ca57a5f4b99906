"""Every message the bot can send exists exactly once, in the domain or the catalogue."""
from __future__ import annotations

import re
import string

import pytest
import yaml

from bot import catalogue
from bot.catalogue import domain_responses, load_responses
from bot.redflags import GENERAL_CATEGORY, RedFlagLexicon
from bot.settings import PROJECT_ROOT

# Python that sends responses by name: the actions, the channels, and the live relay
ACTION_FILES = (sorted((PROJECT_ROOT / "actions").glob("*.py")) + sorted((PROJECT_ROOT / "bot" / "channels").glob("*.py"))
                + sorted((PROJECT_ROOT / "bot" / "live").glob("*.py")))
RESPONSE_NAME = re.compile(r"[\"'](utter_[a-z0-9_/]+)[\"']")


def named_in_actions() -> set:
    return {name for path in ACTION_FILES for name in RESPONSE_NAME.findall(path.read_text(encoding="utf-8"))}


def test_every_response_an_action_names_exists():
    known = set(domain_responses()) | set(load_responses("en"))
    missing = named_in_actions() - known
    assert not missing, f"actions name responses that exist nowhere: {sorted(missing)}"


def test_no_response_is_defined_twice():
    assert not set(domain_responses()) & set(load_responses("en"))


def test_catalogue_holds_only_responses_actions_use():
    unused = set(load_responses("en")) - named_in_actions() - {"utter_default"}
    assert not unused, f"catalogue entries no action sends: {sorted(unused)}"


@pytest.mark.parametrize("name, variations", sorted(load_responses("en").items()))
def test_catalogue_entries_are_plain_text_that_fits_an_sms_or_two(name, variations):
    assert variations and all(isinstance(v.get("text"), str) and v["text"].strip() for v in variations)
    for variation in variations:
        assert len(variation["text"]) <= 480, name
        fields = [f for _, f, _, _ in string.Formatter().parse(variation["text"]) if f]
        assert all(re.fullmatch(r"[a-z_]+", f) for f in fields), (name, fields)


def test_every_red_flag_category_has_its_own_advice():
    [*conditional, default] = domain_responses()["utter_red_flag"]
    covered = {c["condition"][0]["value"] for c in conditional}
    assert covered == set(RedFlagLexicon.from_file().category_names())
    assert "condition" not in default and "999" in default["text"]  # the general advice
    assert GENERAL_CATEGORY not in covered
    for variation in conditional + [default]:
        assert "999" in variation["text"] or "111" in variation["text"]


def write_catalogue(directory, responses) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "xx.yml").write_text(yaml.safe_dump({"version": 1, "language": "xx", "responses": responses},
                                                     allow_unicode=True), encoding="utf-8")


def test_checker_accepts_a_faithful_translation_and_names_each_fault(tmp_path):
    source = {"utter_hi": [{"text": "Hello {given_name}."}],
              "utter_flag": [{"condition": [{"type": "slot", "name": "c", "value": "a"}], "text": "A"},
                             {"text": "B"}]}
    good = {"utter_hi": [{"text": "Witaj {given_name}.", "metadata": {"review": "draft"}}],
            "utter_flag": [{"condition": [{"type": "slot", "name": "c", "value": "a"}], "text": "A!",
                            "metadata": {"review": "approved"}},
                           {"text": "B!", "metadata": {"review": "draft"}}]}
    write_catalogue(tmp_path, good)
    assert catalogue.problems("xx", source, directory=tmp_path) == []

    bad = {"utter_hi": [{"text": "Witaj {name}.", "metadata": {"review": "maybe"}}],
           "utter_flag": [{"condition": [{"type": "slot", "name": "c", "value": "b"}], "text": "A!",
                           "metadata": {"review": "draft"}}, {"text": "B!", "metadata": {"review": "draft"}}],
           "utter_extra": [{"text": "?"}]}
    write_catalogue(tmp_path, bad)
    found = "\n".join(catalogue.problems("xx", source, directory=tmp_path))
    assert "placeholders ['name'] != English ['given_name']" in found
    assert "metadata.review" in found
    assert "utter_flag[0]: condition differs" in found
    assert "not in English: utter_extra" in found
    write_catalogue(tmp_path, {"utter_flag": good["utter_flag"]})
    assert catalogue.problems("xx", source, directory=tmp_path) == ["missing: utter_hi"]
    assert catalogue.problems("xx", source, required={"utter_flag"}, directory=tmp_path) == []


def test_the_check_command_passes_on_the_shipped_catalogues(capsys):
    """`python -m bot.catalogue check` with no arguments: each language against its row's kind."""
    assert catalogue.main([]) == 0
    out = capsys.readouterr().out
    assert "af: ok" in out and "pl: ok" in out


def test_the_check_command_fails_on_a_missing_urgent_reply(tmp_path, monkeypatch, capsys):
    import shutil

    folder = tmp_path / "catalogue"
    shutil.copytree(catalogue.CATALOGUE_DIR, folder)
    text = (folder / "af.yml").read_text(encoding="utf-8")
    start = text.index("  utter_service_unavailable:")
    end = text.index("\n  utter_", start + 1) if "\n  utter_" in text[start + 1:] else len(text)
    (folder / "af.yml").write_text(text[:start] + text[end + 1:], encoding="utf-8")
    monkeypatch.setattr(catalogue, "CATALOGUE_DIR", folder)
    assert catalogue.main(["af"]) == 1
    assert "missing: utter_service_unavailable" in capsys.readouterr().out
