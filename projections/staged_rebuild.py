"""A full rebuild at the speed of reading, while the old read models keep serving.

1. Every fold replays the log up to the head into the staging schema of the read-model
   database: each event read and decoded once and applied to working sets that start complete
   (nothing to load), the tables made bare while rows go in by COPY (their keys and indexes set
   aside, built once over the rows, or before the first row is read back when the working sets
   outgrow STAGED_ROWS), then the indexes only readers use (`Fold.reader_indexes`).
2. One short transaction drops the live tables and moves the staged ones into the live schema,
   with the projections' positions: readers see the old read models until that commit, then the
   new, and the swap's cost does not grow with the rows.

On a long ledger, step 1 runs in one process per core (spawned: the caller may have threads),
each reading the log itself. The folds that split by key (`Fold.splits`: the heavy ones) are
staged by every process for its share of their keys (`Shard`), each into a schema of its own,
and merged into the staging schema afterwards, totals summed per key; the others go in groups
balanced by `rebuild_weight`, each staged by one process. Starting a process costs about a
second and a half (its imports), and each process reads the whole log: below PARALLEL_FROM
events one process is faster.

The folds are the live runner's own (fold.py): only the sink differs, so the staged rows are the
rows a live catch-up would have written.
"""

import multiprocessing
import os
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from adapters import heap
from adapters.eventstore.config import Database
from adapters.eventstore.ledger import Ledger
from projections.catalog import all_projections
from projections.db import PgTx, PostgresReadModelDb, Tx
from projections.fold import TOTALS, Fold, apply_all, classified
from projections.fold_sinks import CopySink

PAGE = 5_000
STAGED_ROWS = 1_000_000  # rows the folds' working sets hold before they are written out
# Events from which a rebuild stages in one process per core. On two cores, where the database's
# own processes share them, two were no faster than one even at 308,700 events (11.5 s against
# 11.0 to 11.3 s): the default waits for ledgers where the second core is free to help.
PARALLEL_FROM = 1_000_000
_LOCK = "lyra projections rebuild"

Advance = Callable[[int], None]


@dataclass(frozen=True)
class Staging:
    conninfo: str  # the read-model database
    schema: str  # the staging schema
    stop: int  # the last position to replay


def rebuild_all(ledger: Ledger, db: PostgresReadModelDb, projections: Sequence[Fold],
                locked_positions: Callable[[Tx], object], advance: Advance | None = None,
                processes: int | None = None) -> int:
    """Stage every projection and swap them in; returns the last position replayed.
    `processes`: how many stage side by side, each with its share of the folds split by key and
    a group of the others (default: one per core, at most 4, from PARALLEL_FROM events; one
    below)."""
    staging = Staging(db.conninfo, f"{db.schema}__rebuild", ledger.max_position())
    if processes is None:
        processes = min(len(os.sched_getaffinity(0)), 4) if staging.stop >= PARALLEL_FROM else 1
    known = {p.name for p in all_projections()}
    split = [p for p in projections if p.splits and p.name in known] if processes > 1 else []
    here, *apart = _groups([p for p in projections if p not in split], processes)
    apart += [[] for _ in range(processes - 1 - len(apart))] if split else []
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (_LOCK,))  # one rebuild at a time
        schemas = list(dict.fromkeys(_shard_schema(staging, Shard(i, processes))
                                     for i in range(processes)))
        for schema in schemas:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}").format(
                sql.Identifier(schema)))
        try:
            if not apart:
                _stage(ledger, here, staging, advance)
            else:
                with ProcessPoolExecutor(len(apart),
                                         mp_context=multiprocessing.get_context("spawn")) as pool:
                    others = [pool.submit(_stage_apart, ledger.db, [p.name for p in group],
                                          [p.name for p in split], staging,
                                          Shard(i + 1, processes))
                              for i, group in enumerate(apart)]
                    keys = _stage(ledger, here, staging, advance, split, Shard(0, processes))
                    for other in others:
                        other.result()
                _merge(staging, split, processes, keys)
            _swap_in(db, staging, projections, locked_positions)
        finally:
            for schema in schemas:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(schema)))
    return staging.stop


