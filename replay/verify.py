"""Verify the ledger's hash chain (see adapters/eventstore/hash_chain.py), with a progress bar
when a person is watching."""

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from adapters.eventstore.hash_chain import ChainReport, total_events, verify
from application.ledger import Ledger


def verify_ledger(ledger: Ledger, show_progress: bool = False) -> ChainReport:
    if not show_progress:
        return verify(ledger.db, ledger.events_table)
    columns = (TextColumn("verifying"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
               TextColumn("{task.fields[rate]}"), TimeRemainingColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("chain", total=total_events(ledger.db, ledger.events_table),
                                 rate="")

        def advance(n: int) -> None:
            progress.advance(task, n)
            speed = progress.tasks[0].speed
            progress.update(task, rate=f"{speed:,.0f} events/s" if speed else "")

        return verify(ledger.db, ledger.events_table, advance=advance)
