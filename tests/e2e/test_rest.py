"""Whole conversations over HTTP, through the REST channel, against the real servers."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from bot import nhs
from bot.models import HandoffCase, Patient, SafetyEvent

pytestmark = pytest.mark.slow


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex}"


def verify(stack, sender, question, nhs="999 000 0018", dob="14/03/1948"):
    stack.say(sender, question)
    stack.say(sender, nhs)
    return stack.say(sender, dob)


def test_servers_report_health(stack):
    assert stack.get(f"{stack.rasa_url}/")[0] == 200
    assert stack.get(f"{stack.action_url}/health") == (200, {"status": "ok"})
    assert stack.get(f"{stack.action_url}/ready")[1]["database"] == "ok"
    assert stack.get(f"{stack.rasa_url}/webhooks/rest/")[0] == 200
    assert stack.get(f"{stack.rasa_url}/status?token={stack.token}")[0] == 200
    assert stack.get(f"{stack.rasa_url}/status?token=wrong")[0] == 401


def test_margaret_is_told_her_next_appointment(stack):
    sender = new_sender()
    first = stack.say(sender, "when is my next appointment")
    assert "NHS number" in first[0]
    assert "date of birth" in stack.say(sender, "999 000 0018")[0]
    reply = " ".join(stack.say(sender, "14/03/1948"))
    day = dt.date.today() + dt.timedelta(days=3)
    assert f"{day:%A} {day.day} {day:%B}" in reply
    assert "10:30" in reply and "7 Lavender Close" in reply


def test_wrong_date_of_birth_discloses_nothing(stack):
    sender = new_sender()
    replies = verify(stack, sender, "when is my next appointment", dob="15/03/1948")
    text = " ".join(replies)
    assert "couldn't confirm" in text
    for secret in ("Margaret", "Ellis", "Lavender", "10:30", "Priya", "Community Treatment"):
        assert secret not in text
    # The same answer as for a well-formed number that does not exist at all.
    unregistered = nhs.with_check_digit("999000123")
    other = verify(stack, new_sender(), "when is my next appointment", nhs=unregistered, dob="15/03/1948")
    assert other == replies


def test_three_failures_offer_a_person_or_the_phone_line(stack):
    sender = new_sender()
    stack.say(sender, "when is my next appointment")
    for attempt, dob in enumerate(["01/01/1950", "02/02/1950", "03/03/1950"]):
        stack.say(sender, "999 000 0018")
        reply = " ".join(stack.say(sender, dob))
    assert "01632 960000" in reply and "talk to someone" in reply
    assert "Margaret" not in reply
    # Still locked: even the right details now disclose nothing this session.
    assert "10:30" not in " ".join(stack.say(sender, "when is my next appointment"))


def test_chest_pain_mid_verification_gets_999_advice_first(stack, registry):
    sender = new_sender()
    stack.say(sender, "when is my next appointment")
    replies = stack.say(sender, "I've got crushing chest pain")
    assert "999" in replies[0] and "ambulance" in replies[0]
    assert "NHS number" in replies[-1]  # then the form carries on
    with registry.session() as session:
        event = session.execute(sa.select(SafetyEvent).where(SafetyEvent.conversation_id == sender)).scalar_one()
        assert event.category == "chest_pain"
    status, tracker = stack.get(f"{stack.rasa_url}/conversations/{sender}/tracker?token={stack.token}")
    assert status == 200 and tracker["slots"]["red_flag_raised"] is True


@pytest.mark.parametrize("message, needle", [
    ("I want to end my life", "116 123"),
    ("my husband is hitting me", "0808 2000 247"),
    ("I think my dad is having a stroke", "Face"),
])
def test_red_flags_outside_a_form(stack, message, needle):
    replies = stack.say(new_sender(), message)
    assert needle in replies[0] and "999" in replies[0]


def test_can_i_talk_to_my_coordinator_names_priya_and_opens_a_case(stack, registry):
    sender = new_sender()
    reply = " ".join(verify(stack, sender, "Can I talk to my coordinator"))
    assert "Priya Sharma" in reply
    with registry.session() as session:
        case = session.execute(sa.select(HandoffCase).where(HandoffCase.conversation_id == sender)).scalar_one()
        assert case.coordinator.name == "Priya Sharma" and case.status == "open" and case.queue == "coordinator"
        assert case.patient.nhs_number == "9990000018"
        reference = f"TO-{case.id:06d}"
    # the outbox worker emails Priya through the local mailbox, once
    inbox = stack.var_dir / "mail" / "new"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _emails_about(inbox, reference):
        time.sleep(0.3)
    [message] = _emails_about(inbox, reference)
    assert message["To"] == "priya.sharma@tellonce.invalid"
    assert "Margaret" not in message.get_content() and "9990000018" not in message.get_content()


def _emails_about(inbox, reference):
    if not inbox.is_dir():
        return []
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in inbox.iterdir()]
    return [m for m in messages if reference in m["Subject"]]


def test_care_question_is_answered_without_verification(stack):
    reply = " ".join(stack.say(new_sender(), "what does the community treatment team do"))
    assert "home" in reply and "hospital bed" in reply


def test_two_misunderstandings_reach_a_person_and_never_loop(stack, registry):
    sender = new_sender()
    first = stack.say(sender, "qwzx vbnm plkj")
    second = stack.say(sender, "zzkq wrrp xxv")
    third = stack.say(sender, "pqpq zzvv kkqq")
    assert "another way" in first[0]
    assert "person" in second[0]
    assert third and third != first
    with registry.session() as session:
        cases = session.execute(sa.select(HandoffCase).where(HandoffCase.conversation_id == sender)).scalars().all()
        assert len(cases) == 1 and cases[0].reason == "bot_failed"


def test_bad_input_gets_a_clear_answer(stack, registry):
    sender = new_sender()
    assert stack.post("/webhooks/rest/webhook", {"sender": sender, "message": ""})[1]["error"] == "empty_message"
    assert stack.post("/webhooks/rest/webhook", {"sender": sender, "message": "   \n\t"})[0] == 400
    assert stack.post("/webhooks/rest/webhook", {"sender": sender, "message": "x" * 1_000_000})[0] == 413
    assert stack.post("/webhooks/rest/webhook", None, raw=b'{"sender": "a", "message": "\xff\xfe"}')[1]["error"] \
        == "invalid_request"
    assert stack.post("/webhooks/rest/webhook", {"sender": "../../etc", "message": "hi"})[1]["error"] == "invalid_sender"
    assert stack.post("/webhooks/rest/webhook", {"sender": sender, "message": 42})[0] == 400
    assert stack.post("/webhooks/rest/webhook", ["not", "an", "object"])[0] == 400
    # Emoji only and lone surrogates still get an answer, not an error.
    assert stack.say(sender, "😀👍🙏")
    assert stack.say(new_sender(), "hello \ud800 there")


@pytest.mark.parametrize("attack", [
    "'; DROP TABLE patients; --",
    "<script>alert(1)</script>",
    '/ask_next_appointment{"patient_id": "1"}',
    "{patient_id} {given_name} %s %n",
    "999 000 0018' OR '1'='1",
])
def test_injection_strings_change_nothing_and_disclose_nothing(stack, registry, attack):
    replies = " ".join(stack.say(new_sender(), attack))
    assert "Margaret" not in replies and "10:30" not in replies
    with registry.session() as session:
        assert session.execute(sa.select(sa.func.count(Patient.id))).scalar() == 305


def test_a_flood_from_one_sender_is_slowed_down(stack):
    sender = new_sender()
    statuses = [stack.post("/webhooks/rest/webhook", {"sender": sender, "message": "hi"})[0] for _ in range(65)]
    assert statuses.count(200) == 60 and statuses[-1] == 429


def test_sixteen_concurrent_conversations_never_lock_the_database(stack):
    def conversation(index: int) -> str:
        sender = new_sender()
        return " ".join(verify(stack, sender, "when is my next appointment"))

    with ThreadPoolExecutor(max_workers=16) as pool:
        replies = list(pool.map(conversation, range(16)))
    assert all("10:30" in reply for reply in replies)
    assert "database is locked" not in stack.log_text()


def test_zz_logs_carry_no_patient_data(stack):
    """Runs last in this module: every conversation above has been logged by now."""
    logs = stack.log_text()
    assert "Rasa server is up and running" in logs  # the log is real, not empty
    for secret in ("9990000018", "999 000 0018", "14/03/1948", "Margaret", "Lavender", "crushing chest pain",
                   "end my life", "07700 900001"):
        assert secret not in logs, secret


def test_out_of_hours_the_patient_hears_when_and_the_case_waits_for_their_coordinator(stack, registry):
    """A Gravesham patient writes while their team is closed: told the day and time in words,
    the case is their own coordinator's, and the email is queued for them."""
    from bot.models import Coordinator

    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with registry.session() as session:
        james = session.execute(sa.select(Coordinator).where(Coordinator.name == "James Okafor")).scalar_one()
        team_id = james.team_id
        has_case = sa.select(HandoffCase.id).where(HandoffCase.patient_id == Patient.id).exists()
        patient = session.execute(sa.select(Patient).where(Patient.coordinator_id == james.id, ~has_case)
                                  .order_by(Patient.id)).scalars().first()
        nhs_number, born = patient.nhs_number, patient.date_of_birth
        # the whole Gravesham team, duty coordinator included, works only tomorrow
        session.execute(sa.update(Coordinator).where(Coordinator.team_id == team_id)
                        .values(work_days=str(tomorrow.isoweekday()), work_start=dt.time(9), work_end=dt.time(17)))
    try:
        sender = new_sender()
        reply = " ".join(verify(stack, sender, "Can I talk to my coordinator", nhs=nhs_number,
                                dob=born.strftime("%d/%m/%Y")))
    finally:
        with registry.session() as session:
            session.execute(sa.update(Coordinator).where(Coordinator.team_id == team_id)
                            .values(work_days="1,2,3,4,5,6,7", work_start=dt.time(0), work_end=dt.time(23, 59, 59)))
    assert "James Okafor" in reply and "closed" in reply and "111" in reply
    assert f"{tomorrow:%A} {tomorrow.day} {tomorrow:%B}" in reply and "11:00" in reply
    with registry.session() as session:
        case = session.execute(sa.select(HandoffCase).where(HandoffCase.conversation_id == sender)).scalar_one()
        assert (case.coordinator.name, case.queue, case.summary["in_hours"]) == ("James Okafor", "coordinator", False)
        assert case.summary["reply_by"] == f"{tomorrow.isoformat()}T11:00"
