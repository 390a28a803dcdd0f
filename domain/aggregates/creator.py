"""A creator's standing as far as money is concerned: whether they may receive it.

Onboarding, declarations and approval build on this aggregate; the ledger only asks
`can_receive_money`.
"""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids

ACTIVE = "active"
SUSPENDED = "suspended"


class Creator(Aggregate):
    @staticmethod
    def create_id(user_id: str, **_: object) -> UUID:
        return ids.creator_id(user_id)

    @event("Registered")
    def __init__(self, user_id: str, display_name: str, registered_by: str, at: datetime) -> None:
        self.user_id = user_id
        self.display_name = display_name
        self.status = ACTIVE

    @property
    def can_receive_money(self) -> bool:
        return self.status == ACTIVE

    def suspend(self, reason: str, actor: str, at: datetime) -> None:
        if self.status != SUSPENDED:
            self._suspended(reason=reason, actor=actor, at=at)

    def reinstate(self, actor: str, at: datetime) -> None:
        if self.status == SUSPENDED:
            self._reinstated(actor=actor, at=at)

    @event("Suspended")
    def _suspended(self, reason: str, actor: str, at: datetime) -> None:
        self.status = SUSPENDED

    @event("Reinstated")
    def _reinstated(self, actor: str, at: datetime) -> None:
        self.status = ACTIVE
