"""Included chat messages still waiting for their reply: the sweeper's queue.

A turn whose process died leaves its message pending. A paid one is found through its charge in
the spends read model; an included one has no charge, so it is kept here from the moment it is
sent until its reply is delivered or fails.
"""

from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.chat_thread import ChatThread
from projections.base import Projection
from projections.db import Tx


class ChatTurnsProjection(Projection):
    name = "chat_turns"
    tables = ("rm_included_turns",)
    reader_indexes = ("rm_included_turns_sent",)
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_included_turns (
            thread_id TEXT NOT NULL,
            message_id TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            PRIMARY KEY (thread_id, message_id))""",
        "CREATE INDEX IF NOT EXISTS rm_included_turns_sent ON rm_included_turns (sent_at)",
    )

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        pass

    @process.register
    def _(self, event: ChatThread.MessageSent, tx: Tx, position: int) -> None:
        if event.charge_id is None:  # paid by the fan's subscription allowance
            tx.execute("INSERT INTO rm_included_turns (thread_id, message_id, sent_at) "
                       "VALUES (%s, %s, %s) ON CONFLICT (thread_id, message_id) DO NOTHING",
                       (str(event.originator_id), event.message_id, event.at.isoformat()))

    @process.register
    def _(self, event: ChatThread.ReplyDelivered, tx: Tx, position: int) -> None:
        self._settled(tx, event)

    @process.register
    def _(self, event: ChatThread.ReplyFailed, tx: Tx, position: int) -> None:
        self._settled(tx, event)

    @staticmethod
    def _settled(tx: Tx, event: Any) -> None:
        tx.execute("DELETE FROM rm_included_turns WHERE thread_id = %s AND message_id = %s",
                   (str(event.originator_id), event.message_id))
