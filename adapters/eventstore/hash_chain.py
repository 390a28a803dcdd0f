"""Tamper evidence: every event recorded on PostgreSQL is chained to the one before it.

A statement-level trigger on the events table writes, in the same transaction as the INSERT (so
for a whole group-commit batch at once), one chain entry per event:
    hash = sha256(previous hash || notification id || originator id || version
                  || len(topic) || topic || len(state) || state)
with integers big-endian and the first entry chained to the empty string. Writers already hold
the events table's exclusive lock, so entries follow notification ids exactly. The chain table is
append-only like the events. `verify` recomputes the chain and names the first position where an
event was altered, removed, inserted outside the ledger, or reordered; publishing the head hash it
returns lets an auditor later tell a rewritten history from the one they saw.

On the embedded SQLite default the recorder writes the same chain itself, in the same
transaction (adapters/eventstore/sqlite_recorder.py).
"""

import hashlib
import sqlite3
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from uuid import UUID

import psycopg
from psycopg import sql

from adapters.eventstore.config import Database

CHAIN_TABLE = "ledger_chain"

_DDL = (
    """CREATE TABLE IF NOT EXISTS {schema}.{chain} (
        notification_id BIGINT PRIMARY KEY,
        hash BYTEA NOT NULL)""",
    """CREATE OR REPLACE FUNCTION {schema}.lyra_chain_events() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
      prev bytea;
      r record;
      ids bigint[] := '{{}}';
      hashes bytea[] := '{{}}';
    BEGIN
      SELECT hash INTO prev FROM {schema}.{chain} ORDER BY notification_id DESC LIMIT 1;
      prev := COALESCE(prev, ''::bytea);
      FOR r IN SELECT notification_id, originator_id, originator_version, topic, state
               FROM new_events ORDER BY notification_id LOOP
        prev := sha256(prev || int8send(r.notification_id) || uuid_send(r.originator_id)
                       || int8send(r.originator_version)
                       || int4send(octet_length(convert_to(r.topic, 'UTF8')))
                       || convert_to(r.topic, 'UTF8')
                       || int4send(octet_length(r.state)) || r.state);
        ids := ids || r.notification_id;
        hashes := hashes || prev;
      END LOOP;
      INSERT INTO {schema}.{chain} (notification_id, hash)
        SELECT * FROM unnest(ids, hashes);
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE TRIGGER lyra_chain AFTER INSERT ON {schema}.{events}
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT
    EXECUTE FUNCTION {schema}.lyra_chain_events()""",
    """CREATE OR REPLACE TRIGGER lyra_append_only BEFORE UPDATE OR DELETE ON {schema}.{chain}
    FOR EACH ROW EXECUTE FUNCTION {schema}.lyra_refuse_event_change()""",
    """CREATE OR REPLACE TRIGGER lyra_append_only_truncate BEFORE TRUNCATE ON {schema}.{chain}
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.lyra_refuse_event_change()""",
)


def install_hash_chain(db: Database, events_table: str) -> None:
    """Idempotent; after the append-only function exists (protect_events_table), under the
    start-up lock."""
    names = {"schema": sql.Identifier(db.schema), "events": sql.Identifier(events_table),
             "chain": sql.Identifier(CHAIN_TABLE)}
    with psycopg.connect(db.conninfo, autocommit=True) as conn, conn.transaction():
        for statement in _DDL:
            conn.execute(sql.SQL(statement).format(**names))


def chain_hash(previous: bytes, notification_id: int, originator_id: UUID, version: int,
               topic: str, state: bytes) -> bytes:
    """The same hash the trigger computes."""
    topic_bytes = topic.encode()
    return hashlib.sha256(
        previous + struct.pack(">q", notification_id) + originator_id.bytes
        + struct.pack(">q", version) + struct.pack(">i", len(topic_bytes)) + topic_bytes
        + struct.pack(">i", len(state)) + bytes(state)).digest()


@dataclass
class ChainReport:
    verified_events: int
    head_position: int
    head_hash: str  # hex: publish it, so a later verification can be compared with it
    intact: bool
    first_problem_position: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, object]:
        return dict(vars(self))


def _pages(db: Database, statement: str, page: int) -> Iterator[tuple]:
    """Rows of `statement` (keyset-paged on its first column), in bounded memory."""
    after = 0
    if db.kind == "postgres":
        with psycopg.connect(db.conninfo) as conn:
            while rows := conn.execute(statement.replace("?", "%s"), (after, page)).fetchall():
                yield from rows
                after = rows[-1][0]
        return
    with sqlite3.connect(db.sqlite_path) as lite:
        while rows := lite.execute(statement, (after, page)).fetchall():
            yield from rows
            after = rows[-1][0]


