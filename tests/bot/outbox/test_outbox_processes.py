"""The processes `make run` starts for notifications: the outbox worker and the local mailbox.

A case opened while the mailbox is down is delivered once it comes up, exactly once."""
from __future__ import annotations

import datetime as dt
import email
import signal
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from actions.store import Store
from bot.db import Database
from bot.launch import free_port
from bot.models import Patient
from bot.seed import seed
from bot.settings import PROJECT_ROOT, rasa_environment


def start(module: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", module], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        out, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    return out or ""


def delivered(folder: Path):
    new = folder / "new"
    return sorted(new.iterdir()) if new.is_dir() else []


def wait_until(condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def environment(tmp_path):
    var = tmp_path / "var"
    env = {**rasa_environment(), "TELLONCE_VAR_DIR": str(var),
           "TELLONCE_DATABASE_URL": f"sqlite:///{tmp_path / 'registry.db'}",
           "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(free_port()), "OUTBOX_POLL_SECONDS": "1"}
    db = Database(env["TELLONCE_DATABASE_URL"])
    seed(db, today=dt.date.today(), generated=5)
    yield env, db, var / "mail"
    db.dispose()


def test_worker_delivers_to_the_local_mailbox_once_it_is_up(environment):
    env, db, mail = environment
    worker = start("bot.outbox", env)
    mailbox = None
    try:
        store = Store(db, secret_key="test")
        with db.session() as session:
            patient_id = session.execute(sa.select(Patient.id).where(Patient.nhs_number == "9990000018")).scalar_one()
        case = store.open_handoff_case("margaret", "patient_request", patient_id, False,
                                       {"verified": True, "language": "en"})
        time.sleep(3)  # the worker tries, the mailbox is not there yet
        assert delivered(mail) == []
        mailbox = start("bot.outbox.mailbox", env)
        # retries back off from 5 s; the first after the mailbox starts delivers
        assert wait_until(lambda: len(delivered(mail)) == 1, timeout=60), stop(worker)
        time.sleep(3)
        [path] = delivered(mail)
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert message["To"] == "priya.sharma@tellonce.invalid"
        assert f"TO-{case.id:06d}" in message["Subject"]
    finally:
        log = stop(worker)
        if mailbox is not None:
            stop(mailbox)
    assert "not delivered (ConnectionRefusedError)" in log
    assert "delivered by email" in log
    assert "priya" not in log.lower() and "Margaret" not in log


def test_worker_stops_cleanly_on_sigterm(environment):
    env, _, _ = environment
    worker = start("bot.outbox", env)
    time.sleep(2)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=15) == 0
