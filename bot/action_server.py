"""The rasa_sdk action server, with a readiness check on the registry database."""
from __future__ import annotations

import sqlalchemy as sa
from sanic import Sanic, response
from sanic.request import Request

from actions.common import off_loop


def create_app(action_package: str = "actions") -> Sanic:
    """The action server app: rasa_sdk's /webhook and /health, plus /ready.

    /health says the process is up; /ready says it can also reach the database.
    The action server is internal: it allows no cross-origin browser calls.
    """
    from rasa_sdk.endpoint import create_app as create_sdk_app

    from actions.store import get_store

    app = create_sdk_app(action_package, cors_origins=None)

    @app.get("/ready")
    async def ready(_: Request):
        def ping() -> None:
            with get_store().db.session() as session:
                session.execute(sa.text("SELECT 1"))

        try:
            await off_loop(ping)
        except sa.exc.SQLAlchemyError:
            return response.json({"status": "unavailable", "database": "unreachable"}, status=503)
        return response.json({"status": "ok", "database": "ok"})

    return app
