"""A LibreTranslate-compatible server that answers from a phrasebook: the test double
for the translation provider, which cannot be reached from the build machines.

It speaks LibreTranslate's wire protocol (POST /translate with q, source, target,
format, api_key as query, form or JSON fields; GET /languages), so the tests drive
it through deep-translator's real client. POST /_mode switches its behaviour:
ok, slow (answers after ``delay`` seconds), error (HTTP 500), garbage (200 with a
body that is not JSON), empty (200 with {}).

Run: python -m bot.translation.fake_libre --port 5000 --phrasebook FILE.yml
"""
from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import yaml
from sanic import Sanic, response
from sanic.request import Request

Phrasebook = Dict[str, Dict[str, str]]  # "pl>en" -> {source text: translation}
MODES = ("ok", "slow", "error", "garbage", "empty")


def load_phrasebook(path: Path) -> Phrasebook:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _field(request: Request, name: str) -> Optional[str]:
    if name in request.args:
        return request.args.get(name)
    if request.form and name in request.form:
        return request.form.get(name)
    body = request.json if request.content_type.startswith("application/json") and request.body else None
    return body.get(name) if isinstance(body, dict) else None


def create_app(phrasebook: Phrasebook, languages: List[str]) -> Sanic:
    app = Sanic(f"fake_libre_{uuid.uuid4().hex[:8]}")
    app.ctx.mode, app.ctx.delay, app.ctx.calls = "ok", 5.0, 0

    @app.get("/languages")
    async def list_languages(_: Request):
        return response.json([{"code": c, "name": c, "targets": [t for t in languages if t != c]} for c in languages])

    @app.post("/translate")
    async def translate(request: Request):
        app.ctx.calls += 1
        mode = app.ctx.mode
        if mode == "slow":
            await asyncio.sleep(app.ctx.delay)
        if mode == "error":
            return response.json({"error": "Internal error"}, status=500)
        if mode == "garbage":
            return response.text("<html>gateway hiccup</html>")
        if mode == "empty":
            return response.json({})
        text, source, target = _field(request, "q"), _field(request, "source"), _field(request, "target")
        if not text or not source or not target:
            return response.json({"error": "Invalid request: missing q, source or target"}, status=400)
        if target not in languages or (source != "auto" and source not in languages):
            return response.json({"error": f"{source}>{target} is not supported"}, status=400)
        known = phrasebook.get(f"{source}>{target}", {})
        # Unknown phrases come back marked, like a translation nobody reviewed.
        return response.json({"translatedText": known.get(text, f"[{target}] {text}")})

    @app.post("/_mode")
    async def set_mode(request: Request):
        mode = (request.json or {}).get("mode")
        if mode not in MODES:
            return response.json({"error": f"mode must be one of {MODES}"}, status=400)
        app.ctx.mode = mode
        app.ctx.delay = float((request.json or {}).get("delay", app.ctx.delay))
        return response.json({"mode": mode, "calls": app.ctx.calls})

    return app


@contextmanager
def running(phrasebook: Path, languages: Optional[str] = None) -> Iterator[str]:
    """Run the fake in a subprocess on a free loopback port; yields its base URL."""
    from bot.launch import free_port, wait_for
    from bot.settings import PROJECT_ROOT

    port = free_port()
    command = [sys.executable, "-m", "bot.translation.fake_libre", "--port", str(port), "--phrasebook", str(phrasebook)]
    if languages:
        command += ["--languages", languages]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(url + "languages", 30, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def set_mode(url: str, mode: str, delay: float = 3.0) -> int:
    """Switch a running fake's behaviour (see MODES); returns how many translations it has served."""
    request = urllib.request.Request(url + "_mode", data=json.dumps({"mode": mode, "delay": delay}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as reply:
        return json.loads(reply.read())["calls"]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--phrasebook", type=Path, required=True)
    parser.add_argument("--languages", default="en,pl,pa,ur,ne,ro,lt,ar,fr,es,de,it,pt,ru,uk,zh,hi,bn,ta,te,tr,bg,sk,hu")
    args = parser.parse_args(argv)
    app = create_app(load_phrasebook(args.phrasebook), args.languages.split(","))
    app.run(host="127.0.0.1", port=args.port, access_log=False, motd=False, workers=1)


if __name__ == "__main__":
    main()
