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
