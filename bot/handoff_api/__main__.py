"""`python -m bot.handoff_api` serves the API; `python -m bot.handoff_api token <email>` issues a token."""
from __future__ import annotations

import argparse
import os
import sys

from bot.db import Database
from bot.settings import load_settings


def build(settings=None):
    from bot.handoff_api.app import create_app
    from bot.inbound import registry_names
    from bot.live.relay import ReplyTranslator
    from bot.live.store import LiveStore
    from bot.live.transcript import TranscriptReader
    from bot.translation.cache import TranslationCache
    from bot.translation.masking import Masker
    from bot.translation.service import TranslationService

    settings = settings or load_settings()
    db = Database(settings.database_url, settings.sqlite_busy_timeout_ms)
    db.create_schema()
    translator = TranslationService.from_environment(TranslationCache(db))
    return create_app(LiveStore(db), ReplyTranslator(translator, Masker(registry_names(db))),
                      TranscriptReader(settings.tracker_store_url, settings.sqlite_busy_timeout_ms))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="TellOnce handoff API")
    sub = parser.add_subparsers(dest="command")
    token = sub.add_parser("token", help="issue an API token for a coordinator (printed once)")
    token.add_argument("email")
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.command == "token":
        from bot.exceptions import CaseNotFound
        from bot.live.store import LiveStore

        db = Database(settings.database_url, settings.sqlite_busy_timeout_ms)
        db.create_schema()
        try:
            print(LiveStore(db).issue_token(args.email))
        except CaseNotFound as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        return 0
    app = build(settings)
    app.run(host=os.environ.get("HANDOFF_API_INTERFACE", "127.0.0.1"), port=settings.handoff_api_port,
            access_log=False, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
