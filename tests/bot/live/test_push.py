"""bot.live.push: which sockets belong to which conversation, and one push round against
a real, seeded SQLite registry (the coordinator's side written through LiveStore)."""
from __future__ import annotations

from typing import Dict, List

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from bot.live.push import Connections, LivePush
from bot.live.store import IN_CHUNK, LiveStore, Outgoing, Staff
from bot.models import CaseMessage, Coordinator, HandoffCase, Patient


def test_connections_follow_sockets_and_conversations():
    connections = Connections()
    connections.add("sid-1", "conv-a")
    connections.add("sid-2", "conv-a")
    connections.add("sid-3", "conv-b")
    assert sorted(connections.conversations()) == ["conv-a", "conv-b"] and len(connections) == 3
    assert connections.remove("sid-1") == "conv-a"
    assert sorted(connections.conversations()) == ["conv-a", "conv-b"]  # sid-2 still has it open
    connections.add("sid-2", "conv-c")  # a socket that opens another session leaves its old one
    assert sorted(connections.conversations()) == ["conv-b", "conv-c"]
    assert connections.conversation("sid-2") == "conv-c" and connections.conversation("sid-1") is None
    assert connections.remove("never-seen") is None


def claimed_case(db, conversation_id: str) -> tuple:
    with db.session() as session:
        patient = session.execute(sa.select(Patient).where(Patient.nhs_number == "9990000018")).scalar_one()
        priya = session.execute(sa.select(Coordinator).where(Coordinator.name == "Priya Sharma")).scalar_one()
        case = HandoffCase(patient_id=patient.id, coordinator_id=priya.id, team_id=priya.team_id,
                           queue="coordinator", reason="patient_request", conversation_id=conversation_id,
                           summary={"language": "en"})
        session.add(case)
        session.flush()
        staff = Staff(priya.id, priya.name, priya.team_id)
        case_id = case.id
    LiveStore(db).claim(case_id, staff)
    return case_id, staff


class Recorder:
    def __init__(self) -> None:
        self.sent: Dict[str, List[Outgoing]] = {}

    async def __call__(self, conversation_id: str, messages: List[Outgoing]) -> None:
        self.sent.setdefault(conversation_id, []).extend(messages)


def pusher(db, connections: Connections, recorder: Recorder) -> LivePush:
    async def live() -> LiveStore:
        return LiveStore(db)

    return LivePush(live, connections, recorder, interval=0.01)


async def test_a_round_sends_what_waits_for_connected_conversations_only_and_only_once(db):
    live = LiveStore(db)
    here, _ = claimed_case(db, "conv-here")
    case_away, staff = claimed_case(db, "conv-away")
    live.add_reply(here, staff, "Hello", "Hello", "en", "none")
    live.add_reply(case_away, staff, "Hello too", "Hello too", "en", "none")
    connections, recorder = Connections(), Recorder()
    connections.add("sid-1", "conv-here")
    push = pusher(db, connections, recorder)
    assert await push.deliver() == 2  # the "joined" notice and the reply
    assert [(m.direction, m.response or m.text) for m in recorder.sent["conv-here"]] == \
        [("notice", "utter_coordinator_joined"), ("coordinator", "Hello")]
    assert "conv-away" not in recorder.sent
    assert await push.deliver() == 0  # taken once: marked delivered
    assert len(live.take_outgoing("conv-away")) == 2  # still waiting for its patient's next message


async def test_nobody_connected_costs_no_query(db, monkeypatch):
    def no_query(*args):
        raise AssertionError("queried the registry with nobody connected")

    monkeypatch.setattr(LiveStore, "take_outgoing_for", no_query)
    assert await pusher(db, Connections(), Recorder()).deliver() == 0


def test_taking_for_many_conversations_spans_several_queries(db):
    live = LiveStore(db)
    case_id, staff = claimed_case(db, f"conv-{IN_CHUNK + 5}")
    ids = [f"conv-{i}" for i in range(IN_CHUNK + 10)]
    taken = live.take_outgoing_for(ids)
    assert list(taken) == [f"conv-{IN_CHUNK + 5}"] and taken[f"conv-{IN_CHUNK + 5}"][0].direction == "notice"
    with db.session() as session:
        assert session.execute(sa.select(CaseMessage.delivered_at).where(CaseMessage.case_id == case_id)).scalar_one()


async def test_the_loop_survives_a_registry_that_is_away(db, caplog):
    import asyncio

    connections, recorder = Connections(), Recorder()
    connections.add("sid-1", "conv-x")
    calls = []

    async def away() -> LiveStore:
        calls.append(1)
        raise OperationalError("select", {}, Exception("database is locked"))

    task = asyncio.ensure_future(LivePush(away, connections, recorder, interval=0.01).run())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(calls) > 2  # kept trying
    assert "live.push.unavailable error=OperationalError" in caplog.text
