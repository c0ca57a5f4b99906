"""Personal data never reaches a translation provider, and comes back afterwards."""
from __future__ import annotations

import pytest

from bot.translation.masking import Masker


@pytest.fixture(scope="module")
def masker() -> Masker:
    return Masker(["Margaret", "Ellis", "Tomasz", "Nowak", "Priya Sharma", "Al"])


@pytest.mark.parametrize("secret", [
    "999 000 0018", "9990000018", "999-000-0018", "07700 900001", "+44 7700 900001", "07700900001",
    "margaret.ellis@example.com", "DA1 5ZZ", "14/03/1948", "14 March 1948", "3rd of June 1950",
    "Margaret", "ELLIS", "Priya Sharma",
])
def test_personal_data_is_masked(masker, secret):
    masked = masker.mask(f"Hello, this is about {secret}, thank you")
    assert secret not in masked.text and secret.lower() not in masked.text.lower()
    assert "[[1]]" in masked.text
    assert masked.restore(masked.text) == f"Hello, this is about {secret}, thank you"


def test_several_items_keep_their_order_through_a_translation(masker):
    masked = masker.mask("Nazywam się Tomasz Nowak, NHS 999 000 0026, tel. 07700 900002")
    assert masked.originals == ("Tomasz", "Nowak", "999 000 0026", "07700 900002")
    translated = "My name is [[1]] [[2]], NHS [[3]], phone [[4]]"
    assert masked.restore(translated) == "My name is Tomasz Nowak, NHS 999 000 0026, phone 07700 900002"


def test_a_placeholder_the_provider_dropped_is_not_lost(masker):
    masked = masker.mask("Call me on 07700 900001")
    assert masked.restore("Call me") == "Call me 07700 900001"


def test_ordinary_text_and_short_names_are_left_alone(masker):
    text = "When is my next appointment at 10:30 with Al?"  # names under 3 letters are not masked
    assert masker.mask(text).text == text


@pytest.mark.parametrize("text, date", [
    ("urodziłem się 2 listopada 1961 roku", "2 listopada 1961"),
    ("ਮੇਰਾ ਜਨਮ 14 ਮਾਰਚ 1948 ਨੂੰ ਹੋਇਆ", "14 ਮਾਰਚ 1948"),
    ("我出生于1961年7月2日", "1961年7月2日"),
])
def test_dates_are_masked_in_other_languages_and_scripts(text, date):
    masked = Masker().mask(text)
    assert date not in masked.text and masked.originals == (date,)
    assert masked.restore(masked.text) == text
