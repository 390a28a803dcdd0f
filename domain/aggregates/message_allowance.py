"""A subscriber's included messages to one persona in one billing period.

Both chat modes draw on it; each use names its message, so a retried message uses one, and a
message with no reply gives its use back. Two messages racing for the last one meet a version
conflict: one of them pays.
"""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.errors import DomainError


class AllowanceUsedUpError(DomainError):
    code = "allowance_used_up"


class MessageAllowance(Aggregate):
    @staticmethod
    def create_id(fan_id: str, persona_id: str, period_start: str, **_: object) -> UUID:
        return ids.message_allowance_id(fan_id, persona_id, period_start)

    class Opened(Aggregate.Created):
        fan_id: str
        persona_id: str
        period_start: str
        included: int

    @event(Opened)
    def __init__(self, fan_id: str, persona_id: str, period_start: str, included: int) -> None:
        self.fan_id = fan_id
        self.persona_id = persona_id
        self.period_start = period_start
        self.included = included
        self.used: list[str] = []

    @classmethod
    def open(cls, fan_id: str, persona_id: str, period_start: str,
             included: int) -> "MessageAllowance":
        return cls(fan_id=fan_id, persona_id=persona_id, period_start=period_start,
                   included=included)

    @property
    def remaining(self) -> int:
        return max(0, self.included - len(self.used))

    def use(self, message_id: str, at: datetime) -> None:
        if message_id in self.used:
            return
        if self.remaining == 0:
            raise AllowanceUsedUpError("this period's included messages are used up")
        self._used(message_id=message_id, at=at)

    def give_back(self, message_id: str, at: datetime) -> None:
        if message_id in self.used:
            self._given_back(message_id=message_id, at=at)

    class Used(Aggregate.Event):
        message_id: str
        at: datetime

    @event(Used)
    def _used(self, message_id: str, at: datetime) -> None:
        self.used.append(message_id)

    class GivenBack(Aggregate.Event):
        message_id: str
        at: datetime

    @event(GivenBack)
    def _given_back(self, message_id: str, at: datetime) -> None:
        self.used.remove(message_id)
