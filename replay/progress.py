"""A progress bar with the rate and the time left, for long commands a person is watching (on a
terminal); a no-op otherwise, so the same code runs in the API and in tests."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

Advance = Callable[[int], None]


@contextmanager
def progress_bar(label: str, total: int | None, shown: bool | None = None) -> Iterator[Advance]:
    """Yields advance(n); shown defaults to whether stderr is a terminal."""
    if not (sys.stderr.isatty() if shown is None else shown):
        yield lambda _n: None
        return
    columns = (TextColumn(label), BarColumn(),
               TextColumn("{task.completed:,}/{task.total:,}"), TextColumn("{task.fields[rate]}"),
               TimeRemainingColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task(label, total=total, rate="")

        def advance(n: int) -> None:
            progress.advance(task, n)
            speed = progress.tasks[0].speed
            progress.update(task, rate=f"{speed:,.0f} events/s" if speed else "")

        yield advance
