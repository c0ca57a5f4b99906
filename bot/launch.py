"""Start the whole assistant on embedded defaults: `python -m bot.launch [--shell]`.

Starts the action server, the outbox worker (and, with no SMTP relay configured, a
local mailbox that keeps coordinators' emails in <var>/mail), waits until the action
server is ready, then the Rasa server (or the terminal chat), prints where everything
is, and stops them all on Ctrl-C.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import List, Optional

from bot.settings import PROJECT_ROOT, load_settings, rasa_environment


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float, process: subprocess.Popen, log: Optional[Path] = None,
             poll: float = 0.5) -> None:
    """Wait until ``url`` answers 200, failing early if ``process`` exits (quoting ``log``)."""

    def tail() -> str:
        return f"; log:\n{log.read_text(errors='replace')[-3000:]}" if log and log.exists() else ""

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before {url} answered{tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(poll)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s{tail()}")


def start(mode: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot.serve", mode], cwd=PROJECT_ROOT, env=rasa_environment())


def start_module(module: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", module], cwd=PROJECT_ROOT, env=rasa_environment())


def local_mailbox_wanted(settings) -> bool:
    """The embedded default: no relay configured, so keep coordinators' emails in <var>/mail."""
    return settings.smtp_host in ("127.0.0.1", "localhost") and \
        os.environ.get("LOCAL_MAILBOX", "true").lower() not in ("0", "false", "no", "off")


def stop(processes: List[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shell", action="store_true", help="chat in this terminal instead of serving HTTP")
    args = parser.parse_args(argv)
    settings = load_settings()
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` or a supervisor: stop both servers cleanly
    processes = [start("actions")]
    try:
        if local_mailbox_wanted(settings):
            processes.append(start_module("bot.outbox.mailbox"))
        processes.append(start_module("bot.outbox"))  # delivers notifications, retrying until they arrive
        processes.append(start_module("bot.handoff_api"))  # coordinators claim, reply, hand back, close
        wait_for(f"http://127.0.0.1:{settings.action_port}/ready", 60, processes[0])
        if args.shell:
            return subprocess.call([sys.executable, "-m", "bot.serve", "shell"], cwd=PROJECT_ROOT,
                                   env=rasa_environment())
        rasa_server = start("rasa")
        processes.append(rasa_server)
        wait_for(f"http://127.0.0.1:{settings.rasa_port}/", 300, rasa_server)
        rasa = f"http://127.0.0.1:{settings.rasa_port}"
        print(
            "\nTellOnce is running.\n"
            f"  Chat (REST channel): POST {rasa}/webhooks/rest/webhook  {{\"sender\": \"me\", \"message\": \"hello\"}}\n"
            f"  Web chat (socket.io): {rasa}/socket.io/  (coordinators' replies are pushed)\n"
            f"  Rasa server health:  {rasa}/\n"
            f"  Rasa HTTP API:       {rasa}/status?token=<token in {settings.var_dir / 'rasa_auth_token'}>\n"
            f"  Action server:       http://127.0.0.1:{settings.action_port}/health and /ready\n"
            f"  Handoff API:         http://127.0.0.1:{settings.handoff_api_port}/openapi.json"
            " (token: python -m bot.handoff_api token <coordinator email>)\n"
            f"  Notifications:       outbox worker, email via smtp://{settings.smtp_host}:{settings.smtp_port}"
            + (f" (local mailbox: {settings.var_dir / 'mail'})" if local_mailbox_wanted(settings) else "") + "\n"
            f"  Translation:         TRANSLATOR={os.environ.get('TRANSLATOR', 'google')}"
            " (README: Translation and data protection)\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        while all(p.poll() is None for p in processes):
            time.sleep(1)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(processes)


if __name__ == "__main__":
    sys.exit(main())
