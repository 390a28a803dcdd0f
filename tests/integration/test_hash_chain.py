"""Tamper evidence: the hash chain names the first event altered, removed, inserted or reordered
behind the ledger's back (as the database superuser, append-only triggers disabled)."""

from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from psycopg import sql

from adapters.eventstore.hash_chain import CHAIN_TABLE, chain_hash
from application.spending.commands import send_tip
from replay.verify import verify_ledger
from tests.conftest import PG_URL
from tests.helpers import fund


@pytest.fixture
def ledger_with_history(core, pg_schema):
    core.creators.register("creator-1", "Luna", "admin")
    fund(core, "fan-1", "pack_1200")
    for _ in range(5):
        core.spending.send(send_tip("fan-1", "creator-1", 100))
    return core


def tamper(schema: str, *statements: str) -> None:
    """As the superuser, with the append-only and chain triggers switched off."""
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for table in ("ledger_events", CHAIN_TABLE):
            conn.execute(sql.SQL("ALTER TABLE {}.{} DISABLE TRIGGER USER").format(
                sql.Identifier(schema), sql.Identifier(table)))
        for statement in statements:
            conn.execute(sql.SQL(statement).format(s=sql.Identifier(schema)))


def positions(schema: str) -> list[int]:
    with psycopg.connect(PG_URL) as conn:
        rows = conn.execute(sql.SQL("SELECT notification_id FROM {}.ledger_events "
                                    "ORDER BY notification_id").format(sql.Identifier(schema)))
        return [r[0] for r in rows]


def test_an_untouched_ledger_verifies_and_its_head_hash_is_the_recomputed_chain(
        ledger_with_history, pg_schema) -> None:
    report = verify_ledger(ledger_with_history.ledger)
    assert report.intact and report.verified_events == len(positions(pg_schema))
    with psycopg.connect(PG_URL) as conn:
        rows = conn.execute(sql.SQL("SELECT notification_id, originator_id, originator_version, "
                                    "topic, state FROM {}.ledger_events ORDER BY 1").format(
            sql.Identifier(pg_schema))).fetchall()
    head = b""
    for row in rows:
        head = chain_hash(head, *row)
    assert report.head_hash == head.hex() and report.head_position == rows[-1][0]


def test_group_commit_batches_are_chained_too(make_core, pg_schema) -> None:
    core = make_core(group_commit_window_ms=5)
    core.creators.register("creator-1", "Luna", "admin")
    fund(core, "fan-1", "pack_1200")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: core.spending.send(send_tip("fan-1", "creator-1", 10)),
                      range(40)))
    assert verify_ledger(core.ledger).intact


@pytest.mark.parametrize(("how", "problem"), [
    ("UPDATE {s}.ledger_events SET state = state || '\\x20'::bytea WHERE notification_id = %(n)s",
     "event altered or reordered"),
    ("DELETE FROM {s}.ledger_events WHERE notification_id = %(n)s", "event removed"),
    ("INSERT INTO {s}.ledger_events (originator_id, originator_version, topic, state) "
     "SELECT originator_id, originator_version + 1000, topic, state FROM {s}.ledger_events "
     "WHERE notification_id = %(n)s", "event inserted outside the ledger"),
    ("UPDATE {s}.ledger_events SET notification_id = -1 WHERE notification_id = %(n)s; "
     "UPDATE {s}.ledger_events SET notification_id = %(n)s WHERE notification_id = %(n)s + 1; "
     "UPDATE {s}.ledger_events SET notification_id = %(n)s + 1 WHERE notification_id = -1",
     "event altered or reordered"),  # two events swap places
])
def test_the_first_tampered_position_is_named(ledger_with_history, pg_schema, how,
                                              problem) -> None:
    ids = positions(pg_schema)
    target = ids[len(ids) // 2]
    tamper(pg_schema, *how.replace("%(n)s", str(target)).split("; "))
    report = verify_ledger(ledger_with_history.ledger)
    assert not report.intact and report.problem == problem
    if "inserted" in problem:  # the copy lands after every event the ledger recorded
        assert report.first_problem_position > ids[-1]
    else:
        assert report.first_problem_position == target


def test_a_ledger_recorded_before_the_chain_existed_is_chained_from_its_start(
        ledger_with_history, pg_schema, make_core) -> None:
    tamper(pg_schema, f"DELETE FROM {{s}}.{CHAIN_TABLE}")  # as if the chain had never been
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for table in ("ledger_events", CHAIN_TABLE):
            conn.execute(sql.SQL("ALTER TABLE {}.{} ENABLE TRIGGER USER").format(
                sql.Identifier(pg_schema), sql.Identifier(table)))
    later = make_core()  # starting up chains what is there, once
    report = verify_ledger(later.ledger)
    assert report.intact and report.verified_events == len(positions(pg_schema))


def test_processes_opening_the_store_at_once_do_not_deadlock_on_its_triggers(pg_schema) -> None:
    """`lyra serve --workers N` opens the store in N processes at once: the append-only and the
    chain DDL lock the same functions and tables in different orders, so they share one lock."""
    from adapters.eventstore.config import parse_database
    from adapters.eventstore.ledger import Ledger

    db = parse_database(PG_URL, pg_schema)
    Ledger(db).close()  # the tables exist; what follows only re-creates triggers and functions

    def open_store(_: int) -> None:
        Ledger(db).close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(open_store, range(12)))
