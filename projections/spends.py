"""Every token spend (a tip today; unlocks and paid messages share the path) with both shares and
what reversals took back: the fan's history says why a spend was reversed, and the trial balance
reads the standing shares from here."""

from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain import ids
from domain.aggregates.tip import Tip
from projections.base import Projection
from projections.db import Tx


class SpendsProjection(Projection):
    name = "spends"
    tables = ("rm_spends",)
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_spends (
            spend_id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            hold_id TEXT NOT NULL,
            fan_id TEXT NOT NULL,
            creator_id TEXT NOT NULL,
            amount_tokens BIGINT NOT NULL,
            creator_tokens BIGINT NOT NULL,
            platform_tokens BIGINT NOT NULL,
            reversed_source_tokens BIGINT NOT NULL DEFAULT 0,
            reversed_creator_tokens BIGINT NOT NULL DEFAULT 0,
            reversed_platform_tokens BIGINT NOT NULL DEFAULT 0,
            reversal_reason TEXT,
            spent_at TEXT NOT NULL)""",
        "CREATE UNIQUE INDEX IF NOT EXISTS rm_spends_hold ON rm_spends (hold_id)",
        "CREATE INDEX IF NOT EXISTS rm_spends_fan ON rm_spends (fan_id)",
        "CREATE INDEX IF NOT EXISTS rm_spends_creator ON rm_spends (creator_id)",
    )

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        pass

    @process.register
    def _(self, event: Tip.Sent, tx: Tx, position: int) -> None:
        tx.execute(
            "INSERT INTO rm_spends (spend_id, kind, hold_id, fan_id, creator_id, amount_tokens, "
            "creator_tokens, platform_tokens, spent_at) "
            "VALUES (%s, 'tip', %s, %s, %s, %s, %s, %s, %s)",
            (f"tip:{event.originator_id}", str(ids.hold_id("tip", event.originator_id)),
             event.fan_id, event.creator_id, event.amount_tokens,
             event.creator_tokens, event.platform_tokens, event.sent_at.isoformat()))

    @process.register
    def _(self, event: Tip.Reinstated, tx: Tx, position: int) -> None:
        tx.execute(
            "UPDATE rm_spends SET reversed_source_tokens = reversed_source_tokens - %s, "
            "reversed_creator_tokens = reversed_creator_tokens - %s, "
            "reversed_platform_tokens = reversed_platform_tokens - %s, "
            "reversal_reason = CASE WHEN reversed_source_tokens = %s THEN NULL "
            "ELSE reversal_reason END WHERE spend_id = %s",
            (event.source_tokens, event.creator_tokens, event.platform_tokens,
             event.source_tokens, f"tip:{event.originator_id}"))

    @process.register
    def _(self, event: Tip.Reversed, tx: Tx, position: int) -> None:
        tx.execute(
            "UPDATE rm_spends SET reversed_source_tokens = reversed_source_tokens + %s, "
            "reversed_creator_tokens = reversed_creator_tokens + %s, "
            "reversed_platform_tokens = reversed_platform_tokens + %s, reversal_reason = %s "
            "WHERE spend_id = %s",
            (event.source_tokens, event.creator_tokens, event.platform_tokens, event.reason,
             f"tip:{event.originator_id}"))
