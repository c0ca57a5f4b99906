"""A local mailbox for the embedded default: an SMTP server on 127.0.0.1 that keeps every
message in a Maildir (<var>/mail), so `make run` shows coordinators' emails without a relay.

`python -m bot.outbox.mailbox`; production sets SMTP_HOST to a real relay instead.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

from bot.settings import load_settings


def create_controller(folder: Path, host: str, port: int) -> Controller:
    for part in ("tmp", "new", "cur"):  # a Maildir; the handler does not create them in an existing folder
        (folder / part).mkdir(parents=True, exist_ok=True)
    return Controller(Mailbox(str(folder)), hostname=host, port=port)


def main(argv=None) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=settings.var_dir / "mail")
    args = parser.parse_args(argv)
    controller = create_controller(args.folder, settings.smtp_host, settings.smtp_port)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    controller.start()
    print(f"local mailbox: smtp://{settings.smtp_host}:{settings.smtp_port} -> {args.folder}", flush=True)
    try:
        stopped.wait()
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
