"""Token packs and Stripe Checkout."""

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from api.deps import CoreDep, CurrentUser, require
from domain.catalogue import CURRENCY, TOKEN_PACKS

router = APIRouter(tags=["tokens"])


class PackPublic(BaseModel):
    sku: str
    name: str
    price_minor: int
    currency: str
    tokens: int
    best_value: bool


class CheckoutCreate(BaseModel):
    pack_sku: str = Field(min_length=1, max_length=64)


class CheckoutPublic(BaseModel):
    checkout_session_id: str
    url: str


@router.get("/api/tokens/packs")
def list_packs() -> dict[str, list[PackPublic]]:
    """Token packs on sale, with prices in pence."""
    return {"packs": [PackPublic(sku=p.sku, name=p.name, price_minor=p.price_minor,
                                 currency=CURRENCY, tokens=p.tokens, best_value=p.best_value)
                      for p in TOKEN_PACKS]}


@router.post("/api/tokens/checkout", response_model=CheckoutPublic, status_code=201)
def create_checkout(body: CheckoutCreate, core: CoreDep, user: CurrentUser,
                    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
                    ) -> dict[str, Any]:
    """Open a Stripe Checkout session for a pack; tokens arrive with Stripe's webhook."""
    require(user, "fan", "creator")
    key = f"{user.user_id}:{idempotency_key}" if idempotency_key else None
    session = core.purchases.start_checkout(user.user_id, body.pack_sku,
                                            key or f"{user.user_id}:{secrets.token_hex(16)}")
    return {"checkout_session_id": session.id, "url": session.url}

