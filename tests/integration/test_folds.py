"""A fold gives the same rows in memory as in the database, however its events are paged and
whenever its working set is dropped: what the runner writes is the fold, nothing more."""

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from application.spending.commands import send_tip
from projections.catalog import all_projections
from projections.db import SqliteReadModelDb
from projections.fold import LOG, Fold, Table, classified, in_memory
from projections.fold_sinks import TxSink
from tests.api.test_personas_http import PROFILE
from tests.helpers import charge_refunded, fund
from tests.integration.test_projections import history


def recorded(core: Any, clock: Any) -> list[tuple[int, Any]]:
    """A history with reversals, a release, a persona approved, edited (its tags changed) and
    approved again, a suspension, read back as projections read it."""
    history(core, clock)
    persona = core.personas.create("creator-1", dict(PROFILE))
    core.personas.submit("creator-1", persona.id)
    core.personas.review("adm-1", persona.id, approve=True, reason="ok")
    core.personas.publish("creator-1", persona.id, publish=True)
    core.personas.update("creator-1", persona.id, {**PROFILE, "tags": PROFILE["tags"][:1]})
    core.personas.review("adm-1", persona.id, approve=True, reason="ok again")
    pi = fund(core, "fan-4", "pack_1200")
    core.spending.send(send_tip(fan_id="fan-4", creator_id="creator-1", amount_tokens=600))
    core.stripe_events.handle(charge_refunded(pi, 999, 400))
    core.moderation.suspend("adm-1", "creator-1", "review")
    events, position = [], 0
    while page := core.ledger.read_after(position, 100):
        events += page
        position = page[-1][0]
    return events


def in_database(folds: list[Fold], events: list[tuple[int, Any]], pages: list[int],
                drops: list[bool]) -> SqliteReadModelDb:
    """The events through the folds as the live runner applies them: page by page, each
    page's rows loaded, applied and written; the working set kept or dropped between pages."""
    db = SqliteReadModelDb(":memory:")
    with db.transaction() as tx:
        for fold in folds:
            for statement in fold.ddl:
                tx.execute(statement)
    states = {fold.name: fold.new_state(complete=False) for fold in folds}
    start, turn = 0, 0
    while start < len(events):
        size = pages[turn % len(pages)]
        page = classified(events[start:start + size])
        with db.transaction() as tx:
            sink = TxSink(tx)
            for fold in folds:
                sink.load(fold, page, states[fold.name])
                fold.apply(page, states[fold.name])
                sink.write(states[fold.name])
        if drops[turn % len(drops)]:
            states = {fold.name: fold.new_state(complete=False) for fold in folds}
        start += size
        turn += 1
    return db


def memory_rows(fold: Fold, events: list[tuple[int, Any]]) -> dict[str, list[Any]]:
    state = in_memory(fold, events)
    rows: dict[str, list[Any]] = {}
    for table in fold.schema:
        held = state[table]
        found = (held.pending if table.kind == LOG else
                 [r for r in held.rows.values() if r is not None])  # KEYED: None is no row
        rows[table.name] = sorted((_in_order(table, r) for r in found), key=repr)
    return rows


def database_rows(db: SqliteReadModelDb, fold: Fold) -> dict[str, list[Any]]:
    return {table.name: sorted((_in_order(table, r) for r in
                                db.query(f"SELECT * FROM {table.name}")), key=repr)
            for table in fold.schema}


def _in_order(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c] for c in table.columns)


def test_a_fold_in_memory_equals_its_rows_in_the_database_however_paged(core, clock) -> None:
    events = recorded(core, clock)
    folds = [p for p in all_projections() if isinstance(p, Fold)]
    assert len(events) > 60 and folds

    @settings(max_examples=25)
    @example(count=len(events), pages=[1], drops=[False])  # a page an event, the state kept
    @example(count=len(events), pages=[1], drops=[True])  # and dropped after every page
    @given(count=st.integers(1, len(events)),
           pages=st.lists(st.integers(1, 40), min_size=1, max_size=6),
           drops=st.lists(st.booleans(), min_size=1, max_size=6))
    def paged(count: int, pages: list[int], drops: list[bool]) -> None:
        prefix = events[:count]
        db = in_database(folds, prefix, pages, drops)
        try:
            for fold in folds:
                assert database_rows(db, fold) == memory_rows(fold, prefix), fold.name
        finally:
            db.close()

    paged()