def _events(db: Database, events_table: str, page: int) -> Iterator[tuple]:
    if db.kind == "postgres":
        table = f'"{db.schema}"."{events_table}"'
        statement = (f"SELECT notification_id, originator_id, originator_version, topic, state "
                     f"FROM {table} WHERE notification_id > ? ORDER BY notification_id LIMIT ?")
        yield from _pages(db, statement, page)
        return
    # As bytes whatever its storage class: a state altered into text (`state || x'20'`) must
    # fail the chain, not the reader.
    statement = (f"SELECT rowid, originator_id, originator_version, topic, CAST(state AS BLOB) "
                 f"FROM {events_table} WHERE rowid > ? ORDER BY rowid LIMIT ?")
    for nid, originator, version, topic, state in _pages(db, statement, page):
        yield nid, UUID(originator), version, topic, state


def _chain(db: Database, page: int) -> Iterator[tuple]:
    table = f'"{db.schema}"."{CHAIN_TABLE}"' if db.kind == "postgres" else CHAIN_TABLE
    yield from _pages(db, f"SELECT notification_id, hash FROM {table} "
                          "WHERE notification_id > ? ORDER BY notification_id LIMIT ?", page)


def total_events(db: Database, events_table: str) -> int:
    table = f'"{db.schema}"."{events_table}"' if db.kind == "postgres" else events_table
    if db.kind == "postgres":
        with psycopg.connect(db.conninfo) as conn:
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    else:
        with sqlite3.connect(db.sqlite_path) as lite:
            row = lite.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def verify(db: Database, events_table: str, page: int = 5_000,
           advance: Callable[[int], None] | None = None) -> ChainReport:
    """Walk the events and the chain side by side, in bounded memory; stop at the first problem."""
    previous = b""
    checked = 0
    position = 0
    events, chain = _events(db, events_table, page), _chain(db, page)
    event, entry = next(events, None), next(chain, None)
    while event is not None or entry is not None:
        if entry is None or (event is not None and event[0] < entry[0]):
            assert event is not None
            return _broken(checked, position, previous, event[0],
                           "event inserted outside the ledger")
        if event is None or entry[0] < event[0]:
            return _broken(checked, position, previous, entry[0], "event removed")
        nid, originator_id, version, topic, state = event
        # A tampered row may not even hold bytes (SQLite's || makes text): hash what is there.
        content = state.encode() if isinstance(state, str) else bytes(state)
        expected = chain_hash(previous, nid, originator_id, version, str(topic), content)
        if bytes(entry[1]) != expected:
            return _broken(checked, position, previous, nid, "event altered or reordered")
        previous, position = expected, nid
        checked += 1
        if advance is not None and checked % 1_000 == 0:
            advance(1_000)
        event, entry = next(events, None), next(chain, None)
    if advance is not None:
        advance(checked % 1_000)
    return ChainReport(checked, position, previous.hex(), True)


def _broken(checked: int, position: int, previous: bytes, at: int, problem: str) -> ChainReport:
    return ChainReport(checked, position, previous.hex(), False, at, problem)


def backfill_chain(db: Database, events_table: str) -> int:
    """Chain the events recorded before the chain existed (once: only while the chain is empty),
    under the writers' lock, so a ledger that predates tamper evidence is covered from its start.
    Returns how many entries were written."""
    if db.kind == "postgres":
        events = sql.SQL("{}.{}").format(sql.Identifier(db.schema), sql.Identifier(events_table))
        chain = sql.SQL("{}.{}").format(sql.Identifier(db.schema), sql.Identifier(CHAIN_TABLE))
        with psycopg.connect(db.conninfo) as conn, conn.transaction():
            if conn.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(chain)).fetchone():
                return 0  # the common case, without taking the writers' lock
            conn.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(events))
            if conn.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(chain)).fetchone():
                return 0  # a first write was chained by the trigger while we waited
            rows = conn.execute(sql.SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state "
                "FROM {} ORDER BY notification_id").format(events)).fetchall()
            entries = _entries(rows)
            with conn.cursor() as cursor:
                cursor.executemany(sql.SQL("INSERT INTO {} VALUES (%s, %s)").format(chain), entries)
            return len(entries)
    with sqlite3.connect(db.sqlite_path, isolation_level=None) as lite:
        lite.execute("BEGIN IMMEDIATE")
        if lite.execute(f"SELECT 1 FROM {CHAIN_TABLE} LIMIT 1").fetchone():
            lite.execute("ROLLBACK")
            return 0
        rows = lite.execute(f"SELECT rowid, originator_id, originator_version, topic, state "
                            f"FROM {events_table} ORDER BY rowid").fetchall()
        entries = _entries([(n, UUID(o), v, t, s) for n, o, v, t, s in rows])
        lite.executemany(f"INSERT INTO {CHAIN_TABLE} VALUES (?, ?)", entries)
        lite.execute("COMMIT")
        return len(entries)


def _entries(rows: list[tuple]) -> list[tuple[int, bytes]]:
    previous = b""
    entries = []
    for nid, originator_id, version, topic, state in rows:
        previous = chain_hash(previous, nid, originator_id, version, topic, bytes(state))
        entries.append((nid, previous))
    return entries
