"""Pay-per-view: creators' offers, fans' unlocks. Unlocking goes through the one spend path."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field, StrictInt

from api.deps import CoreDep, CurrentUser, require, wait_for_position
from api.params import Position

router = APIRouter(tags=["ppv"])
IdempotencyKey = Annotated[str | None, Header(max_length=200)]


class OfferCreate(BaseModel):
    persona_id: UUID
    title: str = Field(min_length=1, max_length=120)
    price_tokens: StrictInt
    item_ids: list[UUID] = Field(default_factory=list, max_length=50,
                                 description="PPV-tier library items the offer opens")


class UnlockRequest(BaseModel):
    price_tokens: StrictInt | None = Field(
        default=None, description="the price the fan was shown; refused if the offer's differs")


@router.get("/api/creator/ppv")
def my_offers(core: CoreDep, user: CurrentUser,
              min_position: Position | None = None) -> dict[str, Any]:
    """The creator's offers with their standing unlocks and what those earned."""
    require(user, "creator")
    wait_for_position(core, min_position)
    return {"offers": core.ppv_queries.creator_offers(user.user_id),
            "price_bounds_tokens": [core.ppv.min_tokens, core.ppv.max_tokens]}


@router.post("/api/creator/ppv", status_code=201)
def create_offer(body: OfferCreate, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """A pay-per-view offer on one of the creator's personas, priced in tokens."""
    require(user, "creator")
    offer = core.ppv.create_offer(user.user_id, body.persona_id, body.title, body.price_tokens,
                                  body.item_ids)
    return {"offer_id": str(offer.id), "persona_id": offer.persona_id, "title": offer.title,
            "item_ids": offer.item_ids,
            "price_tokens": offer.price_tokens, "position": core.ledger.last_saved_position()}


@router.post("/api/creator/ppv/{offer_id}/withdraw")
def withdraw_offer(offer_id: UUID, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """No new unlocks; fans who unlocked it keep what they bought."""
    require(user, "creator")
    offer = core.ppv.withdraw_offer(user.user_id, offer_id)
    return {"offer_id": str(offer.id), "withdrawn": offer.withdrawn,
            "position": core.ledger.last_saved_position()}


@router.get("/api/models/{persona_id}/ppv")
def offers_on_sale(persona_id: UUID, core: CoreDep,
                   min_position: Position | None = None) -> dict[str, Any]:
    """A persona's offers on sale (anyone may browse them)."""
    wait_for_position(core, min_position)
    return {"offers": core.ppv_queries.on_sale(str(persona_id))}


@router.get("/api/ppv/unlocks")
def my_unlocks(core: CoreDep, user: CurrentUser,
               min_position: Position | None = None) -> dict[str, Any]:
    """The signed-in fan's unlocks; one revoked by a refund or dispute says why."""
    wait_for_position(core, min_position)
    return {"unlocks": core.ppv_queries.unlocks(user.user_id)}


@router.post("/api/ppv/{offer_id}/purchase", status_code=201)
def purchase(offer_id: UUID, core: CoreDep, user: CurrentUser,
             body: UnlockRequest | None = None,
             idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """Unlock an offer with tokens: the same spend path, checks and retries as a tip."""
    require(user, "fan", "creator")
    spent = core.ppv.unlock(user.user_id, offer_id, body.price_tokens if body else None,
                            idempotency_key)
    return {"success": True, "unlock_id": str(spent.spend_id), "offer_id": str(offer_id),
            "new_balance": spent.new_balance_tokens, "amount_tokens": spent.amount_tokens,
            "creator_tokens": spent.creator_tokens, "platform_tokens": spent.platform_tokens,
            "position": spent.position, "replayed": spent.replayed}
