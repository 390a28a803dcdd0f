"""The read-model database: PostgreSQL (psycopg 3 pool) or SQLite, written with one SQL dialect.

Statements use %s placeholders and ON CONFLICT upserts, which both engines accept (SQLite's
placeholders are translated). A transaction here is where a projection writes its rows and its
position together.
"""

import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

Row = dict[str, Any]
_ROWS_PER_INSERT = 512  # SQLite takes at most 32,766 parameters in one statement
# Per read-model table, its columns' types: a table's DDL is the same everywhere.
_COLUMN_TYPES: dict[str, dict[str, str]] = {}


class Tx(ABC):
    @abstractmethod
    def execute(self, statement: str, params: Sequence[Any] = ()) -> None: ...

    @abstractmethod
    def query(self, statement: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def one(self, statement: str, params: Sequence[Any] = ()) -> Row | None:
        rows = self.query(statement, params)
        return rows[0] if rows else None

    def select_in(self, table: str, columns: Sequence[str], values: Sequence[Any]) -> list[Row]:
        """Every row whose columns hold one of the values (a tuple each, for two columns or
        more)."""
        found: list[Row] = []
        named = columns[0] if len(columns) == 1 else f"({', '.join(columns)})"
        one = "%s" if len(columns) == 1 else f"({', '.join(['%s'] * len(columns))})"
        for start in range(0, len(values), _ROWS_PER_INSERT):
            chunk = values[start:start + _ROWS_PER_INSERT]
            params = chunk if len(columns) == 1 else [v for value in chunk for v in value]
            found += self.query(f"SELECT * FROM {table} WHERE {named} IN "
                                f"({', '.join([one] * len(chunk))})", params)
        return found

    def insert_rows(self, table: str, rows: Sequence[Sequence[Any]], suffix: str = "",
                    columns: tuple[str, ...] = ()) -> None:
        """Many rows in a few multi-row INSERTs: the database plans and runs one statement per
        chunk instead of one per row. Chunks come in powers of two, so each statement's text
        recurs and its parsed (and prepared) form is reused. Rows hold every column in table
        order, or the named columns."""
        named = f" ({', '.join(columns)})" if columns else ""
        start = 0
        while start < len(rows):
            size = min(_ROWS_PER_INSERT, 1 << ((len(rows) - start).bit_length() - 1))
            chunk = rows[start:start + size]
            values = ", ".join(["(" + ", ".join(["%s"] * len(chunk[0])) + ")"] * size)
            self.execute(f"INSERT INTO {table}{named} VALUES {values} {suffix}",
                         [value for row in chunk for value in row])
            start += size


class ReadModelDb(ABC):
    kind: str
    lock_clause: str = ""  # appended to a SELECT that must lock its row until commit

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[Tx]: ...

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.transaction() as tx:
            return tx.query(statement, params)

    @contextmanager
    def snapshot(self) -> Iterator[Tx]:
        """A read-only transaction whose every statement sees the same committed state."""
        with self.transaction() as tx:
            yield tx

    @contextmanager
    def batch(self) -> Iterator[Tx]:
        """A transaction for many writes in a row, as a projection batch makes."""
        with self.transaction() as tx:
            yield tx

    @abstractmethod
    def close(self) -> None: ...


class PgTx(Tx):
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(statement, params or None)  # no params: "%" is left alone

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        self._cursor.execute(statement, params or None)
        return list(self._cursor.fetchall())

    def select_in(self, table: str, columns: Sequence[str], values: Sequence[Any]) -> list[Row]:
        if len(columns) > 1:
            return super().select_in(table, columns, values)
        return self.query(f"SELECT * FROM {table} WHERE {columns[0]} = ANY(%s)", (list(values),))

    def insert_rows(self, table: str, rows: Sequence[Sequence[Any]], suffix: str = "",
                    columns: tuple[str, ...] = ()) -> None:
        """One statement for any number of rows: a column each, as typed arrays, unnested.
        Its text never changes, so it is parsed and prepared once. The arrays go in binary: in
        text format psycopg quotes and escapes every element in Python (six times slower)."""
        if not rows:
            return
        types = self._column_types(table)
        named = f" ({', '.join(columns)})" if columns else ""
        arrays = ", ".join(f"%b::{types[c]}[]" for c in columns or types)
        self._cursor.execute(f"INSERT INTO {table}{named} SELECT * FROM unnest({arrays}) {suffix}",
                             [list(column) for column in zip(*rows, strict=True)])

    def _column_types(self, table: str) -> dict[str, str]:
        types = _COLUMN_TYPES.get(table)
        if types is None:
            self._cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = %s AND table_schema = current_schema() "
                "ORDER BY ordinal_position", (table,))
            types = _COLUMN_TYPES[table] = {row["column_name"]: row["data_type"]
                                            for row in self._cursor.fetchall()}
        return types


class PostgresReadModelDb(ReadModelDb):
    kind = "postgres"
    lock_clause = " FOR UPDATE"

    def __init__(self, conninfo: str, schema: str, max_size: int = 8,
                 timeout_s: float = 30.0) -> None:
        self.conninfo = conninfo
        self.schema = schema

        def configure(conn: Any) -> None:
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
            conn.commit()

        self._pool = ConnectionPool(conninfo, min_size=1, max_size=max_size, open=True,
                                    kwargs={"row_factory": dict_row, "connect_timeout": 5},
                                    configure=configure, timeout=timeout_s)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            yield PgTx(cursor)

    @contextmanager
    def snapshot(self) -> Iterator[Tx]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield PgTx(cursor)

    @contextmanager
    def batch(self) -> Iterator[Tx]:
        """In pipeline mode: writes are sent without waiting for each one's answer, and only a
        read waits. A statement that fails fails the batch at the next read or at commit."""
        with self._pool.connection() as conn, conn.pipeline(), conn.transaction(), \
                conn.cursor() as cursor:
            yield PgTx(cursor)

    def close(self) -> None:
        self._pool.close()


class _SqliteTx(Tx):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self._conn.execute(statement.replace("%s", "?"), tuple(params))

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = self._conn.execute(statement.replace("%s", "?"), tuple(params))
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class SqliteReadModelDb(ReadModelDb):
    """One connection behind a lock: SQLite has a single writer anyway."""

    kind = "sqlite"

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                     timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTx(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        """The connection itself, for reading rows as tuples lazily (a staged table can be
        large)."""
        with self._lock:
            yield self._conn

    def close(self) -> None:
        self._conn.close()
