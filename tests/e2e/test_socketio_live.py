"""The web chat's channel through real servers: a patient on socket.io (python-socketio's
client over a websocket to the Rasa server), the coordinator on the handoff API. Replies
are pushed to the open chat; the patient never has to write to receive them."""
from __future__ import annotations

import asyncio
import uuid
from typing import Any, Dict, List

import socketio

from bot.live.relay import catalogue_text
from tests.e2e.test_live_handoff import EWA, PRIYA, close_open_cases

WAIT = 30.0


class WebChat:
    """One patient's chat window."""

    def __init__(self, stack) -> None:
        self.stack = stack
        self.client = socketio.AsyncClient(reconnection=False)
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.client.on("bot_uttered", self.inbox.put_nowait)
        self.conversation = f"e2e-web-{uuid.uuid4().hex}"

    async def open(self) -> "WebChat":
        confirmed: asyncio.Queue = asyncio.Queue()
        self.client.on("session_confirm", confirmed.put_nowait)
        await self.client.connect(self.stack.rasa_url, transports=["websocket"], socketio_path="/socket.io",
                                  wait_timeout=WAIT)
        await self.client.emit("session_request", {"session_id": self.conversation})
        assert await asyncio.wait_for(confirmed.get(), WAIT) == self.conversation
        return self

    async def say(self, text: str, replies: int = 1) -> List[Dict[str, Any]]:
        """Send ``text``; the first ``replies`` messages back, then whatever else comes at once."""
        await self.client.emit("user_uttered", {"message": text})
        got = [await self.next() for _ in range(replies)]
        return got + await self.drain()

    async def next(self, timeout: float = WAIT) -> Dict[str, Any]:
        return await asyncio.wait_for(self.inbox.get(), timeout)

    async def drain(self, quiet: float = 1.0) -> List[Dict[str, Any]]:
        got = []
        while True:
            try:
                got.append(await asyncio.wait_for(self.inbox.get(), quiet))
            except asyncio.TimeoutError:
                return got

    async def close(self) -> None:
        await self.client.disconnect()


async def api(stack, *args):
    return await asyncio.to_thread(stack.api, *args)


async def verify_and_ask_for_coordinator(chat: WebChat, ask: str, nhs: str, dob: str) -> List[Dict[str, Any]]:
    await chat.say(ask)
    await chat.say(nhs)
    return await chat.say(dob)


def case_of(registry, conversation: str) -> int:
    import sqlalchemy as sa

    from bot.models import HandoffCase

    with registry.session() as session:
        return session.execute(sa.select(HandoffCase.id).where(HandoffCase.conversation_id == conversation)).scalar_one()


async def test_margaret_on_the_web_chat_gets_priyas_replies_pushed(stack, registry):
    close_open_cases(registry, "9990000018")
    chat = await WebChat(stack).open()
    try:
        told = " ".join(m["text"] for m in await verify_and_ask_for_coordinator(
            chat, "Can I talk to my coordinator", "999 000 0018", "14/03/1948"))
        assert "Priya Sharma" in told
        case_id = case_of(registry, chat.conversation)
        token = await asyncio.to_thread(stack.staff_token, PRIYA)
        # Priya claims: Margaret's open chat is told at once, without writing anything
        assert (await api(stack, "POST", f"/cases/{case_id}/claim", token))[0] == 200
        joined = await chat.next()
        assert "Priya Sharma" in joined["text"] and "joined" in joined["text"]
        assert joined["metadata"]["from"] == "tellonce"
        status, _ = await api(stack, "POST", f"/cases/{case_id}/reply", token, {"text": "Hello Margaret, how is your knee?"})
        assert status == 201
        reply = await chat.next()
        assert reply["text"] == "Hello Margaret, how is your knee?"
        assert reply["metadata"] == {"from": "coordinator", "coordinator_name": "Priya Sharma",
                                     "machine_translated": False, "language": "en", "direction": "ltr"}
        # her answer goes to Priya, and the bot does not answer it
        assert await chat.say("Much better, thank you", replies=0) == []
        status, detail = await api(stack, "GET", f"/cases/{case_id}", token)
        assert [m["original_text"] for m in detail["messages"] if m["direction"] == "patient"] == \
            ["Much better, thank you"]
        pushed = [m for m in detail["messages"] if m["direction"] in ("coordinator", "notice")]
        assert all(m["delivered_at"] for m in pushed)
        # a red flag while Priya has the conversation still gets the advice at once
        advice = " ".join(m["text"] for m in await chat.say("I have crushing chest pain"))
        assert "999" in advice
        # Priya closes the case: Margaret is told at once, and the bot answers her again
        assert (await api(stack, "POST", f"/cases/{case_id}/close", token))[0] == 200
        assert "closed your request" in (await chat.next())["text"]
        replies = await chat.say("when is my next appointment")
        assert any("next appointment" in m["text"] for m in replies)
    finally:
        await chat.close()


