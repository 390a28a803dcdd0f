"""Read the new events of many aggregates in one query (the library reads one aggregate at a time).

Group commit plans hundreds of commands per transaction; loading their aggregates one SELECT at a
time would cost more than the transaction itself.
"""

from collections import defaultdict
from uuid import UUID

from eventsourcing.persistence import AggregateRecorder, ApplicationRecorder, StoredEvent
from psycopg import sql
from psycopg.rows import tuple_row


def select_events_after(recorder: ApplicationRecorder, kind: str, schema: str, table: str,
                        after: dict[UUID, int]) -> dict[UUID, list[StoredEvent]]:
    """For each id, its stored events with a version greater than the one given, in order."""
    found: dict[UUID, list[StoredEvent]] = defaultdict(list)
    if not after:
        return found
    if kind != "postgres":
        for aggregate_id, version in after.items():
            found[aggregate_id].extend(recorder.select_events(aggregate_id, gt=version or None))
        return found
    # LATERAL makes it one primary-key range scan per aggregate: a plain join of the unnested
    # keys lets the planner choose a hash join that reads the whole events table, whose cost then
    # grows with the ledger instead of with the aggregates asked for.
    statement = sql.SQL(
        "SELECT e.originator_id, e.originator_version, e.topic, e.state "
        "FROM unnest(%s::uuid[], %s::bigint[]) AS k(id, v) CROSS JOIN LATERAL ("
        "SELECT originator_id, originator_version, topic, state FROM {}.{} "
        "WHERE originator_id = k.id AND originator_version > k.v "
        "ORDER BY originator_version) e").format(sql.Identifier(schema), sql.Identifier(table))
    ids, versions = list(after), [after[i] for i in after]
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:  # type: ignore[attr-defined]
        curs.execute(statement, (ids, versions), prepare=True)
        for row in curs.fetchall():
            found[row["originator_id"]].append(StoredEvent(
                originator_id=row["originator_id"], originator_version=row["originator_version"],
                topic=row["topic"], state=bytes(row["state"])))
    return found


def select_latest_snapshots(recorder: AggregateRecorder, kind: str, schema: str, table: str,
                            aggregate_ids: list[UUID]) -> list[StoredEvent]:
    """The latest stored snapshot of each id that has one, in one query on PostgreSQL."""
    if kind != "postgres":
        return [found for aggregate_id in aggregate_ids
                for found in recorder.select_events(aggregate_id, desc=True, limit=1)]
    statement = sql.SQL(
        "SELECT s.originator_id, s.originator_version, s.topic, s.state "
        "FROM unnest(%s::uuid[]) AS k(id) CROSS JOIN LATERAL ("
        "SELECT originator_id, originator_version, topic, state FROM {}.{} "
        "WHERE originator_id = k.id ORDER BY originator_version DESC LIMIT 1) s"
    ).format(sql.Identifier(schema), sql.Identifier(table))
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:  # type: ignore[attr-defined]
        curs.execute(statement, (aggregate_ids,), prepare=True)
        return [StoredEvent(originator_id=row["originator_id"],
                            originator_version=row["originator_version"], topic=row["topic"],
                            state=bytes(row["state"])) for row in curs.fetchall()]


def prune_snapshots(recorder: AggregateRecorder, kind: str, schema: str, table: str,
                    aggregate_id: UUID, below_version: int) -> int | None:
    """Drop an aggregate's snapshots older than its latest: only the latest is ever read, and
    the events are the whole truth, so the snapshots table stays one row per aggregate. Returns
    the version of the latest one dropped, if any."""
    if kind == "postgres":
        with recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
            rows = conn.execute(sql.SQL("DELETE FROM {}.{} WHERE originator_id = %s AND "
                                        "originator_version < %s RETURNING originator_version")
                                .format(sql.Identifier(schema), sql.Identifier(table)),
                                (aggregate_id, below_version)).fetchall()
            return max((row["originator_version"] for row in rows), default=None)
    name = recorder.events_table_name  # type: ignore[attr-defined]
    with recorder.datastore.transaction(commit=True) as cursor:  # type: ignore[attr-defined]
        cursor.execute(f"DELETE FROM {name} WHERE originator_id = ? AND originator_version < ? "
                       "RETURNING originator_version", (aggregate_id.hex, below_version))
        return max((row[0] for row in cursor.fetchall()), default=None)


