"""The fan's wallet: balance and transaction history, read from the wallets projection."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import CoreDep, CurrentUser, subject_or_override, wait_for_position
from api.params import Position

router = APIRouter(tags=["wallet"])
PRIVILEGED = ("admin", "auditor", "finance")


class WalletPublic(BaseModel):
    fan_id: str
    balance_tokens: int
    balance_minor: int
    purchased_tokens: int
    spent_tokens: int
    reversed_tokens: int
    spends_reversed_tokens: int
    debt_tokens: int
    frozen: bool
    frozen_reason: str | None


class TransactionPublic(BaseModel):
    position: int
    kind: str
    amount_tokens: int
    balance_after_tokens: int
    ref_id: str
    counterparty_id: str | None
    occurred_at: str
    reversed_tokens: int = 0  # of a spend: how much a refund or dispute of its funding took back
    reversal_reason: str | None = None


class TransactionsPublic(BaseModel):
    transactions: list[TransactionPublic]
    next_before_position: int | None


@router.get("/api/wallet", response_model=WalletPublic)
def get_wallet(core: CoreDep, user: CurrentUser, fan_id: str | None = None,
               min_position: Position | None = None) -> dict[str, Any]:
    """The signed-in fan's token balance (staff may name a fan_id)."""
    subject = subject_or_override(user, fan_id, *PRIVILEGED)
    wait_for_position(core, min_position)
    wallet = core.queries.wallet(subject)
    balance = max(0, wallet["balance_tokens"])
    return {**wallet, "fan_id": subject, "balance_minor": balance * 2 // 5}


def _history(core: CoreDep, user: CurrentUser, fan_id: str | None, limit: int,
             before_position: int | None, min_position: int | None) -> dict[str, Any]:
    subject = subject_or_override(user, fan_id, *PRIVILEGED)
    wait_for_position(core, min_position)
    rows = core.queries.transactions(subject, limit=limit, before_position=before_position)
    return {"transactions": rows,
            "next_before_position": rows[-1]["position"] if len(rows) == limit else None}


@router.get("/api/wallet/transactions", response_model=TransactionsPublic)
def wallet_transactions(core: CoreDep, user: CurrentUser, fan_id: str | None = None,
                        limit: Annotated[int, Query(ge=1, le=200)] = 50,
                        before_position: Position | None = None,
                        min_position: Position | None = None) -> dict[str, Any]:
    """The signed-in fan's ledger, newest first, paged by position."""
    return _history(core, user, fan_id, limit, before_position, min_position)


@router.get("/api/tokens/history", response_model=TransactionsPublic)
def token_history(core: CoreDep, user: CurrentUser, fan_id: str | None = None,
                  limit: Annotated[int, Query(ge=1, le=200)] = 50,
                  before_position: Position | None = None,
                  min_position: Position | None = None) -> dict[str, Any]:
    """Same ledger as /api/wallet/transactions, under the spec's older path."""
    return _history(core, user, fan_id, limit, before_position, min_position)
