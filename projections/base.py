"""A projection: one handler per event type, applied inside the runner's transaction."""

from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from projections.db import Tx


class Projection:
    name: str = ""
    version: int = 1  # bump when the tables or their meaning change: the runner rebuilds them
    tables: tuple[str, ...] = ()  # table names, dropped on rebuild
    ddl: tuple[str, ...] = ()
    guards: dict[str, tuple[str, ...]] = {}  # per engine: triggers and the like, after the ddl
    # Indexes only readers use (no handler looks rows up by them): a rebuild stages the tables
    # without them and builds them once, after the rows, instead of updating them row by row.
    reader_indexes: tuple[str, ...] = ()
    # What replaying it costs beside the others, to balance a parallel rebuild's groups: about
    # its milliseconds a thousand events of a ledger of tips (bench/rebuild.py prints them).
    rebuild_weight: int = 1

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        """Events this projection does not care about still advance its position."""
