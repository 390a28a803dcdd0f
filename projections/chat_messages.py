"""Every chat message of every thread, with its cost and reply: the whole transcript, paged (a
thread keeps only its latest messages in its state), and the sweeper's queue of included
messages still waiting for a reply (a paid one is found through its charge in the spends read
model; an included one has no charge)."""

from collections.abc import Iterable
from typing import Any

from domain.chat_thread import ChatThread
from projections.fold import KEYED, Fold, State, Table, on

MESSAGES = Table("rm_chat_messages", KEYED, ("thread_id", "message_id"), (
    "thread_id", "message_id", "seq", "text", "paid_by", "price_tokens", "status", "reply",
    "replaced", "failure", "sent_at"), {"replaced": 0})


class ChatMessagesProjection(Fold):
    name = "chat_messages"
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

    schema = (MESSAGES,)

    def touches(self, cls: type, event: Any) -> Iterable[tuple[Table, Any]]:
        if cls in _MESSAGE_EVENTS:
            yield MESSAGES, (str(event.originator_id), event.message_id)

    @on(ChatThread.MessageSent)
    def _sent(self, event: Any, position: int, s: State) -> None:
        """The same message id sent again after it left the thread's window is a new entry: it
        keeps its first row, as the thread's events keep both."""
        key = (str(event.originator_id), event.message_id)
        if s[MESSAGES].get(key) is None:
            s[MESSAGES].put(MESSAGES.new(
                thread_id=key[0], message_id=key[1], seq=event.originator_version,
                text=event.text, paid_by=event.paid_by, price_tokens=event.price_tokens,
                status="pending", sent_at=event.at.isoformat()))

    @on(ChatThread.ReplyDelivered)
    def _delivered(self, event: Any, position: int, s: State) -> None:
        s[MESSAGES].update((str(event.originator_id), event.message_id), status="delivered",
                           reply=event.text, replaced=int(event.replaced))

    @on(ChatThread.ReplyFailed)
    def _failed(self, event: Any, position: int, s: State) -> None:
        s[MESSAGES].update((str(event.originator_id), event.message_id), status="failed",
                           failure=event.reason)


_MESSAGE_EVENTS = frozenset((ChatThread.MessageSent, ChatThread.ReplyDelivered,
                             ChatThread.ReplyFailed))
