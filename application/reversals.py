"""What a refunded or disputed purchase paid for, reversed: each spend's both shares, once.

The wallet decides which spends a reversal reaches (see Wallet.reverse_purchase); this module
carries that to the things bought. A spend is named by its ref id, `KIND:UUID`, where UUID is the
aggregate of the thing bought (a Tip today) and its earning is the hold derived from the same pair.
Whatever the kind, the thing bought exposes `reverse(source_tokens, creator_tokens, reason, at)`.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from application.ledger import Ledger
from domain import ids
from domain.aggregates.earnings_hold import EarningsHold
from domain.aggregates.wallet import SPEND, ReversalPlan


def reverse_spends(ledger: Ledger, plan: ReversalPlan, reason: str, at: datetime) -> list[Any]:
    """The spends' aggregates and holds, changed and ready to save with the wallet."""
    tokens_by_ref: dict[str, int] = {}
    for _index, ref_id, kind, tokens in plan.reversed_spends:
        if kind == SPEND:  # consumptions of older streams (debt, cover) funded no earning
            tokens_by_ref[ref_id] = tokens_by_ref.get(ref_id, 0) + tokens
    changed: list[Any] = []
    for ref_id, tokens in tokens_by_ref.items():
        source_kind, source_id = ref_id.split(":", 1)
        bought: Any = ledger.repository.get(UUID(source_id))
        hold: EarningsHold = ledger.repository.get(ids.hold_id(source_kind, UUID(source_id)))
        creator_tokens = hold.reverse_source(tokens, reason, at)
        bought.reverse(tokens, creator_tokens, reason, at)
        changed += [bought, hold]
    return changed
