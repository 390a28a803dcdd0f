"""Group commit: gather concurrent commands for a few milliseconds and record them in one transaction.

The event store serialises writers on one table lock, so throughput is set by how much work each
transaction carries. One writer thread drains a queue into batches; each caller still gets its own
outcome (a result or the exception meant for it) through a Future.
"""

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

C = TypeVar("C")
R = TypeVar("R")

BatchHandler = Callable[[Sequence[C]], list[Any]]  # each item: an R, or the exception to raise


class GroupCommitter(Generic[C, R]):
    def __init__(self, handle_batch: BatchHandler[C], window_s: float, max_batch: int,
                 name: str = "group-commit") -> None:
        self._handle_batch = handle_batch
        self._window_s = window_s
        self._max_batch = max_batch
        self._queue: queue.Queue[tuple[C, Future[R]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, command: C) -> Future[R]:
        future: Future[R] = Future()
        self._queue.put((command, future))
        return future

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            deadline = time.monotonic() + self._window_s
            stop = False
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            self._dispatch(batch)
            if stop:
                return

    def _dispatch(self, batch: list[tuple[C, Future[R]]]) -> None:
        commands = [command for command, _ in batch]
        try:
            outcomes = self._handle_batch(commands)
        except BaseException as error:  # the writer must survive anything one batch does
            outcomes = [error] * len(batch)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
