"""Reports, strikes and the chat turns the safety checks flagged, as the admin queues show them."""

import json
from collections.abc import Iterable
from typing import Any

from domain.aggregates.content_report import ContentReport
from domain.aggregates.strike_record import StrikeRecord
from domain.chat_thread import ChatThread
from projections.fold import KEYED, LOG, Fold, State, Table, on

REPORTS = Table("rm_reports", KEYED, ("report_id",), (
    "report_id", "reporter_id", "target_kind", "target_id", "creator_id", "category", "text",
    "status", "resolution", "resolved_by", "filed_at", "resolved_at", "model_opinion"))
STRIKES = Table("rm_strikes", KEYED, ("strike_id",), (
    "strike_id", "creator_id", "severity", "reason", "evidence_ref", "issued_by", "issued_at",
    "revoked"), {"revoked": 0})
STRIKE_STREAMS = Table("rm_strikes_streams", KEYED, ("stream_id",), ("stream_id", "creator_id"))
CHAT_FLAGS = Table("rm_chat_flags", LOG, ("position",), (
    "position", "thread_id", "message_id", "fan_id", "persona_id", "side", "outcome",
    "findings", "flagged_at"))


class ModerationProjection(Fold):
    name = "moderation"
    version = 3  # 2: the model's second opinion on each report; 3: flagged chat turns
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_reports (
            report_id TEXT PRIMARY KEY,
            reporter_id TEXT NOT NULL,
            target_kind TEXT NOT NULL,
            target_id TEXT NOT NULL,
            creator_id TEXT NOT NULL,
            category TEXT NOT NULL,
            text TEXT NOT NULL,
            status TEXT NOT NULL,
            resolution TEXT,
            resolved_by TEXT,
            filed_at TEXT NOT NULL,
            resolved_at TEXT,
            model_opinion TEXT)""",
        "CREATE INDEX IF NOT EXISTS rm_reports_status ON rm_reports (status, filed_at)",
        """CREATE TABLE IF NOT EXISTS rm_strikes (
            strike_id TEXT PRIMARY KEY,
            creator_id TEXT NOT NULL,
            severity TEXT NOT NULL,
            reason TEXT NOT NULL,
            evidence_ref TEXT,
            issued_by TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0)""",
        "CREATE INDEX IF NOT EXISTS rm_strikes_creator ON rm_strikes (creator_id, issued_at)",
        "CREATE TABLE IF NOT EXISTS rm_strikes_streams "
        "(stream_id TEXT PRIMARY KEY, creator_id TEXT NOT NULL)",
        # Only sampled flags (and every refusal): what moderators are asked to look at.
        """CREATE TABLE IF NOT EXISTS rm_chat_flags (
            position BIGINT PRIMARY KEY,
            thread_id TEXT NOT NULL,
            message_id TEXT NOT NULL,
            fan_id TEXT NOT NULL,
            persona_id TEXT NOT NULL,
            side TEXT NOT NULL,
            outcome TEXT NOT NULL,
            findings TEXT NOT NULL,
            flagged_at TEXT NOT NULL)""",
    )

    schema = (REPORTS, STRIKES, STRIKE_STREAMS, CHAT_FLAGS)

    def touches(self, cls: type, event: Any) -> Iterable[tuple[Table, Any]]:
        if cls in (ContentReport.SecondOpinionRecorded, ContentReport.Resolved):
            yield REPORTS, str(event.originator_id)
        elif cls is StrikeRecord.Issued:
            yield STRIKE_STREAMS, str(event.originator_id)
        elif cls is StrikeRecord.Revoked:
            yield STRIKES, event.strike_id

    @on(ContentReport.SecondOpinionRecorded)
    def _second_opinion(self, event: Any, position: int, s: State) -> None:
        s[REPORTS].update(str(event.originator_id), model_opinion=json.dumps(event.opinion))

    @on(ContentReport.Filed)
    def _filed(self, event: Any, position: int, s: State) -> None:
        s[REPORTS].put(REPORTS.new(
            report_id=str(event.originator_id), reporter_id=event.reporter_id,
            target_kind=event.target_kind, target_id=event.target_id,
            creator_id=event.creator_user_id, category=event.category, text=event.text,
            status="open", filed_at=event.at.isoformat()))

    @on(ChatThread.SafetyFlagged)
    def _chat_flagged(self, event: Any, position: int, s: State) -> None:
        if event.sampled and event.outcome != "unrated":  # an unread rating stays in the ledger
            s[CHAT_FLAGS].append({
                "position": position, "thread_id": str(event.originator_id),
                "message_id": event.message_id, "fan_id": event.fan_id,
                "persona_id": event.persona_id, "side": event.side, "outcome": event.outcome,
                "findings": json.dumps(event.findings), "flagged_at": event.at.isoformat()})

    @on(ContentReport.Resolved)
    def _resolved(self, event: Any, position: int, s: State) -> None:
        s[REPORTS].update(str(event.originator_id), status="resolved",
                          resolution=event.resolution, resolved_by=event.actor,
                          resolved_at=event.at.isoformat())

    @on(StrikeRecord.Issued)
    def _issued(self, event: Any, position: int, s: State) -> None:
        stream = s[STRIKE_STREAMS].get(str(event.originator_id))
        s[STRIKES].put(STRIKES.new(
            strike_id=event.strike_id, creator_id=stream["creator_id"] if stream else "",
            severity=event.severity, reason=event.reason, evidence_ref=event.evidence_ref,
            issued_by=event.actor, issued_at=event.at.isoformat()))

    @on(StrikeRecord.Opened)
    def _opened(self, event: Any, position: int, s: State) -> None:
        s[STRIKE_STREAMS].put({"stream_id": str(event.originator_id),
                               "creator_id": event.creator_user_id})

    @on(StrikeRecord.Revoked)
    def _revoked(self, event: Any, position: int, s: State) -> None:
        s[STRIKES].update(event.strike_id, revoked=1)
