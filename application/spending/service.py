"""Spending: validate a command, then record it through group commit (or directly).

Commands are routed by fan to one of several writers; each writer owns its fans' wallets, so
writers never conflict with each other, and while one waits on the database another plans its
next batch. Tips, unlocks and paid messages share the writers, the batches and the retries.
"""

import zlib
from collections.abc import Mapping
from concurrent.futures import Future

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from application.group_commit import GroupCommitter
from application.spending.batch_writer import AggregateCache, Outcome, SpendBatchWriter
from application.spending.commands import Spend, Spent
from application.spending.kinds import KINDS, SpendKind
from domain.errors import InvalidAmountError
from domain.fees import FeeSchedule


class Spending:
    def __init__(self, ledger: Ledger, fees: FeeSchedule, clock: Clock, window_s: float = 0.0,
                 max_batch: int = 256, writers: int = 2,
                 kinds: Mapping[str, SpendKind] = KINDS, cache_bytes: int = 64 * 2**20) -> None:
        self._kinds = kinds
        self._direct = SpendBatchWriter(ledger, fees, clock, kinds)
        self._committers: list[GroupCommitter[Spend, Spent]] = []
        if window_s > 0:
            for n in range(writers):
                writer = SpendBatchWriter(ledger, fees, clock, kinds,
                                          AggregateCache(cache_bytes // writers))
                self._committers.append(
                    GroupCommitter(writer.execute, window_s, max_batch, f"spends-{n}"))

    def send(self, command: Spend) -> Spent:
        queued = self.submit(command)
        if queued is not None:
            return queued.result()
        outcome: Outcome = self._direct.execute([command])[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def submit(self, command: Spend) -> Future[Spent] | None:
        """The command validated and queued for group commit, or None where spends are recorded
        directly (no commit window): then send() records it on the caller's thread. A caller on
        an event loop awaits the Future instead of holding a thread while the batch commits."""
        kind = self._kinds.get(command.kind)
        if kind is None:
            raise InvalidAmountError(f"nothing can be bought as {command.kind!r}")
        kind.validate(command)
        if not self._committers:
            return None
        shard = zlib.crc32(command.fan_id.encode()) % len(self._committers)
        return self._committers[shard].submit(command)

    def close(self) -> None:
        for committer in self._committers:
            committer.close()
