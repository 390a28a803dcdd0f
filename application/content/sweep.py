"""Stored media no item refers to, removed.

An upload stores its bytes before it records its item (so a recorded item always has its bytes):
an upload whose recording then failed leaves bytes behind, and a crash mid-write leaves a partial
file. Only what was written more than a grace period ago is considered, so an upload still on
its way to being recorded (or to the read model) is never taken; taken-down items keep their
bytes, as their record does.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from application.clock import Clock
from application.ports import MediaStore


@dataclass(frozen=True)
class SweepReport:
    removed: int  # bytes of no item
    partial_removed: int  # uploads a crash left half-written
    kept: int

    def as_dict(self) -> dict[str, int]:
        return {"removed": self.removed, "partial_removed": self.partial_removed,
                "kept": self.kept}


class MediaSweep:
    def __init__(self, store: MediaStore, referenced: Callable[[], set[str]], clock: Clock,
                 catch_up: Callable[[], object]) -> None:
        self._store = store
        self._referenced = referenced
        self._clock = clock
        self._catch_up = catch_up

    def run(self, grace: timedelta = timedelta(hours=1)) -> SweepReport:
        if grace < timedelta(minutes=5):
            raise ValueError("the grace period must leave uploads time to be recorded (5 min)")
        before = self._clock() - grace
        self._catch_up()  # every item recorded before the sweep began is in the read model
        referenced = self._referenced()
        removed = partial = kept = 0
        for name, is_partial in list(self._store.stored_before(before)):
            if is_partial:
                self._store.delete(name, is_partial=True)
                partial += 1
            elif name in referenced:
                kept += 1
            else:
                self._store.delete(name)
                removed += 1
        return SweepReport(removed, partial, kept)
