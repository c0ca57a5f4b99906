"""With the action server down, urgent advice still goes out and nobody meets silence."""
from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from bot.settings import PROJECT_ROOT
from bot.launch import free_port, wait_for
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rasa_without_actions(stack, tmp_path_factory):
    """A second Rasa server whose action server is unreachable (nothing listens there)."""
    var_dir = tmp_path_factory.mktemp("degraded")
    port = free_port()
    env = {**stack.env, "TELLONCE_VAR_DIR": str(var_dir), "RASA_PORT": str(port),
           "ACTION_SERVER_URL": f"http://127.0.0.1:{free_port()}/webhook"}
    log = var_dir / "rasa.log"
    with open(log, "w", encoding="utf-8") as handle:
        process = subprocess.Popen([sys.executable, "-m", "bot.serve", "rasa"], env=env, cwd=PROJECT_ROOT,
                                   stdout=handle, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/", 300, process, log)
        yield Stack(f"http://127.0.0.1:{port}", "", stack.token, var_dir, {"rasa": log}, env)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_red_flag_advice_does_not_need_the_action_server(rasa_without_actions):
    replies = rasa_without_actions.say(f"d-{uuid.uuid4().hex}", "I've got crushing chest pain")
    assert "999" in replies[0] and "ambulance" in replies[0]


def test_red_flag_mid_form_still_comes_first(rasa_without_actions):
    sender = f"d-{uuid.uuid4().hex}"
    rasa_without_actions.say(sender, "when is my next appointment")
    replies = rasa_without_actions.say(sender, "my mum has collapsed and won't wake up")
    assert "999" in replies[0]


def test_other_requests_get_a_clear_apology_not_silence(rasa_without_actions):
    replies = rasa_without_actions.say(f"d-{uuid.uuid4().hex}", "when is my next appointment")
    assert len(replies) == 1 and "technical problem" in replies[0] and "111" in replies[0]
