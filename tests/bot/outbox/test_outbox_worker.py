"""The outbox: a case and its email commit together; the worker delivers each exactly once,
through a real SMTP server (aiosmtpd) on 127.0.0.1, also when that server was down."""
from __future__ import annotations

import datetime as dt
import email
import socket
import threading
from email import policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from bot.exceptions import DeliveryFailed
from bot.models import HandoffCase, OutboxMessage, Patient, utcnow
from bot.outbox.senders import RecordingSender, SmtpConfig, SmtpSender
from bot.outbox.worker import OutboxWorker, RetryPolicy

MARGARET_NHS = "9990000018"


class Inbox(Message):
    """Keeps every message the SMTP server accepted."""

    def __init__(self) -> None:
        super().__init__(email.message.EmailMessage)
        self.messages = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def inbox(smtp_port):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    controller.stop()


def smtp_worker(db, port, clock, policy=RetryPolicy(jitter=0.0)):
    sender = SmtpSender(SmtpConfig("127.0.0.1", port, "tellonce@tellonce.invalid", timeout_s=5))
    return OutboxWorker(db, {"email": sender}, policy=policy, now=clock)


def margaret_id(db) -> int:
    with db.session() as session:
        return session.execute(sa.select(Patient.id).where(Patient.nhs_number == MARGARET_NHS)).scalar_one()


MONDAY_10AM = dt.datetime(2026, 11, 23, 10, 0)  # local time: everyone at work


def open_case(store, patient_id, conversation="margaret-web", urgent=False, **summary):
    return store.open_handoff_case(conversation, "patient_request", patient_id, urgent,
                                   {"reason": "patient_request", "verified": patient_id is not None,
                                    "language": "en", "interpreter_needed": False, "asked_about": [],
                                    "red_flags": [], **summary}, now=MONDAY_10AM)


def outbox_rows(db):
    with db.session() as session:
        return [(r.id, r.status, r.attempts, r.recipient, r.case_id)
                for r in session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars()]


def test_a_new_case_queues_its_email_in_the_same_transaction(store, db):
    case = open_case(store, margaret_id(db))
    [(_, status, attempts, recipient, case_id)] = outbox_rows(db)
    assert (status, attempts, case_id) == ("pending", 0, case.id)
    assert recipient == "priya.sharma@tellonce.invalid"


def test_no_case_without_its_email_and_no_email_without_its_case(store, db, monkeypatch):
    from bot.outbox import enqueue

    def broken(*args, **kwargs):
        raise RuntimeError("outbox write failed")

    monkeypatch.setattr(enqueue, "case_opened", broken)
    with pytest.raises(RuntimeError):
        open_case(store, margaret_id(db))
    with db.session() as session:
        assert session.execute(sa.select(sa.func.count(HandoffCase.id))).scalar_one() == 0
    assert outbox_rows(db) == []


def test_a_second_request_attaches_to_the_open_case_and_sends_nothing_new(store, db):
    first = open_case(store, margaret_id(db))
    second = open_case(store, margaret_id(db), conversation="margaret-sms")
    assert second.id == first.id and not second.created
    assert len(outbox_rows(db)) == 1


def test_unverified_patients_go_to_the_triage_address(store, db):
    open_case(store, None, conversation="anonymous-1")
    [(_, _, _, recipient, _)] = outbox_rows(db)
    assert recipient == "triage@tellonce.invalid"


def test_the_email_arrives_with_the_summary_and_no_patient_identifiers(store, db, inbox, smtp_port):
    case = open_case(store, margaret_id(db), urgent=True, language="pl", interpreter_needed=True,
                     red_flags=["chest_pain"])
    result = smtp_worker(db, smtp_port, Clock()).run_once()
    assert result.sent == 1
    [message] = inbox.messages
    assert message["To"] == "daniel.hughes@tellonce.invalid"  # urgent: the team's duty coordinator
    assert message["From"] == "tellonce@tellonce.invalid"
    assert message["Message-ID"] == f"<case.{case.id}.opened.email@tellonce.invalid>"
    assert message["Subject"].startswith("URGENT ")
    body = message.get_payload()
    assert f"TO-{case.id:06d}" in message["Subject"] and f"TO-{case.id:06d}" in body
    assert "Polish (pl)" in body and "Interpreter:  yes" in body and "chest_pain" in body
    assert "M. E." in body
    for identifier in (MARGARET_NHS, "Margaret", "Ellis", "1948", "07700", "DA1 5ZZ", "Lavender"):
        assert identifier not in body and identifier not in message["Subject"]
    assert outbox_rows(db)[0][1:3] == ("sent", 1)


