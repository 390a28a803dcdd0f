"""A fan's proof of age for intimate chat: verification sessions started, and their outcome."""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids


class AgeVerification(Aggregate):
    @staticmethod
    def create_id(fan_id: str, **_: object) -> UUID:
        return ids.age_verification_id(fan_id)

    class Opened(Aggregate.Created):
        fan_id: str

    @event(Opened)
    def __init__(self, fan_id: str) -> None:
        self.fan_id = fan_id
        self.sessions: list[str] = []
        self.verified_at: datetime | None = None
        self.verified_session: str | None = None
        self.last_failure: str | None = None

    @classmethod
    def open(cls, fan_id: str) -> "AgeVerification":
        return cls(fan_id=fan_id)

    @property
    def status(self) -> str:
        if self.verified_at is not None:
            return "verified"
        if self.last_failure is not None:
            return "requires_input"
        return "pending" if self.sessions else "unverified"

    def start(self, session_id: str, at: datetime) -> None:
        if session_id not in self.sessions:
            self._started(session_id=session_id, at=at)

    def verify(self, session_id: str, at: datetime) -> bool:
        """The provider verified the fan's age in one of their sessions; once is enough."""
        if self.verified_at is not None or session_id not in self.sessions:
            return False
        self._verified(session_id=session_id, at=at)
        return True

    def fail(self, session_id: str, reason: str, at: datetime) -> bool:
        if self.verified_at is not None or session_id not in self.sessions:
            return False
        self._failed(session_id=session_id, reason=reason, at=at)
        return True

    class Started(Aggregate.Event):
        session_id: str
        at: datetime

    @event(Started)
    def _started(self, session_id: str, at: datetime) -> None:
        self.sessions.append(session_id)

    class Verified(Aggregate.Event):
        session_id: str
        at: datetime

    @event(Verified)
    def _verified(self, session_id: str, at: datetime) -> None:
        self.verified_at = at
        self.verified_session = session_id

    class Failed(Aggregate.Event):
        session_id: str
        reason: str
        at: datetime

    @event(Failed)
    def _failed(self, session_id: str, reason: str, at: datetime) -> None:
        self.last_failure = reason