@dataclass(frozen=True)
class Shard:
    """Which share of the keys of the folds split by key a process stages: an event goes to
    the share its stream's id hashes to, or its fold's `shard_key` when it names another (crc32:
    the same in every process)."""

    index: int
    count: int

    def streams(self, page: list[tuple[int, type, Any]]) -> list[int]:
        """Each event's share by its stream: what most folds split by, found once a page."""
        count, crc32 = self.count, zlib.crc32
        return [crc32(str(event.originator_id).encode()) % count for _, _, event in page]

    def events(self, fold: Fold, page: list[tuple[int, type, Any]],
               streams: list[int]) -> list[tuple[int, type, Any]]:
        index, count, key, handler = self.index, self.count, fold.shard_key, fold.handler
        chosen = []
        for item, share in zip(page, streams, strict=True):
            cls = item[1]
            if handler(cls) is None:
                continue
            other = key(cls, item[2])
            if (share if other is None else zlib.crc32(other.encode()) % count) == index:
                chosen.append(item)
        return chosen


def _shard_schema(staging: Staging, shard: Shard | None) -> str:
    """Where a shard stages the folds split by key: shard 0 in the staging schema itself."""
    return staging.schema if shard is None or shard.index == 0 else \
        f"{staging.schema}_{shard.index}"


def _groups(projections: Sequence[Fold], count: int) -> list[list[Fold]]:
    """At most `count` groups of about equal weight, heaviest first (greedy); projections a
    process of its own could not build by name (not in the catalogue) stay in the first, staged
    here."""
    known = {p.name for p in all_projections()}
    groups: list[list[Fold]] = [[] for _ in range(max(count, 1))]
    weights = [0] * len(groups)
    for projection in [p for p in projections if p.name not in known]:
        groups[0].append(projection)
        weights[0] += projection.rebuild_weight
    for projection in sorted((p for p in projections if p.name in known),
                             key=lambda p: -p.rebuild_weight):
        lightest = weights.index(min(weights))
        groups[lightest].append(projection)
        weights[lightest] += projection.rebuild_weight
    return [groups[0]] + [group for group in groups[1:] if group]


@dataclass
class _Lane:
    """Folds staged into one schema over one connection, with their working sets."""

    folds: Sequence[Fold]
    cursor: Any
    keys: "_KeysAside"
    shard: Shard | None = None

    def __post_init__(self) -> None:
        self.sink = CopySink(PgTx(self.cursor), self.cursor)
        self.states = {fold.name: fold.new_state(complete=True) for fold in self.folds}


def _stage(ledger: Ledger, folds: Sequence[Fold], staging: Staging, advance: Advance | None,
           split: Sequence[Fold] = (), shard: Shard | None = None
           ) -> list[tuple[str, sql.Composed | sql.SQL]]:
    """Steps 1 and 2 for these folds, and for this shard of the folds split by key: tables made
    bare (keys and indexes set aside), the rows copied in, then every key and index built once
    over them. A shard's tables are left bare for the merge (shard 0's in the staging schema
    itself, the others' in a schema each): returned is what builds the staging schema's keys
    of the split folds once they are merged."""
    with ExitStack() as stack:
        lanes = []
        for chosen, schema in ((folds, staging.schema), (split, _shard_schema(staging, shard))):
            if not chosen:
                continue
            cursor = stack.enter_context(_connect(staging.conninfo, schema))
            for statement in (s for fold in chosen for s in fold.ddl):
                if _index_name(statement) not in _reader_indexes(chosen):
                    cursor.execute(statement)
            keys = _KeysAside(cursor, schema, [t for fold in chosen for t in fold.tables])
            lanes.append(_Lane(chosen, cursor, keys, shard if chosen is split else None))
        _replay(ledger, lanes, staging.stop, advance)
        for lane in lanes:
            if lane.shard is None:
                lane.cursor.connection.commit()  # the rows, for the connections that index them
                _build(staging.conninfo, staging.schema,
                       [*lane.keys.take(), *_reader_index_statements(lane.folds)])
        return next((lane.keys.take() for lane in lanes if lane.shard is not None), [])


