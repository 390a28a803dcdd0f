"""Where a fold's changed rows go: one statement per table and page, or COPY on a rebuild.

`TxSink` writes into a read-model transaction (the live runner, an in-place or as-of replay on
either engine): a table's changed rows in one upsert, its totals in one adding upsert, its new
log rows in one insert. `CopySink` writes into a rebuild's staging schema on PostgreSQL: rows the
staging tables do not hold yet go in by COPY, the rest as above.
"""

from collections.abc import Sequence
from typing import Any

from psycopg import sql

from projections.db import Row, Tx
from projections.fold import TOTALS, Fold, State, Table, classified, wanted


class TxSink:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def load(self, fold: Fold, page: Sequence[tuple[int, type, Any]], state: State) -> None:
        """The KEYED rows the page's handlers will read, one query per table; any other they
        read is fetched when they read it."""
        state.fetching(self.fetch)
        for table, keys in wanted(fold, page, state):
            keyed = state.keyed[table]
            keyed.loaded(self.fetch(table, table.key, keys))
            for key in keys:
                keyed.rows.setdefault(key, None)

    def fetch(self, table: Table, columns: tuple[str, ...], values: list[Any]) -> list[Row]:
        return self.tx.select_in(table.name, columns, values)

    def write(self, state: State) -> None:
        for table, keyed in state.keyed.items():
            if keyed.dirty:
                rows = [row for key in keyed.dirty if (row := keyed.rows[key]) is not None]
                gone = [key for key in keyed.dirty if keyed.rows[key] is None]
                if keyed.dirty.isdisjoint(keyed.stored):
                    self.insert(table, rows)
                else:
                    self.delete(table, [key for key in gone if key in keyed.stored])
                    self.upsert(table, rows)
                keyed.stored |= keyed.dirty
                keyed.stored -= set(gone)
                keyed.dirty.clear()
        for table, totals in state.totals.items():
            if totals.rows:
                self.add(table, list(totals.rows.values()))
                totals.rows.clear()
        for table, log in state.logs.items():
            if log.pending:
                self.insert(table, log.pending)
                log.pending = []
                log.by.clear()
            for value, changes in log.patches:
                self.tx.execute(f"UPDATE {table.name} SET "
                                + ", ".join(f"{c} = %s" for c in changes)
                                + f" WHERE {table.patch_by} = %s", (*changes.values(), value))
            log.patches.clear()

    def insert(self, table: Table, rows: Sequence[Row]) -> None:
        self.tx.insert_rows(table.name, _tuples(table, rows), "", table.columns)

    def delete(self, table: Table, keys: Sequence[Any]) -> None:
        for key in keys:
            values = key if len(table.key) > 1 else (key,)
            self.tx.execute(f"DELETE FROM {table.name} WHERE "
                            + " AND ".join(f"{c} = %s" for c in table.key), values)

    def upsert(self, table: Table, rows: Sequence[Row]) -> None:
        sets = ", ".join(f"{c} = excluded.{c}" for c in table.columns if c not in table.key)
        action = f"DO UPDATE SET {sets}" if sets else "DO NOTHING"  # a row that is all key
        self.tx.insert_rows(table.name, _tuples(table, rows),
                            f"ON CONFLICT ({', '.join(table.key)}) {action}", table.columns)

    def add(self, table: Table, rows: Sequence[Row]) -> None:
        assert table.kind == TOTALS
        sets = ", ".join(f"{c} = {table.name}.{c} + excluded.{c}" for c in table.counters)
        self.tx.insert_rows(table.name, _tuples(table, rows),
                            f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {sets}",
                            table.columns)


class CopySink(TxSink):
    """Into freshly made staging tables: what they cannot hold yet goes in by COPY."""

    def __init__(self, tx: Tx, cursor: Any) -> None:
        super().__init__(tx)
        self._cursor = cursor
        self._written: set[Table] = set()  # TOTALS tables this sink has written to

    def insert(self, table: Table, rows: Sequence[Row]) -> None:
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, table.columns)))
        with self._cursor.copy(statement) as copy:
            for row in _tuples(table, rows):
                copy.write_row(row)

    def add(self, table: Table, rows: Sequence[Row]) -> None:
        if table in self._written:
            super().add(table, rows)
        else:  # the first sums of a table no one has written: nothing to add them to
            self._written.add(table)
            self.insert(table, rows)


def project(tx: Tx, folds: Sequence[Fold], events: Sequence[tuple[int, Any]]) -> None:
    """These events through the folds into their tables, empty until now (a scoped replay)."""
    page = classified(events)
    sink = TxSink(tx)
    for fold in folds:
        state = fold.new_state(complete=True)
        fold.apply(page, state)
        sink.write(state)


def _tuples(table: Table, rows: Sequence[Row]) -> list[tuple[Any, ...]]:
    columns = table.columns
    return [tuple([row[c] for c in columns]) for row in rows]
