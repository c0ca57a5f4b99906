"""Start an assistant's servers, time the start-up and read their memory."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bot.launch import free_port, wait_for
from bot.settings import PROJECT_ROOT, rasa_environment


def rss_kb(pid: int, field_name: str = "VmRSS") -> int:
    """Resident memory of a process in KiB (VmHWM for the peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    wait_for(url, 600, process, poll=0.1)  # fine polling: start-up time is what we measure


@dataclass
class Running:
    name: str
    url: str
    startup_seconds: float
    rasa_pid: int
    helper_pids: List[int] = field(default_factory=list)
    processes: List[subprocess.Popen] = field(default_factory=list)

    def memory(self) -> Dict[str, int]:
        rasa = rss_kb(self.rasa_pid, "VmHWM")
        helpers = sum(rss_kb(pid, "VmHWM") for pid in self.helper_pids)
        return {"rasa_peak_kb": rasa, "total_peak_kb": rasa + helpers}

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def start_stock(project: Path, model: Path, log: Path) -> Running:
    port = free_port()
    began = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(port),
         "--credentials", str(project / "credentials.yml")],
        cwd=project, env=rasa_environment(), stdout=open(log, "w"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url + "/", process)
    return Running("stock rasa init", url, time.monotonic() - began, process.pid, [], [process])


def start_tellonce(var_dir: Path, log_dir: Path, extra_env: Optional[Dict[str, str]] = None) -> Running:
    rasa_port, action_port = free_port(), free_port()
    env = {**rasa_environment(), "TELLONCE_VAR_DIR": str(var_dir), "RASA_PORT": str(rasa_port),
           "ACTION_PORT": str(action_port), "REST_RATE_LIMIT_PER_MINUTE": "100000", **(extra_env or {})}
    for name in ("TRACKER_STORE_URL", "TELLONCE_DATABASE_URL"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-m", "bot.seed"], env=env, cwd=PROJECT_ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    began = time.monotonic()
    actions = subprocess.Popen([sys.executable, "-m", "bot.serve", "actions"], env=env, cwd=PROJECT_ROOT,
                               stdout=open(log_dir / "actions.log", "w"), stderr=subprocess.STDOUT)
    rasa = subprocess.Popen([sys.executable, "-m", "bot.serve", "rasa"], env=env, cwd=PROJECT_ROOT,
                            stdout=open(log_dir / "rasa.log", "w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{rasa_port}"
    wait_until_up(f"http://127.0.0.1:{action_port}/ready", actions)
    wait_until_up(url + "/", rasa)
    return Running("TellOnce", url, time.monotonic() - began, rasa.pid, [actions.pid], [rasa, actions])


def stock_project(cache: Path) -> Path:
    """A stock `rasa init` project with its trained model, made once and cached per Rasa version."""
    import rasa

    project = cache / f"stock-rasa-{rasa.__version__}"
    if not list((project / "models").glob("*.tar.gz")):
        project.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(project)],
                       cwd=project, env=rasa_environment(), check=True, stdout=subprocess.DEVNULL)
    return project


def latest_model(project: Path) -> Path:
    return max((project / "models").glob("*.tar.gz"), key=os.path.getmtime)
