"""Handoff timings on a running TellOnce (REST channel, action server, handoff API, outbox
worker and local mailbox, all on 127.0.0.1, SQLite registry).

For each of ``--loops`` verified patients: the time from the patient's request to the case
existing (the request's round trip: the case is written before the reply returns), to the
email arriving in the mailbox (the outbox worker polls every OUTBOX_POLL_SECONDS, 1 s), and
the relay latencies of a live conversation, excluding translation-provider time (English
patients; no provider is called):

- patient -> coordinator: from the patient's message being sent to it being readable
  through the API (the channel records it before replying);
- coordinator -> patient: the reply's API call, plus the patient's next message, which
  returns it (REST cannot push);
- coordinator -> patient, pushed: the same patient with the web chat open (socket.io,
  a websocket to the Rasa server): from the reply's API call to the reply arriving,
  with no patient message (the channel polls the registry every LIVE_PUSH_POLL_SECONDS,
  0.5 s; the table reports the interval it ran with).

Side by side in the same run: the same patients' ordinary messages answered by the bot,
so the relay's cost reads as a ratio to a bot turn. `python -m bench.handoff`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Dict, List

import sqlalchemy as sa

from bench.servers import wait_until_up
from bot.db import Database
from bot.launch import free_port, stop
from bot.models import Coordinator, HandoffCase, Patient
from bot.settings import PROJECT_ROOT, rasa_environment


def _post(url: str, body: dict, token: str = "") -> tuple:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers=headers)
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as reply:
        data = json.loads(reply.read() or b"null")
    return data, (time.perf_counter() - began) * 1000


def _get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        return json.loads(reply.read())


def _pct(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] if ordered else 0.0


def _pushed_ms(rasa: str, conversation: str, reply) -> float:
    """Open the web chat for ``conversation``, call ``reply()``, and time until it arrives."""
    import asyncio

    import socketio

    async def measure() -> float:
        client = socketio.AsyncClient(reconnection=False)
        inbox: asyncio.Queue = asyncio.Queue()
        confirmed: asyncio.Queue = asyncio.Queue()
        client.on("bot_uttered", inbox.put_nowait)
        client.on("session_confirm", confirmed.put_nowait)
        await client.connect(rasa, transports=["websocket"], socketio_path="/socket.io", wait_timeout=30)
        try:
            await client.emit("session_request", {"session_id": conversation})
            await asyncio.wait_for(confirmed.get(), 30)
            began = time.perf_counter()
            expected = await asyncio.to_thread(reply)
            while (await asyncio.wait_for(inbox.get(), 30)).get("text") != expected:
                pass
            return (time.perf_counter() - began) * 1000
        finally:
            await client.disconnect()

    return asyncio.run(measure())


def start(var: Path) -> tuple:
    ports = {name: free_port() for name in ("RASA_PORT", "ACTION_PORT", "HANDOFF_API_PORT", "SMTP_PORT")}
    env = {**rasa_environment(), "TELLONCE_VAR_DIR": str(var), "REST_RATE_LIMIT_PER_MINUTE": "100000",
           "TRANSLATOR": "none", "SMTP_HOST": "127.0.0.1", **{k: str(v) for k, v in ports.items()}}
    for name in ("TRACKER_STORE_URL", "TELLONCE_DATABASE_URL"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-m", "bot.seed"], env=env, cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL)
    db = Database(f"sqlite:///{var / 'tellonce.db'}")
    with db.session() as session:  # everyone at work: routing is not what is measured
        session.execute(sa.update(Coordinator).values(work_days="1,2,3,4,5,6,7", work_start=dt.time(0),
                                                      work_end=dt.time(23, 59, 59)))
    processes = [subprocess.Popen([sys.executable, "-m", module, *args], env=env, cwd=PROJECT_ROOT,
                                  stdout=open(var / f"{module}.log", "w"), stderr=subprocess.STDOUT)
                 for module, args in (("bot.outbox.mailbox", []), ("bot.outbox", []), ("bot.handoff_api", []),
                                      ("bot.serve", ["actions"]), ("bot.serve", ["rasa"]))]
    wait_until_up(f"http://127.0.0.1:{ports['ACTION_PORT']}/ready", processes[3])
    wait_until_up(f"http://127.0.0.1:{ports['RASA_PORT']}/", processes[4])
    wait_until_up(f"http://127.0.0.1:{ports['HANDOFF_API_PORT']}/health", processes[2])
    return env, ports, db, processes


def run(loops: int = 8) -> Dict:
    var = Path(tempfile.mkdtemp(prefix="tellonce-bench-handoff-"))
    env, ports, db, processes = start(var)
    chat = f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook"
    api = f"http://127.0.0.1:{ports['HANDOFF_API_PORT']}"
    mail = var / "mail" / "new"
    out: Dict[str, List[float]] = {k: [] for k in ("request_to_case_ms", "case_to_email_ms", "bot_turn_ms",
                                                   "patient_to_coordinator_ms", "coordinator_to_patient_ms",
                                                   "reply_api_ms", "live_turn_ms", "pushed_ms")}
    try:
        with db.session() as session:
            rows = session.execute(sa.select(Patient.nhs_number, Patient.date_of_birth, Coordinator.email)
                                   .join(Coordinator, Patient.coordinator_id == Coordinator.id)
                                   .order_by(Patient.id).limit(loops)).all()
        tokens = {}
        for index, (nhs, born, email) in enumerate(rows):
            if email not in tokens:
                tokens[email] = subprocess.run([sys.executable, "-m", "bot.handoff_api", "token", email], env=env,
                                               cwd=PROJECT_ROOT, check=True, capture_output=True,
                                               text=True).stdout.strip().splitlines()[-1]
            token, sender = tokens[email], f"bench-{index}"
            _post(chat, {"sender": sender, "message": "can I talk to my coordinator"})
            _post(chat, {"sender": sender, "message": nhs})
            before_mail = len(list(mail.iterdir())) if mail.is_dir() else 0
            _, took = _post(chat, {"sender": sender, "message": born.strftime("%d/%m/%Y")})
            created = time.perf_counter()
            with db.session() as session:
                case_id = session.execute(sa.select(HandoffCase.id).where(
                    HandoffCase.conversation_id == sender)).scalar_one()
            out["request_to_case_ms"].append(took)
            while not (mail.is_dir() and len(list(mail.iterdir())) > before_mail):
                time.sleep(0.005)
            out["case_to_email_ms"].append((time.perf_counter() - created) * 1000)
            _, took = _post(chat, {"sender": sender, "message": "when is my next appointment"})
            out["bot_turn_ms"].append(took)
            _post(f"{api}/cases/{case_id}/claim", {}, token)
            _post(chat, {"sender": sender, "message": "hello"})  # takes the "joined" notice
            began = time.perf_counter()
            _, took = _post(chat, {"sender": sender, "message": f"my message {index}"})
            while not any(m["original_text"] == f"my message {index}"
                          for m in _get(f"{api}/cases/{case_id}", token)["messages"]):
                time.sleep(0.002)
            out["patient_to_coordinator_ms"].append((time.perf_counter() - began) * 1000)
            out["live_turn_ms"].append(took)
            began = time.perf_counter()
            _, reply_ms = _post(f"{api}/cases/{case_id}/reply", {"text": f"reply {index}"}, token)
            replies, _ = _post(chat, {"sender": sender, "message": "ok"})
            assert any(r.get("text") == f"reply {index}" for r in replies), replies
            out["coordinator_to_patient_ms"].append((time.perf_counter() - began) * 1000)
            out["reply_api_ms"].append(reply_ms)

            def pushed_reply(text: str = f"pushed {index}") -> str:
                _post(f"{api}/cases/{case_id}/reply", {"text": text}, token)
                return text

            out["pushed_ms"].append(_pushed_ms(f"http://127.0.0.1:{ports['RASA_PORT']}", sender, pushed_reply))
            _post(f"{api}/cases/{case_id}/close", {}, token)
    finally:
        stop(processes)
        db.dispose()
    return {"loops": len(out["request_to_case_ms"]), "push_poll_s": float(env.get("LIVE_PUSH_POLL_SECONDS", "0.5")),
            "stats": {k: {"p50": statistics.median(v), "p95": _pct(v, 95)} for k, v in out.items() if v}}


def render(result: Dict) -> str:
    s = result["stats"]
    rows = [("patient's request -> case exists", "request_to_case_ms"),
            ("case exists -> email in the mailbox (worker polls every 1 s)", "case_to_email_ms"),
            ("patient -> coordinator (readable through the API)", "patient_to_coordinator_ms"),
            ("coordinator -> patient (reply call + patient's next message)", "coordinator_to_patient_ms"),
            ("  of which the reply API call", "reply_api_ms"),
            (f"coordinator -> patient, pushed to the open web chat (polls every {result.get('push_poll_s', 0.5)} s)",
             "pushed_ms"),
            ("a patient message while live (recorded, bot silent)", "live_turn_ms"),
            ("a patient message answered by the bot (same run)", "bot_turn_ms")]
    lines = [f"Handoff, {result['loops']} patients (English: no translation provider time)", "",
             "| measure | p50 (ms) | p95 (ms) |", "|---|---:|---:|"]
    lines += [f"| {label} | {s[key]['p50']:.0f} | {s[key]['p95']:.0f} |" for label, key in rows]
    lines.append(f"\nA live message costs {s['live_turn_ms']['p50'] / s['bot_turn_ms']['p50']:.2f}x a bot turn (p50), "
                 f"{s['live_turn_ms']['p95'] / s['bot_turn_ms']['p95']:.2f}x at p95.")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loops", type=int, default=8)
    args = parser.parse_args(argv)
    print(render(run(args.loops)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
