"""Deferred inserts: written together, yet every statement after them sees them as if each had
been inserted at once; written at commit; gone with a failed transaction. On both engines, by
example and for any mix of statements (Hypothesis)."""

from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from psycopg import sql

from projections.db import PostgresReadModelDb, ReadModelDb, SqliteReadModelDb
from tests.conftest import PG_URL

TABLE = ("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT NOT NULL, "
         "total BIGINT NOT NULL DEFAULT 0, note TEXT)")


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, pg_schema: str) -> Iterator[ReadModelDb]:
    if request.param == "sqlite":
        opened: ReadModelDb = SqliteReadModelDb(":memory:")
    else:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(pg_schema)))
        opened = PostgresReadModelDb(PG_URL, pg_schema, max_size=2)
    with opened.transaction() as tx:
        tx.execute(TABLE)
        tx.execute("CREATE TABLE other (id BIGINT PRIMARY KEY)")
    yield opened
    opened.close()


def _rows(db: ReadModelDb) -> list[dict[str, object]]:
    return db.query("SELECT id, name, total, note FROM t ORDER BY id")


def test_rows_are_written_at_commit_with_the_other_columns_defaulted(db: ReadModelDb) -> None:
    with db.transaction() as tx:
        for i in range(5):
            tx.defer_insert("t", ("id", "name"), (i, f"n{i}"))
    assert _rows(db) == [{"id": i, "name": f"n{i}", "total": 0, "note": None} for i in range(5)]


def test_a_statement_naming_the_table_sees_the_rows_deferred_before_it(db: ReadModelDb) -> None:
    with db.transaction() as tx:
        tx.defer_insert("t", ("id", "name"), (1, "a"))
        tx.execute("UPDATE t SET total = total + 7 WHERE id = %s", (1,))
        tx.defer_insert("t", ("id", "name"), (2, "b"))
        assert tx.one("SELECT count(*) AS n FROM t") == {"n": 2}
        tx.defer_insert("t", ("id", "name", "note"), (3, "c", "x"))
    assert _rows(db) == [{"id": 1, "name": "a", "total": 7, "note": None},
                         {"id": 2, "name": "b", "total": 0, "note": None},
                         {"id": 3, "name": "c", "total": 0, "note": "x"}]


def test_statements_on_other_tables_leave_the_rows_waiting(db: ReadModelDb) -> None:
    with db.transaction() as tx:
        tx.defer_insert("t", ("id", "name"), (1, "a"))
        tx.execute("INSERT INTO other VALUES (%s)", (1,))
        assert tx.one("SELECT count(*) AS n FROM other") == {"n": 1}
        tx.defer_insert("t", ("id", "name"), (2, "b"))
    assert [r["id"] for r in _rows(db)] == [1, 2]


def test_a_failed_transaction_writes_none_of_them(db: ReadModelDb) -> None:
    with pytest.raises(RuntimeError), db.transaction() as tx:
        tx.defer_insert("t", ("id", "name"), (1, "a"))
        raise RuntimeError("the batch failed")
    assert _rows(db) == []


def test_a_conflict_among_them_fails_the_transaction(db: ReadModelDb) -> None:
    with db.transaction() as tx:
        tx.execute("INSERT INTO t (id, name) VALUES (%s, %s)", (1, "first"))
    with pytest.raises(Exception, match="(?i)unique|duplicate"), db.transaction() as tx:
        tx.defer_insert("t", ("id", "name"), (2, "b"))
        tx.defer_insert("t", ("id", "name"), (1, "again"))
    assert _rows(db) == [{"id": 1, "name": "first", "total": 0, "note": None}]


def test_a_suffix_goes_with_its_rows(db: ReadModelDb) -> None:
    with db.transaction() as tx:
        tx.execute("INSERT INTO t (id, name) VALUES (%s, %s)", (1, "first"))
        for name in ("again", "twice"):
            tx.defer_insert("t", ("id", "name"), (1, name), "ON CONFLICT (id) DO NOTHING")
    assert [r["name"] for r in _rows(db)] == ["first"]


Op = tuple[str, int, int]
_ops = st.lists(st.tuples(st.sampled_from(["insert", "bump", "count", "other", "upsert"]),
                          st.integers(0, 6), st.integers(-5, 5)), max_size=40)


def _apply(db: ReadModelDb, ops: list[Op], defer: bool) -> tuple[list[object], list[object]]:
    """The ops in one transaction, inserting at once or deferred; what each read saw, and the
    table at the end."""
    seen: list[object] = []
    with db.transaction() as tx:
        for kind, key, amount in ops:
            if kind == "insert":
                if tx.one("SELECT 1 AS found FROM t WHERE id = %s", (key,)) is None:
                    row = (key, f"n{key}", amount)
                    if defer:
                        tx.defer_insert("t", ("id", "name", "total"), row)
                    else:
                        tx.execute("INSERT INTO t (id, name, total) VALUES (%s, %s, %s)", row)
            elif kind == "upsert":  # the audit log's streams: a conflict leaves the first
                if defer:
                    tx.defer_insert("t", ("id", "name"), (key, "late"), "ON CONFLICT (id) DO NOTHING")
                else:
                    tx.execute("INSERT INTO t (id, name) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",
                               (key, "late"))
            elif kind == "bump":
                tx.execute("UPDATE t SET total = total + %s WHERE id = %s", (amount, key))
            elif kind == "count":
                seen.append(tx.one("SELECT count(*) AS n, coalesce(sum(total), 0) AS s FROM t"))
            else:
                tx.execute("INSERT INTO other VALUES (%s) ON CONFLICT (id) DO NOTHING", (key,))
    return seen, db.query("SELECT id, name, total FROM t ORDER BY id")


@given(ops=_ops)
def test_deferring_changes_nothing_any_statement_can_see(ops: list[Op]) -> None:
    """Whatever mix of inserts, updates and reads a batch makes, deferring its inserts gives
    every read and the final table exactly what inserting each at once gives."""
    results = []
    for defer in (False, True):
        db = SqliteReadModelDb(":memory:")
        with db.transaction() as tx:
            tx.execute(TABLE)
            tx.execute("CREATE TABLE other (id BIGINT PRIMARY KEY)")
        results.append(_apply(db, ops, defer))
        db.close()
    assert results[0] == results[1]


@given(ops=_ops)
def test_deferring_changes_nothing_on_postgresql_either(pg_schema: str, ops: list[Op]) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}").format(
            sql.Identifier(pg_schema)))
    db = PostgresReadModelDb(PG_URL, pg_schema, max_size=1)
    try:
        results = []
        for defer in (False, True):
            with db.transaction() as tx:
                tx.execute("DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS other")
                tx.execute(TABLE)
                tx.execute("CREATE TABLE other (id BIGINT PRIMARY KEY)")
            results.append(_apply(db, ops, defer))
        assert results[0] == results[1]
    finally:
        db.close()
