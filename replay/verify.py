"""Verify the ledger's hash chain (see adapters/eventstore/hash_chain.py), with a progress bar
when a person is watching."""

from adapters.eventstore.hash_chain import ChainReport, total_events, verify
from adapters.eventstore.ledger import Ledger
from replay.progress import progress_bar


def verify_ledger(ledger: Ledger, show_progress: bool = False) -> ChainReport:
    if not show_progress:
        return verify(ledger.db, ledger.events_table)
    with progress_bar("verifying", total_events(ledger.db, ledger.events_table),
                      shown=True) as advance:
        return verify(ledger.db, ledger.events_table, advance=advance)