async def test_tomasz_reads_ewas_english_in_polish_on_the_web_chat(stack, registry):
    close_open_cases(registry, "9990000026")
    chat = await WebChat(stack).open()
    try:
        replies = await verify_and_ask_for_coordinator(chat, "Chcę porozmawiać z moim koordynatorem",
                                                      "999 000 0026", "02/07/1961")
        assert all(m["metadata"]["language"] == "pl" for m in replies)
        case_id = case_of(registry, chat.conversation)
        token = await asyncio.to_thread(stack.staff_token, EWA)
        assert (await api(stack, "POST", f"/cases/{case_id}/claim", token))[0] == 200
        joined = await chat.next()
        assert joined["text"] == catalogue_text("utter_coordinator_joined", "pl", {"coordinator_name": "Ewa Kowalska"})
        await api(stack, "POST", f"/cases/{case_id}/reply", token, {"text": "Hello Tomasz, I will call you tomorrow morning."})
        reply = await chat.next()
        assert reply["text"] == "Dzień dobry, Tomasz, zadzwonię do Pana jutro rano."
        assert reply["metadata"]["machine_translated"] is True and reply["metadata"]["language"] == "pl"
        assert await chat.say("Dobrze, będę w domu.", replies=0) == []
        status, detail = await api(stack, "GET", f"/cases/{case_id}", token)
        [answer] = [m for m in detail["messages"] if m["direction"] == "patient"]
        assert (answer["original_text"], answer["english_text"]) == ("Dobrze, będę w domu.", "Fine, I will be at home.")
        assert (await api(stack, "POST", f"/cases/{case_id}/close", token))[0] == 200
        closed = await chat.next()
        assert closed["text"] == catalogue_text("utter_coordinator_closed", "pl", {"coordinator_name": "Ewa Kowalska"})
    finally:
        await chat.close()


async def test_a_reply_written_while_the_chat_was_shut_arrives_when_it_reopens(stack, registry):
    close_open_cases(registry, "9990000018")
    chat = await WebChat(stack).open()
    await verify_and_ask_for_coordinator(chat, "Can I talk to my coordinator", "999 000 0018", "14/03/1948")
    await chat.close()  # Margaret shuts the window
    case_id = case_of(registry, chat.conversation)
    token = await asyncio.to_thread(stack.staff_token, PRIYA)
    await api(stack, "POST", f"/cases/{case_id}/claim", token)
    await api(stack, "POST", f"/cases/{case_id}/reply", token, {"text": "I will ring you at 3pm."})
    await asyncio.sleep(1.5)  # several push rounds with nobody to push to
    again = WebChat(stack)
    again.conversation = chat.conversation  # the widget keeps its session id
    await again.open()
    try:
        texts = [(await again.next())["text"], (await again.next())["text"]]
        assert "joined" in texts[0] and texts[1] == "I will ring you at 3pm."
    finally:
        await again.close()
        await api(stack, "POST", f"/cases/{case_id}/close", token)