def test_smtp_down_then_up_delivers_exactly_once(store, db, smtp_port):
    clock = Clock()
    worker = smtp_worker(db, smtp_port, clock)
    open_case(store, margaret_id(db))
    # nothing listens on the port: an hour of failed attempts, each rescheduled, none lost
    attempts = 0
    for _ in range(40):
        result = worker.run_once()
        attempts += result.retried
        clock.advance(minutes=2)
    assert attempts >= 10
    [(_, status, tried, _, _)] = outbox_rows(db)
    assert status == "pending" and tried == attempts
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        clock.advance(minutes=5)  # the backoff is capped at 5 minutes
        assert worker.run_once().sent == 1
        clock.advance(hours=1)
        assert worker.run_once().sent == 0
        assert len(handler.messages) == 1
    finally:
        controller.stop()
    assert outbox_rows(db)[0][1] == "sent"


def test_backoff_doubles_up_to_its_cap():
    policy = RetryPolicy(jitter=0.0)
    assert [policy.backoff(n).total_seconds() for n in (1, 2, 3, 4, 7, 20)] == [5, 10, 20, 40, 300, 300]
    jittered = RetryPolicy(jitter=0.1)
    assert 4.5 <= jittered.backoff(1, rng=lambda: 0.0).total_seconds() <= 5.5


def test_two_workers_never_send_the_same_row(store, db):
    open_case(store, margaret_id(db))
    open_case(store, None, conversation="anonymous-2")
    clock = Clock()
    senders = [RecordingSender(), RecordingSender()]
    workers = [OutboxWorker(db, {"email": s}, now=clock) for s in senders]
    barrier = threading.Barrier(2)

    def run(worker):
        barrier.wait()
        worker.run_once()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent = [payload["message_id"] for s in senders for _, payload in s.sent]
    assert len(sent) == 2 and len(set(sent)) == 2


def test_a_worker_that_died_mid_send_leaves_the_row_to_be_retried(store, db):
    open_case(store, margaret_id(db))
    clock = Clock()
    with db.session() as session:  # claimed by a worker that then died
        session.execute(sa.update(OutboxMessage).values(status="sending", lease_until=clock.now + dt.timedelta(minutes=2)))
    sender = RecordingSender()
    worker = OutboxWorker(db, {"email": sender}, now=clock)
    assert worker.run_once().sent == 0  # still leased
    clock.advance(minutes=3)
    assert worker.run_once().sent == 1 and len(sender.sent) == 1


def test_a_permanent_refusal_is_marked_dead_not_retried_forever(store, db, caplog):
    open_case(store, margaret_id(db))
    sender = RecordingSender()
    sender.failure = DeliveryFailed("SMTPRecipientsRefused [550]", permanent=True)
    result = OutboxWorker(db, {"email": sender}, now=Clock()).run_once()
    assert result.dead == 1
    [(_, status, attempts, _, _)] = outbox_rows(db)
    assert (status, attempts) == ("dead", 1)
    assert "needs a person" in caplog.text
    assert "priya" not in caplog.text.lower()  # logs name rows, never recipients


def test_giving_up_after_the_limit(store, db):
    open_case(store, margaret_id(db))
    clock = Clock()
    with db.session() as session:
        session.execute(sa.update(OutboxMessage).values(created_at=clock.now, next_attempt_at=clock.now))
    sender = RecordingSender()
    sender.failure = DeliveryFailed("ConnectionRefusedError")
    worker = OutboxWorker(db, {"email": sender}, policy=RetryPolicy(give_up_after=dt.timedelta(hours=1)), now=clock)
    assert worker.run_once().retried == 1
    clock.advance(hours=2)
    assert worker.run_once().dead == 1


def test_the_message_is_plain_text_with_an_auto_submitted_header(store, db):
    case = open_case(store, margaret_id(db))
    with db.session() as session:
        payload = session.execute(sa.select(OutboxMessage.payload)).scalar_one()
    message = SmtpSender(SmtpConfig("127.0.0.1", 1, "tellonce@tellonce.invalid")).message("a@b.invalid", payload)
    parsed = email.message_from_bytes(bytes(message), policy=policy.default)
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_type() == "text/plain"
    assert f"TO-{case.id:06d}" in parsed.get_content()
