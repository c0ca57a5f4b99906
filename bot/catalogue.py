"""The response catalogue: text that custom actions send, by response name and language."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot.settings import PROJECT_ROOT

CATALOGUE_DIR = PROJECT_ROOT / "data" / "catalogue"

Responses = Dict[str, List[Dict[str, Any]]]


def load_responses(language: str = "en", directory: Path = CATALOGUE_DIR) -> Responses:
    """Responses in Rasa's domain format ({name: [{"text": ...}, ...]}) for one language."""
    data = yaml.safe_load((directory / f"{language}.yml").read_text(encoding="utf-8")) or {}
    responses = data.get("responses") or {}
    if not isinstance(responses, dict):
        raise ValueError(f"{directory / language}.yml: 'responses' must be a mapping")
    return responses
