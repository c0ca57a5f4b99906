"""Runtime configuration, read from environment variables with documented defaults.

Nothing here touches the network or a database. Call :func:`load_settings` where
configuration is needed; it reads the environment at call time so tests can set it.

| variable | default | meaning |
|---|---|---|
| TELLONCE_VAR_DIR | <project>/var | where embedded databases, the auth token and logs go |
| TELLONCE_DATABASE_URL | sqlite:///<var>/tellonce.db | the care registry (patients, appointments, cases) |
| TRACKER_STORE_URL | sqlite:///<var>/tracker.db | Rasa's conversation store |
| LOCK_STORE_URL | (empty: in memory) | redis://host:6379/1 for Rasa's lock store in production |
| RASA_PORT | 5005 | Rasa server port |
| ACTION_PORT | 5055 | action server port |
| ACTION_SERVER_URL | http://127.0.0.1:<ACTION_PORT>/webhook | where Rasa calls custom actions |
| RASA_AUTH_TOKEN | random, kept in <var>/rasa_auth_token | token for Rasa's HTTP API |
| TELLONCE_SECRET_KEY | random, kept in <var>/secret_key | key for hashing NHS numbers in the throttle table |
| VERIFY_MAX_ATTEMPTS | 3 | failed checks before a conversation stops verifying |
| VERIFY_MAX_FAILURES_PER_DAY | 6 | failed checks on one NHS number, across conversations, before it is refused for 24 h |
| TELLONCE_MODEL_DIR | <project>/models | trained models, named by content hash |
| TELLONCE_TIMEZONE | Europe/London | local time for appointments and working hours |
| SQLITE_BUSY_TIMEOUT_MS | 15000 | how long SQLite waits for a lock before failing |
| SMTP_HOST | 127.0.0.1 | SMTP relay for staff notifications (make run starts a local mailbox here) |
| SMTP_PORT | 8025 | its port |
| SMTP_USERNAME, SMTP_PASSWORD | (empty: no login) | relay credentials; the password only ever from the environment |
| SMTP_STARTTLS | false | true to upgrade the connection with STARTTLS (required by NHSmail) |
| NOTIFY_FROM | tellonce@tellonce.invalid | From address of notifications |
| TRIAGE_EMAIL | triage@tellonce.invalid | where cases of unverified patients (the triage queue) are announced |
| SERVICE_CALENDAR | data/service_calendar.yml | bank holidays, triage hours and reply promises (a trust's own file) |
| HANDOFF_API_PORT | 5056 | the coordinators' handoff API (HANDOFF_API_INTERFACE: 127.0.0.1) |
| CASE_WEBHOOK_URL, CASE_WEBHOOK_SECRET | (empty: no webhook) | also announce cases to a case-management system, HMAC-SHA256 signed |
| OUTBOX_POLL_SECONDS | 1 | how often the outbox worker looks for due notifications when idle |
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    tracker_store_url: str
    lock_store_url: str
    rasa_port: int
    action_port: int
    action_server_url: str
    model_dir: Path
    timezone: str
    sqlite_busy_timeout_ms: int
    verify_max_attempts: int
    verify_max_failures_per_day: int
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str = ""
    smtp_starttls: bool = False
    notify_from: str = "tellonce@tellonce.invalid"
    triage_email: str = "triage@tellonce.invalid"
    outbox_poll_seconds: float = 1.0
    handoff_api_port: int = 5056
    case_webhook_url: str = ""

    def auth_token(self) -> str:
        """The Rasa API token: RASA_AUTH_TOKEN, else one generated once and kept private."""
        return self._secret("RASA_AUTH_TOKEN", "rasa_auth_token")

    def secret_key(self) -> str:
        """Key for hashing identifiers (TELLONCE_SECRET_KEY, else generated once)."""
        return self._secret("TELLONCE_SECRET_KEY", "secret_key")

    def _secret(self, variable: str, filename: str) -> str:
        from bot.exceptions import ConfigurationError

        token = os.environ.get(variable)
        if token:
            return token
        path = self.var_dir / filename
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".{filename}.{os.getpid()}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(32))
            try:
                os.link(draft, path)  # atomic: a concurrent first start keeps one secret
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        token = path.read_text(encoding="utf-8").strip()
        if not token:
            raise ConfigurationError(f"{path} is empty: delete it to generate a new {variable}")
        return token


def _int(name: str, default: int) -> int:
    from bot.exceptions import ConfigurationError

    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from error


def _bool(name: str, default: bool) -> bool:
    from bot.exceptions import ConfigurationError

    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be true or false, got {raw!r}")


# Every Rasa process here runs with these: no telemetry or crash reports to third
# parties, and no wall of library deprecation warnings in front of the patient-facing log.
RASA_PROCESS_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}


def rasa_environment() -> dict:
    """The current environment plus the variables every Rasa process here must run with."""
    return {**os.environ, **RASA_PROCESS_ENV}


def load_settings() -> Settings:
    var_dir = Path(os.environ.get("TELLONCE_VAR_DIR") or PROJECT_ROOT / "var").resolve()
    action_port = _int("ACTION_PORT", 5055)
    return Settings(
        var_dir=var_dir,
        database_url=os.environ.get("TELLONCE_DATABASE_URL") or f"sqlite:///{var_dir / 'tellonce.db'}",
        tracker_store_url=os.environ.get("TRACKER_STORE_URL") or f"sqlite:///{var_dir / 'tracker.db'}",
        lock_store_url=os.environ.get("LOCK_STORE_URL", ""),
        rasa_port=_int("RASA_PORT", 5005),
        action_port=action_port,
        action_server_url=os.environ.get("ACTION_SERVER_URL")
        or f"http://127.0.0.1:{action_port}/webhook",
        model_dir=Path(os.environ.get("TELLONCE_MODEL_DIR") or PROJECT_ROOT / "models").resolve(),
        timezone=os.environ.get("TELLONCE_TIMEZONE") or "Europe/London",
        sqlite_busy_timeout_ms=_int("SQLITE_BUSY_TIMEOUT_MS", 15000),
        verify_max_attempts=_int("VERIFY_MAX_ATTEMPTS", 3),
        verify_max_failures_per_day=_int("VERIFY_MAX_FAILURES_PER_DAY", 6),
        smtp_host=os.environ.get("SMTP_HOST") or "127.0.0.1",
        smtp_port=_int("SMTP_PORT", 8025),
        smtp_username=os.environ.get("SMTP_USERNAME", ""),
        smtp_starttls=_bool("SMTP_STARTTLS", False),
        notify_from=os.environ.get("NOTIFY_FROM") or "tellonce@tellonce.invalid",
        triage_email=os.environ.get("TRIAGE_EMAIL") or "triage@tellonce.invalid",
        outbox_poll_seconds=float(_int("OUTBOX_POLL_SECONDS", 1)),
        handoff_api_port=_int("HANDOFF_API_PORT", 5056),
        case_webhook_url=os.environ.get("CASE_WEBHOOK_URL", ""),
    )
