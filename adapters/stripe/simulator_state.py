"""Where the payment simulator keeps what Stripe keeps: checkout sessions, subscriptions,
invoices, Connect accounts, transfers, identity sessions, idempotency keys and balance
transactions. They live in the ledger's own database (beside the read models), not in one
process's memory, so every worker of `lyra serve --workers N`, and every host, sees one
simulated Stripe: a checkout opened through one worker is paid through another.

Writes are serialised: on PostgreSQL by a transaction-level advisory lock per schema, on SQLite
by its single writer. Objects are JSON documents by kind and id, with one looked-up reference
each (a session's payment intent, a transfer's payout).
"""

import json
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

Document = dict[str, Any]

_TABLES = (
    "CREATE TABLE IF NOT EXISTS simulator_objects (kind TEXT NOT NULL, id TEXT NOT NULL, "
    "ref TEXT, body TEXT NOT NULL, PRIMARY KEY (kind, id))",
    "CREATE INDEX IF NOT EXISTS simulator_objects_ref ON simulator_objects (kind, ref)",
    "CREATE TABLE IF NOT EXISTS simulator_balance (seq BIGINT PRIMARY KEY, "
    "created BIGINT NOT NULL, body TEXT NOT NULL)",
)


class SqlTx(Protocol):
    def execute(self, statement: str, params: Sequence[Any] = ()) -> None: ...

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...


class SqlDatabase(Protocol):
    """What the read-model database offers: %s-placeholder SQL in transactions."""

    kind: str

    def transaction(self) -> AbstractContextManager[SqlTx]: ...


class StateWrite:
    """One serialised change to the simulator's state."""

    def __init__(self, tx: SqlTx) -> None:
        self._tx = tx

    def get(self, kind: str, object_id: str) -> Document | None:
        return _get(self._tx, kind, object_id)

    def put(self, kind: str, object_id: str, body: Document, ref: str | None = None) -> None:
        self._tx.execute(
            "INSERT INTO simulator_objects (kind, id, ref, body) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (kind, id) DO UPDATE SET ref = excluded.ref, body = excluded.body",
            (kind, object_id, ref, json.dumps(body)))

    def find(self, kind: str, ref: str) -> list[Document]:
        return _find(self._tx, kind, ref)

    def keyed(self, idempotency_key: str) -> str | None:
        """The id of what an idempotency key already made, as Stripe answers a repeated call."""
        found = self.get("idempotency_key", idempotency_key)
        return None if found is None else str(found["id"])

    def remember_key(self, idempotency_key: str, object_id: str) -> None:
        self.put("idempotency_key", idempotency_key, {"id": object_id})

    def book(self, created: int, transaction: Document) -> None:
        """A balance transaction, after every earlier one."""
        self._tx.execute(
            "INSERT INTO simulator_balance (seq, created, body) "
            "SELECT COALESCE(MAX(seq), 0) + 1, %s, %s FROM simulator_balance",
            (created, json.dumps(transaction)))


class SimulatorState:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db
        with self._locked() as tx:  # processes starting at once create the tables once
            for statement in _TABLES:
                tx.execute(statement)

    @contextmanager
    def _locked(self) -> Iterator[SqlTx]:
        with self._db.transaction() as tx:
            if self._db.kind == "postgres":
                tx.execute("SELECT pg_advisory_xact_lock(hashtext('lyra simulator ' || "
                           "current_schema()))")
            yield tx

    @contextmanager
    def writing(self) -> Iterator[StateWrite]:
        with self._locked() as tx:
            yield StateWrite(tx)

    def get(self, kind: str, object_id: str) -> Document | None:
        with self._db.transaction() as tx:
            return _get(tx, kind, object_id)

    def find(self, kind: str, ref: str) -> list[Document]:
        """Every object of a kind with this reference, oldest id first."""
        with self._db.transaction() as tx:
            return _find(tx, kind, ref)

    def all(self, kind: str) -> list[Document]:
        with self._db.transaction() as tx:
            rows = tx.query("SELECT body FROM simulator_objects WHERE kind = %s ORDER BY id",
                            (kind,))
        return [json.loads(row["body"]) for row in rows]

    def balance(self, created_from: int, created_until: int) -> list[Document]:
        with self._db.transaction() as tx:
            rows = tx.query("SELECT body FROM simulator_balance WHERE created >= %s AND "
                            "created < %s ORDER BY seq", (created_from, created_until))
        return [json.loads(row["body"]) for row in rows]


def _get(tx: SqlTx, kind: str, object_id: str) -> Document | None:
    rows = tx.query("SELECT body FROM simulator_objects WHERE kind = %s AND id = %s",
                    (kind, object_id))
    return json.loads(rows[0]["body"]) if rows else None


def _find(tx: SqlTx, kind: str, ref: str) -> list[Document]:
    rows = tx.query("SELECT body FROM simulator_objects WHERE kind = %s AND ref = %s ORDER BY id",
                    (kind, ref))
    return [json.loads(row["body"]) for row in rows]
