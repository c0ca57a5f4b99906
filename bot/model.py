"""Train the Rasa model only when its inputs change: `python -m bot.model`.

The model is named by a hash of everything that shapes it (config, domain,
training data, the red-flag lexicon, custom component code and the Rasa version),
so an unchanged project reuses its model, and tests train at most once.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Iterable, List

from bot.settings import PROJECT_ROOT, load_settings, rasa_environment

DOMAIN = PROJECT_ROOT / "bot" / "domain"
CONFIG = PROJECT_ROOT / "config.yml"
TRAINING_DATA = [PROJECT_ROOT / "data" / d for d in ("nlu", "rules", "stories")]
MODEL_INPUTS = [
    CONFIG, DOMAIN, *TRAINING_DATA, PROJECT_ROOT / "data" / "safety",
    *(PROJECT_ROOT / "bot" / name for name in ("components", "policies", "importer.py", "redflags.py")),
]


def _files(paths: Iterable[Path]) -> List[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file() and p.suffix in {".yml", ".yaml", ".py"})
        elif path.is_file():
            found.append(path)
    return sorted(found)


def fingerprint() -> str:
    import rasa

    digest = hashlib.sha256(f"rasa {rasa.__version__}\n".encode())
    for path in _files(MODEL_INPUTS):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return load_settings().model_dir / f"tellonce-{fingerprint()}.tar.gz"


def ensure_model() -> Path:
    """The model for the current inputs, training it first if it does not exist."""
    path = model_path()
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", str(CONFIG), "--domain", str(DOMAIN),
        "--data", *[str(p) for p in TRAINING_DATA],
        "--out", str(path.parent), "--fixed-model-name", path.name[: -len(".tar.gz")],
        "--force", "--quiet",
    ]
    subprocess.run(command, check=True, cwd=PROJECT_ROOT, env=rasa_environment())
    return path


if __name__ == "__main__":
    print(ensure_model())
