"""The whole handoff loop through real servers: the REST channel, the action server, the
handoff API, the outbox worker and the local SMTP mailbox, on one SQLite registry."""
from __future__ import annotations

import email
import email.policy
import time
import uuid

import sqlalchemy as sa

from bot.models import HandoffCase

PRIYA = "priya.sharma@tellonce.invalid"
EWA = "ewa.kowalska@tellonce.invalid"  # Tomasz's coordinator (Swanley)


def new_sender() -> str:
    return f"e2e-live-{uuid.uuid4().hex}"


def wait_for_email(stack, reference: str, timeout: float = 30.0):
    inbox = stack.var_dir / "mail" / "new"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if inbox.is_dir():
            found = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in inbox.iterdir()]
            found = [m for m in found if reference in m["Subject"]]
            if found:
                return found
        time.sleep(0.3)
    return []


def open_case_for(stack, registry, sender, nhs, dob, ask="Can I talk to my coordinator") -> HandoffCase:
    stack.say(sender, ask)
    stack.say(sender, nhs)
    stack.say(sender, dob)
    with registry.session() as session:
        case = session.execute(sa.select(HandoffCase).where(HandoffCase.conversation_id == sender)).scalar_one()
        session.expunge(case)
        return case


def close_open_cases(registry, nhs):
    """Each loop starts from no open case for the patient (one open case per patient)."""
    from bot.models import Patient

    with registry.session() as session:
        patient_id = session.execute(sa.select(Patient.id).where(Patient.nhs_number == nhs)).scalar_one()
        session.execute(sa.update(HandoffCase).where(HandoffCase.patient_id == patient_id)
                        .values(status="closed"))


def test_margaret_priya_whole_loop(stack, registry):
    close_open_cases(registry, "9990000018")
    sender = new_sender()
    case = open_case_for(stack, registry, sender, "999 000 0018", "14/03/1948")
    reference = f"TO-{case.id:06d}"
    # the email to Priya arrives
    [message] = wait_for_email(stack, reference)
    assert message["To"] == PRIYA
    token = stack.staff_token(PRIYA)
    # Priya sees the case in her queue, with the summary
    status, listing = stack.api("GET", "/cases?scope=mine", token)
    assert status == 200
    [mine] = [c for c in listing["cases"] if c["id"] == case.id]
    assert mine["coordinator"] == "Priya Sharma" and mine["patient"] == {"initials": "M.E.", "verified": True}
    assert "request_coordinator" in mine["asked_about"]
    # she claims it: the bot steps aside and Margaret is told in her language
    status, claimed = stack.api("POST", f"/cases/{case.id}/claim", token)
    assert (status, claimed["status"], claimed["claimed_by"]) == (200, "claimed", "Priya Sharma")
    status, _ = stack.api("POST", f"/cases/{case.id}/reply", token,
                          {"text": "Hello Margaret, it's Priya. How is your knee today?"})
    assert status == 201
    replies = stack.exchange(sender, "A bit better, thank you. The swelling has gone down.")
    texts = [r["text"] for r in replies]
    assert any("Priya Sharma" in t and "joined" in t for t in texts)
    assert "Hello Margaret, it's Priya. How is your knee today?" in texts
    coordinator_reply = next(r for r in replies if r["metadata"].get("from") == "coordinator")
    assert coordinator_reply["metadata"]["coordinator_name"] == "Priya Sharma"
    assert coordinator_reply["metadata"]["machine_translated"] is False
    # the bot did not answer the message meant for Priya ...
    assert all(r["metadata"].get("from") in ("coordinator", "tellonce") for r in replies)
    # ... and Priya sees it, in Margaret's words
    status, detail = stack.api("GET", f"/cases/{case.id}", token)
    patient_messages = [m for m in detail["messages"] if m["direction"] == "patient"]
    assert [m["original_text"] for m in patient_messages] == ["A bit better, thank you. The swelling has gone down."]
    [joined] = [m for m in detail["messages"] if m["direction"] == "notice"]
    assert joined["original_text"].startswith("Priya Sharma from your care team has joined")
    delivered = [m for m in detail["messages"] if m["direction"] == "coordinator"]
    assert delivered[0]["delivered_at"] is not None
    # no message is lost while paused: three in a row all reach Priya
    for text in ("one", "two", "three"):
        assert stack.exchange(sender, f"message {text}") == []
    status, detail = stack.api("GET", f"/cases/{case.id}", token)
    assert [m["original_text"] for m in detail["messages"] if m["direction"] == "patient"][-3:] == \
        ["message one", "message two", "message three"]
    # she closes the case; the bot resumes and says so
    status, closed = stack.api("POST", f"/cases/{case.id}/close", token)
    assert (status, closed["status"]) == (200, "closed")
    replies = stack.exchange(sender, "when is my next appointment")
    assert "closed your request" in replies[0]["text"]
    assert any("next appointment" in r["text"] for r in replies[1:])


