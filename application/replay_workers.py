"""Long replays run in a process of their own, so that an auditor's or finance's request never
holds the API's interpreter against the money paths (tips wait on the same lock otherwise).

The worker opens the same event store from its Database settings and runs the functions below
(run them on `ReplayWorkers.executor`); answers come back as plain dicts. With `processes=0`
they run on the caller's thread instead (the
behaviour before; the benchmark compares both).
"""

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import datetime
from typing import Any

import orjson

from adapters import heap
from adapters.eventstore.config import Database

_ledger: Any = None


def _open(db: Database) -> None:
    """In the worker: the event store, opened once. The worker runs at a lower CPU priority:
    on a machine whose cores the money paths already use, a replay takes what they leave (a
    second-long replay at equal priority took a core from tips and put their p99 at ×3–5)."""
    global _ledger
    from adapters.eventstore.ledger import Ledger

    os.nice(10)
    _ledger = Ledger(db, prepare=False)
    heap.settle()


def printed(replay: Callable[..., dict[str, Any]], *args: Any) -> bytes:
    """A replay's answer as JSON, printed here: unpickling and printing a creator's 10,000
    holds in the API process held its interpreter (and the tips it serves) for tens of ms."""
    return orjson.dumps(replay(*args))


def wallet_as_of(fan_id: str, at: datetime) -> dict[str, Any]:
    from replay import scoped

    return scoped.wallet_as_of(_ledger, fan_id, at)


def earnings_as_of(creator_id: str, hold_ids: list[str], at: datetime) -> dict[str, Any]:
    from replay import scoped

    return scoped.earnings_as_of(_ledger, creator_id, hold_ids, at)


def earnings_diff(since: datetime, until: datetime, creator_id: str | None,
                   hold_ids: list[str] | None) -> dict[str, Any]:
    from replay import diff

    return diff.earnings_diff(_ledger, since, until, creator_id, hold_ids)


class ReplayWorkers:
    def __init__(self, db: Database, processes: int = 1) -> None:
        self._db = db
        self._processes = processes
        self._executor: Executor | None = None

    @property
    def executor(self) -> Executor:
        """Started on first use (spawned: the API process has threads a fork would copy)."""
        if self._executor is None:
            if self._processes > 0:
                self._executor = ProcessPoolExecutor(
                    self._processes, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_open, initargs=(self._db,))
            else:
                _open(self._db)
                self._executor = ThreadPoolExecutor(1)
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None
