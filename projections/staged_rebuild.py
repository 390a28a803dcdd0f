"""A full rebuild at the speed of reading, while the old read models keep serving.

1. Every projection replays the log up to the head into an in-memory SQLite copy of its tables:
   each event is read and decoded once and fanned out to every projection, with no network round
   trip per statement, and without the indexes only readers use (`Fold.reader_indexes`).
2. The tables are copied into a staging schema of the read-model database with COPY, the indexes
   built after the rows, and committed.
3. One short transaction drops the live tables and moves the staged ones into the live schema,
   with the projections' positions: readers see the old read models until that commit, then the
   new, and the swap's cost does not grow with the rows.

On a long ledger, steps 1 and 2 run for groups of projections in parallel, one group here and
each other in a process of its own (spawned: the caller may have threads), each reading the log
itself: the projections' own Python is most of a rebuild's time, and reading is a small part of
it. Groups are balanced by each projection's `rebuild_weight`. Starting a process costs about a
second and a half (its imports), so below PARALLEL_FROM events one process is faster (on two
cores: 4.6 s alone, 5.4 s in two at 98,700 events; 17.4 s alone, 12.3 s in two at 308,700).

The projections' SQL runs on both engines (SQLite is the embedded default), so the staged rows
are the rows a live catch-up would have written.
"""

import multiprocessing
import os
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
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
PARALLEL_FROM = 150_000  # events: from here, a rebuild stages in one process per core
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
    `processes`: how many groups stage in parallel (default: one per core, at most 4, from
    PARALLEL_FROM events; one below)."""
    staging = Staging(db.conninfo, f"{db.schema}__rebuild", ledger.max_position())
    if processes is None:
        processes = min(len(os.sched_getaffinity(0)), 4) if staging.stop >= PARALLEL_FROM else 1
    known = {p.name for p in all_projections()}
    split = [p for p in projections if p.splits and p.name in known] if processes > 1 else []
    here, *apart = _groups([p for p in projections if p not in split], processes)
    apart += [[] for _ in range(processes - 1 - len(apart))] if split else []
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (_LOCK,))  # one rebuild at a time
        schemas = [staging.schema, *(_shard_schema(staging, i) for i in range(processes))]
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
                    _stage(ledger, here, staging, advance, split, Shard(0, processes))
                    for other in others:
                        other.result()
                _merge(staging, split, processes)
            _swap_in(db, staging, projections, locked_positions)
        finally:
            for schema in schemas:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(schema)))
    return staging.stop


@dataclass(frozen=True)
class Shard:
    """Which share of the keys of the folds split by key a process stages: an event goes to
    the share its fold's `shard_key` hashes to (crc32: the same in every process)."""

    index: int
    count: int

    def events(self, fold: Fold, page: list[tuple[int, type, Any]]
               ) -> list[tuple[int, type, Any]]:
        index, count, key = self.index, self.count, fold.shard_key
        return [(position, cls, event) for position, cls, event in page
                if fold.handler(cls) is not None
                and zlib.crc32(key(cls, event).encode()) % count == index]


def _shard_schema(staging: Staging, index: int) -> str:
    return f"{staging.schema}_{index}"


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
           split: Sequence[Fold] = (), shard: Shard | None = None) -> None:
    """Steps 1 and 2 for these folds, and for this shard of the folds split by key (into a
    schema of the shard's own, merged by the caller): tables made bare (keys and indexes set
    aside), the rows copied in, then every key and index built once over them (the indexes
    only readers use, after the merge)."""
    with ExitStack() as stack:
        lanes = []
        for chosen, schema in ((folds, staging.schema),
                               (split, _shard_schema(staging, shard.index) if shard else "")):
            if not chosen:
                continue
            conn = stack.enter_context(psycopg.connect(staging.conninfo, row_factory=dict_row))
            cursor = stack.enter_context(conn.cursor())
            cursor.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
            cursor.execute("SET maintenance_work_mem TO '256MB'")  # index builds sort in memory
            for statement in (s for fold in chosen for s in fold.ddl):
                if _index_name(statement) not in _reader_indexes(chosen):
                    cursor.execute(statement)
            keys = _KeysAside(cursor, schema, [t for fold in chosen for t in fold.tables])
            lanes.append(_Lane(chosen, cursor, keys, shard if chosen is split else None))
        _replay(ledger, lanes, staging.stop, advance)
        for lane in lanes:
            lane.keys.restore()
            if lane.shard is None:
                for statement in (s for fold in lane.folds for s in fold.ddl):
                    if _index_name(statement) in _reader_indexes(lane.folds):
                        lane.cursor.execute(statement)


def _merge(staging: Staging, split: Sequence[Fold], count: int) -> None:
    """The shards' tables into the staging schema's: rows side by side, totals summed per key;
    then their keys and indexes, built once."""
    with psycopg.connect(staging.conninfo, row_factory=dict_row) as conn, \
            conn.cursor() as cursor:
        cursor.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(staging.schema)))
        cursor.execute("SET maintenance_work_mem TO '256MB'")
        for statement in (s for fold in split for s in fold.ddl):
            if _index_name(statement) not in _reader_indexes(split):
                cursor.execute(statement)
        keys = _KeysAside(cursor, staging.schema, [t for fold in split for t in fold.tables])
        for table in (t for fold in split for t in fold.schema):
            shards = sql.SQL(" UNION ALL ").join(
                sql.SQL("SELECT * FROM {}.{}").format(
                    sql.Identifier(_shard_schema(staging, i)), sql.Identifier(table.name))
                for i in range(count))
            if table.kind == TOTALS:
                keyed = sql.SQL(", ").join(map(sql.Identifier, table.key))
                sums = sql.SQL(", ").join(sql.SQL("CAST(SUM({0}) AS BIGINT)").format(
                    sql.Identifier(c)) for c in table.counters)
                shards = sql.SQL("SELECT {}, {} FROM ({}) shards GROUP BY {}").format(
                    keyed, sums, shards, keyed)
            cursor.execute(sql.SQL("INSERT INTO {} ({}) ").format(
                sql.Identifier(table.name),
                sql.SQL(", ").join(map(sql.Identifier, table.columns))) + shards)
        keys.restore()
        for statement in (s for fold in split for s in fold.ddl):
            if _index_name(statement) in _reader_indexes(split):
                cursor.execute(statement)


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
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s "
            "AND tablename = ANY(%s) AND indexname <> ALL(%s)",
            (schema, tables, [c["conname"] for c in constraints])).fetchall()
        self._restore = [
            *(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                sql.Identifier(c["tbl"]), sql.Identifier(c["conname"])) + sql.SQL(c["def"])
              for c in constraints),
            *(sql.SQL(i["indexdef"]) for i in indexes)]
        for index in indexes:
            cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(index["indexname"])))
        for constraint in constraints:
            cursor.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(constraint["tbl"]), sql.Identifier(constraint["conname"])))

    def restore(self) -> None:
        """Once: built before any row is read back from the staging tables, or at the end."""
        while self._restore:
            self._cursor.execute(self._restore.pop(0))


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
        for lane in lanes:
            shard = lane.shard
            folded = []
            for fold in lane.folds:
                events = typed if shard is None else shard.events(fold, typed)
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
