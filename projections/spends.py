"""Every token spend (tips, pay-per-view unlocks, paid messages) with both shares and what
reversals took back: the fan's history says why a spend was reversed (and an unlock lost), and
the trial balance reads the standing shares from here."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain import ids
from domain.aggregates.message_charge import MessageCharge
from domain.aggregates.tip import Tip
from domain.aggregates.token_spend import TokenSpend
from domain.aggregates.unlock import Unlock
from projections.fold import KEYED, Fold, State, Table, on

SPENDS = Table("rm_spends", KEYED, ("aggregate_id",), (
    "spend_id", "aggregate_id", "kind", "hold_id", "fan_id", "creator_id", "target_id",
    "amount_tokens", "creator_tokens", "platform_tokens", "reversed_source_tokens",
    "reversed_creator_tokens", "reversed_platform_tokens", "reversal_reason", "thread_id",
    "reply_status", "spent_at"), dict.fromkeys((
        "reversed_source_tokens", "reversed_creator_tokens", "reversed_platform_tokens"), 0))


class SpendsProjection(Fold):
    name = "spends"
    splits = True
    rebuild_weight = 3
    version = 3
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

    schema = (SPENDS,)

    def touches(self, cls: type, event: Any) -> Iterable[tuple[Table, Any]]:
        if cls in _CHANGES:
            yield SPENDS, str(event.originator_id)

    @on(Tip.Sent)
    def _tip(self, event: Any, position: int, s: State) -> None:
        _spent(s, event, Tip.kind, event.creator_id, event.sent_at, event.thread_id)

    @on(Unlock.Purchased)
    def _unlock(self, event: Any, position: int, s: State) -> None:
        _spent(s, event, Unlock.kind, event.offer_id, event.at)

    @on(MessageCharge.Charged)
    def _message(self, event: Any, position: int, s: State) -> None:
        _spent(s, event, MessageCharge.kind, event.persona_id, event.at, event.thread_id,
               "pending")

    @on(MessageCharge.ReplyDelivered)
    def _delivered(self, event: Any, position: int, s: State) -> None:
        _reply(s, event, "delivered")

    @on(MessageCharge.Returned)
    def _returned(self, event: Any, position: int, s: State) -> None:
        _reply(s, event, "given_back")

    @on(TokenSpend.Reversed)
    def _reversed(self, event: Any, position: int, s: State) -> None:
        row = s[SPENDS].get(str(event.originator_id))
        if row is not None:
            row["reversed_source_tokens"] += event.source_tokens
            row["reversed_creator_tokens"] += event.creator_tokens
            row["reversed_platform_tokens"] += event.platform_tokens
            row["reversal_reason"] = event.reason
            s[SPENDS].put(row)

    @on(TokenSpend.Reinstated)
    def _reinstated(self, event: Any, position: int, s: State) -> None:
        """Reinstated in full, it no longer has a reason to show."""
        row = s[SPENDS].get(str(event.originator_id))
        if row is not None:
            if row["reversed_source_tokens"] == event.source_tokens:
                row["reversal_reason"] = None
            row["reversed_source_tokens"] -= event.source_tokens
            row["reversed_creator_tokens"] -= event.creator_tokens
            row["reversed_platform_tokens"] -= event.platform_tokens
            s[SPENDS].put(row)


_CHANGES = frozenset((MessageCharge.ReplyDelivered, MessageCharge.Returned, TokenSpend.Reversed,
                      TokenSpend.Reinstated))


def _spent(s: State, event: Any, kind: str, target_id: str, at: datetime,
           thread_id: str | None = None, reply_status: str | None = None) -> None:
    spend = str(event.originator_id)
    s[SPENDS].put(SPENDS.new(
        spend_id=f"{kind}:{spend}", aggregate_id=spend, kind=kind,
        hold_id=str(ids.hold_id(kind, event.originator_id)), fan_id=event.fan_id,
        creator_id=event.creator_id, target_id=target_id, amount_tokens=event.amount_tokens,
        creator_tokens=event.creator_tokens, platform_tokens=event.platform_tokens,
        thread_id=thread_id, reply_status=reply_status, spent_at=at.isoformat()))


def _reply(s: State, event: Any, status: str) -> None:
    row = s[SPENDS].get(str(event.originator_id))
    if row is not None:
        row["reply_status"] = status
        s[SPENDS].put(row)
