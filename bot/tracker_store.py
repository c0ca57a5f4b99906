"""Rasa's SQL tracker store, configured by one URL, with SQLite made safe for concurrency."""
from __future__ import annotations

from typing import Any, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore

from bot.db import enable_sqlite_wal
from bot.settings import load_settings


class TellOnceTrackerStore(SQLTrackerStore):
    """SQLTrackerStore taking ``url:`` (any SQLAlchemy URL) from endpoints.yml.

    For SQLite it turns on WAL journalling and a busy timeout, so that readers
    (staff tools, tests) and the Rasa server never see "database is locked".
    """

    def __init__(self, domain=None, host: Optional[Text] = None, event_broker=None, **kwargs: Any) -> None:
        url = host or load_settings().tracker_store_url
        if url.startswith("sqlite:///"):
            from pathlib import Path

            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        if self.engine.dialect.name == "sqlite":
            enable_sqlite_wal(self.engine, load_settings().sqlite_busy_timeout_ms)
            self.engine.dispose()  # pooled connections predate the listener