def select_events_at(recorder: ApplicationRecorder, kind: str, schema: str, table: str,
                     positions: list[int]) -> dict[int, StoredEvent]:
    """The stored events at these ledger positions (notification ids), in one query."""
    if not positions:
        return {}
    if kind == "postgres":
        statement = sql.SQL("SELECT notification_id, originator_id, originator_version, topic, "
                            "state FROM {}.{} WHERE notification_id = ANY(%s)").format(
            sql.Identifier(schema), sql.Identifier(table))
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:  # type: ignore[attr-defined]
            curs.execute(statement, (positions,), prepare=True)
            return {row["notification_id"]: StoredEvent(
                originator_id=row["originator_id"], originator_version=row["originator_version"],
                topic=row["topic"], state=bytes(row["state"])) for row in curs.fetchall()}
    name = recorder.events_table_name  # type: ignore[attr-defined]
    marks = ",".join("?" * len(positions))
    with recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
        cursor.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM {name} "
                       f"WHERE rowid IN ({marks})", positions)
        return {row[0]: StoredEvent(originator_id=UUID(row[1]), originator_version=row[2],
                                    topic=row[3], state=bytes(row[4]))
                for row in cursor.fetchall()}


def select_rows_after(recorder: ApplicationRecorder, schema: str, table: str, start: int,
                      limit: int, stop: int | None) -> list[tuple[int, str, int, str, bytes]]:
    """PostgreSQL: a page of (position, id, version, topic, state) after `start`, as plain tuples
    in binary format (the library's reader builds a frozen dataclass per row, in text format).
    The stream's id comes as text, formatted by the server: what read models store, where a
    UUID built here and formatted again cost a fifth of a page's decoding.

    `stop` filters the page rather than bounding the scan: with both bounds in one range the
    planner, guessing a narrow range, sorted a bitmap scan's rows, several times slower than
    walking the index in order; a page cut short by `stop` is the last one anyway."""
    statement = sql.SQL(
        "SELECT * FROM (SELECT notification_id, originator_id::text, originator_version, topic, "
        "state FROM {}.{} WHERE notification_id > %s ORDER BY notification_id LIMIT %s) page "
        "WHERE notification_id <= %s").format(sql.Identifier(schema), sql.Identifier(table))
    datastore = recorder.datastore  # type: ignore[attr-defined]
    with datastore.get_connection() as conn, \
            conn.cursor(row_factory=tuple_row, binary=True) as curs:
        curs.execute(statement, (start, limit, stop if stop is not None else 2**62), prepare=True)
        return curs.fetchall()


def select_streams_with_positions(recorder: ApplicationRecorder, kind: str, schema: str,
                                  table: str, streams: list[UUID]
                                  ) -> list[tuple[int, UUID, int, str, bytes]]:
    """Every stored event of these streams as (position, id, version, topic, state), in ledger
    order: an audit export's rows, exactly as they are hashed into the chain."""
    rows: list[tuple[int, UUID, int, str, bytes]] = []
    if kind == "postgres":
        statement = sql.SQL(
            "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state "
            "FROM unnest(%s::uuid[]) AS k(id) CROSS JOIN LATERAL (SELECT notification_id, "
            "originator_id, originator_version, topic, state FROM {}.{} "
            "WHERE originator_id = k.id) e").format(sql.Identifier(schema), sql.Identifier(table))
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:  # type: ignore[attr-defined]
            for start in range(0, len(streams), 5_000):
                curs.execute(statement, (streams[start:start + 5_000],), prepare=True)
                rows += [(row["notification_id"], row["originator_id"],
                          row["originator_version"], row["topic"], bytes(row["state"]))
                         for row in curs.fetchall()]
    else:
        name = recorder.events_table_name  # type: ignore[attr-defined]
        with recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
            for stream in streams:
                cursor.execute(f"SELECT rowid, originator_id, originator_version, topic, "
                               f"CAST(state AS BLOB) FROM {name} WHERE originator_id = ?",
                               (stream.hex,))
                rows += [(r[0], UUID(r[1]), r[2], r[3], bytes(r[4])) for r in cursor.fetchall()]
    rows.sort()
    return rows
