"""The ledger's Merkle tree kept in tiles, so a root or a proof costs log n reads, not n.

Leaves are never stored: a leaf is its position's chain entry (`hash_chain.py`), already one
short row per event. What is stored, in `ledger_merkle_nodes`, is every complete subtree of 256
leaves and above (level 8 and up: two rows per 256 events). Extending the tree to a new size
hashes only the tiles completed since; a subtree smaller than a tile is hashed from its chain
rows. Nodes are written once and never change (a node covers positions that are all settled:
writers take positions under the events table's lock and commit in that order).
"""

import sqlite3
from collections.abc import Iterable
from typing import Any

from psycopg import sql

from adapters.eventstore.config import Database
from adapters.eventstore.hash_chain import CHAIN_TABLE
from adapters.eventstore.merkle import (
    consistency_path,
    inclusion_path,
    leaf_hash,
    node_hash,
    root_of,
    split,
)

TILE_LEVEL = 8
TILE = 1 << TILE_LEVEL
NODES_TABLE = "ledger_merkle_nodes"
_EMPTY_LEAF = leaf_hash(b"")


class MerkleStore:
    """Reads the chain and the stored nodes through the event store's own connections."""

    def __init__(self, db: Database, recorder: Any) -> None:
        self.db = db
        self.recorder = recorder

    def _name(self, table: str) -> str:
        if self.db.kind == "postgres":
            return sql.Identifier(self.db.schema, table).as_string()
        return table

    def _rows(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.db.kind == "postgres":
            with self.recorder.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(statement, params, prepare=True)
                return [tuple(row.values()) if isinstance(row, dict) else tuple(row)
                        for row in curs.fetchall()]
        with self.recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement.replace("%s", "?"), params)
            return [tuple(row) for row in cursor.fetchall()]

    def create_table(self) -> None:
        statement = (f"CREATE TABLE IF NOT EXISTS {self._name(NODES_TABLE)} (level INTEGER NOT "
                     f"NULL, idx BIGINT NOT NULL, hash {self._bytes} NOT NULL, "
                     f"PRIMARY KEY (level, idx))")
        if self.db.kind == "postgres":
            with self.recorder.datastore.get_connection() as conn:
                conn.execute(statement)
            return
        with self.recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(statement)

    @property
    def _bytes(self) -> str:
        return "BYTEA" if self.db.kind == "postgres" else "BLOB"

    # -- leaves -------------------------------------------------------------------------------

    def leaves(self, lo: int, hi: int) -> list[bytes]:
        """Leaf hashes [lo, hi): positions lo + 1 .. hi, a gap's leaf for a position without
        an event."""
        entries = dict(self._rows(
            f"SELECT notification_id, hash FROM {self._name(CHAIN_TABLE)} "
            f"WHERE notification_id > %s AND notification_id <= %s", (lo, hi)))
        return [leaf_hash(bytes(entries[p])) if p in entries else _EMPTY_LEAF
                for p in range(lo + 1, hi + 1)]

    def chain_entries(self, positions: Iterable[int]) -> dict[int, bytes]:
        """The chain's hash at each of these positions (and none for a gap)."""
        wanted = sorted(set(positions))
        found: dict[int, bytes] = {}
        for start in range(0, len(wanted), 1000):
            part = wanted[start:start + 1000]
            marks = ", ".join(["%s"] * len(part))
            found.update((int(p), bytes(h)) for p, h in self._rows(
                f"SELECT notification_id, hash FROM {self._name(CHAIN_TABLE)} "
                f"WHERE notification_id IN ({marks})", tuple(part)))
        return found

    def chain_head(self, size: int) -> bytes:
        """The chain's entry at its last event up to position `size` (b"" before any)."""
        rows = self._rows(f"SELECT hash FROM {self._name(CHAIN_TABLE)} WHERE notification_id "
                          f"<= %s ORDER BY notification_id DESC LIMIT 1", (size,))
        return bytes(rows[0][0]) if rows else b""

    # -- stored nodes -------------------------------------------------------------------------

    def extend(self, size: int) -> None:
        """Store every complete subtree of a tile or more within the first `size` leaves."""
        level = TILE_LEVEL
        while size >> level:
            complete = size >> level
            rows = self._rows(f"SELECT max(idx) FROM {self._name(NODES_TABLE)} "
                              f"WHERE level = %s", (level,))
            stored = -1 if rows[0][0] is None else int(rows[0][0])
            new: list[tuple[int, int, bytes]] = []
            if level == TILE_LEVEL:
                for first in range(stored + 1, complete, 64):  # 64 tiles of leaves per read
                    last = min(first + 64, complete)
                    leaves = self.leaves(first * TILE, last * TILE)
                    new += [(level, idx, root_of(leaves[(idx - first) * TILE:
                                                        (idx - first + 1) * TILE]))
                            for idx in range(first, last)]
            elif stored + 1 < complete:
                children = self.nodes([(level - 1, i) for i in
                                       range(2 * (stored + 1), 2 * complete)])
                new = [(level, idx, node_hash(children[(level - 1, 2 * idx)],
                                              children[(level - 1, 2 * idx + 1)]))
                       for idx in range(stored + 1, complete)]
            self._insert(new)
            level += 1

    def _insert(self, nodes: list[tuple[int, int, bytes]]) -> None:
        if not nodes:
            return
        table = self._name(NODES_TABLE)
        if self.db.kind == "postgres":
            with self.recorder.datastore.get_connection() as conn, conn.transaction(), \
                    conn.cursor() as curs:
                curs.executemany(f"INSERT INTO {table} (level, idx, hash) VALUES (%s, %s, %s) "
                                 f"ON CONFLICT DO NOTHING", nodes)
            return
        with self.recorder.datastore.transaction(commit=True) as cursor:
            cursor.executemany(f"INSERT OR IGNORE INTO {table} (level, idx, hash) "
                               f"VALUES (?, ?, ?)", [(lv, i, sqlite3.Binary(h))
                                                     for lv, i, h in nodes])

    def nodes(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        wanted = sorted(set(keys))
        found: dict[tuple[int, int], bytes] = {}
        table = self._name(NODES_TABLE)
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            where = " OR ".join(["(level = %s AND idx = %s)"] * len(part))
            found.update(((int(lv), int(i)), bytes(h)) for lv, i, h in self._rows(
                f"SELECT level, idx, hash FROM {table} WHERE {where}",
                tuple(v for key in part for v in key)))
        missing = [key for key in wanted if key not in found]
        if missing:
            raise LookupError(f"merkle nodes not stored (extend the tree first): {missing[:3]}")
        return found

    def view(self, size: int) -> "TreeView":
        """The tree of the first `size` leaves (after `extend(size)`)."""
        return TreeView(self, size)


class TreeView:
    """Hashes of one tree size's subtrees, with what it read kept for the next proof."""

    def __init__(self, store: MerkleStore, size: int) -> None:
        self.store = store
        self.size = size
        self._nodes: dict[tuple[int, int], bytes] = {}
        self._tiles: dict[int, list[bytes]] = {}
        self._hashed: dict[tuple[int, int], bytes] = {}  # subtrees below a tile, once each

    def root(self) -> bytes:
        return self.subtree(0, self.size)

    def inclusion(self, index: int) -> list[bytes]:
        return inclusion_path(index, self.size, self.subtree)

    def consistency(self, first: int) -> list[bytes]:
        return consistency_path(first, self.size, self.subtree)

    def prefetch(self, indices: Iterable[int]) -> None:
        """Read, in a few queries, every stored node and tile that proofs of these leaves use."""
        keys: set[tuple[int, int]] = set()
        tiles: set[int] = set()

        def note(lo: int, hi: int) -> bytes:
            self._needs(lo, hi, keys, tiles)
            return b""

        for index in indices:
            inclusion_path(index, self.size, note)
        self._nodes.update(self.store.nodes(keys - self._nodes.keys()))
        for tile in sorted(tiles - self._tiles.keys()):
            self._tile(tile)

    def _needs(self, lo: int, hi: int, keys: set[tuple[int, int]], tiles: set[int]) -> None:
        n = hi - lo
        if n >= TILE and n & (n - 1) == 0 and lo % n == 0:
            keys.add((n.bit_length() - 1, lo // n))
        elif lo // TILE == (hi - 1) // TILE:
            tiles.add(lo // TILE)
        else:
            k = split(n)
            self._needs(lo, lo + k, keys, tiles)
            self._needs(lo + k, hi, keys, tiles)

    def _tile(self, tile: int) -> list[bytes]:
        leaves = self._tiles.get(tile)
        if leaves is None:
            start = tile * TILE
            leaves = self._tiles[tile] = self.store.leaves(start, min(start + TILE, self.size))
        return leaves

    def subtree(self, lo: int, hi: int) -> bytes:
        n = hi - lo
        if n >= TILE and n & (n - 1) == 0 and lo % n == 0:
            key = (n.bit_length() - 1, lo // n)
            if key not in self._nodes:
                self._nodes.update(self.store.nodes([key]))
            return self._nodes[key]
        found = self._hashed.get((lo, hi))
        if found is None:
            if n == 1:
                found = self._tile(lo // TILE)[lo % TILE]
            else:
                k = split(n)
                found = node_hash(self.subtree(lo, lo + k), self.subtree(lo + k, hi))
            self._hashed[(lo, hi)] = found
        return found
