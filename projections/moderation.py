"""Reports, strikes and the chat turns the safety checks flagged, as the admin queues show them."""

import json
from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.aggregates.content_report import ContentReport
from domain.aggregates.strike_record import StrikeRecord
from domain.chat_thread import ChatThread
from projections.base import Projection
from projections.db import Tx


class ModerationProjection(Projection):
    name = "moderation"
    version = 3  # 2: the model's second opinion on each report; 3: flagged chat turns
    tables = ("rm_reports", "rm_strikes", "rm_strikes_streams", "rm_chat_flags")
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

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        pass

    @process.register
    def _(self, event: ContentReport.SecondOpinionRecorded, tx: Tx, position: int) -> None:
        tx.execute("UPDATE rm_reports SET model_opinion = %s WHERE report_id = %s",
                   (json.dumps(event.opinion), str(event.originator_id)))

    @process.register
    def _(self, event: ContentReport.Filed, tx: Tx, position: int) -> None:
        tx.execute("INSERT INTO rm_reports (report_id, reporter_id, target_kind, target_id, "
                   "creator_id, category, text, status, filed_at) "
                   "VALUES (%s, %s, %s, %s, %s, %s, %s, 'open', %s)",
                   (str(event.originator_id), event.reporter_id, event.target_kind,
                    event.target_id, event.creator_user_id, event.category, event.text,
                    event.at.isoformat()))

    @process.register
    def _(self, event: ChatThread.SafetyFlagged, tx: Tx, position: int) -> None:
        if event.sampled and event.outcome != "unrated":  # an unread rating stays in the ledger
            tx.execute("INSERT INTO rm_chat_flags VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
                       "ON CONFLICT (position) DO NOTHING",
                       (position, str(event.originator_id), event.message_id, event.fan_id,
                        event.persona_id, event.side, event.outcome, json.dumps(event.findings),
                        event.at.isoformat()))

    @process.register
    def _(self, event: ContentReport.Resolved, tx: Tx, position: int) -> None:
        tx.execute("UPDATE rm_reports SET status = 'resolved', resolution = %s, resolved_by = %s, "
                   "resolved_at = %s WHERE report_id = %s",
                   (event.resolution, event.actor, event.at.isoformat(), str(event.originator_id)))

    @process.register
    def _(self, event: StrikeRecord.Issued, tx: Tx, position: int) -> None:
        creator = tx.one("SELECT creator_id FROM rm_strikes_streams WHERE stream_id = %s",
                         (str(event.originator_id),))
        tx.execute("INSERT INTO rm_strikes VALUES (%s, %s, %s, %s, %s, %s, %s, 0)",
                   (event.strike_id, creator["creator_id"] if creator else "", event.severity,
                    event.reason, event.evidence_ref, event.actor, event.at.isoformat()))

    @process.register
    def _(self, event: StrikeRecord.Opened, tx: Tx, position: int) -> None:
        tx.execute("INSERT INTO rm_strikes_streams VALUES (%s, %s)",
                   (str(event.originator_id), event.creator_user_id))

    @process.register
    def _(self, event: StrikeRecord.Revoked, tx: Tx, position: int) -> None:
        tx.execute("UPDATE rm_strikes SET revoked = 1 WHERE strike_id = %s", (event.strike_id,))

