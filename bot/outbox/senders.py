"""How each outbox channel delivers. Senders block: only the outbox worker calls them."""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import List, Optional, Protocol, Tuple

from bot.exceptions import DeliveryFailed
from bot.outbox.messages import EmailPayload


class Sender(Protocol):
    def send(self, recipient: str, payload: dict) -> None:
        """Deliver or raise DeliveryFailed."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    from_address: str
    username: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = False
    timeout_s: float = 20.0


class SmtpSender:
    """Email through an SMTP relay (NHSmail, a trust relay, or the local mailbox)."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def message(self, recipient: str, payload: EmailPayload) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.config.from_address
        message["To"] = recipient
        message["Subject"] = payload["subject"]
        message["Message-ID"] = payload["message_id"]
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(payload["body"])
        return message

    def send(self, recipient: str, payload: EmailPayload) -> None:
        config = self.config
        try:
            with smtplib.SMTP(config.host, config.port, timeout=config.timeout_s) as client:
                if config.starttls:
                    client.starttls(context=ssl.create_default_context())
                if config.username:
                    client.login(config.username, config.password)
                client.send_message(self.message(recipient, payload))
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _ in error.recipients.values()})
            raise DeliveryFailed(f"SMTPRecipientsRefused {codes}", permanent=all(c >= 500 for c in codes)) from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryFailed(f"{type(error).__name__} {error.smtp_code}",
                                 permanent=500 <= error.smtp_code < 600) from None
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(type(error).__name__) from None


class RecordingSender:
    """Test double for a Sender: records what it was asked to send; can be told to fail."""

    def __init__(self) -> None:
        self.sent: List[Tuple[str, dict]] = []
        self.failure: Optional[DeliveryFailed] = None

    def send(self, recipient: str, payload: dict) -> None:
        if self.failure is not None:
            raise self.failure
        self.sent.append((recipient, payload))


class WebhookSender:
    """JSON POST to a case-management system, signed with HMAC-SHA256.

    Headers: ``X-TellOnce-Timestamp`` (Unix seconds) and ``X-TellOnce-Signature:
    sha256=<hex HMAC of "<timestamp>.<body>" under the shared secret>``, so the receiver can
    check both origin and freshness; ``Idempotency-Key`` is the outbox row's dedupe key, the
    same on every retry. 2xx is delivered; 408, 429 and 5xx are retried; other 4xx are not.
    """

    def __init__(self, url: str, secret: str, timeout_s: float = 10.0, clock=None) -> None:
        import time

        self.url, self._secret, self.timeout_s = url, secret.encode("utf-8"), timeout_s
        self._clock = clock or time.time

    def sign(self, timestamp: str, body: bytes) -> str:
        import hashlib
        import hmac

        return "sha256=" + hmac.new(self._secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()

    def send(self, recipient: str, payload: dict) -> None:
        import json
        import urllib.error
        import urllib.request

        body = json.dumps(payload["body"], sort_keys=True, separators=(",", ":")).encode("utf-8")
        timestamp = str(int(self._clock()))
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "X-TellOnce-Timestamp": timestamp,
            "X-TellOnce-Signature": self.sign(timestamp, body), "Idempotency-Key": payload["idempotency_key"]})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as reply:
                reply.read()
        except urllib.error.HTTPError as error:
            raise DeliveryFailed(f"HTTP {error.code}", permanent=400 <= error.code < 500
                                 and error.code not in (408, 429)) from None
        except (urllib.error.URLError, OSError) as error:
            raise DeliveryFailed(type(getattr(error, "reason", error)).__name__) from None
