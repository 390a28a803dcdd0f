"""Creator registration and standing, as far as the ledger needs it (who may receive money)."""

from eventsourcing.persistence import IntegrityError

from application.clock import Clock
from application.ledger import Ledger
from domain import ids
from domain.aggregates.creator import Creator
from domain.errors import UnknownCreatorError


class Creators:
    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    def register(self, user_id: str, display_name: str, actor: str) -> Creator:
        existing = self._ledger.get_or_none(ids.creator_id(user_id))
        if existing is not None:
            return existing
        creator = Creator(user_id=user_id, display_name=display_name, registered_by=actor,
                          at=self._clock())
        try:
            self._ledger.save(creator)
        except IntegrityError:
            return self._ledger.repository.get(creator.id)
        return creator

    def suspend(self, user_id: str, reason: str, actor: str) -> None:
        creator = self._get(user_id)
        creator.suspend(reason, actor, self._clock())
        self._ledger.save(creator)

    def reinstate(self, user_id: str, actor: str) -> None:
        creator = self._get(user_id)
        creator.reinstate(actor, self._clock())
        self._ledger.save(creator)

    def _get(self, user_id: str) -> Creator:
        creator = self._ledger.get_or_none(ids.creator_id(user_id))
        if creator is None:
            raise UnknownCreatorError(f"no creator {user_id}")
        return creator
