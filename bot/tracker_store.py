"""Rasa's SQL tracker store, configured by one URL, with SQLite made safe for concurrency."""
from __future__ import annotations

from typing import Any, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.orm import sessionmaker

from bot.db import ensure_sqlite_folder, make_engine
from bot.settings import load_settings


class TellOnceTrackerStore(SQLTrackerStore):
    """SQLTrackerStore taking ``url:`` (any SQLAlchemy URL) from endpoints.yml.

    For SQLite it uses TellOnce's engine (bot.db.make_engine): WAL journalling, a
    busy timeout and a connection pool, so that readers (staff tools, tests) and the
    Rasa server never see "database is locked", and no turn pays for reconnecting.
    """

    def __init__(self, domain=None, host: Optional[Text] = None, event_broker=None, **kwargs: Any) -> None:
        settings = load_settings()
        url = host or settings.tracker_store_url
        ensure_sqlite_folder(url)  # before Rasa's own engine connects
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # Rasa's engine reconnects for every read and write; ours pools, with WAL.
            self.engine.dispose()
            self.engine = make_engine(url, settings.sqlite_busy_timeout_ms, future=False)
            self.sessionmaker = sessionmaker(bind=self.engine)
