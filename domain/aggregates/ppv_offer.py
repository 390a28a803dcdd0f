"""A creator's pay-per-view offer on one of their personas: a title and a price in tokens.

Its price is fixed when it is made; an offer can be withdrawn (no new unlocks) but never changes
what earlier buyers paid. It opens the library items named when it was made (PPV-tier items of
the same persona); offers made before the library existed open none.
"""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError


class InvalidOfferError(DomainError):
    code = "invalid_offer"


TITLE_MAX = 120
ITEMS_MAX = 50


class PpvOffer(Aggregate):
    class Created(Aggregate.Created):
        creator_id: str
        persona_id: str
        title: str
        price_tokens: int
        at: datetime
        item_ids: tuple[str, ...] = ()

    @event(Created)
    def __init__(self, creator_id: str, persona_id: str, title: str, price_tokens: int,
                 at: datetime, item_ids: tuple[str, ...] = ()) -> None:
        self.item_ids = list(item_ids)
        self.creator_id = creator_id
        self.persona_id = persona_id
        self.title = title
        self.price_tokens = price_tokens
        self.created_at = at
        self.withdrawn = False

    @classmethod
    def create(cls, *, offer_id: UUID, creator_id: str, persona_id: str, title: str,
               price_tokens: int, min_tokens: int, max_tokens: int, at: datetime,
               item_ids: list[str] | None = None) -> "PpvOffer":
        title = title.strip()
        if not 1 <= len(title) <= TITLE_MAX:
            raise InvalidOfferError(f"a title needs 1 to {TITLE_MAX} characters")
        if isinstance(price_tokens, bool) or not isinstance(price_tokens, int) or not (
                min_tokens <= price_tokens <= max_tokens):
            raise InvalidOfferError(
                f"price_tokens must be a whole number from {min_tokens} to {max_tokens}")
        items = list(item_ids or [])
        if len(set(items)) != len(items) or len(items) > ITEMS_MAX:
            raise InvalidOfferError(f"an offer opens at most {ITEMS_MAX} different items")
        return cls._create(cls.Created, id=offer_id, creator_id=creator_id,
                           persona_id=persona_id, title=title, price_tokens=price_tokens, at=at,
                           item_ids=items)

    def withdraw(self, at: datetime) -> None:
        if not self.withdrawn:
            self._withdrawn(at=at)

    class Withdrawn(Aggregate.Event):
        at: datetime

    @event(Withdrawn)
    def _withdrawn(self, at: datetime) -> None:
        self.withdrawn = True
