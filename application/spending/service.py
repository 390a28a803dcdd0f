"""Spending: validate a command, then record it through group commit (or directly).

Commands are routed by fan to one of several writers; each writer owns its fans' wallets, so
writers never conflict with each other, and while one waits on the database another plans its
next batch. Tips, unlocks and paid messages share the writers, the batches and the retries.
"""

import zlib
from collections.abc import Mapping
from typing import Any

from application.clock import Clock
from application.group_commit import GroupCommitter
from application.ledger import Ledger
from application.spending.batch_writer import AggregateCache, Outcome, SpendBatchWriter
from application.spending.commands import Spend, Spent
from application.spending.kinds import KINDS, SpendKind
from domain.errors import InvalidAmountError
from domain.fees import FeeSchedule


class Spending:
    def __init__(self, ledger: Ledger, fees: FeeSchedule, clock: Clock, window_s: float = 0.0,
                 max_batch: int = 256, writers: int = 2,
                 kinds: Mapping[str, SpendKind] = KINDS) -> None:
        self._kinds = kinds
        self._direct = SpendBatchWriter(ledger, fees, clock, kinds)
        self._committers: list[GroupCommitter[Spend, dict[str, Any]]] = []
        if window_s > 0:
            for n in range(writers):
                writer = SpendBatchWriter(ledger, fees, clock, kinds, AggregateCache())
                self._committers.append(
                    GroupCommitter(writer.execute, window_s, max_batch, f"spends-{n}"))

    def send(self, command: Spend) -> Spent:
        kind = self._kinds.get(command.kind)
        if kind is None:
            raise InvalidAmountError(f"nothing can be bought as {command.kind!r}")
        kind.validate(command)
        if self._committers:
            shard = zlib.crc32(command.fan_id.encode()) % len(self._committers)
            return Spent(**self._committers[shard].submit(command).result())
        outcome: Outcome = self._direct.execute([command])[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return Spent(**outcome)

    def close(self) -> None:
        for committer in self._committers:
            committer.close()
