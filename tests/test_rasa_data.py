"""The training data validates cleanly, and the end-to-end test stories all pass."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.model import CONFIG, DOMAIN, TRAINING_DATA
from bot.settings import PROJECT_ROOT, rasa_environment

pytestmark = pytest.mark.slow


def rasa(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rasa", *args], cwd=PROJECT_ROOT, env=rasa_environment(),
                          capture_output=True, text=True, **kwargs)


def test_rasa_data_validate_has_zero_warnings():
    result = rasa("data", "validate", "--fail-on-warnings", "--config", str(CONFIG), "--domain", str(DOMAIN),
                  "--data", *map(str, TRAINING_DATA))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    rasa_warnings = [line for line in output.splitlines()
                     if "UserWarning" in line or " WARNING " in line or "Issue found" in line]
    assert rasa_warnings == [], "\n".join(rasa_warnings)


def test_every_test_story_passes(trained_model, tmp_path):
    result = rasa("test", "core", "--model", str(trained_model), "--stories", str(PROJECT_ROOT / "tests" / "stories"),
                  "--out", str(tmp_path), "--fail-on-prediction-errors", "--no-plot")
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:] + details
    report = json.loads((tmp_path / "story_report.json").read_text())
    conversations = report["conversation_accuracy"]
    assert conversations["accuracy"] == 1.0, details
    assert conversations["total"] == count_test_stories() >= 15
    # Every flow the issue names was exercised, not just predicted somewhere.
    for action in ("action_resume_after_verification", "utter_red_flag", "action_red_flag", "action_fallback",
                   "action_submit_change", "action_decline_change", "utter_faq", "action_verification_stopped"):
        assert report[action]["support"] > 0, action


def count_test_stories() -> int:
    import yaml

    return sum(len(yaml.safe_load(p.read_text())["stories"]) for p in (PROJECT_ROOT / "tests" / "stories").glob("*.yml"))
