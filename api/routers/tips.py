"""Tips: configuration, and sending one (wallet debit, tip and earnings hold in one save)."""

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, StrictInt

from api.deps import CoreDep, CurrentUser, require
from application.spending import commands as spend
from domain.catalogue import TIP_MAX_TOKENS, TIP_MIN_TOKENS, TIP_PRESETS_TOKENS

router = APIRouter(tags=["tips"])


class TipCreate(BaseModel):
    creator_id: str = Field(min_length=1, max_length=200)
    amount_tokens: StrictInt
    thread_id: str | None = Field(default=None, max_length=200)
    chat_mode: Literal["companion", "intimate"] | None = None


class TipPublic(BaseModel):
    success: bool
    tip_id: str
    new_balance: int
    amount_tokens: int
    creator_tokens: int
    platform_tokens: int
    position: int
    replayed: bool


@router.get("/api/tips")
def tip_config(core: CoreDep) -> dict[str, Any]:
    """Tip presets, limits and the fee in force."""
    creator_bps = core.fees.tip_creator_bps
    return {"presets_tokens": list(TIP_PRESETS_TOKENS), "min_tokens": TIP_MIN_TOKENS,
            "max_tokens": TIP_MAX_TOKENS, "creator_bps": creator_bps,
            "platform_fee_bps": 10_000 - creator_bps, "tokens_per_gbp": 250,
            "hold_days": core.fees.hold_period.days}


async def _send(body: TipCreate, core: CoreDep, user: CurrentUser,
                key: str | None) -> dict[str, Any]:
    """Awaits the group commit on the event loop: no thread is held while the batch commits."""
    require(user, "fan", "creator")
    command = spend.send_tip(user.user_id, body.creator_id, body.amount_tokens,
                             idempotency_key=key, thread_id=body.thread_id,
                             chat_mode=body.chat_mode)
    queued = core.spending.submit(command)
    sent = (await asyncio.wrap_future(queued) if queued is not None
            else await run_in_threadpool(core.spending.send, command))
    return {"success": True, "tip_id": str(sent.spend_id), "new_balance": sent.new_balance_tokens,
            "amount_tokens": sent.amount_tokens, "creator_tokens": sent.creator_tokens,
            "platform_tokens": sent.platform_tokens, "position": sent.position,
            "replayed": sent.replayed}


IdempotencyKey = Annotated[str | None, Header(max_length=200)]


@router.post("/api/tips", response_model=TipPublic, status_code=201)
async def send_tip(body: TipCreate, core: CoreDep, user: CurrentUser,
                   idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """Send a tip to a creator from the signed-in fan's tokens."""
    return await _send(body, core, user, idempotency_key)


@router.post("/api/tips/send", response_model=TipPublic, status_code=201)
async def send_tip_legacy(body: TipCreate, core: CoreDep, user: CurrentUser,
                          idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """Send a tip (the spec's original path; same as POST /api/tips)."""
    return await _send(body, core, user, idempotency_key)


@router.post("/api/tips/{tip_id}/acknowledgement")
def acknowledge_tip(tip_id: str, core: CoreDep, user: CurrentUser) -> dict[str, str]:
    """The persona's one brief thank-you for a tip the signed-in fan sent (same text on repeat)."""
    return {"tip_id": tip_id, "text": core.acknowledgements.acknowledge(user.user_id, tip_id)}