def _reader_index_statements(folds: Sequence[Fold]) -> list[tuple[str, sql.Composed | sql.SQL]]:
    return [(_table_of(s), sql.SQL(s)) for fold in folds for s in fold.ddl  # type: ignore[arg-type]
            if _index_name(s) in _reader_indexes(folds)]


def _build(conninfo: str, schema: str,
           statements: list[tuple[str, sql.Composed | sql.SQL]]) -> None:
    """Keys and indexes, each table's in order on one connection, tables side by side on as
    many connections as there are cores (up to two): index builds are the database's work."""
    by_table: dict[str, list[sql.Composed | sql.SQL]] = {}
    for table, statement in statements:
        by_table.setdefault(table, []).append(statement)

    def build(tables: list[str]) -> None:
        with _connect(conninfo, schema) as cursor:
            for table in tables:
                for statement in by_table[table]:
                    cursor.execute(statement)

    workers = max(1, min(2, len(os.sched_getaffinity(0)), len(by_table)))
    tables = sorted(by_table, key=lambda t: -len(by_table[t]))
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(build, [tables[i::workers] for i in range(workers)]))


def _table_of(statement: str) -> str:
    """The table a CREATE INDEX names."""
    words = statement.split()
    return words[words.index("ON") + 1]


def _merge(staging: Staging, split: Sequence[Fold], count: int,
           keys: list[tuple[str, sql.Composed | sql.SQL]]) -> None:
    """The other shards' tables into the staging schema's (shard 0's): rows side by side,
    totals summed per key; then their keys and indexes, built once."""
    with _connect(staging.conninfo, staging.schema) as cursor:
        for table in (t for fold in split for t in fold.schema):
            columns = sql.SQL(", ").join(map(sql.Identifier, table.columns))
            for index in range(1, count):
                cursor.execute(sql.SQL("INSERT INTO {0} ({1}) SELECT {1} FROM {2}.{0}").format(
                    sql.Identifier(table.name), columns,
                    sql.Identifier(_shard_schema(staging, Shard(index, count)))))
            if table.kind == TOTALS:  # a key each shard added to: one row, the sums
                keyed = sql.SQL(", ").join(map(sql.Identifier, table.key))
                sums = sql.SQL(", ").join(sql.SQL("CAST(SUM({0}) AS BIGINT) AS {0}").format(
                    sql.Identifier(c)) for c in table.counters)
                cursor.execute(sql.SQL(
                    "CREATE TEMP TABLE summed AS SELECT {0}, {1} FROM {2} GROUP BY {0}; "
                    "TRUNCATE {2}; INSERT INTO {2} ({3}) SELECT * FROM summed; "
                    "DROP TABLE summed").format(keyed, sums, sql.Identifier(table.name),
                                                columns))
    _build(staging.conninfo, staging.schema, [*keys, *_reader_index_statements(split)])


@contextmanager
def _connect(conninfo: str, schema: str) -> Iterator[Any]:
    """A cursor on the read-model database, in this schema, committed when the block ends."""
    with psycopg.connect(conninfo, row_factory=dict_row) as conn, conn.cursor() as cursor:
        cursor.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        cursor.execute("SET maintenance_work_mem TO '256MB'")  # index builds sort in memory
        yield cursor


def _reader_indexes(folds: Sequence[Fold]) -> set[str]:
    return {name for fold in folds for name in fold.reader_indexes}


