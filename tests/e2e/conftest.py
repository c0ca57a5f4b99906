"""Real servers for end-to-end tests: trained once per session, started once per session.

The model is cached by content hash (bot/model.py), so an unchanged project never
retrains. The servers run on free loopback ports with their own var/ directory.
"""
from __future__ import annotations

import datetime as dt

import json
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from bot.launch import free_port, wait_for
from bot.settings import PROJECT_ROOT, rasa_environment

pytestmark = pytest.mark.slow


@dataclass
class Stack:
    rasa_url: str
    action_url: str
    token: str
    var_dir: Path
    logs: Dict[str, Path]
    env: Dict[str, str]

    def api(self, method: str, path: str, token: Optional[str] = None, body: Any = None) -> tuple:
        """Call the handoff API: (status, JSON)."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.env['HANDOFF_API_PORT']}{path}", data=data,
                                         method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                return reply.status, _body(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, _body(error.read())

    def staff_token(self, email: str) -> str:
        """An API token for a coordinator, issued as a coordinator would (the CLI)."""
        out = subprocess.run([sys.executable, "-m", "bot.handoff_api", "token", email], env=self.env,
                             cwd=PROJECT_ROOT, check=True, capture_output=True, text=True)
        return out.stdout.strip().splitlines()[-1]

    def post(self, path: str, body: Any, raw: Optional[bytes] = None, headers=None) -> tuple:
        data = raw if raw is not None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(f"{self.rasa_url}{path}", data=data, method="POST",
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=120) as reply:
                return reply.status, json.loads(reply.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def say(self, sender: str, message: str) -> List[str]:
        return [m.get("text", "") for m in self.exchange(sender, message)]

    def exchange(self, sender: str, message: str) -> List[Dict[str, Any]]:
        """The replies as the channel returns them: text plus metadata (language, direction)."""
        status, body = self.post("/webhooks/rest/webhook", {"sender": sender, "message": message})
        assert status == 200, body
        return body

    def get(self, url: str) -> tuple:
        try:
            with urllib.request.urlopen(url, timeout=30) as reply:
                return reply.status, _body(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, _body(error.read())

    def log_text(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in self.logs.values())


def _body(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except json.JSONDecodeError:
        return raw.decode("utf-8", "replace")


ALWAYS_OPEN_CALENDAR = """version: 1
triage: {days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "23:59:59"}
reply_window_hours: 2
last_promise_before_close_hours: 0
bank_holidays: []
"""


def always_open(var_dir: Path, env: Dict[str, str]) -> None:
    """Every team at work whenever the tests run (no bank holidays, every day, all day), so that
    replies do not depend on the hour CI runs at. Out-of-hours tests change hours themselves."""
    import sqlalchemy as sa

    from bot.db import Database
    from bot.models import Coordinator

    calendar = var_dir / "always_open_calendar.yml"
    calendar.write_text(ALWAYS_OPEN_CALENDAR, encoding="utf-8")
    env["SERVICE_CALENDAR"] = str(calendar)
    database = Database(f"sqlite:///{var_dir / 'tellonce.db'}")
    with database.session() as session:
        session.execute(sa.update(Coordinator).values(work_days="1,2,3,4,5,6,7", work_start=dt.time(0, 0),
                                                      work_end=dt.time(23, 59, 59)))
    database.dispose()


@contextmanager
def running_stack(var_dir: Path, extra_env: Dict[str, str]) -> Iterator[Stack]:
    """Seed a registry in ``var_dir`` and run the action server and the Rasa server on it."""
    rasa_port, action_port = free_port(), free_port()
    env = {
        **rasa_environment(),
        "TELLONCE_VAR_DIR": str(var_dir),
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "RASA_AUTH_TOKEN": "e2e-test-token",
        "REST_RATE_LIMIT_PER_MINUTE": "60",
        "LOG_LEVEL": "INFO",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(free_port()),
        "HANDOFF_API_PORT": str(free_port()),
        **extra_env,
    }
    env.pop("TRACKER_STORE_URL", None)
    env.pop("TELLONCE_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "bot.seed"], check=True, env=env, cwd=PROJECT_ROOT,
                   stdout=subprocess.DEVNULL)
    always_open(var_dir, env)
    logs = {name: var_dir / f"{name}.log" for name in ("actions", "rasa", "outbox", "mailbox", "handoff_api")}
    processes = []
    try:
        # as `make run`: the local mailbox (<var>/mail) and the outbox worker delivering to it
        for name, module in (("mailbox", "bot.outbox.mailbox"), ("outbox", "bot.outbox"),
                             ("handoff_api", "bot.handoff_api")):
            handle = open(logs[name], "w", encoding="utf-8")
            processes.append(subprocess.Popen([sys.executable, "-m", module], env=env, cwd=PROJECT_ROOT,
                                              stdout=handle, stderr=subprocess.STDOUT))
        for name in ("actions", "rasa"):
            handle = open(logs[name], "w", encoding="utf-8")
            processes.append(subprocess.Popen([sys.executable, "-m", "bot.serve", name], env=env,
                                              cwd=PROJECT_ROOT, stdout=handle, stderr=subprocess.STDOUT))
            url = f"http://127.0.0.1:{action_port}/ready" if name == "actions" else f"http://127.0.0.1:{rasa_port}/"
            wait_for(url, 60 if name == "actions" else 300, processes[-1], logs[name])
        wait_for(f"http://127.0.0.1:{env['HANDOFF_API_PORT']}/health", 60, processes[2], logs["handoff_api"])
        yield Stack(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}", "e2e-test-token",
                    var_dir, logs, env)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def stack(trained_model, libre, tmp_path_factory) -> Iterator[Stack]:
    """The assistant with the fake LibreTranslate (tests/fixtures/phrasebook.yml) as provider."""
    translation = {"TRANSLATOR": "libre", "LIBRETRANSLATE_URL": libre, "TRANSLATION_TIMEOUT_S": "1.5",
                   "TRANSLATION_RETRIES": "0"}
    with running_stack(tmp_path_factory.mktemp("var"), translation) as running:
        yield running


@pytest.fixture
def registry(stack):
    """The registry database the running action server uses."""
    from bot.db import Database

    database = Database(f"sqlite:///{stack.var_dir / 'tellonce.db'}")
    yield database
    database.dispose()
