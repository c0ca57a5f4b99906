"""The handoff API's OpenAPI 3 description (served at GET /openapi.json)."""
from __future__ import annotations

_CASE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "reference": {"type": "string", "example": "TO-000012"},
    "status": {"type": "string", "enum": ["open", "claimed", "closed"]},
    "queue": {"type": "string", "enum": ["coordinator", "duty", "triage"]},
    "urgent": {"type": "boolean"}, "reason": {"type": "string"},
    "coordinator": {"type": "string", "nullable": True}, "claimed_by": {"type": "string", "nullable": True},
    "patient": {"type": "object", "properties": {"initials": {"type": "string", "nullable": True},
                                                  "verified": {"type": "boolean"}}},
    "language": {"type": "string"}, "interpreter_needed": {"type": "boolean"},
    "red_flags": {"type": "array", "items": {"type": "string"}},
    "asked_about": {"type": "array", "items": {"type": "string"}},
    "in_hours": {"type": "boolean", "nullable": True}, "reply_by": {"type": "string", "nullable": True},
    "created_at": {"type": "string", "format": "date-time"}}}
_MESSAGE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "direction": {"type": "string", "enum": ["patient", "coordinator", "notice"]},
    "original_text": {"type": "string", "description": "patient: their words; coordinator: the English written"},
    "english_text": {"type": "string", "nullable": True},
    "patient_text": {"type": "string", "nullable": True, "description": "what the patient receives"},
    "language": {"type": "string"},
    "translation": {"type": "string", "enum": ["none", "catalogue", "machine", "failed", "cached"]},
    "response": {"type": "string", "nullable": True},
    "created_at": {"type": "string", "format": "date-time"},
    "delivered_at": {"type": "string", "format": "date-time", "nullable": True}}}
_ERROR = {"type": "object", "properties": {"error": {"type": "string"}, "detail": {"type": "string"}}}


def _ok(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    text = {400: "bad request", 401: "missing or unknown token", 404: "no such case",
            409: "the case is closed, claimed by someone else, or not claimed by you"}
    return {str(code): _ok({"$ref": "#/components/schemas/Error"}, text[code]) for code in codes}


def _case_id() -> dict:
    return {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}


SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "TellOnce handoff API", "version": "1",
             "description": "Coordinators take handed-off conversations: list the queue, claim a case "
                            "(the bot steps aside and relays), reply in English (the patient reads their "
                            "own language), hand back to the bot, or close."},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": "python -m bot.handoff_api token <email>"}},
        "schemas": {"Case": _CASE, "Message": _MESSAGE, "Error": _ERROR,
                    "CaseDetail": {"allOf": [{"$ref": "#/components/schemas/Case"}, {"type": "object", "properties": {
                        "conversation_id": {"type": "string"},
                        "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
                        "transcript": {"type": "array", "description": "the conversation with the bot, oldest first",
                                       "items": {"type": "object", "properties": {
                                           "from": {"type": "string", "enum": ["patient", "bot"]},
                                           "at": {"type": "string", "format": "date-time"},
                                           "text": {"type": "string", "description": "as written or sent"},
                                           "english_text": {"type": "string", "nullable": True},
                                           "language": {"type": "string"}}}}}}]}},
    },
    "security": [{"bearer": []}],
    "paths": {
        "/cases": {"get": {
            "summary": "List cases", "parameters": [
                {"name": "scope", "in": "query", "schema": {"type": "string", "enum": ["mine", "team", "triage", "all"],
                                                             "default": "mine"}},
                {"name": "closed", "in": "query", "schema": {"type": "boolean", "default": False}}],
            "responses": {"200": _ok({"type": "object", "properties": {
                "cases": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}}}}), **_errors(400, 401)}}},
        "/cases/{case_id}": {"get": {
            "summary": "A case with its live messages", "parameters": [_case_id()],
            "responses": {"200": _ok({"$ref": "#/components/schemas/CaseDetail"}), **_errors(401, 404)}}},
        "/cases/{case_id}/claim": {"post": {
            "summary": "Claim: the bot steps aside; patient messages are recorded and relayed here",
            "parameters": [_case_id()],
            "responses": {"200": _ok({"$ref": "#/components/schemas/Case"}), **_errors(401, 404, 409)}}},
        "/cases/{case_id}/reply": {"post": {
            "summary": "Reply in English; the patient receives it in their language",
            "parameters": [_case_id()],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["text"],
                "properties": {"text": {"type": "string", "maxLength": 4000}}}}}},
            "responses": {"201": _ok({"$ref": "#/components/schemas/Message"}, "queued for the patient"),
                          **_errors(400, 401, 404, 409)}}},
        "/cases/{case_id}/handback": {"post": {
            "summary": "Hand the conversation back to the bot; the case stays open", "parameters": [_case_id()],
            "responses": {"200": _ok({"$ref": "#/components/schemas/Case"}), **_errors(401, 404, 409)}}},
        "/cases/{case_id}/close": {"post": {
            "summary": "Close the case; the bot resumes", "parameters": [_case_id()],
            "responses": {"200": _ok({"$ref": "#/components/schemas/Case"}), **_errors(401, 404, 409)}}},
        "/health": {"get": {"summary": "Liveness", "security": [], "responses": {"200": _ok({"type": "object"})}}},
    },
}
