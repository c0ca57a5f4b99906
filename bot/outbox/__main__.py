"""Run the outbox worker: `python -m bot.outbox` (make run starts it)."""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading

from bot.db import Database
from bot.exceptions import ConfigurationError
from bot.outbox.senders import SmtpConfig, SmtpSender, WebhookSender
from bot.outbox.worker import OutboxWorker
from bot.settings import load_settings


def build_worker() -> OutboxWorker:
    settings = load_settings()
    db = Database(settings.database_url, settings.sqlite_busy_timeout_ms)
    db.create_schema()
    smtp = SmtpConfig(settings.smtp_host, settings.smtp_port, settings.notify_from,
                      settings.smtp_username, os.environ.get("SMTP_PASSWORD", ""), settings.smtp_starttls)
    senders = {"email": SmtpSender(smtp)}
    if settings.case_webhook_url:
        secret = os.environ.get("CASE_WEBHOOK_SECRET", "")
        if not secret:
            raise ConfigurationError("CASE_WEBHOOK_URL is set: set CASE_WEBHOOK_SECRET to sign its requests")
        senders["webhook"] = WebhookSender(settings.case_webhook_url, secret)
    return OutboxWorker(db, senders)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    worker = build_worker()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    print(f"outbox worker: email via smtp://{settings.smtp_host}:{settings.smtp_port}", flush=True)
    worker.run_forever(settings.outbox_poll_seconds, stop=stopped.is_set)
    worker.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
