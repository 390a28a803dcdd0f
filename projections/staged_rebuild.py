"""A full rebuild at the speed of reading, while the old read models keep serving.

1. Every projection replays the log up to the head into an in-memory SQLite copy of its tables:
   each event is read and decoded once and fanned out to every projection, with no network round
   trip per statement, and without the indexes only readers use (`Projection.reader_indexes`).
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
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from adapters import heap
from adapters.eventstore.config import Database
from adapters.eventstore.ledger import Ledger
from adapters.eventstore.typed_events import event_class
from projections.base import Projection
from projections.catalog import all_projections
from projections.db import PgTx, PostgresReadModelDb, SqliteReadModelDb, Tx
from projections.fanout import Fanout
from projections.fold import Fold, classified
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


def rebuild_all(ledger: Ledger, db: PostgresReadModelDb, projections: Sequence[Projection],
                locked_positions: Callable[[Tx], object], advance: Advance | None = None,
                processes: int | None = None) -> int:
    """Stage every projection and swap them in; returns the last position replayed.
    `processes`: how many groups stage in parallel (default: one per core, at most 4, from
    PARALLEL_FROM events; one below)."""
    staging = Staging(db.conninfo, f"{db.schema}__rebuild", ledger.max_position())
    if processes is None:
        processes = min(len(os.sched_getaffinity(0)), 4) if staging.stop >= PARALLEL_FROM else 1
    here, *apart = _groups(projections, processes)
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (_LOCK,))  # one rebuild at a time
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}").format(
            sql.Identifier(staging.schema)))
        try:
            if not apart:
                _stage(ledger, here, staging, advance)
            else:
                with ProcessPoolExecutor(len(apart),
                                         mp_context=multiprocessing.get_context("spawn")) as pool:
                    others = [pool.submit(_stage_apart, ledger.db, [p.name for p in group],
                                          staging) for group in apart]
                    _stage(ledger, here, staging, advance)
                    for other in others:
                        other.result()
            _swap_in(db, staging, projections, locked_positions)
        finally:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(staging.schema)))
    return staging.stop


def _groups(projections: Sequence[Projection], count: int) -> list[list[Projection]]:
    """At most `count` groups of about equal weight, heaviest first (greedy); projections a
    process of its own could not build by name (not in the catalogue) stay in the first, staged
    here."""
    known = {p.name for p in all_projections()}
    groups: list[list[Projection]] = [[] for _ in range(max(count, 1))]
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


def _stage(ledger: Ledger, projections: Sequence[Projection], staging: Staging,
           advance: Advance | None) -> None:
    """Steps 1 and 2 for these projections: folds straight into the staging schema, the
    others through an in-memory copy of their tables."""
    if not projections:
        return
    folds = [p for p in projections if isinstance(p, Fold)]
    others = [p for p in projections if not isinstance(p, Fold)]
    with psycopg.connect(staging.conninfo, row_factory=dict_row) as conn, \
            conn.cursor() as cursor:
        cursor.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(staging.schema)))
        for statement in (s for fold in folds for s in fold.ddl):
            if _index_name(statement) not in _reader_indexes(folds):
                cursor.execute(statement)
        staged = _replay(ledger, folds, others, staging.stop, advance, cursor)
        try:
            _copy_out(staged, others, cursor)
        finally:
            staged.close()
        for statement in (s for fold in folds for s in fold.ddl):
            if _index_name(statement) in _reader_indexes(folds):
                cursor.execute(statement)


def _reader_indexes(projections: Sequence[Projection]) -> set[str]:
    return {name for p in projections for name in p.reader_indexes}


def _stage_apart(db: Database, names: list[str], staging: Staging) -> None:
    """_stage in a process of its own, for the catalogue's projections of these names."""
    chosen = [p for p in all_projections() if p.name in names]
    if len(chosen) != len(names):
        raise ValueError(f"not in the catalogue: {sorted(set(names) - {p.name for p in chosen})}")
    ledger = Ledger(db, prepare=False)
    try:
        with heap.bulk_work():
            _stage(ledger, chosen, staging, None)
    finally:
        ledger.close()


def _replay(ledger: Ledger, folds: Sequence[Fold], others: Sequence[Projection], stop: int,
            advance: Advance | None, cursor: Any) -> SqliteReadModelDb:
    """Every page read once: through the folds, whose working sets start complete (the staging
    tables are empty) and are written by COPY whenever they outgrow STAGED_ROWS, and through
    the other projections into an in-memory SQLite copy of their tables."""
    staged = SqliteReadModelDb(":memory:")
    with staged.transaction() as tx:
        for projection in others:
            for statement in projection.ddl:  # no guards: nothing but this replay writes here
                if _index_name(statement) not in projection.reader_indexes:
                    tx.execute(statement)
    fanout = Fanout(others)
    sink = CopySink(PgTx(cursor), cursor)
    states = {fold.name: fold.new_state(complete=True) for fold in folds}
    position = 0
    while position < stop and (page := ledger.read_after(position, PAGE, stop)):
        if others:
            with staged.transaction() as tx:
                for at, event in page:
                    for _, handle in fanout.handlers(event_class(event)):
                        handle(event, tx, at)
        typed = classified(page)
        for fold in folds:
            sink.load(fold, typed, states[fold.name])
            fold.apply(typed, states[fold.name])
        if sum(state.size() for state in states.values()) > STAGED_ROWS:
            for fold in folds:  # written, and read back only as a later page needs them
                sink.write(states[fold.name])
                states[fold.name] = fold.new_state(complete=False)
        position = page[-1][0]
        if advance:
            advance(len(page))
    for fold in folds:
        sink.write(states[fold.name])
    return staged


def _copy_out(staged: SqliteReadModelDb, projections: Sequence[Projection], cursor: Any) -> None:
    """The staged tables into the staging schema: tables, rows, then indexes (built once over
    the rows, rather than updated row by row)."""
    with staged.reader() as source:
        statements = [s for p in projections for s in p.ddl]
        for statement in statements:
            if _creates_table(statement):
                cursor.execute(statement)
        for projection in projections:
            for table in projection.tables:
                rows = source.execute(f"SELECT * FROM {table}")
                columns = [d[0] for d in rows.description or ()]
                copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
                with cursor.copy(copy) as out:
                    for row in rows:
                        out.write_row(row)
        for statement in statements:
            if not _creates_table(statement):
                cursor.execute(statement)


def _creates_table(statement: str) -> bool:
    return statement.lstrip().upper().startswith("CREATE TABLE")


def _index_name(statement: str) -> str | None:
    words = statement.split()
    if "INDEX" not in words[:3]:
        return None
    return words[words.index("ON") - 1]


def _swap_in(db: PostgresReadModelDb, staging: Staging, projections: Sequence[Projection],
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
