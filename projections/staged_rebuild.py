"""A full rebuild at the speed of reading: every projection replayed into an in-memory SQLite
copy of the read models (each event read and decoded once, fanned out to all of them, no network
round trip per statement), then copied into PostgreSQL in one transaction with COPY, tables and
positions swapped together. Readers see the old read models until that commit, then the new.

The projections' SQL runs on both engines (SQLite is the embedded default), so the staged rows are
the rows a live catch-up would have written.
"""

import time
from collections.abc import Callable, Sequence

from psycopg import sql

from application.ledger import Ledger
from projections.base import Projection
from projections.db import ReadModelDb, SqliteReadModelDb, Tx
from projections.fanout import Fanout

PAGE = 5_000

Advance = Callable[[int], None]


def stage(ledger: Ledger, projections: Sequence[Projection],
          advance: Advance | None = None) -> tuple[SqliteReadModelDb, int, int]:
    """Replay the whole log into a fresh in-memory database; returns it, the last position and
    how many events it replayed."""
    staged = SqliteReadModelDb(":memory:")
    with staged.transaction() as tx:
        for projection in projections:
            for statement in projection.ddl:  # no guards: nothing but this replay writes here
                tx.execute(statement)
    position = count = 0
    fanout = Fanout(projections)
    while notifications := ledger.recorder.select_notifications(
            start=position, limit=PAGE, inclusive_of_start=False):
        with staged.transaction() as tx:
            for notification in notifications:
                event = ledger.mapper.to_domain_event(notification)
                for _, handle in fanout.handlers(type(event)):
                    handle(event, tx, notification.id)
        position = notifications[-1].id
        count += len(notifications)
        if advance:
            advance(len(notifications))
    return staged, position, count


def swap_into(db: ReadModelDb, staged: SqliteReadModelDb, projections: Sequence[Projection],
              position: int, locked_positions: Callable[[Tx], object]) -> None:
    """Replace the live read models with the staged ones, and their positions, in one commit."""
    assert db.kind == "postgres"
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with db.transaction() as tx, staged.reader() as source:
        locked_positions(tx)  # a runner in another process waits for this swap, then resumes
        cursor = tx.cursor  # type: ignore[attr-defined]
        for projection in projections:
            for table in projection.tables:
                tx.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in (*projection.ddl, *projection.guards.get(db.kind, ())):
                tx.execute(statement)
            for table in projection.tables:
                rows = source.execute(f"SELECT * FROM {table}")
                columns = [d[0] for d in rows.description or ()]
                copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
                with cursor.copy(copy) as out:
                    for row in rows:
                        out.write_row(row)
            tx.execute("INSERT INTO rm_projection_positions (name, position, updated_at) "
                       "VALUES (%s, %s, %s) ON CONFLICT (name) DO UPDATE SET "
                       "position = excluded.position, updated_at = excluded.updated_at",
                       (projection.name, position, now))
