"""Pay-per-view: creators make offers on their personas; fans unlock them through the spend path.

An offer's title passes the blocked-term filter like every text a creator writes. Unlocking is a
token spend like a tip (80/20 by default); its checks (offer on sale, persona published, creator
in good standing, one unlock per fan) live with the spend kind.
"""

from uuid import UUID, uuid4

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from application.content.library import ContentLibrary
from application.personas import Personas
from application.spending.commands import Spent, unlock_offer
from application.spending.kinds import UnknownOfferError
from application.spending.service import Spending
from domain.aggregates.ppv_offer import PpvOffer


class PayPerView:
    def __init__(self, ledger: Ledger, clock: Clock, personas: Personas, spending: Spending,
                 library: ContentLibrary, min_tokens: int, max_tokens: int) -> None:
        self._library = library
        self._ledger = ledger
        self._clock = clock
        self._personas = personas
        self._spending = spending
        self.min_tokens = min_tokens
        self.max_tokens = max_tokens

    def create_offer(self, creator_id: str, persona_id: UUID, title: str,
                     price_tokens: int, item_ids: list[UUID] | None = None) -> PpvOffer:
        """An offer opening PPV-tier items of the persona's library (or none, a bare sale)."""
        self._personas.owned(creator_id, persona_id)
        items = self._library.items_for_offer(creator_id, persona_id, item_ids or [])
        offer = PpvOffer.create(offer_id=uuid4(), creator_id=creator_id,
                                persona_id=str(persona_id), title=title,
                                price_tokens=price_tokens, min_tokens=self.min_tokens,
                                max_tokens=self.max_tokens, at=self._clock(), item_ids=items)
        self._personas.refuse_blocked_text({"title": offer.title})
        self._ledger.save(offer)
        return offer

    def withdraw_offer(self, creator_id: str, offer_id: UUID) -> PpvOffer:
        offer = self._offer(offer_id)
        if offer.creator_id != creator_id:
            raise UnknownOfferError(f"no offer {offer_id} of yours")
        offer.withdraw(self._clock())
        self._ledger.save(offer)
        return offer

    def unlock(self, fan_id: str, offer_id: UUID, expected_price_tokens: int | None,
               idempotency_key: str | None) -> Spent:
        """The fan pays the price they were shown (or, if they name none, the offer's own)."""
        price = expected_price_tokens
        if price is None:
            price = self._offer(offer_id).price_tokens
        return self._spending.send(unlock_offer(fan_id, str(offer_id), price, idempotency_key))

    def _offer(self, offer_id: UUID) -> PpvOffer:
        offer = self._ledger.get_or_none(offer_id)
        if not isinstance(offer, PpvOffer):
            raise UnknownOfferError(f"no pay-per-view offer {offer_id}")
        return offer
