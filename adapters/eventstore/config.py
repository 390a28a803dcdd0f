"""Translate one database URL into the eventsourcing library's environment variables."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import psycopg
from psycopg import sql


@dataclass(frozen=True)
class Database:
    kind: str  # "postgres" or "sqlite"
    url: str
    schema: str = "public"

    @property
    def sqlite_path(self) -> str:
        return self.url.removeprefix("sqlite:///")

    @property
    def conninfo(self) -> str:
        return self.url


def parse_database(url: str, schema: str = "public") -> Database:
    if url.startswith("sqlite:///"):
        return Database("sqlite", url)
    if url.startswith(("postgresql://", "postgres://")):
        return Database("postgres", url, schema)
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///path or postgresql://...")


def eventstore_env(db: Database) -> dict[str, str]:
    if db.kind == "sqlite":
        path = Path(db.sqlite_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path),
                "SQLITE_LOCK_TIMEOUT": "10",
                "APPLICATION_RECORDER_TOPIC":
                    "adapters.eventstore.sqlite_recorder:ChainedSQLiteRecorder"}
    parts = urlparse(db.url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": db.schema,
        "POSTGRES_POOL_SIZE": "8",
        "POSTGRES_MAX_OVERFLOW": "8",
        "POSTGRES_LOCK_TIMEOUT": "10",
        # A write that cannot get a connection in 5 s fails (its client retries with its key)
        # rather than waiting 30 s on a primary that is gone.
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "APPLICATION_RECORDER_TOPIC": "adapters.eventstore.postgres_recorder:ArrayInsertRecorder",
    }


@contextmanager
def startup_lock(db: Database) -> Iterator[None]:
    """Held while a process creates or re-creates the event store's tables, triggers and
    functions. Processes starting at once (`lyra serve --workers N`) otherwise race: the
    library's CREATE ... IF NOT EXISTS fails with "tuple concurrently updated", and the
    append-only and chain DDL lock the same objects in different orders and deadlock."""
    if db.kind != "postgres":
        yield
        return
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(4242017)")
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(4242017)")


def ensure_schema(db: Database) -> None:
    if db.kind != "postgres":
        return
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(db.schema)))
