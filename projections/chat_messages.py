"""Every chat message of every thread, with its cost and reply: the whole transcript, paged (a
thread keeps only its latest messages in its state), and the sweeper's queue of included
messages still waiting for a reply (a paid one is found through its charge in the spends read
model; an included one has no charge)."""

from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.chat_thread import ChatThread
from projections.base import Projection
from projections.db import Tx


class ChatMessagesProjection(Projection):
    name = "chat_messages"
    tables = ("rm_chat_messages",)
    reader_indexes = ("rm_chat_messages_waiting",)
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_chat_messages (
            thread_id TEXT NOT NULL,
            message_id TEXT NOT NULL,
            seq BIGINT NOT NULL,
            text TEXT NOT NULL,
            paid_by TEXT NOT NULL,
            price_tokens BIGINT NOT NULL,
            status TEXT NOT NULL,
            reply TEXT,
            replaced INTEGER NOT NULL DEFAULT 0,
            failure TEXT,
            sent_at TEXT NOT NULL,
            PRIMARY KEY (thread_id, message_id))""",
        "CREATE UNIQUE INDEX IF NOT EXISTS rm_chat_messages_seq ON rm_chat_messages "
        "(thread_id, seq)",
        "CREATE INDEX IF NOT EXISTS rm_chat_messages_waiting ON rm_chat_messages "
        "(status, paid_by, sent_at)",
    )

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        pass

    @process.register
    def _(self, event: ChatThread.MessageSent, tx: Tx, position: int) -> None:
        # The same message id sent again after it left the thread's window is a new entry: it
        # keeps its first row, as the thread's events keep both.
        tx.execute(
            "INSERT INTO rm_chat_messages (thread_id, message_id, seq, text, paid_by, "
            "price_tokens, status, sent_at) VALUES (%s, %s, %s, %s, %s, %s, 'pending', %s) "
            "ON CONFLICT (thread_id, message_id) DO NOTHING",
            (str(event.originator_id), event.message_id, event.originator_version, event.text,
             event.paid_by, event.price_tokens, event.at.isoformat()))

    @process.register
    def _(self, event: ChatThread.ReplyDelivered, tx: Tx, position: int) -> None:
        tx.execute("UPDATE rm_chat_messages SET status = 'delivered', reply = %s, replaced = %s "
                   "WHERE thread_id = %s AND message_id = %s",
                   (event.text, int(event.replaced), str(event.originator_id), event.message_id))

    @process.register
    def _(self, event: ChatThread.ReplyFailed, tx: Tx, position: int) -> None:
        tx.execute("UPDATE rm_chat_messages SET status = 'failed', failure = %s "
                   "WHERE thread_id = %s AND message_id = %s",
                   (event.reason, str(event.originator_id), event.message_id))

