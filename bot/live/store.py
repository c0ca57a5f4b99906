"""Live conversations between a coordinator and a patient, kept in the registry.

Every method is synchronous and short: callers on an event loop run them in a thread.
Nothing here translates or talks to a channel: ``bot.live.relay`` does.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import sqlalchemy as sa

from bot.catalogue import load_responses
from bot.db import Database
from bot.exceptions import CaseConflict, CaseNotFound
from bot.models import CaseMessage, Coordinator, HandoffCase, StaffToken, utcnow

SCOPES = ("mine", "team", "triage", "all")
IN_CHUNK = 500  # conversation ids per IN (...) query: SQLite allows 999 parameters


@dataclass(frozen=True)
class Staff:
    id: int
    name: str
    team_id: int


@dataclass(frozen=True)
class LiveCase:
    id: int
    conversation_id: str
    language: str
    coordinator_name: str


@dataclass(frozen=True)
class Outgoing:
    """A message waiting for the patient: a coordinator's reply, or a notice from the bot."""

    id: int
    direction: str  # coordinator | notice
    text: Optional[str]  # coordinator: the text in the patient's language
    response: Optional[str]  # notice: catalogue response name
    variables: Dict[str, str] = field(default_factory=dict)
    language: str = "en"
    translation: str = "none"
    coordinator_name: str = ""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def case_json(case: HandoffCase) -> dict:
    summary = dict(case.summary or {})
    return {
        "id": case.id, "reference": f"TO-{case.id:06d}", "status": case.status, "queue": case.queue,
        "urgent": bool(case.urgent), "reason": case.reason,
        "coordinator": case.coordinator.name if case.coordinator else None,
        "claimed_by": case.claimed_by.name if case.claimed_by else None,
        "patient": ({"initials": "".join(f"{p[0]}." for p in (case.patient.given_name, case.patient.family_name)),
                     "verified": True} if case.patient else {"initials": None, "verified": False}),
        "language": summary.get("language", "en"), "interpreter_needed": bool(summary.get("interpreter_needed")),
        "red_flags": summary.get("red_flags", []), "asked_about": summary.get("asked_about", []),
        "in_hours": summary.get("in_hours"), "reply_by": summary.get("reply_by"),
        "created_at": case.created_at.isoformat(timespec="seconds") + "Z",
    }


def message_json(message: CaseMessage) -> dict:
    return {
        "id": message.id, "direction": message.direction, "original_text": message.original_text,
        "english_text": message.english_text, "patient_text": message.patient_text,
        "language": message.language, "translation": message.translation, "response": message.response,
        "created_at": message.created_at.isoformat(timespec="seconds") + "Z",
        "delivered_at": message.delivered_at.isoformat(timespec="seconds") + "Z" if message.delivered_at else None,
    }


class LiveStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # staff -----------------------------------------------------------------
    def issue_token(self, email: str) -> str:
        """A new API token for the coordinator with ``email`` (shown once, stored hashed)."""
        token = secrets.token_urlsafe(32)
        with self.db.session() as session:
            coordinator = session.execute(sa.select(Coordinator).where(Coordinator.email == email)).scalar_one_or_none()
            if coordinator is None:
                raise CaseNotFound("no coordinator with that email address")
            session.add(StaffToken(token_hash=token_hash(token), coordinator_id=coordinator.id))
        return token

    def staff_for_token(self, token: str) -> Optional[Staff]:
        with self.db.session() as session:
            row = session.execute(sa.select(StaffToken).where(
                StaffToken.token_hash == token_hash(token), StaffToken.revoked.is_(False))).scalar_one_or_none()
            if row is None:
                return None
            return Staff(row.coordinator.id, row.coordinator.name, row.coordinator.team_id)

    # cases -----------------------------------------------------------------
    def list_cases(self, staff: Staff, scope: str = "mine", include_closed: bool = False) -> List[dict]:
        with self.db.session() as session:
            query = sa.select(HandoffCase)
            if not include_closed:
                query = query.where(HandoffCase.status != "closed")
            if scope == "mine":
                query = query.where(sa.or_(HandoffCase.coordinator_id == staff.id, HandoffCase.claimed_by_id == staff.id))
            elif scope == "team":
                query = query.where(HandoffCase.team_id == staff.team_id)
            elif scope == "triage":
                query = query.where(HandoffCase.queue == "triage")
            rows = session.execute(query.order_by(HandoffCase.urgent.desc(), HandoffCase.created_at)).scalars()
            return [case_json(case) for case in rows]

    def case(self, case_id: int) -> dict:
        with self.db.session() as session:
            case = self._get(session, case_id)
            messages = session.execute(sa.select(CaseMessage).where(CaseMessage.case_id == case_id)
                                       .order_by(CaseMessage.id)).scalars()
            return {**case_json(case), "conversation_id": case.conversation_id,
                    "messages": [message_json(m) for m in messages]}

    @staticmethod
    def _get(session, case_id: int) -> HandoffCase:
        case = session.get(HandoffCase, case_id)
        if case is None:
            raise CaseNotFound(f"case {case_id} not found")
        return case

    def claim(self, case_id: int, staff: Staff) -> dict:
        with self.db.session() as session:
            case = self._get(session, case_id)
            if case.status == "closed":
                raise CaseConflict("the case is closed")
            if case.status == "claimed" and case.claimed_by_id != staff.id:
                raise CaseConflict(f"the case is already claimed by {case.claimed_by.name}")
            if case.status != "claimed":
                case.status, case.claimed_by_id, case.claimed_at = "claimed", staff.id, utcnow()
                self._notice(session, case, "utter_coordinator_joined", staff.name)
            session.flush()
            return case_json(case)

    def _claimed_by(self, session, case_id: int, staff: Staff) -> HandoffCase:
        case = self._get(session, case_id)
        if case.status != "claimed" or case.claimed_by_id != staff.id:
            raise CaseConflict("claim the case before replying, handing back or closing it")
        return case

    def add_reply(self, case_id: int, staff: Staff, english: str, patient_text: str, language: str,
                  translation: str) -> dict:
        with self.db.session() as session:
            case = self._claimed_by(session, case_id, staff)
            message = CaseMessage(case_id=case.id, conversation_id=case.conversation_id, direction="coordinator",
                                  coordinator_id=staff.id, original_text=english, english_text=english,
                                  patient_text=patient_text, language=language, translation=translation)
            session.add(message)
            session.flush()
            return message_json(message)

    def release(self, case_id: int, staff: Staff, close: bool) -> dict:
        """Hand the conversation back to the bot (the case stays open) or close the case."""
        with self.db.session() as session:
            case = self._claimed_by(session, case_id, staff)
            case.claimed_by_id, case.claimed_at = None, None
            if close:
                case.status, case.closed_at = "closed", utcnow()
            else:
                case.status = "open"
            self._notice(session, case, "utter_coordinator_closed" if close else "utter_coordinator_handed_back",
                         staff.name)
            session.flush()
            return case_json(case)

    @staticmethod
    def _notice(session, case: HandoffCase, response: str, coordinator_name: str) -> None:
        """Queue a catalogue response for the patient; the transcript shows it in English."""
        variables = {"coordinator_name": coordinator_name}
        english = load_responses("en")[response][0]["text"].format(**variables)
        session.add(CaseMessage(case_id=case.id, conversation_id=case.conversation_id, direction="notice",
                                coordinator_id=None, original_text=english, english_text=english,
                                response=response, variables=variables,
                                language=(case.summary or {}).get("language", "en")))

    def case_language(self, case_id: int) -> str:
        with self.db.session() as session:
            return (self._get(session, case_id).summary or {}).get("language", "en")

    # the patient's side ---------------------------------------------------------
    def live_case(self, conversation_id: str) -> Optional[LiveCase]:
        """The claimed case this conversation belongs to, if a coordinator is talking to it."""
        with self.db.session() as session:
            case = session.execute(sa.select(HandoffCase).where(
                HandoffCase.conversation_id == conversation_id, HandoffCase.status == "claimed")
                .order_by(HandoffCase.id.desc())).scalars().first()
            if case is None:
                return None
            return LiveCase(case.id, case.conversation_id, (case.summary or {}).get("language", "en"),
                            case.claimed_by.name if case.claimed_by else "")

    def record_patient_message(self, case_id: int, conversation_id: str, original: str, english: Optional[str],
                               language: str, translation: str) -> int:
        with self.db.session() as session:
            message = CaseMessage(case_id=case_id, conversation_id=conversation_id, direction="patient",
                                  original_text=original, english_text=english, language=language,
                                  translation=translation, delivered_at=utcnow())
            session.add(message)
            session.flush()
            return message.id

    def patient_message(self, conversation_id: str, original: str, english: Optional[str], language: str,
                        translation: str) -> Tuple[bool, List[Outgoing]]:
        """Everything the channel needs from the registry for one patient message, in one call:
        whether a coordinator has the conversation (then the message is recorded for them), and
        what waits for the patient."""
        case = self.live_case(conversation_id)
        if case is not None:
            self.record_patient_message(case.id, conversation_id, original, english, language, translation)
        return case is not None, self.take_outgoing(conversation_id)

    def take_outgoing(self, conversation_id: str) -> List[Outgoing]:
        """Messages waiting for this conversation's patient, marked delivered as they are taken."""
        return self.take_outgoing_for([conversation_id]).get(conversation_id, [])

    def take_outgoing_for(self, conversation_ids: Sequence[str]) -> Dict[str, List[Outgoing]]:
        """What waits for each of these conversations, in order, marked delivered as it is taken
        (a conditional update: a message taken by another request or process is skipped)."""
        now = utcnow()
        taken: Dict[str, List[Outgoing]] = {}
        ids = list(dict.fromkeys(conversation_ids))
        with self.db.session() as session:
            for start in range(0, len(ids), IN_CHUNK):
                rows = session.execute(sa.select(CaseMessage).where(
                    CaseMessage.conversation_id.in_(ids[start:start + IN_CHUNK]), CaseMessage.delivered_at.is_(None),
                    CaseMessage.direction.in_(("coordinator", "notice"))).order_by(CaseMessage.id)).scalars().all()
                for row in rows:
                    claimed = session.execute(sa.update(CaseMessage).where(
                        CaseMessage.id == row.id, CaseMessage.delivered_at.is_(None)).values(delivered_at=now)
                        .execution_options(synchronize_session=False)).rowcount
                    if not claimed:
                        continue  # another request delivered it
                    taken.setdefault(row.conversation_id, []).append(self._outgoing(session, row))
        return taken

    @staticmethod
    def _outgoing(session, row: CaseMessage) -> Outgoing:
        if row.direction == "notice":
            return Outgoing(row.id, "notice", None, row.response, dict(row.variables or {}), row.language)
        name = session.get(Coordinator, row.coordinator_id).name if row.coordinator_id else ""
        return Outgoing(row.id, "coordinator", row.patient_text, None, {}, row.language, row.translation, name)
