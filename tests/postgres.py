"""A throwaway PostgreSQL server on a loopback port, for tests that prove a
PostgreSQL URL works unchanged. Needs Debian's postgresql package (make test
installs it); as root it runs the server as the 'postgres' user."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator, List, Optional

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def find(tool: str) -> Optional[str]:
    for directory in BIN_DIRS:
        if (directory / tool).exists():
            return str(directory / tool)
    return shutil.which(tool)


def _as_server_user(command: List[str]) -> List[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def running_postgres(directory: Path) -> Iterator[str]:
    """Start a server in ``directory``; yield its SQLAlchemy URL; stop and remove it."""
    initdb, pg_ctl = find("initdb"), find("pg_ctl")
    if not (initdb and pg_ctl):
        raise RuntimeError("PostgreSQL server binaries not found: run `make test`, which installs them")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = directory / "data"
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        directory.chmod(0o755)
        shutil.chown(directory, "postgres", "postgres")
    subprocess.run(_as_server_user([initdb, "-D", str(data), "-A", "trust", "-U", "tellonce", "--no-sync"]),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(directory / "log"),
                                    "-w", "start"]), check=True, stdout=subprocess.DEVNULL)
    try:
        url = f"postgresql://tellonce@127.0.0.1:{port}/postgres"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        yield url
    finally:
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
