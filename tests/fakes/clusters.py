"""A PostgreSQL primary and a hot standby of its own, on spare loopback ports, for the replica
tests: made with the standard tools (initdb, pg_basebackup -R, pg_ctl) in a temporary directory,
run as the postgres user, never touching the shared cluster on 5432."""

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg

from tests.fakes.servers import free_port


def _bin(tool: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"))
    if not found:
        raise RuntimeError(f"{tool} not found: the replica tests need PostgreSQL's server tools")
    return found[-1]


def _as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)


@dataclass
class Clusters:
    root: str
    primary_port: int
    standby_port: int

    def url(self, port: int) -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/postgres"

    @property
    def primary(self) -> str:
        return self.url(self.primary_port)

    @property
    def standby(self) -> str:
        return self.url(self.standby_port)

    def _standby_sql(self, statement: str) -> None:
        with psycopg.connect(self.standby, autocommit=True) as conn:
            conn.execute(statement)

    def pause_replay(self) -> None:
        self._standby_sql("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self._standby_sql("SELECT pg_wal_replay_resume()")

    def stop_standby(self) -> None:
        _as_postgres(_bin("pg_ctl"), "-D", f"{self.root}/standby", "-m", "fast", "-w", "stop")

    def stop_primary(self) -> None:
        """As a crash does: no shutdown checkpoint, no goodbye to the clients."""
        _as_postgres(_bin("pg_ctl"), "-D", f"{self.root}/primary", "-m", "immediate", "-w",
                     "stop")

    def promote_standby(self) -> None:
        _as_postgres(_bin("pg_ctl"), "-D", f"{self.root}/standby", "-w", "promote")

    def start_standby(self) -> None:
        _as_postgres(_bin("pg_ctl"), "-D", f"{self.root}/standby", "-l",
                     f"{self.root}/standby.log", "-w", "start")


@contextmanager
def primary_and_standby(synchronous: bool = False) -> Iterator[Clusters]:
    """synchronous: the primary acknowledges a commit only once the standby has it on disk
    (synchronous_standby_names = '*', synchronous_commit = on), so a failover loses nothing
    acknowledged."""
    root = tempfile.mkdtemp(prefix="lyra-replica-")
    shutil.chown(root, "postgres") if os.geteuid() == 0 else None
    clusters = Clusters(root, free_port(), free_port())
    primary, standby = f"{root}/primary", f"{root}/standby"
    try:
        _as_postgres(_bin("initdb"), "-D", primary, "-A", "trust", "-U", "postgres")
        with open(f"{primary}/postgresql.conf", "a") as conf:
            conf.write(f"port = {clusters.primary_port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{root}'\nwal_level = replica\n"
                       "max_wal_senders = 5\nfsync = off\nhot_standby = on\n" +
                       ("synchronous_standby_names = '*'\nsynchronous_commit = on\n"
                        if synchronous else ""))
        with open(f"{primary}/pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        _as_postgres(_bin("pg_ctl"), "-D", primary, "-l", f"{root}/primary.log", "-w", "start")
        _as_postgres(_bin("pg_basebackup"), "-h", "127.0.0.1", "-p",
                     str(clusters.primary_port), "-U", "postgres", "-D", standby, "-R",
                     "-X", "stream")
        with open(f"{standby}/postgresql.conf", "a") as conf:
            # Once promoted it has no standby of its own: waiting for one would hang commits.
            conf.write(f"port = {clusters.standby_port}\nsynchronous_standby_names = ''\n")
        clusters.start_standby()
        for _ in range(100):
            try:
                with psycopg.connect(clusters.standby, autocommit=True) as conn:
                    if conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,):
                        break
            except psycopg.OperationalError:
                pass
            time.sleep(0.05)
        yield clusters
    finally:
        for name in ("standby", "primary"):
            subprocess.run(["runuser", "-u", "postgres", "--", _bin("pg_ctl"), "-D",
                            f"{root}/{name}", "-m", "immediate", "stop"] if os.geteuid() == 0
                           else [_bin("pg_ctl"), "-D", f"{root}/{name}", "-m", "immediate",
                                 "stop"], capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)
