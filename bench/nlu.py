"""NLU cross-validation: intent F1 and the most confused intent pairs."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List

from bot.settings import rasa_environment


def cross_validate(config: Path, nlu: List[Path], out: Path, folds: int = 3, domain: Path = None) -> Dict:
    command = [sys.executable, "-m", "rasa", "test", "nlu", "--cross-validation", "--folds", str(folds),
               "--config", str(config), "--nlu", *map(str, nlu), "--out", str(out), "--no-plot"]
    if domain:
        command += ["--domain", str(domain)]
    subprocess.run(command, env=rasa_environment(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report = json.loads((out / "intent_report.json").read_text())
    errors = json.loads((out / "intent_errors.json").read_text()) if (out / "intent_errors.json").exists() else []
    pairs = Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    return {
        "macro_f1": report["macro avg"]["f1-score"],
        "weighted_f1": report["weighted avg"]["f1-score"],
        "intents": len([k for k in report if k not in ("accuracy", "macro avg", "weighted avg", "micro avg")]),
        "confusions": [f"{a} -> {b} ({n})" for (a, b), n in pairs.most_common(5)],
    }