def test_a_red_flag_while_paused_still_gets_advice_at_once(stack, registry):
    close_open_cases(registry, "9990000018")
    sender = new_sender()
    case = open_case_for(stack, registry, sender, "999 000 0018", "14/03/1948")
    token = stack.staff_token(PRIYA)
    assert stack.api("POST", f"/cases/{case.id}/claim", token)[0] == 200
    replies = stack.say(sender, "I have crushing chest pain")
    assert any("999" in text for text in replies)
    status, detail = stack.api("GET", f"/cases/{case.id}", token)
    assert detail["messages"][-1]["original_text"] == "I have crushing chest pain"
    assert detail["urgent"] is True
    stack.api("POST", f"/cases/{case.id}/close", token)


def test_the_api_refuses_without_a_token_and_another_coordinators_claim(stack, registry):
    close_open_cases(registry, "9990000018")
    sender = new_sender()
    case = open_case_for(stack, registry, sender, "999 000 0018", "14/03/1948")
    assert stack.api("GET", "/cases")[0] == 401
    assert stack.api("GET", "/cases", "not-a-token")[0] == 401
    priya, james = stack.staff_token(PRIYA), stack.staff_token("james.okafor@tellonce.invalid")
    assert stack.api("POST", f"/cases/{case.id}/reply", priya, {"text": "hi"})[0] == 409  # not claimed yet
    assert stack.api("POST", f"/cases/{case.id}/claim", priya)[0] == 200
    status, body = stack.api("POST", f"/cases/{case.id}/claim", james)
    assert status == 409 and "Priya Sharma" in body["detail"]
    assert stack.api("POST", f"/cases/{case.id}/reply", priya, {"text": ""})[0] == 400
    assert stack.api("POST", f"/cases/{case.id}/reply", priya, {"text": "x" * 4001})[0] == 400
    assert stack.api("GET", "/cases/999999", priya)[0] == 404
    status, spec = stack.api("GET", "/openapi.json")
    assert status == 200 and "/cases/{case_id}/claim" in spec["paths"]
    # hand back: the case stays open, the bot answers again
    status, back = stack.api("POST", f"/cases/{case.id}/handback", priya)
    assert (status, back["status"]) == (200, "open")
    replies = stack.say(sender, "thank you")
    # what was queued reaches the patient in order, then the bot answers again
    assert "has joined" in replies[0] and "finished talking with you" in replies[1]
    assert len(replies) >= 3
    stack.api("POST", f"/cases/{case.id}/claim", priya)
    stack.api("POST", f"/cases/{case.id}/close", priya)


def test_tomasz_polish_loop_through_the_phrasebook_translator(stack, registry):
    """Tomasz writes Polish; his coordinator Ewa writes English; each reads their own language."""
    from bot.live.relay import catalogue_text

    close_open_cases(registry, "9990000026")
    sender = f"e2e-live-tomasz-{uuid.uuid4().hex}"
    case = open_case_for(stack, registry, sender, "999 000 0026", "02/07/1961",
                         ask="Chcę porozmawiać z moim koordynatorem")
    [message] = wait_for_email(stack, f"TO-{case.id:06d}")
    assert message["To"] == EWA
    assert "Polish (pl)" in message.get_content() and "Interpreter:  yes" in message.get_content()
    token = stack.staff_token(EWA)
    assert stack.api("POST", f"/cases/{case.id}/claim", token)[0] == 200
    status, sent = stack.api("POST", f"/cases/{case.id}/reply", token,
                             {"text": "Hello Tomasz, I will call you tomorrow morning."})
    assert status == 201 and sent["translation"] == "machine"
    assert sent["patient_text"] == "Dzień dobry, Tomasz, zadzwonię do Pana jutro rano."
    replies = stack.exchange(sender, "Dobrze, będę w domu.")
    joined, reply = replies
    assert joined["text"] == catalogue_text("utter_coordinator_joined", "pl", {"coordinator_name": "Ewa Kowalska"})
    assert joined["metadata"]["language"] == "pl"
    assert reply["text"] == "Dzień dobry, Tomasz, zadzwonię do Pana jutro rano."
    assert reply["metadata"]["machine_translated"] is True and reply["metadata"]["language"] == "pl"
    status, detail = stack.api("GET", f"/cases/{case.id}", token)
    # the story so far, as Tomasz wrote it and in English: Ewa need not ask him to repeat it
    asked = next(t for t in detail["transcript"] if t["from"] == "patient")
    assert (asked["text"], asked["english_text"], asked["language"]) == \
        ("Chcę porozmawiać z moim koordynatorem", "I want to talk to my coordinator", "pl")
    assert any(t["from"] == "bot" and t["language"] == "pl" for t in detail["transcript"])
    [answer] = [m for m in detail["messages"] if m["direction"] == "patient"]
    assert (answer["original_text"], answer["english_text"], answer["language"]) == \
        ("Dobrze, będę w domu.", "Fine, I will be at home.", "pl")
    assert stack.api("POST", f"/cases/{case.id}/close", token)[0] == 200
    replies = stack.exchange(sender, "Dziękuję bardzo")
    assert replies[0]["text"] == catalogue_text("utter_coordinator_closed", "pl", {"coordinator_name": "Ewa Kowalska"})
    assert all(r["metadata"]["language"] == "pl" for r in replies)


