"""Each fan's balance and transaction history, as the wallet screens and GET /api/wallet read them."""

from collections.abc import Iterable
from typing import Any

from adapters.eventstore.typed_events import event_class
from domain import ids
from domain.aggregates.message_charge import MessageCharge
from domain.aggregates.tip import Tip
from domain.aggregates.unlock import Unlock
from domain.aggregates.wallet import Wallet
from domain.wallet_movements import MOVING, movement
from projections.fold import KEYED, LOG, Fold, State, Table, on

BALANCES = Table("rm_wallet_balances", KEYED, ("wallet_id",), (
    "fan_id", "wallet_id", "balance_tokens", "purchased_tokens", "spent_tokens",
    "reversed_tokens", "spends_reversed_tokens", "debt_tokens", "frozen", "frozen_reason",
    "updated_at"), dict.fromkeys((
        "balance_tokens", "purchased_tokens", "spent_tokens", "reversed_tokens",
        "spends_reversed_tokens", "debt_tokens", "frozen"), 0))
TRANSACTIONS = Table("rm_wallet_transactions", LOG, ("position",), (
    "position", "fan_id", "kind", "amount_tokens", "balance_after_tokens", "ref_id",
    "counterparty_id", "occurred_at"), patch_by="ref_id")


class WalletsProjection(Fold):
    name = "wallets"
    rebuild_weight = 3
    splits = True
    version = 3
    reader_indexes = ("rm_wallet_transactions_fan", "rm_wallet_balances_frozen")
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_wallet_balances (
            fan_id TEXT PRIMARY KEY,
            wallet_id TEXT NOT NULL UNIQUE,
            balance_tokens BIGINT NOT NULL,
            purchased_tokens BIGINT NOT NULL,
            spent_tokens BIGINT NOT NULL,
            reversed_tokens BIGINT NOT NULL,
            spends_reversed_tokens BIGINT NOT NULL,
            debt_tokens BIGINT NOT NULL,
            frozen INTEGER NOT NULL,
            frozen_reason TEXT,
            updated_at TEXT NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS rm_wallet_transactions (
            position BIGINT NOT NULL,
            fan_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            amount_tokens BIGINT NOT NULL,
            balance_after_tokens BIGINT NOT NULL,
            ref_id TEXT NOT NULL,
            counterparty_id TEXT,
            occurred_at TEXT NOT NULL,
            PRIMARY KEY (position))""",
        "CREATE INDEX IF NOT EXISTS rm_wallet_transactions_fan "
        "ON rm_wallet_transactions (fan_id, position)",
        "CREATE INDEX IF NOT EXISTS rm_wallet_transactions_ref ON rm_wallet_transactions (ref_id)",
        # Staff's queue of frozen wallets: a few among millions. On columns a move leaves as
        # they are, so a move stays a heap-only update on PostgreSQL (updated_at would not).
        "CREATE INDEX IF NOT EXISTS rm_wallet_balances_frozen ON rm_wallet_balances (fan_id) "
        "WHERE frozen = 1",
    )

    schema = (BALANCES, TRANSACTIONS)

    def touches(self, cls: type, event: Any) -> Iterable[tuple[Table, Any]]:
        if cls in _WALLET_EVENTS:
            yield BALANCES, str(event.originator_id)

    def shard_key(self, cls: type, event: Any) -> str | None:
        """A spend's own events name the fan: its debit's row is the fan's wallet's."""
        return str(ids.wallet_id(event.fan_id)) if cls in _KINDS else None

    @on(Wallet.Opened)
    def _opened(self, event: Any, position: int, s: State) -> None:
        balances = s[BALANCES]
        wallet_id = str(event.originator_id)
        if balances.get(wallet_id) is None:
            balances.put(BALANCES.new(fan_id=event.fan_id, wallet_id=wallet_id,
                                      updated_at=event.timestamp.isoformat()))

    @on(*MOVING)
    def _moved(self, event: Any, position: int, s: State) -> None:
        """Wallet events after Opened carry only the wallet id; Opened recorded which fan owns
        it. The history row keeps the balance after the move."""
        moved = movement(event_class(event), event)
        row = s[BALANCES].get(str(event.originator_id))
        if moved is None or row is None:  # as an UPDATE of a wallet never opened: nothing
            return
        at = event.at.isoformat()
        row["balance_tokens"] += moved.delta_tokens
        row["purchased_tokens"] += moved.purchased_tokens
        row["spent_tokens"] += moved.spent_tokens
        row["reversed_tokens"] += moved.reversed_tokens
        row["spends_reversed_tokens"] += moved.spends_reversed_tokens
        row["debt_tokens"] += moved.debt_tokens
        row["frozen"] = int(row["debt_tokens"] > 0 or row["frozen_reason"] is not None)
        row["updated_at"] = at
        s[BALANCES].put(row)
        s[TRANSACTIONS].append({
            "position": position, "fan_id": row["fan_id"], "kind": moved.kind,
            "amount_tokens": moved.delta_tokens, "balance_after_tokens": row["balance_tokens"],
            "ref_id": moved.ref_id, "counterparty_id": None, "occurred_at": at})

    @on(Wallet.Frozen, Wallet.Unfrozen)
    def _frozen(self, event: Any, position: int, s: State) -> None:
        row = s[BALANCES].get(str(event.originator_id))
        if row is None:
            return
        reason = event.reason if event_class(event) is Wallet.Frozen else None
        row["frozen_reason"] = reason
        row["frozen"] = 1 if row["debt_tokens"] > 0 else int(reason is not None)
        row["updated_at"] = event.at.isoformat()
        s[BALANCES].put(row)

    @on(Tip.Sent, Unlock.Purchased, MessageCharge.Charged)
    def _counterparty(self, event: Any, position: int, s: State) -> None:
        """The wallet's debit, recorded just before in the same save, learns who was paid."""
        kind = _KINDS[event_class(event)]
        s[TRANSACTIONS].patch(f"{kind}:{event.originator_id}",
                              {"counterparty_id": event.creator_id})


_WALLET_EVENTS = frozenset((Wallet.Opened, Wallet.Frozen, Wallet.Unfrozen, *MOVING))
_KINDS: dict[type, str] = {Tip.Sent: Tip.kind, Unlock.Purchased: Unlock.kind,
          MessageCharge.Charged: MessageCharge.kind}
