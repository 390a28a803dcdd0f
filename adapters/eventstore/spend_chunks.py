"""Where a wallet snapshot keeps its lots' spends: in chunks stored once, by content hash.

A fan's lots still inside the dispute window fund tens of thousands of spends. Written into every
snapshot, they made a snapshot megabytes, so snapshots were taken rarely and a cold read replayed
thousands of events. Split into chunks of `CHUNK_ROWS` spends that never change once full, they
are written once; a snapshot names them by hash and carries only the spends of the lot still being
spent from. A snapshot can then be taken every hundred events for about the bytes of one.

A chunk's hash covers its owner, so no two wallets share a row and a wallet's chunks are pruned
with its snapshots: after a snapshot, the owner's chunks no snapshot of the last `KEPT_VERSIONS`
versions named are deleted. Chunks are read when first needed, not with the snapshot (a tip
never needs them); the versions kept are for a wallet read a while ago, in a cache, whose
reversal needs its chunks after newer snapshots have named others.
"""

import hashlib
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from psycopg import sql

CHUNK_ROWS = 512  # spends per chunk: ~25 KB, a few hundred of them for a loyal fan
KEPT_VERSIONS = 2_000  # chunks no longer named are kept this many versions of their wallet
TABLE = {"postgres": "ledger_spend_chunks", "sqlite": "spend_chunks"}


def chunk_hash(owner: UUID, text: str) -> str:
    """`sc` and 32 hex digits: a name a reader finds in a snapshot's bytes before decoding it."""
    return "sc" + hashlib.blake2b(owner.bytes + text.encode(), digest_size=16).hexdigest()


class SnapshotChunks:
    """The snapshot being written: its owner, and the chunks its lots were cut into."""

    def __init__(self, owner: UUID) -> None:
        self.owner = owner
        self.written: dict[str, str] = {}


CURRENT: ContextVar[SnapshotChunks | None] = ContextVar("snapshot_chunks", default=None)


class SpendChunkStore:
    """The chunks table, beside the snapshots table of the same store."""

    def __init__(self, kind: str, schema: str) -> None:
        self.kind = kind
        self.schema = schema
        self.recorder: Any = None  # the snapshot store's recorder, set once it exists

    @property
    def _table(self) -> Any:
        if self.kind == "postgres":
            return sql.Identifier(self.schema, TABLE["postgres"])
        return sql.Identifier(TABLE["sqlite"])

    def create_table(self) -> None:
        statement = ("CREATE TABLE IF NOT EXISTS {} (hash text PRIMARY KEY, owner {} NOT NULL, "
                     "used_at bigint NOT NULL, spends text NOT NULL)")
        if self.kind == "postgres":
            with self.recorder.datastore.get_connection() as conn:
                conn.execute(sql.SQL(statement).format(self._table, sql.SQL("uuid")))
                conn.execute(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (owner, used_at)")
                             .format(sql.Identifier(TABLE["postgres"] + "_owner"), self._table))
            return
        with self.recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(statement.format(TABLE["sqlite"], "text"))
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE['sqlite']}_owner "
                           f"ON {TABLE['sqlite']} (owner, used_at)")

    def fetch(self, hashes: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(hashes))
        if not wanted:
            return {}
        if self.kind == "postgres":
            with self.recorder.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(sql.SQL("SELECT hash, spends FROM {} WHERE hash = ANY(%s)")
                             .format(self._table), (wanted,), prepare=True)
                return {row["hash"]: row["spends"] for row in curs.fetchall()}
        marks = ",".join("?" * len(wanted))
        with self.recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT hash, spends FROM {TABLE['sqlite']} WHERE hash IN ({marks})",
                           wanted)
            return {row[0]: row[1] for row in cursor.fetchall()}

    def present(self, names: Iterable[str]) -> set[str]:
        """Which of these chunks are stored (an index-only look, no spends read)."""
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return set()
        if self.kind == "postgres":
            with self.recorder.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(sql.SQL("SELECT hash FROM {} WHERE hash = ANY(%s)")
                             .format(self._table), (wanted,), prepare=True)
                return {row["hash"] for row in curs.fetchall()}
        marks = ",".join("?" * len(wanted))
        with self.recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT hash FROM {TABLE['sqlite']} WHERE hash IN ({marks})", wanted)
            return {row[0] for row in cursor.fetchall()}

    def keep(self, owner: UUID, version: int, chunks: dict[str, str]) -> None:
        """Record that the snapshot at `version` names these chunks, writing the new ones."""
        if not chunks:
            return
        hashes = list(chunks)
        if self.kind == "postgres":
            with self.recorder.datastore.get_connection() as conn, conn.transaction(), \
                    conn.cursor() as curs:
                curs.execute(sql.SQL("UPDATE {} SET used_at = %s WHERE hash = ANY(%s) "
                                     "RETURNING hash").format(self._table), (version, hashes))
                present = {row["hash"] for row in curs.fetchall()}
                new = [h for h in hashes if h not in present]
                if new:
                    curs.executemany(sql.SQL(
                            "INSERT INTO {} (hash, owner, used_at, spends) VALUES (%s, %s, %s, %s) "
                            "ON CONFLICT (hash) DO UPDATE SET used_at = excluded.used_at")
                            .format(self._table), [(h, owner, version, chunks[h]) for h in new])
            return
        table = TABLE["sqlite"]
        present = self.present(hashes)  # only new chunks carry their spends to the store
        marks = ",".join("?" * len(hashes))
        with self.recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(f"UPDATE {table} SET used_at = ? WHERE hash IN ({marks})",
                           (version, *hashes))
            cursor.executemany(
                f"INSERT INTO {table} (hash, owner, used_at, spends) VALUES (?, ?, ?, ?)",
                [(h, owner.hex, version, chunks[h]) for h in hashes if h not in present])

    def prune(self, owner: UUID, below_version: int) -> None:
        """Drop the owner's chunks no snapshot from `below_version` on names."""
        if self.kind == "postgres":
            with self.recorder.datastore.get_connection() as conn:
                conn.execute(sql.SQL("DELETE FROM {} WHERE owner = %s AND used_at < %s")
                             .format(self._table), (owner, below_version))
            return
        with self.recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(f"DELETE FROM {TABLE['sqlite']} WHERE owner = ? AND used_at < ?",
                           (owner.hex, below_version))
