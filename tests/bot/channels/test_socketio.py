"""The hardened socket.io channel (bot/channels/socketio.py) on a real Sanic server on
127.0.0.1, driven by python-socketio's real client over a websocket, with a seeded SQLite
registry for the live relay. Rasa itself is replaced by an echo (``on_new_message``)."""
from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, Dict, List

import jwt
import pytest
import socketio
import sqlalchemy as sa
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.socketio import GuardedSocketIOInput
from bot.launch import free_port
from bot.live.store import LiveStore, Staff
from bot.models import CaseMessage, Coordinator, HandoffCase, Patient

WAIT = 10.0  # seconds any one event may take to arrive


@pytest.fixture(autouse=True)
def _env(monkeypatch, db, tmp_path):
    monkeypatch.setenv("TELLONCE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("TELLONCE_DATABASE_URL", f"sqlite:///{tmp_path / 'registry.db'}")  # the seeded db
    monkeypatch.setenv("TRANSLATOR", "none")
    monkeypatch.setenv("LIVE_PUSH_POLL_SECONDS", "0.1")
    monkeypatch.setattr(Sanic, "test_mode", True)
    for name in ("SOCKETIO_JWT_KEY", "SOCKETIO_RATE_LIMIT_PER_MINUTE", "SOCKETIO_CORS_ORIGINS"):
        monkeypatch.delenv(name, raising=False)


class Server:
    """The channel on a Sanic server of its own, and what Rasa (an echo) received."""

    def __init__(self) -> None:
        self.received: List[UserMessage] = []
        self.port = free_port()
        self.channel: GuardedSocketIOInput = None  # built in start(), after the environment is set
        self._server = None

    async def on_new_message(self, message: UserMessage) -> None:
        self.received.append(message)
        await message.output_channel.send_text_message(message.sender_id, "echo: " + message.text)

    async def start(self) -> "Server":
        self.channel = GuardedSocketIOInput()
        app = Sanic("t" + uuid.uuid4().hex)
        app.blueprint(self.channel.blueprint(self.on_new_message), url_prefix="/webhooks/socketio")
        self._server = await app.create_server(host="127.0.0.1", port=self.port, return_asyncio_server=True)
        await self._server.startup()
        await self._server.after_start()
        return self

    async def stop(self) -> None:
        await self._server.before_stop()
        self._server.close()
        await self._server.wait_closed()


class Patient_:
    """A socket.io client, recording every event it gets."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: Dict[str, asyncio.Queue] = {n: asyncio.Queue() for n in ("bot_uttered", "rejected",
                                                                            "session_confirm")}
        for name, queue in self.events.items():
            self.client.on(name, queue.put_nowait)

    async def connect(self, auth: Any = None, wait: float = WAIT) -> "Patient_":
        await self.client.connect(f"http://127.0.0.1:{self.server.port}", transports=["websocket"],
                                  socketio_path="/socket.io", auth=auth, wait_timeout=wait)
        return self

    async def session(self, session_id: Any = None) -> str:
        await self.client.emit("session_request", {"session_id": session_id})
        return await self.next("session_confirm")

    async def say(self, message: Any, **extra) -> None:
        await self.client.emit("user_uttered", {"message": message, **extra})

    async def next(self, event: str = "bot_uttered", timeout: float = WAIT):
        return await asyncio.wait_for(self.events[event].get(), timeout)

    async def nothing(self, event: str = "bot_uttered", seconds: float = 0.6) -> bool:
        try:
            await asyncio.wait_for(self.events[event].get(), seconds)
        except asyncio.TimeoutError:
            return True
        return False

    async def close(self) -> None:
        await self.client.disconnect()


@pytest.fixture
async def server():
    running = await Server().start()
    yield running
    await running.stop()


@pytest.fixture
async def patient(server):
    client = await Patient_(server).connect()
    yield client
    await client.close()


async def test_a_session_then_messages_reach_rasa_and_replies_come_back(server, patient):
    assert await patient.session("web-7f3a9c") == "web-7f3a9c"
    await patient.say("  hello there ", metadata={"verified": True})
    reply = await patient.next()
    assert reply == {"text": "echo: hello there"}
    [message] = server.received
    assert (message.sender_id, message.input_channel, message.text) == ("web-7f3a9c", "socketio", "hello there")
    assert "verified" not in message.metadata  # client metadata is ignored
    assert message.metadata["original_text"] == "hello there"  # the language pipeline ran


async def test_no_session_id_gets_a_new_conversation(patient):
    conversation = await patient.session(None)
    assert len(conversation) == 32


async def test_a_message_before_the_session_is_refused(server, patient):
    await patient.say("hello")
    assert (await patient.next("rejected"))["error"] == "no_session"
    assert server.received == []


@pytest.mark.parametrize("body, error", [
    ({"message": ""}, "empty_message"),
    ({"message": "   "}, "empty_message"),
    ({"message": 42}, "invalid_message"),
    ({"message": "a" * 5001}, "message_too_long"),
    ({"message": "hi", "session_id": "someone-else"}, "session_not_allowed"),
])
async def test_bad_messages_are_refused_clearly(server, patient, body, error):
    await patient.session("web-bad-input")
    await patient.client.emit("user_uttered", body)
    assert (await patient.next("rejected"))["error"] == error
    assert server.received == []


async def test_a_message_that_is_not_an_object_is_refused(server, patient):
    await patient.session("web-not-object")
    await patient.client.emit("user_uttered", "just a string")
    assert (await patient.next("rejected"))["error"] == "invalid_request"


async def test_a_bad_session_id_is_refused(patient):
    await patient.client.emit("session_request", {"session_id": "<script>alert(1)</script>"})
    assert (await patient.next("rejected"))["error"] == "invalid_sender"


async def test_emoji_injection_and_broken_surrogates_are_handled(server, patient):
    await patient.session("web-odd-text")
    for text in ("😀😀😀", "'; DROP TABLE patients; --", "/ask_next_appointment{\"patient_id\": \"1\"}", "\ud83d hi"):
        await patient.say(text)
        await patient.next()
    texts = [m.text for m in server.received]
    assert texts[:2] == ["😀😀😀", "'; DROP TABLE patients; --"]
    assert not texts[2].startswith("/")
    assert texts[3] == "\ufffd hi"


async def test_floods_are_refused(monkeypatch, server):
    monkeypatch.setattr(server.channel.limiter, "limit", 3)
    client = await Patient_(server).connect()
    await client.session("web-flood")
    for _ in range(4):
        await client.say("hello")
    assert (await client.next("rejected"))["error"] == "too_many_messages"
    assert [(await client.next())["text"] for _ in range(3)] == ["echo: hello"] * 3
    assert len(server.received) == 3 and await client.nothing()
    await client.close()


async def test_a_megabyte_message_does_not_reach_rasa_or_stop_the_server(server):
    big = await Patient_(server).connect()
    await big.session("web-megabyte")
    await big.say("a" * 1_000_000)
    await asyncio.sleep(1.0)
    assert server.received == []  # engine.io refuses the oversized packet and drops that socket
    await big.close()
    other = await Patient_(server).connect()
    await other.session("web-after-megabyte")
    await other.say("still there?")
    assert (await other.next())["text"] == "echo: still there?"
    await other.close()


async def test_with_a_jwt_key_a_token_is_required_and_binds_the_conversation(monkeypatch):
    monkeypatch.setenv("SOCKETIO_JWT_KEY", "test-widget-key")
    server = await Server().start()
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await Patient_(server).connect(wait=2)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await Patient_(server).connect({"token": jwt.encode({"session_id": "web-1"}, "wrong-key")}, wait=2)
        token = jwt.encode({"session_id": "web-1", "exp": int(time.time()) + 60}, "test-widget-key")
        client = await Patient_(server).connect({"token": token})
        await client.client.emit("session_request", {"session_id": "web-2"})
        assert (await client.next("rejected"))["error"] == "session_not_allowed"
        assert await client.session(None) == "web-1"
        await client.close()
    finally:
        await server.stop()


# live push: a coordinator's reply reaches an open chat without the patient writing -------------
def open_case(db, conversation_id: str) -> int:
    with db.session() as session:
        patient = session.execute(sa.select(Patient).where(Patient.nhs_number == "9990000018")).scalar_one()
        case = HandoffCase(patient_id=patient.id, coordinator_id=patient.coordinator_id, team_id=1,
                           queue="coordinator", reason="patient_request", conversation_id=conversation_id,
                           summary={"language": "en"})
        session.add(case)
        session.flush()
        return case.id


def priya(db) -> Staff:
    with db.session() as session:
        coordinator = session.execute(sa.select(Coordinator).where(Coordinator.name == "Priya Sharma")).scalar_one()
        return Staff(coordinator.id, coordinator.name, coordinator.team_id)


def undelivered(db, conversation_id: str) -> int:
    with db.session() as session:
        return session.execute(sa.select(sa.func.count()).select_from(CaseMessage).where(
            CaseMessage.conversation_id == conversation_id, CaseMessage.delivered_at.is_(None),
            CaseMessage.direction != "patient")).scalar_one()


async def test_a_coordinators_reply_is_pushed_to_the_open_chat(server, patient, db):
    conversation = await patient.session("web-live-1")
    bystander = await Patient_(server).connect()
    await bystander.session("web-live-bystander")
    case_id = open_case(db, conversation)
    live = LiveStore(db)
    live.claim(case_id, priya(db))
    joined = await patient.next()
    assert joined["metadata"] == {"from": "tellonce", "response": "utter_coordinator_joined",
                                  "language": "en", "direction": "ltr"}
    assert "Priya Sharma" in joined["text"]
    live.add_reply(case_id, priya(db), "How is your knee today?", "How is your knee today?", "en", "none")
    reply = await patient.next()
    assert reply["text"] == "How is your knee today?"
    assert reply["metadata"]["from"] == "coordinator" and reply["metadata"]["coordinator_name"] == "Priya Sharma"
    assert undelivered(db, conversation) == 0
    assert await bystander.nothing()  # nobody else's chat gets it
    # the patient answers: it is recorded for Priya, and the bot (Rasa) stays quiet
    await patient.say("Much better, thank you")
    assert await patient.nothing()
    assert server.received == []
    with db.session() as session:
        [answer] = session.execute(sa.select(CaseMessage.original_text).where(
            CaseMessage.case_id == case_id, CaseMessage.direction == "patient")).scalars().all()
    assert answer == "Much better, thank you"
    # Priya closes the case: the patient is told at once, and the bot answers again
    live.release(case_id, priya(db), close=True)
    assert (await patient.next())["metadata"]["response"] == "utter_coordinator_closed"
    await patient.say("thank you")
    assert (await patient.next())["text"] == "echo: thank you"
    await bystander.close()


async def test_a_reply_written_while_the_chat_was_closed_arrives_when_it_reopens(server, db):
    case_id = open_case(db, "web-live-away")
    live = LiveStore(db)
    live.claim(case_id, priya(db))
    live.add_reply(case_id, priya(db), "Call me when you can.", "Call me when you can.", "en", "none")
    await asyncio.sleep(0.5)  # several push rounds: nobody is connected, so nothing is taken
    assert undelivered(db, "web-live-away") == 2
    client = await Patient_(server).connect()
    await client.session("web-live-away")
    texts = [(await client.next())["text"], (await client.next())["text"]]
    assert "Priya Sharma" in texts[0] and texts[1] == "Call me when you can."
    assert undelivered(db, "web-live-away") == 0
    await client.close()


async def test_two_tabs_of_one_conversation_both_get_the_reply_once(server, db):
    tabs = [await Patient_(server).connect() for _ in range(2)]
    for tab in tabs:
        await tab.session("web-live-tabs")
    case_id = open_case(db, "web-live-tabs")
    LiveStore(db).claim(case_id, priya(db))
    for tab in tabs:
        assert "Priya Sharma" in (await tab.next())["text"]
        assert await tab.nothing(seconds=0.4)
        await tab.close()


def test_both_channels_of_a_rasa_server_share_one_language_pipeline():
    from bot.channels.rest import GuardedRestInput

    rest, web = GuardedRestInput.from_credentials(None), GuardedSocketIOInput.from_credentials({})
    assert rest.turns is web.turns  # one set of detector models and one masker per process
