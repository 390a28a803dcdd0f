"""Each fan's balance and transaction history, as the wallet screens and GET /api/wallet read them."""

from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.aggregates.message_charge import MessageCharge
from domain.aggregates.tip import Tip
from domain.aggregates.unlock import Unlock
from domain.aggregates.wallet import Wallet
from projections.base import Projection
from projections.db import Tx


class WalletsProjection(Projection):
    name = "wallets"
    version = 3
    tables = ("rm_wallet_balances", "rm_wallet_transactions")
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

    @process.register
    def _(self, event: Wallet.TokensCredited, tx: Tx, position: int) -> None:
        self._move(tx, event, position, kind="purchase", delta=event.amount_tokens,
                   ref_id=f"purchase:{event.purchase_id}", purchased=event.amount_tokens,
                   debt=-event.settled_debt_tokens)

    @process.register
    def _(self, event: Wallet.TokensSpent, tx: Tx, position: int) -> None:
        kind = event.ref_id.split(":", 1)[0]
        self._move(tx, event, position, kind=kind, delta=-event.amount_tokens,
                   ref_id=event.ref_id, spent=event.amount_tokens)

    @process.register
    def _(self, event: Wallet.LotReversed, tx: Tx, position: int) -> None:
        resourced = sum(row[4] for row in event.resourced)
        spends_reversed = sum(row[3] for row in event.reversed_spends)
        self._move(tx, event, position, kind=event.reason,
                   delta=-(event.from_lot_tokens + resourced),
                   ref_id=f"purchase:{event.purchase_id}", reversed_=event.amount_tokens,
                   spends_reversed=spends_reversed)

    @process.register
    def _(self, event: Wallet.LotReinstated, tx: Tx, position: int) -> None:
        freed = sum(row[1] for row in event.freed)
        reinstated = sum(row[4] for row in event.reinstated_spends)
        self._move(tx, event, position, kind=event.reason, delta=freed,
                   ref_id=f"purchase:{event.purchase_id}", reversed_=-event.amount_tokens,
                   spends_reversed=-reinstated)

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
    def _(self, event: Wallet.PurchaseReversed, tx: Tx, position: int) -> None:
        self._move(tx, event, position, kind=event.reason, delta=-event.amount_tokens,
                   ref_id=f"purchase:{event.purchase_id}", reversed_=event.amount_tokens,
                   debt=event.debt_added_tokens)

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
    def _move(tx: Tx, event: Any, position: int, *, kind: str, delta: int, ref_id: str,
              purchased: int = 0, spent: int = 0, reversed_: int = 0, spends_reversed: int = 0,
              debt: int = 0) -> None:
        fan_id = _fan_of(tx, event)
        at = event.at.isoformat()
        tx.execute(
            "UPDATE rm_wallet_balances SET balance_tokens = balance_tokens + %s, "
            "purchased_tokens = purchased_tokens + %s, spent_tokens = spent_tokens + %s, "
            "reversed_tokens = reversed_tokens + %s, "
            "spends_reversed_tokens = spends_reversed_tokens + %s, "
            "debt_tokens = debt_tokens + %s, "
            "frozen = CASE WHEN debt_tokens + %s > 0 OR frozen_reason IS NOT NULL THEN 1 ELSE 0 END,"
            " updated_at = %s WHERE fan_id = %s",
            (delta, purchased, spent, reversed_, spends_reversed, debt, debt, at, fan_id))
        row = tx.one("SELECT balance_tokens FROM rm_wallet_balances WHERE fan_id = %s", (fan_id,))
        balance = row["balance_tokens"] if row else delta
        tx.execute(
            "INSERT INTO rm_wallet_transactions VALUES (%s, %s, %s, %s, %s, %s, NULL, %s)",
            (position, fan_id, kind, delta, balance, ref_id, at))


def _fan_of(tx: Tx, event: Any) -> str:
    """Wallet events after Opened carry only the wallet id; Opened recorded which fan owns it."""
    row = tx.one("SELECT fan_id FROM rm_wallet_balances WHERE wallet_id = %s",
                 (str(event.originator_id),))
    if row is None:
        raise LookupError(f"wallet {event.originator_id} has no Opened event before it")
    return str(row["fan_id"])
