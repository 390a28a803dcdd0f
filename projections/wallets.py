"""Each fan's balance and transaction history, as the wallet screens and GET /api/wallet read them."""

from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.aggregates.message_charge import MessageCharge
from domain.aggregates.tip import Tip
from domain.aggregates.unlock import Unlock
from domain.aggregates.wallet import Wallet
from domain.wallet_movements import Movement, movement
from projections.base import Projection
from projections.db import Tx


class WalletsProjection(Projection):
    name = "wallets"
    rebuild_weight = 7
    version = 3
    tables = ("rm_wallet_balances", "rm_wallet_transactions")
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

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        pass

    @process.register
    def _(self, event: Wallet.Opened, tx: Tx, position: int) -> None:
        tx.execute(
            "INSERT INTO rm_wallet_balances VALUES (%s, %s, 0, 0, 0, 0, 0, 0, 0, NULL, %s) "
            "ON CONFLICT (fan_id) DO NOTHING",
            (event.fan_id, str(event.originator_id), event.timestamp.isoformat()))

    @process.register(Wallet.TokensCredited)
    @process.register(Wallet.TokensSpent)
    @process.register(Wallet.LotReversed)
    @process.register(Wallet.LotReinstated)
    @process.register(Wallet.PurchaseReversed)
    @process.register(Wallet.SpendReturned)
    def _moved(self, event: Any, tx: Tx, position: int) -> None:
        moved = movement(event)
        assert moved is not None
        self._move(tx, event, position, moved)

    @process.register
    def _(self, event: Wallet.Frozen, tx: Tx, position: int) -> None:
        self._set_frozen(tx, event, event.reason)

    @process.register
    def _(self, event: Wallet.Unfrozen, tx: Tx, position: int) -> None:
        self._set_frozen(tx, event, None)

    @staticmethod
    def _set_frozen(tx: Tx, event: Any, reason: str | None) -> None:
        tx.execute(
            "UPDATE rm_wallet_balances SET frozen_reason = %s, "
            "frozen = CASE WHEN debt_tokens > 0 THEN 1 ELSE %s END, "
            "updated_at = %s WHERE wallet_id = %s",
            (reason, int(reason is not None), event.at.isoformat(), str(event.originator_id)))

    @process.register
    def _(self, event: Tip.Sent, tx: Tx, position: int) -> None:
        self._counterparty(tx, Tip.kind, event)

    @process.register
    def _(self, event: Unlock.Purchased, tx: Tx, position: int) -> None:
        self._counterparty(tx, Unlock.kind, event)

    @process.register
    def _(self, event: MessageCharge.Charged, tx: Tx, position: int) -> None:
        self._counterparty(tx, MessageCharge.kind, event)

    @staticmethod
    def _counterparty(tx: Tx, kind: str, event: Any) -> None:
        """The wallet's debit, recorded just before in the same save, learns who was paid."""
        tx.execute("UPDATE rm_wallet_transactions SET counterparty_id = %s WHERE ref_id = %s",
                   (event.creator_id, f"{kind}:{event.originator_id}"))

    @staticmethod
    def _move(tx: Tx, event: Any, position: int, moved: Movement) -> None:
        """Wallet events after Opened carry only the wallet id; Opened recorded which fan owns
        it. The history row reads the fan and the balance after the move in the same statement
        that writes it, so a batch of moves never waits on an answer (see ReadModelDb.batch)."""
        at = event.at.isoformat()
        wallet_id = str(event.originator_id)
        tx.execute(
            "UPDATE rm_wallet_balances SET balance_tokens = balance_tokens + %s, "
            "purchased_tokens = purchased_tokens + %s, spent_tokens = spent_tokens + %s, "
            "reversed_tokens = reversed_tokens + %s, "
            "spends_reversed_tokens = spends_reversed_tokens + %s, "
            "debt_tokens = debt_tokens + %s, "
            "frozen = CASE WHEN debt_tokens + %s > 0 OR frozen_reason IS NOT NULL THEN 1 ELSE 0 END,"
            " updated_at = %s WHERE wallet_id = %s",
            (moved.delta_tokens, moved.purchased_tokens, moved.spent_tokens, moved.reversed_tokens,
             moved.spends_reversed_tokens, moved.debt_tokens, moved.debt_tokens, at, wallet_id))
        tx.execute(
            "INSERT INTO rm_wallet_transactions SELECT %s, fan_id, %s, %s, balance_tokens, %s, "
            "NULL, %s FROM rm_wallet_balances WHERE wallet_id = %s",
            (position, moved.kind, moved.delta_tokens, moved.ref_id, at, wallet_id))
