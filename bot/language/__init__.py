"""Which language a patient writes in: `detect(text)`, or `python -m bot.language "text"`."""
from bot.language.detect import Detection, LanguageDetector, detect

__all__ = ["Detection", "LanguageDetector", "detect"]