def test_any_update_through_the_whole_stack(stack, registry):
    close_open_cases(registry, "9990000018")
    sender = new_sender()
    assert "don't have an open request" in " ".join(stack.say(sender, "any update?"))
    case = open_case_for(stack, registry, sender, "999 000 0018", "14/03/1948")
    reply = " ".join(stack.say(sender, "any update on my request?"))
    assert "Your request is with Priya Sharma" in reply and "nothing will be lost" in reply
    token = stack.staff_token(PRIYA)
    stack.api("POST", f"/cases/{case.id}/claim", token)
    stack.api("POST", f"/cases/{case.id}/handback", token)
    replies = stack.say(sender, "any news?")
    assert "finished talking with you" in replies[1] and "Your request is with Priya Sharma" in replies[-1]
    stack.api("POST", f"/cases/{case.id}/claim", token)
    stack.api("POST", f"/cases/{case.id}/close", token)


def test_the_same_loop_out_of_hours(stack, registry):
    """Margaret writes while Dartford is closed: told when, 111 for anything urgent; the email
    still goes; Priya picks it up (here at once) and the loop runs as in hours."""
    import datetime as dt

    from bot.models import Coordinator

    close_open_cases(registry, "9990000018")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with registry.session() as session:
        team = session.execute(sa.select(Coordinator.team_id).where(Coordinator.email == PRIYA)).scalar_one()
        session.execute(sa.update(Coordinator).where(Coordinator.team_id == team).values(
            work_days=str(tomorrow.isoweekday()), work_start=dt.time(9), work_end=dt.time(17)))
    try:
        sender = new_sender()
        stack.say(sender, "Can I talk to my coordinator")
        stack.say(sender, "999 000 0018")
        told = " ".join(stack.say(sender, "14/03/1948"))
    finally:
        with registry.session() as session:
            session.execute(sa.update(Coordinator).where(Coordinator.team_id == team).values(
                work_days="1,2,3,4,5,6,7", work_start=dt.time(0), work_end=dt.time(23, 59, 59)))
    assert "closed now" in told and f"{tomorrow:%A} {tomorrow.day} {tomorrow:%B}" in told and "111" in told
    with registry.session() as session:
        case = session.execute(sa.select(HandoffCase).where(HandoffCase.conversation_id == sender)).scalar_one()
        case_id, in_hours = case.id, case.summary["in_hours"]
    assert in_hours is False
    assert wait_for_email(stack, f"TO-{case_id:06d}")[0]["To"] == PRIYA
    token = stack.staff_token(PRIYA)
    assert stack.api("POST", f"/cases/{case_id}/claim", token)[0] == 200
    assert stack.api("POST", f"/cases/{case_id}/reply", token, {"text": "Good morning Margaret."})[0] == 201
    replies = stack.exchange(sender, "Good morning Priya")
    assert [r["text"] for r in replies][-1] == "Good morning Margaret."
    status, detail = stack.api("GET", f"/cases/{case_id}", token)
    assert [m["original_text"] for m in detail["messages"] if m["direction"] == "patient"] == ["Good morning Priya"]
    assert stack.api("POST", f"/cases/{case_id}/close", token)[0] == 200
