"""Staff registration of already-vetted creators (migration and development)."""

from eventsourcing.persistence import IntegrityError

from application.clock import Clock
from application.ledger import Ledger
from domain import ids
from domain.aggregates.creator import Creator


class Creators:
    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    def register(self, user_id: str, display_name: str, actor: str) -> Creator:
        """An approved creator in one step, recorded with the staff member who vouched."""
        existing = self._ledger.get_or_none(ids.creator_id(user_id))
        if existing is not None:
            return existing
        creator = Creator.register_vetted(user_id, display_name, actor, self._clock())
        try:
            self._ledger.save(creator)
        except IntegrityError:
            return self._ledger.repository.get(creator.id)
        return creator
