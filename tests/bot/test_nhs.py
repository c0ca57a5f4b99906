"""NHS numbers: extraction from free text, Modulus 11 validation, masking."""
from __future__ import annotations

import random

import pytest

from bot import nhs
from bot.exceptions import InvalidNHSNumber

DEMO_NUMBERS = ["9990000018", "9990000026", "9990000034", "9990000042", "9990000050"]


def _prefix_without_check_digit() -> str:
    """Nine digits for which Modulus 11 gives 10, i.e. no valid NHS number exists."""
    for n in range(999_000_000, 999_001_000):
        prefix = str(n)
        if nhs.check_digit(prefix) is None:
            return prefix
    raise AssertionError("no prefix with check digit 10 in the range searched")


@pytest.mark.parametrize("number", DEMO_NUMBERS)
def test_demo_numbers_are_valid(number):
    assert nhs.is_valid(number)
    assert nhs.normalise(number) == number


@pytest.mark.parametrize(
    "text",
    ["999 000 0018", "999-000-0018", "9990000018", " 999 000 0018 ", "999000-0018", "999 0000018"],
)
def test_spaces_and_dashes_between_groups_are_accepted(text):
    assert nhs.normalise(text) == "9990000018"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my NHS number is 999 000 0026 thanks", "9990000026"),
        ("It's 9990000034.", "9990000034"),
        ("nhs no:999-000-0042, dob 09/05/1980", "9990000042"),
        ("(9990000050)", "9990000050"),
    ],
)
def test_number_embedded_in_a_sentence(text, expected):
    assert nhs.normalise(text) == expected


def test_the_same_number_twice_is_one_number():
    assert nhs.normalise("9990000018, yes 999 000 0018") == "9990000018"


def test_wrong_check_digit_is_rejected():
    assert not nhs.is_valid("9990000019")
    with pytest.raises(InvalidNHSNumber):
        nhs.normalise("999 000 0019")


def test_prefix_whose_check_digit_would_be_10_has_no_valid_number():
    prefix = _prefix_without_check_digit()
    assert nhs.with_check_digit(prefix) is None
    for last in "0123456789":
        assert not nhs.is_valid(prefix + last)
        with pytest.raises(InvalidNHSNumber):
            nhs.normalise(prefix + last)


@pytest.mark.parametrize("text", ["999000001", "999 000 001", "99900000180", "999 000 00180", "19990000018"])
def test_nine_or_eleven_digits_are_rejected(text):
    with pytest.raises(InvalidNHSNumber):
        nhs.normalise(text)


def test_is_valid_requires_exactly_ten_digits():
    assert not nhs.is_valid("999000001")
    assert not nhs.is_valid("99900000180")
    assert not nhs.is_valid("999 000 0018")


def test_two_different_numbers_are_rejected():
    with pytest.raises(InvalidNHSNumber):
        nhs.normalise("9990000018 or maybe 9990000026")


@pytest.mark.parametrize("text", ["", None, "   ", "no number here", "-"])
def test_text_without_a_number_is_rejected(text):
    with pytest.raises(InvalidNHSNumber):
        nhs.normalise(text)


def test_empty_string_is_not_valid():
    assert not nhs.is_valid("")


@pytest.mark.parametrize(
    "text",
    [
        "\u0669\u0669\u0669\u0660\u0660\u0660\u0660\u0660\u0661\u0668",  # Arabic-Indic ٩٩٩٠٠٠٠٠١٨
        "\u06f9\u06f9\u06f9\u06f0\u06f0\u06f0\u06f0\u06f0\u06f1\u06f8",  # Extended Arabic-Indic (Urdu)
        "\u096f\u096f\u096f\u0966\u0966\u0966\u0966\u0966\u0967\u096e",  # Devanagari
        "\uff19\uff19\uff19\uff10\uff10\uff10\uff10\uff10\uff11\uff18",  # full-width
    ],
)
def test_digits_from_native_keyboards_read_as_the_same_number(text):
    # Patients typing on Urdu, Hindi or Bengali keyboards get their own digits.
    assert not nhs.is_valid(text)  # is_valid takes normalised ASCII digits only
    assert nhs.normalise(text) == "9990000018"
    assert nhs.normalise(f"{text[:3]} {text[3:6]} {text[6:]}") == "9990000018"


def test_native_digits_still_need_a_valid_check_digit():
    with pytest.raises(InvalidNHSNumber):
        nhs.normalise("٩٩٩٠٠٠٠٠١٩")


def test_mask_shows_only_the_last_three_digits():
    masked = nhs.mask("9990000018")
    assert masked == "*** *** *018"
    assert sum(c.isdigit() for c in masked) == 3
    assert nhs.mask("9990000026").endswith("026")


@pytest.mark.parametrize("digits", ["", "018", "99900000180"])
def test_mask_of_anything_but_ten_digits_reveals_nothing(digits):
    assert nhs.mask(digits) == "***"


@pytest.mark.parametrize("number", DEMO_NUMBERS)
def test_with_check_digit_round_trips(number):
    completed = nhs.with_check_digit(number[:9])
    assert completed == number
    assert nhs.is_valid(completed)


def test_random_prefixes_complete_to_valid_numbers_and_single_digit_errors_are_caught():
    rng = random.Random(20261123)
    completed = 0
    for _ in range(2000):
        prefix = f"{rng.randrange(0, 10**9):09d}"
        number = nhs.with_check_digit(prefix)
        if number is None:
            assert nhs.check_digit(prefix) is None
            continue
        completed += 1
        assert number[:9] == prefix
        assert nhs.normalise(number) == number
        # Modulus 11 with weights 10..2 detects every single-digit substitution.
        for position in range(10):
            for digit in "0123456789":
                if digit != number[position]:
                    changed = number[:position] + digit + number[position + 1:]
                    assert not nhs.is_valid(changed), (number, changed)
    # About 1 prefix in 11 has no check digit; the rest must have been exercised.
    assert 1600 < completed < 2000
