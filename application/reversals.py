"""What a refunded or disputed purchase paid for, reversed (each spend's both shares, once), and
what a won dispute gives back.

The wallet decides which spends a reversal reaches (see Wallet.reverse_purchase); this module
carries that to the things bought. A spend is named by its ref id, `KIND:UUID`, where UUID is the
aggregate of the thing bought (a Tip today) and its earning is the hold derived from the same pair.
Whatever the kind, the thing bought exposes `reverse(source_tokens, creator_tokens, reason, at)`.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from adapters.eventstore.ledger import Ledger
from domain import ids
from domain.aggregates.earnings_hold import EarningsHold
from domain.aggregates.token_purchase import TokenPurchase
from domain.aggregates.unlock import Unlock
from domain.aggregates.wallet import SPEND, ReinstatementPlan, ReversalPlan, Wallet
from domain.card_payment import DISPUTE_OPEN


def _by_spend(rows: list[tuple[str, str, int]]) -> dict[str, int]:
    tokens_by_ref: dict[str, int] = {}
    for ref_id, kind, tokens in rows:
        if kind == SPEND:  # consumptions of older streams (debt, cover) funded no earning
            tokens_by_ref[ref_id] = tokens_by_ref.get(ref_id, 0) + tokens
    return tokens_by_ref


def _spend_and_hold(ledger: Ledger, ref_id: str) -> tuple[Any, EarningsHold]:
    source_kind, source_id = ref_id.split(":", 1)
    bought: Any = ledger.repository.get(UUID(source_id))
    return bought, ledger.repository.get(ids.hold_id(source_kind, UUID(source_id)))


def reverse_spends(ledger: Ledger, plan: ReversalPlan, reason: str, at: datetime) -> list[Any]:
    """The spends' aggregates and holds, changed and ready to save with the wallet."""
    changed: list[Any] = []
    for ref_id, tokens in _by_spend([(r[1], r[2], r[3]) for r in plan.reversed_spends]).items():
        bought, hold = _spend_and_hold(ledger, ref_id)
        creator_tokens = hold.reverse_source(tokens, reason, at)
        bought.reverse(tokens, creator_tokens, reason, at)
        changed += [bought, hold]
    return changed


def reinstate_spends(ledger: Ledger, plan: ReinstatementPlan, reason: str,
                     at: datetime) -> list[Any]:
    """Each reinstated spend stands again and its creator share is earned again."""
    changed: list[Any] = []
    rows = [(r[2], r[3], r[4]) for r in plan.reinstated_spends]
    for ref_id, tokens in _by_spend(rows).items():
        bought, hold = _spend_and_hold(ledger, ref_id)
        creator_tokens = hold.reinstate_source(tokens, reason, at)
        bought.reinstate(tokens, creator_tokens, reason, at)
        changed += [bought, hold]
    return changed


def give_back_revoked_unlocks(ledger: Ledger, wallet: Wallet, purchase: TokenPurchase,
                              changed: list[Any], reason: str, at: datetime) -> list[Any]:
    """An unlock this purchase's reversal revoked for good gives the fan back the tokens of it
    that still stand: they no longer buy anything. For good means no purchase reversing it has
    a dispute still open, which, won, would give the unlock back. A won dispute can leave one
    revoked for good too: what it reinstated stands again, but another purchase's refund took
    the rest (tokens re-sourced onto that purchase while the dispute was open). The creator's
    share of those tokens is reversed as in any reversal. Returns what it changed beyond
    `changed`."""
    touched = {aggregate.id: aggregate for aggregate in changed}
    unlocks_changed = [a.ref_id for a in changed if isinstance(a, Unlock)]  # reinstated ones
    more: list[Any] = []
    for ref_id in dict.fromkeys([*wallet.spends_reversed_by(str(purchase.id)),
                                 *unlocks_changed]):
        kind, source_id = ref_id.split(":", 1)
        if kind != Unlock.kind:
            continue
        unlock = touched.get(UUID(source_id)) or ledger.repository.get(UUID(source_id))
        if unlock.is_entitled or unlock.standing_tokens == 0 or any(
                _dispute_open(ledger, purchase, reversing)
                for reversing in wallet.purchases_reversing(ref_id)):
            continue
        hold_id = ids.hold_id(kind, unlock.id)
        hold = touched.get(hold_id) or ledger.repository.get(hold_id)
        tokens = wallet.return_spend(ref_id, reason, at, unlock.standing_tokens)
        if not tokens:
            continue
        unlock.reverse(tokens, hold.reverse_source(tokens, reason, at), reason, at)
        more += [a for a in (unlock, hold) if a.id not in touched]
        touched.update({unlock.id: unlock, hold.id: hold})
    return more


def _dispute_open(ledger: Ledger, current: TokenPurchase, purchase_id: str) -> bool:
    purchase = current if str(current.id) == purchase_id else ledger.get_or_none(UUID(purchase_id))
    return getattr(purchase, "dispute_status", None) == DISPUTE_OPEN
