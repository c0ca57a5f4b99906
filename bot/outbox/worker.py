"""The outbox worker: deliver every due notification, retry failures, never send one twice.

A row is claimed by one conditional UPDATE (status pending -> sending, with a lease), so two
workers never deliver the same row; a worker that dies mid-send leaves a lease that expires,
and the row is tried again. A delivery that fails is retried with exponential backoff, capped
at ``max_backoff`` (so after an hour's outage everything is delivered within minutes of the
server's return), until ``give_up_after``; then the row is marked dead and logged for the
on-call engineer. Logs name rows and error kinds, never recipients or content.
"""
from __future__ import annotations

import datetime as dt
import logging
import random
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

import sqlalchemy as sa

from bot.db import Database
from bot.exceptions import DeliveryFailed
from bot.models import OutboxMessage, utcnow
from bot.outbox.senders import Sender

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    first_backoff: dt.timedelta = dt.timedelta(seconds=5)
    max_backoff: dt.timedelta = dt.timedelta(minutes=5)
    give_up_after: dt.timedelta = dt.timedelta(days=3)
    lease: dt.timedelta = dt.timedelta(minutes=2)
    jitter: float = 0.1  # +-10%: workers restarted together do not retry in lockstep

    def backoff(self, attempts: int, rng: Callable[[], float] = random.random) -> dt.timedelta:
        base = min(self.first_backoff * (2 ** max(attempts - 1, 0)), self.max_backoff)
        return base * (1 + self.jitter * (2 * rng() - 1))


@dataclass
class RunResult:
    sent: int = 0
    retried: int = 0
    dead: int = 0


class OutboxWorker:
    def __init__(self, db: Database, senders: Dict[str, Sender], policy: RetryPolicy = RetryPolicy(),
                 now: Callable[[], dt.datetime] = utcnow, batch: int = 20) -> None:
        self.db = db
        self.senders = senders
        self.policy = policy
        self.now = now
        self.batch = batch

    def _due(self, now: dt.datetime):
        return sa.or_(
            sa.and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
            sa.and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
        )

    def _claim(self) -> List[int]:
        now = self.now()
        claimed = []
        with self.db.session() as session:
            ids = session.execute(
                sa.select(OutboxMessage.id).where(self._due(now), OutboxMessage.channel.in_(list(self.senders)))
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(self.batch)
            ).scalars().all()
        for row_id in ids:
            with self.db.session() as session:
                result = session.execute(
                    sa.update(OutboxMessage).where(OutboxMessage.id == row_id, self._due(now))
                    .values(status="sending", lease_until=now + self.policy.lease)
                    .execution_options(synchronize_session=False))
                if result.rowcount == 1:
                    claimed.append(row_id)
        return claimed

    def _deliver(self, row_id: int, result: RunResult) -> None:
        with self.db.session() as session:
            row = session.get(OutboxMessage, row_id)
            channel, recipient, payload = row.channel, row.recipient, dict(row.payload)
        try:
            self.senders[channel].send(recipient, payload)
        except DeliveryFailed as error:
            self._failed(row_id, error, result)
            return
        with self.db.session() as session:
            session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == row_id)
                            .values(status="sent", sent_at=self.now(), lease_until=None,
                                    attempts=OutboxMessage.attempts + 1, last_error=None)
                            .execution_options(synchronize_session=False))
        result.sent += 1
        logger.info("outbox row %s delivered by %s", row_id, channel)

    def _failed(self, row_id: int, error: DeliveryFailed, result: RunResult) -> None:
        now = self.now()
        with self.db.session() as session:
            row = session.get(OutboxMessage, row_id)
            row.attempts += 1
            row.last_error = error.kind[:200]
            row.lease_until = None
            if error.permanent or now - row.created_at >= self.policy.give_up_after:
                row.status = "dead"
                result.dead += 1
                logger.error("outbox row %s undeliverable after %s attempts (%s): needs a person",
                             row_id, row.attempts, error.kind)
            else:
                row.status = "pending"
                row.next_attempt_at = now + self.policy.backoff(row.attempts)
                result.retried += 1
                logger.warning("outbox row %s not delivered (%s), attempt %s; retrying at %s",
                               row_id, error.kind, row.attempts, row.next_attempt_at.isoformat(timespec="seconds"))

    def run_once(self) -> RunResult:
        """Deliver what is due now; returns counts."""
        result = RunResult()
        for row_id in self._claim():
            self._deliver(row_id, result)
        return result

    def run_forever(self, poll_seconds: float = 1.0, stop: Optional[Callable[[], bool]] = None) -> None:
        while not (stop and stop()):
            try:
                result = self.run_once()
            except sa.exc.OperationalError as error:  # database locked or away: try again shortly
                logger.warning("outbox: database unavailable (%s)", type(error.orig).__name__)
                result = RunResult()
            if not result.sent and not result.retried:
                time.sleep(poll_seconds)
