"""The library's SQLite application recorder, with the hash chain written in the same transaction.

SQLite has no hash function in SQL, so the chain entries are computed here, after the batch's
INSERT: by then this connection holds SQLite's single write lock, so reading the previous entry
and appending the new ones cannot interleave with another writer. Same hash as PostgreSQL's.
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from adapters.eventstore.hash_chain import CHAIN_TABLE, chain_hash


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} "
                "(notification_id INTEGER PRIMARY KEY, hash BLOB NOT NULL)",
                f"CREATE TRIGGER IF NOT EXISTS lyra_chain_no_update BEFORE UPDATE ON {CHAIN_TABLE} "
                "BEGIN SELECT RAISE(ABORT, 'the hash chain is append-only: UPDATE refused'); END",
                f"CREATE TRIGGER IF NOT EXISTS lyra_chain_no_delete BEFORE DELETE ON {CHAIN_TABLE} "
                "BEGIN SELECT RAISE(ABORT, 'the hash chain is append-only: DELETE refused'); END"]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if not ids:
            return ids
        c.execute(f"SELECT hash FROM {CHAIN_TABLE} ORDER BY notification_id DESC LIMIT 1")
        row = c.fetchone()
        previous = bytes(row[0]) if row else b""
        entries = []
        for nid, event in zip(ids, stored_events, strict=True):
            originator = event.originator_id if isinstance(event.originator_id, UUID) else UUID(
                str(event.originator_id))
            previous = chain_hash(previous, nid, originator, event.originator_version,
                                  event.topic, event.state)
            entries.append((nid, previous))
        c.executemany(f"INSERT INTO {CHAIN_TABLE} (notification_id, hash) VALUES (?, ?)", entries)
        return ids