class _KeysAside:
    """The staging tables' keys, unique constraints and indexes, dropped while rows are copied
    in and built again once (a B-tree built over sorted rows, rather than grown row by row)."""

    def __init__(self, cursor: Any, schema: str, tables: list[str]) -> None:
        self._cursor = cursor
        constraints = cursor.execute(
            "SELECT conname, conrelid::regclass::text AS tbl, pg_get_constraintdef(oid) AS def "
            "FROM pg_constraint WHERE connamespace = %s::regnamespace "
            "AND conrelid::regclass::text = ANY(%s)", (schema, tables)).fetchall()
        indexes = cursor.execute(
            "SELECT indexname, indexdef, tablename FROM pg_indexes WHERE schemaname = %s "
            "AND tablename = ANY(%s) AND indexname <> ALL(%s)",
            (schema, tables, [c["conname"] for c in constraints])).fetchall()
        self._restore: list[tuple[str, sql.Composed | sql.SQL]] = [
            *((c["tbl"], sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(c["tbl"]), sql.Identifier(c["conname"]), sql.SQL(c["def"])))
              for c in constraints),
            *((i["tablename"], sql.SQL(i["indexdef"])) for i in indexes)]
        for index in indexes:
            cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(index["indexname"])))
        for constraint in constraints:
            cursor.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(constraint["tbl"]), sql.Identifier(constraint["conname"])))

    def restore(self) -> None:
        """Built before any row is read back from the staging tables (at most once)."""
        for _, statement in self.take():
            self._cursor.execute(statement)

    def take(self) -> list[tuple[str, sql.Composed | sql.SQL]]:
        """What builds them, for the caller to run (nothing, once restored or taken)."""
        taken, self._restore = self._restore, []
        return taken


def _stage_apart(db: Database, names: list[str], split: list[str], staging: Staging,
                 shard: Shard) -> None:
    """_stage in a process of its own, for the catalogue's folds of these names, and its shard
    of those split by key."""
    catalogue = {p.name: p for p in all_projections()}
    if unknown := sorted(set(names + split) - set(catalogue)):
        raise ValueError(f"not in the catalogue: {unknown}")
    ledger = Ledger(db, prepare=False)
    try:
        with heap.bulk_work():
            _stage(ledger, [catalogue[n] for n in names], staging, None,
                   [catalogue[n] for n in split], shard)
    finally:
        ledger.close()


def _replay(ledger: Ledger, lanes: list[_Lane], stop: int, advance: Advance | None) -> None:
    """Every page read once and applied to each lane's working sets, which start complete (the
    staging tables are empty) and are written by COPY whenever they outgrow STAGED_ROWS, then
    read back (by key, once the lane's keys are built) only as a later page needs their rows."""
    position = 0
    while position < stop and (page := ledger.read_after(position, PAGE, stop)):
        typed = classified(page)
        streams: list[int] = []
        for lane in lanes:
            shard = lane.shard
            if shard is not None and not streams:
                streams = shard.streams(typed)
            folded = []
            for fold in lane.folds:
                events = typed if shard is None else shard.events(fold, typed, streams)
                lane.sink.load(fold, events, lane.states[fold.name])
                folded.append((fold, lane.states[fold.name], events))
            if shard is None:
                apply_all([(fold, state) for fold, state, _ in folded], typed)
            else:
                for fold, state, events in folded:
                    fold.apply(events, state)
            if sum(state.size() for state in lane.states.values()) > STAGED_ROWS:
                lane.keys.restore()
                for fold in lane.folds:
                    lane.sink.write(lane.states[fold.name])
                    lane.states[fold.name] = fold.new_state(complete=False)
        position = page[-1][0]
        if advance:
            advance(len(page))
    for lane in lanes:
        for fold in lane.folds:
            lane.sink.write(lane.states[fold.name])


def _index_name(statement: str) -> str | None:
    words = statement.split()
    if "INDEX" not in words[:3]:
        return None
    return words[words.index("ON") - 1]


def _swap_in(db: PostgresReadModelDb, staging: Staging, projections: Sequence[Fold],
             locked_positions: Callable[[Tx], object]) -> None:
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with db.transaction() as tx:
        locked_positions(tx)  # a runner in another process waits for this swap, then resumes
        for projection in projections:
            for table in projection.tables:
                tx.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(
                    sql.Identifier(table)).as_string())
                tx.execute(sql.SQL("ALTER TABLE {}.{} SET SCHEMA {}").format(
                    sql.Identifier(staging.schema), sql.Identifier(table),
                    sql.Identifier(db.schema)).as_string())
            for statement in projection.guards.get(db.kind, ()):
                tx.execute(statement)
            tx.execute("INSERT INTO rm_projection_positions (name, position, updated_at) "
                       "VALUES (%s, %s, %s) ON CONFLICT (name) DO UPDATE SET "
                       "position = excluded.position, updated_at = excluded.updated_at",
                       (projection.name, staging.stop, now))
