"""Read-side questions the chat asks: the tips sent in a thread, a thread's whole transcript a page
at a time, and messages whose turn never settled (paid ones through their charge in the spends
read model, included ones through the chat messages read model)."""

from typing import Any

from projections.db import ReadModelDb


class ChatQueries:
    def __init__(self, db: ReadModelDb) -> None:
        self._db = db

    def tips_in_thread(self, fan_id: str, thread_id: str,
                       since_iso: str | None = None) -> list[tuple[str, int]]:
        rows = self._db.query(
            "SELECT aggregate_id, amount_tokens FROM rm_spends WHERE thread_id = %s "
            "AND fan_id = %s AND kind = 'tip' AND reversed_source_tokens < amount_tokens "
            "AND spent_at >= %s ORDER BY spent_at, aggregate_id",
            (thread_id, fan_id, since_iso or ""))
        return [(r["aggregate_id"], int(r["amount_tokens"])) for r in rows]

    def thread_spends(self, fan_id: str, thread_id: str) -> list[dict[str, Any]]:
        """Tips and paid messages in the thread, for its history."""
        return self._db.query(
            "SELECT aggregate_id, kind, amount_tokens, reversed_source_tokens, reversal_reason, "
            "reply_status, spent_at FROM rm_spends WHERE thread_id = %s AND fan_id = %s "
            "ORDER BY spent_at, aggregate_id", (thread_id, fan_id))

    def pending_message_charges(self, charged_before_iso: str, limit: int) -> list[str]:
        rows = self._db.query(
            "SELECT aggregate_id FROM rm_spends WHERE reply_status = 'pending' "
            "AND spent_at < %s ORDER BY spent_at LIMIT %s", (charged_before_iso, limit))
        return [r["aggregate_id"] for r in rows]

    def pending_included_turns(self, sent_before_iso: str,
                               limit: int) -> list[tuple[str, str]]:
        rows = self._db.query(
            "SELECT thread_id, message_id FROM rm_chat_messages WHERE status = 'pending' "
            "AND paid_by = 'included' AND sent_at < %s ORDER BY sent_at LIMIT %s",
            (sent_before_iso, limit))
        return [(r["thread_id"], r["message_id"]) for r in rows]

    def earlier_than(self, thread_id: str, message_id: str) -> int | None:
        """The seq of this message if the transcript holds older ones (the page shows only the
        thread's latest), else None: two index lookups, whatever the thread's length."""
        rows = self._db.query(
            "SELECT m.seq FROM rm_chat_messages m WHERE m.thread_id = %s AND m.message_id = %s "
            "AND EXISTS (SELECT 1 FROM rm_chat_messages e WHERE e.thread_id = m.thread_id "
            "AND e.seq < m.seq)", (thread_id, message_id))
        return int(rows[0]["seq"]) if rows else None

    def thread_messages(self, thread_id: str, before_seq: int | None,
                        limit: int) -> list[dict[str, Any]]:
        """A page of the thread's whole transcript, newest first, before a message's seq."""
        return self._db.query(  # type: ignore[no-any-return]
            "SELECT seq, message_id, text, paid_by, price_tokens, status, reply, replaced, "
            "failure, sent_at FROM rm_chat_messages WHERE thread_id = %s AND seq < %s "
            "ORDER BY seq DESC LIMIT %s",
            (thread_id, 2**62 if before_seq is None else before_seq, limit))
