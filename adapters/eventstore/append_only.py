"""The event store refuses UPDATE, DELETE and TRUNCATE in the database itself, not only in our code."""

import sqlite3

import psycopg
from psycopg import sql

from adapters.eventstore.config import Database

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION {schema}.lyra_refuse_event_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger events are append-only: % refused on %', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$
"""
_PG_ROW_TRIGGER = """
CREATE OR REPLACE TRIGGER lyra_append_only BEFORE UPDATE OR DELETE ON {schema}.{table}
FOR EACH ROW EXECUTE FUNCTION {schema}.lyra_refuse_event_change()
"""
_PG_TRUNCATE_TRIGGER = """
CREATE OR REPLACE TRIGGER lyra_append_only_truncate BEFORE TRUNCATE ON {schema}.{table}
FOR EACH STATEMENT EXECUTE FUNCTION {schema}.lyra_refuse_event_change()
"""
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS lyra_no_update BEFORE UPDATE ON {table} "
    "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only: UPDATE refused'); END",
    "CREATE TRIGGER IF NOT EXISTS lyra_no_delete BEFORE DELETE ON {table} "
    "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only: DELETE refused'); END",
)


def protect_events_table(db: Database, table: str) -> None:
    if db.kind == "postgres":
        names = {"schema": sql.Identifier(db.schema), "table": sql.Identifier(table)}
        with psycopg.connect(db.conninfo, autocommit=True) as conn, conn.transaction():
            for statement in (_PG_FUNCTION, _PG_ROW_TRIGGER, _PG_TRUNCATE_TRIGGER):
                conn.execute(sql.SQL(statement).format(**names))
    else:
        with sqlite3.connect(db.sqlite_path) as lite:
            for statement in _SQLITE_TRIGGERS:
                lite.execute(statement.format(table=table))
