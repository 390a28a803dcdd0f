"""Staff clear the freeze a dispute put on a fan's wallet, with a reason for the audit log."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import CoreDep, CurrentUser, require, wait_for_position
from api.params import Offset, Position

router = APIRouter(tags=["admin"])


class UnfreezeRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=1_000)


@router.get("/api/admin/wallets/frozen")
def frozen_wallets(core: CoreDep, user: CurrentUser,
                   limit: Annotated[int, Query(ge=1, le=200)] = 50,
                   offset: Offset = 0, min_position: Position | None = None) -> dict[str, Any]:
    """Wallets a dispute or an unpaid debt froze: staff's queue (a debt clears as it is paid)."""
    require(user, "admin", "finance")
    wait_for_position(core, min_position)
    return {"wallets": core.admin_queries.frozen_wallets(limit, offset)}


@router.post("/api/admin/wallets/{fan_id}/unfreeze")
def unfreeze_wallet(fan_id: str, body: UnfreezeRequest, core: CoreDep,
                    user: CurrentUser) -> dict[str, Any]:
    """Let the fan spend again; clearing a wallet that is not frozen records nothing."""
    require(user, "admin", "finance")
    wallet = core.wallets.unfreeze(fan_id, actor=user.user_id, reason=body.reason)
    return {"fan_id": fan_id, "frozen": wallet.is_frozen, "balance_tokens": wallet.balance_tokens,
            "position": core.ledger.last_saved_position()}
