"""Every token spend (tips, pay-per-view unlocks, paid messages) with both shares and what
reversals took back: the fan's history says why a spend was reversed (and an unlock lost), and
the trial balance reads the standing shares from here."""

from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain import ids
from domain.aggregates.message_charge import MessageCharge
from domain.aggregates.tip import Tip
from domain.aggregates.token_spend import TokenSpend
from domain.aggregates.unlock import Unlock
from projections.base import Projection
from projections.db import Tx

_SPENT_COLUMNS = ("spend_id", "aggregate_id", "kind", "hold_id", "fan_id", "creator_id",
                  "target_id", "amount_tokens", "creator_tokens", "platform_tokens", "thread_id",
                  "reply_status", "spent_at")


class SpendsProjection(Projection):
    name = "spends"
    rebuild_weight = 7
    version = 3
    tables = ("rm_spends",)
    reader_indexes = ("rm_spends_fan", "rm_spends_creator", "rm_spends_target", "rm_spends_thread",
                      "rm_spends_reply")
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_spends (
            spend_id TEXT PRIMARY KEY,
            aggregate_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            hold_id TEXT NOT NULL,
            fan_id TEXT NOT NULL,
            creator_id TEXT NOT NULL,
            target_id TEXT,
            amount_tokens BIGINT NOT NULL,
            creator_tokens BIGINT NOT NULL,
            platform_tokens BIGINT NOT NULL,
            reversed_source_tokens BIGINT NOT NULL DEFAULT 0,
            reversed_creator_tokens BIGINT NOT NULL DEFAULT 0,
            reversed_platform_tokens BIGINT NOT NULL DEFAULT 0,
            reversal_reason TEXT,
            thread_id TEXT,
            reply_status TEXT,
            spent_at TEXT NOT NULL)""",
        "CREATE UNIQUE INDEX IF NOT EXISTS rm_spends_hold ON rm_spends (hold_id)",
        "CREATE INDEX IF NOT EXISTS rm_spends_fan ON rm_spends (fan_id, kind)",
        "CREATE INDEX IF NOT EXISTS rm_spends_creator ON rm_spends (creator_id, kind)",
        "CREATE INDEX IF NOT EXISTS rm_spends_target ON rm_spends (target_id, kind)",
        "CREATE INDEX IF NOT EXISTS rm_spends_thread ON rm_spends (thread_id, fan_id)",
        "CREATE INDEX IF NOT EXISTS rm_spends_reply ON rm_spends (reply_status, spent_at)",
    )

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        pass

    @process.register
    def _(self, event: Tip.Sent, tx: Tx, position: int) -> None:
        self._spent(tx, event, Tip.kind, event.creator_id, event.sent_at.isoformat(),
                    event.thread_id)

    @process.register
    def _(self, event: Unlock.Purchased, tx: Tx, position: int) -> None:
        self._spent(tx, event, Unlock.kind, event.offer_id, event.at.isoformat())

    @process.register
    def _(self, event: MessageCharge.Charged, tx: Tx, position: int) -> None:
        self._spent(tx, event, MessageCharge.kind, event.persona_id, event.at.isoformat(),
                    event.thread_id, "pending")

    @process.register
    def _(self, event: MessageCharge.ReplyDelivered, tx: Tx, position: int) -> None:
        tx.execute("UPDATE rm_spends SET reply_status = 'delivered' WHERE aggregate_id = %s",
                   (str(event.originator_id),))

    @process.register
    def _(self, event: MessageCharge.Returned, tx: Tx, position: int) -> None:
        tx.execute("UPDATE rm_spends SET reply_status = 'given_back' WHERE aggregate_id = %s",
                   (str(event.originator_id),))

    @staticmethod
    def _spent(tx: Tx, event: Any, kind: str, target_id: str, at: str, thread_id: str | None = None,
               reply_status: str | None = None) -> None:
        tx.defer_insert("rm_spends", _SPENT_COLUMNS, (
            f"{kind}:{event.originator_id}", str(event.originator_id), kind,
            str(ids.hold_id(kind, event.originator_id)), event.fan_id, event.creator_id,
            target_id, event.amount_tokens, event.creator_tokens, event.platform_tokens,
            thread_id, reply_status, at))

    @process.register
    def _(self, event: TokenSpend.Reinstated, tx: Tx, position: int) -> None:
        tx.execute(
            "UPDATE rm_spends SET reversed_source_tokens = reversed_source_tokens - %s, "
            "reversed_creator_tokens = reversed_creator_tokens - %s, "
            "reversed_platform_tokens = reversed_platform_tokens - %s, "
            "reversal_reason = CASE WHEN reversed_source_tokens = %s THEN NULL "
            "ELSE reversal_reason END WHERE aggregate_id = %s",
            (event.source_tokens, event.creator_tokens, event.platform_tokens,
             event.source_tokens, str(event.originator_id)))

    @process.register
    def _(self, event: TokenSpend.Reversed, tx: Tx, position: int) -> None:
        tx.execute(
            "UPDATE rm_spends SET reversed_source_tokens = reversed_source_tokens + %s, "
            "reversed_creator_tokens = reversed_creator_tokens + %s, "
            "reversed_platform_tokens = reversed_platform_tokens + %s, reversal_reason = %s "
            "WHERE aggregate_id = %s",
            (event.source_tokens, event.creator_tokens, event.platform_tokens, event.reason,
             str(event.originator_id)))
