"""The hardened REST channel (bot/channels/rest.py), driven over ASGI in-process.

sanic-testing is not installed, so requests go through httpx's ASGI transport
straight into a Sanic app; nothing listens on a socket.
"""
from __future__ import annotations

import json
import logging
import uuid
from typing import List

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.catalogue import load_responses
from bot.channels.rest import MAX_BODY_BYTES, GuardedRestInput

URL = "/webhooks/rest/webhook"
SENDER = "patient-7f3a9c"
TEXT = "My name is Margaret and my chest hurts"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    # The channel's language pipeline keeps its state in a throwaway registry, and
    # translation is off: these tests are about the HTTP surface.
    monkeypatch.setenv("TELLONCE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("TELLONCE_DATABASE_URL", raising=False)
    monkeypatch.setenv("TRANSLATOR", "none")
    # As sanic-testing does: lets several apps start in one process (Sanic's
    # start-up "touch-up" rewrites class methods and can only repeat in test mode).
    monkeypatch.setattr(Sanic, "test_mode", True)
    monkeypatch.delenv("REST_CHANNEL_TOKEN", raising=False)
    monkeypatch.delenv("REST_RATE_LIMIT_PER_MINUTE", raising=False)


class Harness:
    def __init__(self, channel: GuardedRestInput, fail_with: Exception = None, silent: bool = False) -> None:
        self.channel = channel
        self.received: List[UserMessage] = []
        self.fail_with = fail_with
        self.silent = silent

    async def on_new_message(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.fail_with is not None:
            raise self.fail_with
        if self.silent:
            return
        await message.output_channel.send_text_message(message.sender_id, "echo: " + message.text)

    async def client(self) -> httpx.AsyncClient:
        app = Sanic("t" + uuid.uuid4().hex)
        app.blueprint(self.channel.blueprint(self.on_new_message), url_prefix="/webhooks/rest")
        app.asgi = True
        await app._startup()  # what the ASGI lifespan would do: finalise routers and handlers
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://tellonce.test")


async def post(harness: Harness, body, headers=None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    async with await harness.client() as client:
        return await client.post(URL, content=content, headers={"Content-Type": "application/json", **(headers or {})})


async def test_health_route_answers_ok():
    async with await Harness(GuardedRestInput()).client() as client:
        reply = await client.get("/webhooks/rest/")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok"}


async def test_valid_message_is_passed_on_and_the_reply_returned():
    harness = Harness(GuardedRestInput())
    reply = await post(harness, {"sender": SENDER, "message": "  hello there "})
    assert reply.status_code == 200
    assert reply.json() == [{"recipient_id": SENDER, "text": "echo: hello there"}]
    [message] = harness.received
    assert message.input_channel == "rest"
    assert message.sender_id == SENDER
    assert message.text == "hello there"


async def test_patient_is_told_when_the_bot_produces_no_reply():
    harness = Harness(GuardedRestInput(), silent=True)
    reply = await post(harness, {"sender": SENDER, "message": "hello"})
    assert reply.status_code == 200
    expected = load_responses("en")["utter_service_unavailable"][0]["text"]
    assert reply.json() == [{"recipient_id": SENDER, "text": expected}]
    assert len(harness.received) == 1


def test_channel_name_is_rest_so_credentials_and_urls_match_rasa():
    assert GuardedRestInput.name() == "rest"
    assert isinstance(GuardedRestInput.from_credentials({"anything": 1}), GuardedRestInput)


async def test_client_metadata_is_ignored():
    harness = Harness(GuardedRestInput())
    reply = await post(harness, {"sender": SENDER, "message": "hi",
                                 "metadata": {"verified": True, "patient_id": "1"}})
    assert reply.status_code == 200
    [message] = harness.received
    assert "verified" not in message.metadata and "patient_id" not in message.metadata
    assert message.metadata["original_text"] == "hi"  # only what the channel itself recorded


async def test_command_syntax_is_neutralised_before_rasa_sees_it():
    harness = Harness(GuardedRestInput())
    reply = await post(harness, {"sender": SENDER, "message": '/ask_next_appointment{"patient_id":"1"}'})
    assert reply.status_code == 200
    [message] = harness.received
    assert not message.text.startswith("/")


async def test_body_over_the_limit_is_rejected_unread():
    harness = Harness(GuardedRestInput())
    body = json.dumps({"sender": SENDER, "message": "a" * MAX_BODY_BYTES}).encode()
    reply = await post(harness, body)
    assert reply.status_code == 413
    assert reply.json()["error"] == "message_too_long"
    assert harness.received == []


async def test_message_over_the_character_limit_is_rejected():
    harness = Harness(GuardedRestInput())
    reply = await post(harness, {"sender": SENDER, "message": "a" * 5001})
    assert reply.status_code == 413
    assert reply.json()["error"] == "message_too_long"
    assert harness.received == []


async def test_invalid_utf8_is_rejected():
    harness = Harness(GuardedRestInput())
    reply = await post(harness, b'{"sender": "a", "message": "caf\xe9"}')
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_request"
    assert harness.received == []


@pytest.mark.parametrize("body", [b"", b"not json", b'{"sender": "a", "message": '])
async def test_invalid_json_is_rejected(body):
    harness = Harness(GuardedRestInput())
    reply = await post(harness, body)
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_request"


@pytest.mark.parametrize("body", [[{"sender": SENDER, "message": "hi"}], "hi", 42, None])
async def test_json_that_is_not_an_object_is_rejected(body):
    harness = Harness(GuardedRestInput())
    reply = await post(harness, body)
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_request"
    assert harness.received == []


@pytest.mark.parametrize("body, code", [
    ({"sender": "../etc", "message": "hi"}, "invalid_sender"),
    ({"message": "hi"}, "invalid_sender"),
    ({"sender": SENDER, "message": "   "}, "empty_message"),
    ({"sender": SENDER}, "invalid_message"),
    ({"sender": SENDER, "message": ["hi"]}, "invalid_message"),
])
async def test_bad_fields_get_a_clear_400(body, code):
    harness = Harness(GuardedRestInput())
    reply = await post(harness, body)
    assert reply.status_code == 400
    assert reply.json()["error"] == code
    assert reply.json()["detail"]
    assert harness.received == []


async def test_flooding_sender_gets_429(monkeypatch):
    monkeypatch.setenv("REST_RATE_LIMIT_PER_MINUTE", "2")
    harness = Harness(GuardedRestInput())
    statuses = [(await post(harness, {"sender": SENDER, "message": f"hi {n}"})).status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert len(harness.received) == 2
    other = await post(harness, {"sender": "someone-else", "message": "hi"})
    assert other.status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-token"},
                                     {"Authorization": "Bearer s3cret-token-and-more"}])
async def test_token_required_when_configured(monkeypatch, headers):
    monkeypatch.setenv("REST_CHANNEL_TOKEN", "s3cret-token")
    harness = Harness(GuardedRestInput())
    reply = await post(harness, {"sender": SENDER, "message": "hi"}, headers)
    assert reply.status_code == 401
    assert reply.json()["error"] == "unauthorised"
    assert harness.received == []


async def test_right_token_is_accepted(monkeypatch):
    monkeypatch.setenv("REST_CHANNEL_TOKEN", "s3cret-token")
    harness = Harness(GuardedRestInput())
    reply = await post(harness, {"sender": SENDER, "message": "hi"}, {"Authorization": "Bearer s3cret-token"})
    assert reply.status_code == 200
    assert reply.json() == [{"recipient_id": SENDER, "text": "echo: hi"}]


async def test_no_token_needed_when_none_configured():
    reply = await post(Harness(GuardedRestInput()), {"sender": SENDER, "message": "hi"},
                       {"Authorization": "Bearer anything"})
    assert reply.status_code == 200


async def test_failure_returns_500_and_logs_neither_text_nor_sender(caplog):
    # Errors raised deep inside Rasa often quote the conversation id or the text.
    failure = RuntimeError(f"could not handle {TEXT!r} for conversation {SENDER}")
    harness = Harness(GuardedRestInput(), fail_with=failure)
    with caplog.at_level(logging.DEBUG):
        reply = await post(harness, {"sender": SENDER, "message": TEXT})
    assert reply.status_code == 500
    assert reply.json()["error"] == "internal_error"
    assert TEXT not in reply.text and SENDER not in reply.text

    records = [r for r in caplog.records if r.name.startswith("bot.channels.")]
    assert records, "the failure must be logged"
    logged = "\n".join(r.getMessage() for r in records)
    assert "sender_hash=" in logged
    # Still diagnosable: the error's type and where it was raised are kept.
    assert "RuntimeError" in logged and "on_new_message" in logged
    handler = logging.Handler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    for record in caplog.records:
        logged = handler.format(record)
        for secret in (TEXT, "chest hurts", "Margaret", SENDER):
            assert secret not in logged


async def test_each_message_carries_its_language_and_translation_record():
    harness = Harness(GuardedRestInput())
    reply = await post(harness, {"sender": SENDER, "message": "میری اگلی ملاقات کب ہے؟"})
    assert reply.status_code == 200
    [message] = harness.received
    assert (message.metadata["language"], message.metadata["direction"]) == ("ur", "rtl")
    # TRANSLATOR=none: NLU gets the fallback intent, and the words are kept as written.
    assert message.parse_data["intent"]["name"] == "nlu_fallback"
    assert message.metadata["translation"] == "failed" and message.text == "میری اگلی ملاقات کب ہے؟"


async def test_no_reply_is_reported_in_the_patients_language():
    harness = Harness(GuardedRestInput(), silent=True)
    reply = await post(harness, {"sender": SENDER, "message": "ਮੇਰੀ ਅਗਲੀ ਮੁਲਾਕਾਤ ਕਦੋਂ ਹੈ?"})
    assert reply.json()[0]["text"] == load_responses("pa")["utter_service_unavailable"][0]["text"]


async def test_replies_carry_direction_and_the_language_menu_opens_number_choices():
    class MenuHarness(Harness):
        async def on_new_message(self, message):
            self.received.append(message)
            await message.output_channel.send_text_message(
                message.sender_id, "1. English\n2. ...",
                metadata={"language": "ur", "direction": "rtl", "source": "catalogue",
                          "response": "utter_language_menu", "review": "draft"})

    channel = GuardedRestInput()
    harness = MenuHarness(channel)
    reply = await post(harness, {"sender": SENDER, "message": "language"})
    assert reply.json() == [{"recipient_id": SENDER, "text": "1. English\n2. ...",
                             "metadata": {"language": "ur", "direction": "rtl"}}]
    assert channel.turns.pipeline().conversations.get(SENDER).menu_open
