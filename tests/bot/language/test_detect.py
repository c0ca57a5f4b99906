"""Language detection: scripts, short text, no-evidence text, and real labelled data."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.language import detect
from bot.settings import PROJECT_ROOT

# ../shared beside the project (as on the build machines and in CI), or TELLONCE_SHARED_DIR.
SHARED = Path(os.environ.get("TELLONCE_SHARED_DIR") or PROJECT_ROOT.parent / "shared")
LANGID = SHARED / "langid" / "lingua"


@pytest.mark.parametrize("text, code", [
    ("Kiedy jest moja następna wizyta?", "pl"),
    ("Bună ziua, când este programarea mea?", "ro"),
    ("ਮੇਰੀ ਅਗਲੀ ਮੁਲਾਕਾਤ ਕਦੋਂ ਹੈ?", "pa"),
    ("میری اگلی ملاقات کب ہے؟", "ur"),
    ("Добрий день, коли мій прийом?", "uk"),
    ("Здравствуйте, когда мой приём у врача?", "ru"),
    ("我的下一个预约是什么时候？", "zh"),
    ("我的下一個預約是什麼時候？", "zh-Hant"),
    ("次の予約はいつですか", "ja"),
    ("다음 예약은 언제입니까?", "ko"),
    ("ቐጺሉ ዘሎ ቆጸራይ መዓስ እዩ?", "ti"),
    ("ቀጣዩ ቀጠሮዬ መቼ ነው?", "am"),
    ("Ẹ káàrọ̀, ìgbà wo ni ìpàdé mi?", "yo"),
    ("where is my next appointment please", "en"),
])
def test_detects_the_language(text, code):
    result = detect(text)
    assert result.code == code, result
    assert 0 < result.confidence <= 1


@pytest.mark.parametrize("text", ["1", "14/03/1948", "999 000 0018", "😀👍", "", "   ", "?!"])
def test_text_without_letters_has_no_language(text):
    assert detect(text).code is None and detect(text).confidence == 0


def test_accuracy_on_labelled_sentences_written_outside_this_project():
    """The first 30 sentences of a spread of languages from ../shared/langid (lingua-py's test data)."""
    languages = ["pl", "ro", "lt", "ta", "ru", "pt", "bg", "es", "hu", "bn", "it", "fr", "tr", "ur", "hi",
                 "fa", "ar", "de", "el", "gu", "uk", "ja", "vi", "ko", "yo", "sn", "lg"]
    assert LANGID.is_dir(), f"labelled data not found at {LANGID}: set TELLONCE_SHARED_DIR to the shared folder"
    correct = total = 0
    for code in languages:
        lines = (LANGID / "sentences" / f"{code}.txt").read_text(encoding="utf-8").splitlines()[:30]
        correct += sum(detect(line).code == code for line in lines)
        total += len(lines)
    assert correct / total >= 0.93, f"{correct}/{total}"


def test_cli_prints_code_and_confidence():
    result = subprocess.run([sys.executable, "-m", "bot.language", "Kiedy jest moja następna wizyta?"],
                            capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    code, confidence, _ = result.stdout.split()
    assert code == "pl" and 0.5 < float(confidence) <= 1
    assert subprocess.run([sys.executable, "-m", "bot.language"], capture_output=True).returncode == 2
