"""Staff actions on creators outside onboarding: registering an already-vetted creator
(migration and development), and clearing a payout problem once support has looked."""

from eventsourcing.persistence import IntegrityError

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from domain import ids
from domain.aggregates.creator import Creator
from domain.errors import UnknownCreatorError


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

    def clear_payout_problem(self, user_id: str, actor: str, reason: str) -> Creator:
        """Support has sorted the creator's bank out: payouts may go to them again."""
        creator = self._ledger.get_or_none(ids.creator_id(user_id))
        if not isinstance(creator, Creator):
            raise UnknownCreatorError(f"no creator {user_id}")
        creator.clear_payout_problem(actor, reason, self._clock())
        self._ledger.save(creator)
        return creator
