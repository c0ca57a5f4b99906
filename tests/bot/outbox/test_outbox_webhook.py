"""The signed webhook to a case-management system, against a real HTTP server on 127.0.0.1."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from actions.store import Store
from bot.models import OutboxMessage, Patient, utcnow
from bot.outbox.enqueue import NotifyConfig
from bot.outbox.senders import RecordingSender, WebhookSender
from bot.outbox.worker import OutboxWorker, RetryPolicy

SECRET = "test-webhook-secret"


class Receiver(ThreadingHTTPServer):
    """Answers with the queued statuses (then 200) and keeps what it was sent."""

    def __init__(self) -> None:
        self.statuses, self.received = [], []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = server.statuses.pop(0) if server.statuses else 200
                server.received.append((status, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/cases"


@pytest.fixture
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooked_store(db, receiver):
    return Store(db, secret_key="test", notify=NotifyConfig(webhook_url=receiver.url),
                 clock=lambda: dt.datetime(2026, 11, 23, 10, 0))


def open_case(store, db, urgent=False):
    with db.session() as session:
        margaret = session.execute(sa.select(Patient.id).where(Patient.nhs_number == "9990000018")).scalar_one()
    return store.open_handoff_case("margaret", "patient_request", margaret, urgent,
                                   {"verified": True, "language": "pl", "interpreter_needed": True, "red_flags": []})


def worker(db, receiver, clock):
    return OutboxWorker(db, {"email": RecordingSender(), "webhook": WebhookSender(receiver.url, SECRET)},
                        policy=RetryPolicy(jitter=0.0), now=clock)


class Clock:
    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now


def test_signed_and_retried_until_accepted_exactly_once(hooked_store, db, receiver):
    case = open_case(hooked_store, db)
    receiver.statuses = [503, 500]
    clock = Clock()
    run = worker(db, receiver, clock)
    for _ in range(3):
        run.run_once()
        clock.now += dt.timedelta(minutes=1)
    run.run_once()
    accepted = [(h, b) for status, h, b in receiver.received if status == 200]
    assert [s for s, _, _ in receiver.received] == [503, 500, 200]
    [(headers, body)] = accepted
    expected = "sha256=" + hmac.new(SECRET.encode(), headers["x-tellonce-timestamp"].encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-tellonce-signature"], expected)
    keys = {h["idempotency-key"] for _, h, _ in receiver.received}
    assert keys == {f"case:{case.id}:opened:webhook"}  # the same key on every retry
    payload = json.loads(body)
    assert payload["event"] == "case.opened"
    assert payload["case"]["reference"] == f"TO-{case.id:06d}" and payload["case"]["language"] == "pl"
    assert "Margaret" not in body.decode() and "9990000018" not in body.decode()


def test_a_refusal_is_not_retried(hooked_store, db, receiver):
    open_case(hooked_store, db)
    receiver.statuses = [400]
    worker(db, receiver, Clock()).run_once()
    with db.session() as session:
        statuses = dict(session.execute(sa.select(OutboxMessage.channel, OutboxMessage.status)).all())
    assert statuses == {"email": "sent", "webhook": "dead"}


def test_a_tampered_body_fails_the_signature():
    sender = WebhookSender("http://127.0.0.1:1/", SECRET, clock=lambda: 1_800_000_000)
    signature = sender.sign("1800000000", b'{"a":1}')
    assert signature != sender.sign("1800000000", b'{"a":2}')
    assert signature != sender.sign("1800000001", b'{"a":1}')


def test_without_a_webhook_url_no_webhook_is_queued(store, db):
    open_case(store, db)
    with db.session() as session:
        assert session.execute(sa.select(OutboxMessage.channel)).scalars().all() == ["email"]
