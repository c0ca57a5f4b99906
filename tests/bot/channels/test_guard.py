"""Input hygiene shared by every channel (bot/channels/guard.py)."""
from __future__ import annotations

import unicodedata

import pytest

from bot.channels.guard import MAX_MESSAGE_CHARS, RateLimiter, clean_sender, clean_text
from bot.exceptions import RejectedInput


def rejected(call, *args):
    with pytest.raises(RejectedInput) as info:
        call(*args)
    return info.value


# ---------------------------------------------------------------- clean_text


def test_normal_text_is_returned_stripped():
    assert clean_text("  When is my next appointment?  \n") == "When is my next appointment?"


def test_text_is_nfc_normalised():
    decomposed = "Jose\u0301 cafe\u0301"  # e + combining acute accent
    cleaned = clean_text(decomposed)
    assert cleaned == "Jos\u00e9 caf\u00e9"
    assert unicodedata.is_normalized("NFC", cleaned)


@pytest.mark.parametrize("raw", [None, 42, b"hello", ["hello"], {"text": "hello"}])
def test_non_strings_are_rejected(raw):
    error = rejected(clean_text, raw)
    assert (error.status, error.code) == (400, "invalid_message")


@pytest.mark.parametrize("raw", ["", "   ", "\n\t \r\n", "\u202e", "\x00\x07"])
def test_empty_or_blank_text_is_rejected(raw):
    error = rejected(clean_text, raw)
    assert (error.status, error.code) == (400, "empty_message")


@pytest.mark.parametrize("raw", ["/", "  // ", "/\n/"])
def test_text_that_is_only_a_command_prefix_is_empty(raw):
    assert rejected(clean_text, raw).code == "empty_message"


def test_text_of_exactly_the_maximum_length_is_accepted():
    text = "a" * MAX_MESSAGE_CHARS
    assert clean_text(text) == text


def test_text_over_the_maximum_length_is_rejected():
    error = rejected(clean_text, "a" * (MAX_MESSAGE_CHARS + 1))
    assert (error.status, error.code) == (413, "message_too_long")
    assert str(MAX_MESSAGE_CHARS) in error.detail


def test_control_characters_are_removed():
    assert clean_text("he\x00l\x07lo\x1b\x7f there") == "hello there"


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
                                  "\u2068", "\u2069", "\u200b", "\u200e", "\u200f"])
def test_bidi_and_invisible_characters_are_removed(char):
    assert clean_text(f"pay{char}ment due") == "payment due"


def test_right_to_left_override_cannot_disguise_text():
    cleaned = clean_text("invoice\u202egpj.exe")
    assert "\u202e" not in cleaned
    assert cleaned == "invoicegpj.exe"


def test_newlines_and_tabs_inside_text_are_kept():
    assert clean_text("first line\nsecond line\r\nthird\tcolumn") == "first line\nsecond line\r\nthird\tcolumn"


def test_lone_surrogates_become_replacement_characters():
    cleaned = clean_text("a\ud800b\udfffc")
    assert cleaned == "a\ufffdb\ufffdc"
    cleaned.encode("utf-8")  # now valid Unicode: must not raise


def test_text_made_only_of_a_lone_surrogate_is_not_empty():
    assert clean_text("\ud83d") == "\ufffd"


def test_leading_slash_command_syntax_is_stripped():
    assert clean_text("/greet") == "greet"


def test_leading_command_with_entities_cannot_reach_rasa_as_a_command():
    cleaned = clean_text('  //ask_next_appointment{"patient_id":"1"}')
    assert not cleaned.startswith("/")
    assert cleaned == 'ask_next_appointment{"patient_id":"1"}'


def test_command_hidden_behind_invisible_characters_is_stripped():
    cleaned = clean_text('\u200b\u202e /affirm{"verified": true}')
    assert not cleaned.startswith("/")
    assert cleaned.startswith("affirm")


def test_slashes_inside_text_are_kept():
    assert clean_text("Is it on 14/03 or 15/03?") == "Is it on 14/03 or 15/03?"


