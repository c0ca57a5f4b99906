"""A persistent translation cache, keyed by provider, languages and a hash of the text.

It holds only what was sent to a provider, which is masked text: personal data is
replaced by placeholders before any text leaves the system.
"""
from __future__ import annotations

import hashlib
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

from bot.db import Database
from bot.models import utcnow

CacheBase = declarative_base()


class CachedTranslation(CacheBase):
    __tablename__ = "translation_cache"

    key = sa.Column(sa.String(64), primary_key=True)
    translated = sa.Column(sa.Text, nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)


def cache_key(provider: str, source: str, target: str, text: str) -> str:
    return hashlib.sha256("\x1f".join((provider, source, target, text)).encode("utf-8")).hexdigest()


class TranslationCache:
    """get/put by (provider, source, target, text). Creates its table on first use."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, provider: str, source: str, target: str, text: str) -> Optional[str]:
        self.db.ensure_table(CachedTranslation.__table__)
        with self.db.session() as session:
            row = session.get(CachedTranslation, cache_key(provider, source, target, text))
            return row.translated if row else None

    def put(self, provider: str, source: str, target: str, text: str, translated: str) -> None:
        self.db.ensure_table(CachedTranslation.__table__)
        key = cache_key(provider, source, target, text)
        with self.db.session() as session:
            if session.get(CachedTranslation, key) is None:
                session.add(CachedTranslation(key=key, translated=translated))
