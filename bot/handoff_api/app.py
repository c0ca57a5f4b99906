"""The handoff API as a Sanic app: ``create_app(live, replies)``."""
from __future__ import annotations

import asyncio
import hmac
import json
from functools import partial
from typing import Callable, Optional

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.exceptions import CaseConflict, CaseNotFound
from bot.handoff_api.openapi import SPEC
from bot.live.relay import ReplyTranslator
from bot.live.store import SCOPES, LiveStore, Staff
from bot.live.transcript import TranscriptReader

MAX_REPLY_CHARS = 4000


def _error(code: str, status: int, detail: str) -> HTTPResponse:
    return response.json({"error": code, "detail": detail}, status=status)


def create_app(live: LiveStore, replies: ReplyTranslator, transcripts: Optional[TranscriptReader] = None,
               name: str = "tellonce_handoff_api") -> Sanic:
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 64 * 1024

    async def off_loop(fn: Callable, *args):
        return await asyncio.get_running_loop().run_in_executor(None, partial(fn, *args))

    async def staff_of(request: Request) -> Optional[Staff]:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if not hmac.compare_digest(scheme.lower().encode(), b"bearer") or not token.strip():
            return None
        return await off_loop(live.staff_for_token, token.strip())

    def guarded(handler):
        async def wrapped(request: Request, **kwargs) -> HTTPResponse:
            staff = await staff_of(request)
            if staff is None:
                return _error("unauthorised", 401, "Send Authorization: Bearer <your API token>.")
            try:
                return await handler(request, staff, **kwargs)
            except CaseNotFound as error:
                return _error("not_found", 404, str(error))
            except CaseConflict as error:
                return _error("conflict", 409, str(error))
        wrapped.__name__ = handler.__name__
        return wrapped

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/openapi.json")
    async def openapi(_: Request) -> HTTPResponse:
        return response.json(SPEC)

    @app.get("/cases")
    @guarded
    async def list_cases(request: Request, staff: Staff) -> HTTPResponse:
        scope = request.args.get("scope", "mine")
        if scope not in SCOPES:
            return _error("invalid_request", 400, f"scope must be one of {', '.join(SCOPES)}")
        closed = request.args.get("closed", "false").lower() in ("1", "true", "yes")
        return response.json({"cases": await off_loop(live.list_cases, staff, scope, closed)})

    @app.get("/cases/<case_id:int>")
    @guarded
    async def get_case(request: Request, staff: Staff, case_id: int) -> HTTPResponse:
        case = await off_loop(live.case, case_id)
        # the whole story: the conversation with the bot (and any live part), as the patient wrote it and in English
        case["transcript"] = await off_loop(transcripts.read, case["conversation_id"]) if transcripts else []
        return response.json(case)

    @app.post("/cases/<case_id:int>/claim")
    @guarded
    async def claim(request: Request, staff: Staff, case_id: int) -> HTTPResponse:
        return response.json(await off_loop(live.claim, case_id, staff))

    @app.post("/cases/<case_id:int>/reply")
    @guarded
    async def reply(request: Request, staff: Staff, case_id: int) -> HTTPResponse:
        try:
            body = json.loads((request.body or b"").decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _error("invalid_request", 400, "The body must be JSON in UTF-8: {\"text\": \"...\"}.")
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            return _error("invalid_request", 400, "\"text\" must be a non-empty string.")
        if len(text) > MAX_REPLY_CHARS:
            return _error("invalid_request", 400, f"\"text\" can be at most {MAX_REPLY_CHARS} characters.")
        text = text.strip()
        language = await off_loop(live.case_language, case_id)
        patient_text, how = await off_loop(replies.translate, text, language)
        message = await off_loop(live.add_reply, case_id, staff, text, patient_text, language, how)
        return response.json(message, status=201)

    @app.post("/cases/<case_id:int>/handback")
    @guarded
    async def handback(request: Request, staff: Staff, case_id: int) -> HTTPResponse:
        return response.json(await off_loop(live.release, case_id, staff, False))

    @app.post("/cases/<case_id:int>/close")
    @guarded
    async def close(request: Request, staff: Staff, case_id: int) -> HTTPResponse:
        return response.json(await off_loop(live.release, case_id, staff, True))

    return app