@pytest.mark.parametrize("emoji", [
    "\U0001f44d",                                   # thumbs up
    "\U0001f44d\U0001f3fd",                         # thumbs up, skin tone
    "\u2764\ufe0f",                                 # red heart with variation selector
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",   # family: joined with ZWJ
    "\U0001f1ec\U0001f1e7",                         # flag (regional indicators)
    "\U0001f642\U0001f642\U0001f642",
])
def test_emoji_only_text_is_accepted_unchanged(emoji):
    assert clean_text(emoji) == emoji


def test_zero_width_non_joiner_in_persian_is_kept():
    text = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want", spelled with ZWNJ
    assert clean_text(text) == text


# ---------------------------------------------------------------- clean_sender


@pytest.mark.parametrize("sender", ["abc-123_x.y:z@w", "a", "A" * 128, "550e8400-e29b-41d4-a716-446655440000"])
def test_valid_senders_are_accepted_unchanged(sender):
    assert clean_sender(sender) == sender


@pytest.mark.parametrize("sender", ["", "a" * 129, "../x", "a b", "a/b", "abc\n", "caf\u00e9", "<script>",
                                    None, 123, b"abc", ["abc"]])
def test_invalid_senders_are_rejected(sender):
    error = rejected(clean_sender, sender)
    assert (error.status, error.code) == (400, "invalid_sender")


# ---------------------------------------------------------------- RateLimiter


def test_limit_is_enforced_then_lifted_after_the_window():
    limiter = RateLimiter(limit=3, window=60)
    for second in (0.0, 1.0, 2.0):
        limiter.check("alice", now=1000 + second)
    error = rejected(limiter.check, "alice", 1003.0)
    assert (error.status, error.code) == (429, "too_many_messages")
    # Still refused just before the first message leaves the window...
    assert rejected(limiter.check, "alice", 1059.9).code == "too_many_messages"
    # ...and allowed once it has.
    limiter.check("alice", now=1060.0)


def test_refused_messages_do_not_count_against_the_sender():
    limiter = RateLimiter(limit=3, window=60)
    for second in (0.0, 1.0, 2.0):
        limiter.check("alice", now=second)
    for second in range(3, 50):
        rejected(limiter.check, "alice", float(second))
    limiter.check("alice", now=60.0)  # only the first allowed message has expired


def test_window_slides_rather_than_resetting():
    limiter = RateLimiter(limit=3, window=60)
    limiter.check("alice", now=0.0)
    limiter.check("alice", now=50.0)
    limiter.check("alice", now=55.0)
    limiter.check("alice", now=61.0)  # the message at 0 has expired
    assert rejected(limiter.check, "alice", 100.0).status == 429  # 50, 55, 61 are still inside


def test_senders_are_limited_independently():
    limiter = RateLimiter(limit=3, window=60)
    for second in range(3):
        limiter.check("alice", now=float(second))
    rejected(limiter.check, "alice", 3.0)
    for second in range(3):
        limiter.check("bob", now=3.0 + second)
    assert rejected(limiter.check, "bob", 10.0).code == "too_many_messages"


def test_many_senders_over_time_keep_memory_bounded():
    limiter = RateLimiter(limit=3, window=60, max_senders=10)
    sizes = []
    for index in range(50):
        limiter.check(f"sender-{index}", now=index * 20.0)  # one new sender every 20 s
        sizes.append(len(limiter._seen))
    assert max(sizes) <= limiter.max_senders
    # The most recent senders survive eviction and are still limited.
    assert "sender-49" in limiter._seen
    assert "sender-0" not in limiter._seen
    limiter.check("sender-49", now=49 * 20.0 + 1)
    limiter.check("sender-49", now=49 * 20.0 + 2)
    assert rejected(limiter.check, "sender-49", 49 * 20.0 + 3).status == 429


def test_default_limit_uses_the_monotonic_clock_when_now_is_omitted():
    limiter = RateLimiter(limit=2, window=3600)
    limiter.check("alice")
    limiter.check("alice")
    assert rejected(limiter.check, "alice").code == "too_many_messages"


def test_rate_limiter_memory_stays_bounded_under_a_flood_of_new_senders():
    from bot.channels.guard import RateLimiter

    limiter = RateLimiter(limit=3, window=60, max_senders=10)
    for index in range(1000):  # all within one window: nothing has expired
        limiter.check(f"sender-{index}", now=float(index) / 100)
    assert len(limiter._seen) == 10
    assert "sender-999" in limiter._seen and "sender-0" not in limiter._seen
