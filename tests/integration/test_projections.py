"""Projections: rebuilt equals live, crashes resume exactly, two runners never double-apply."""

import threading
from types import SimpleNamespace

import psycopg
import pytest
from psycopg import sql

from application.spending.commands import send_tip
from domain import ids
from domain.aggregates.wallet import Wallet
from projections import staged_rebuild
from projections.fold import FoldError
from tests.conftest import PG_URL
from tests.helpers import charge_refunded, fund


def snapshot(core) -> dict[str, list]:
    """Every read model's rows, in a comparable form."""
    out = {}
    for table in (t for p in core.projections.projections for t in p.tables):
        rows = core.read_db.query(f"SELECT * FROM {table}")
        out[table] = sorted((tuple(sorted(r.items())) for r in rows), key=repr)
    return out


def history(core, clock) -> None:
    core.creators.register("creator-1", "Luna", "admin")
    core.creators.register("creator-2", "Sol", "admin")
    pis = [fund(core, f"fan-{i}", "pack_1200") for i in range(3)]
    for i in range(3):
        for creator in ("creator-1", "creator-2"):
            core.spending.send(send_tip(fan_id=f"fan-{i}", creator_id=creator, amount_tokens=250))
    clock.advance(days=15)
    core.projections.catch_up()
    core.holds.release_due()
    core.stripe_events.handle(charge_refunded(pis[0], 999, 999))
    core.moderation.file_report("fan-1", "creator", "creator-2", "creator-2", "spam", "spam")
    core.moderation.issue("adm-1", "creator-2", "strike", "spam")


def test_rebuilt_projection_equals_the_live_one(core, clock) -> None:
    history(core, clock)
    core.projections.catch_up()
    live = snapshot(core)
    assert all(live[table] for table in ("rm_audit_log", "rm_spends", "rm_earnings_holds",
                                         "rm_wallet_transactions"))  # both sides saw events
    assert core.projections.rebuild() > 0
    assert snapshot(core) == live
    assert all(s["lag_events"] == 0 for s in core.projections.status())


def test_a_rebuild_whose_working_sets_outgrow_memory_writes_and_reads_them_back(core, clock,
                                                                             monkeypatch) -> None:
    """Past STAGED_ROWS the working sets are written out, the staging tables' keys built, and
    later pages read their rows back: the same rows as live."""
    history(core, clock)
    core.projections.catch_up()
    live = snapshot(core)
    monkeypatch.setattr(staged_rebuild, "STAGED_ROWS", 5)
    assert core.projections.rebuild(processes=1) > 0
    assert snapshot(core) == live


def test_a_rebuild_split_by_key_across_processes_equals_the_live_read_models(core, clock) -> None:
    """Wallets, spends, earnings, purchases and the audit log staged in two shares of their
    keys (two processes, each reading the log), merged, totals summed: the same rows."""
    history(core, clock)
    core.projections.catch_up()
    live = snapshot(core)
    assert core.projections.rebuild(processes=2) > 0
    assert snapshot(core) == live


class Crash(Exception):
    pass


def test_a_crash_mid_batch_rolls_back_names_the_event_and_resumes_exactly(core, clock,
                                                                          monkeypatch) -> None:
    history(core, clock)
    wallets = next(p for p in core.projections.projections if p.name == "wallets")
    original = wallets.handlers[Wallet.LotReversed]  # the refund's, after the last catch-up
    calls = {"n": 0}

    def flaky(event, position, state):
        calls["n"] += 1
        if calls["n"] == 1:
            raise Crash()
        return original(event, position, state)

    before = core.projections.position(wallets.name)
    monkeypatch.setitem(wallets.handlers, Wallet.LotReversed, flaky)
    monkeypatch.setattr(wallets, "_by_class", {})  # resolved again, to the flaky one
    with pytest.raises(FoldError, match=r"wallets failed on Wallet.LotReversed at position \d+"):
        core.projections.catch_up()
    assert core.projections.position(wallets.name) == before  # the whole batch rolled back
    core.projections.catch_up()
    live = snapshot(core)
    core.projections.rebuild()
    assert snapshot(core) == live


def test_two_runners_at_once_apply_each_event_once(make_core, clock) -> None:
    first = make_core()
    second = make_core()
    history(first, clock)
    threads = [threading.Thread(target=c.projections.catch_up) for c in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    live = snapshot(first)
    first.projections.rebuild()
    assert snapshot(first) == live


def test_wallet_projection_matches_the_aggregates(core, clock) -> None:
    history(core, clock)
    core.projections.catch_up()
    for i in range(3):
        row = core.queries.wallet(f"fan-{i}")
        aggregate = core.ledger.repository.get(ids.wallet_id(f"fan-{i}"))
        assert row["balance_tokens"] == aggregate.balance_tokens
        assert row["frozen"] == aggregate.is_frozen


@pytest.mark.parametrize("statement", [
    "UPDATE {s}.ledger_events SET topic = 'x'",
    "DELETE FROM {s}.ledger_events",
    "TRUNCATE {s}.ledger_events",
])
def test_the_database_refuses_to_change_stored_events(core, pg_schema, statement) -> None:
    fund(core, "fan-1")
    head = core.ledger.max_position()
    with psycopg.connect(PG_URL, autocommit=True) as conn, pytest.raises(psycopg.Error) as caught:
        conn.execute(sql.SQL(statement.format(s="{}")).format(sql.Identifier(pg_schema)))
    assert "append-only" in str(caught.value)
    assert core.ledger.max_position() == head


def test_a_rebuild_serves_the_old_read_models_until_it_swaps_and_misses_nothing_recorded_meanwhile(
        core, clock) -> None:
    history(core, clock)
    fund(core, "fan-2", "pack_500", tag="more")
    core.projections.catch_up()
    before = core.queries.wallet("fan-2")["balance_tokens"]
    seen_during: list[int] = []

    def meanwhile(_events: int) -> None:
        if not seen_during:  # staging: the live read models still answer, unchanged
            seen_during.append(core.queries.wallet("fan-2")["balance_tokens"])
            core.spending.send(send_tip(fan_id="fan-2", creator_id="creator-1",
                                        amount_tokens=250))

    core.projections.rebuild(advance=meanwhile)
    assert seen_during == [before]
    assert core.queries.wallet("fan-2")["balance_tokens"] == before - 250
    assert all(s["lag_events"] == 0 for s in core.projections.status())


def _indexes_and_triggers(schema: str) -> tuple[set[str], set[str]]:
    with psycopg.connect(PG_URL) as conn:
        indexes = {r[0] for r in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = %s", (schema,))}
        triggers = {r[0] for r in conn.execute(
            "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "AND NOT t.tgisinternal", (schema,))}
    return indexes, triggers


def test_a_rebuild_swaps_in_every_index_and_guard_and_leaves_no_staging_behind(
        core, clock, pg_schema) -> None:
    history(core, clock)
    core.projections.catch_up()
    before = _indexes_and_triggers(pg_schema)
    assert {"rm_audit_creator", "rm_spends_fan"} <= before[0]  # reader indexes, staged late
    core.projections.rebuild()
    assert _indexes_and_triggers(pg_schema) == before
    with psycopg.connect(PG_URL) as conn:
        assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s",
                            (f"{pg_schema}__rebuild",)).fetchone() == (0,)
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(pg_schema)))
        with pytest.raises(psycopg.Error, match="append-only"):  # the guard is the live one
            conn.execute("UPDATE rm_audit_log SET actor = 'someone else'")


def test_a_rebuild_that_fails_leaves_the_live_read_models_as_they_were(
        core, clock, pg_schema, monkeypatch) -> None:
    history(core, clock)
    core.projections.catch_up()
    live = snapshot(core)
    positions = core.projections.positions()

    def broken(*_args: object) -> None:
        raise Crash()

    monkeypatch.setattr("projections.staged_rebuild._swap_in", broken)
    with pytest.raises(Crash):
        core.projections.rebuild()
    assert snapshot(core) == live
    assert core.projections.positions() == positions
    with psycopg.connect(PG_URL) as conn:
        assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s",
                            (f"{pg_schema}__rebuild",)).fetchone() == (0,)


def test_a_fold_that_fails_mid_rebuild_fails_it_names_the_event_and_changes_nothing(
        core, clock, pg_schema, monkeypatch) -> None:
    """Split across two processes, the share staged here meets a handler that raises: the
    rebuild fails naming the event, the live read models and positions stay as they were, and
    no staging schema is left behind."""
    history(core, clock)
    core.projections.catch_up()
    live, positions = snapshot(core), core.projections.positions()
    audit = next(p for p in core.projections.projections if p.name == "audit")

    def broken(event, position, state):
        raise Crash()

    monkeypatch.setitem(audit.handlers, object, broken)  # every stream: some in each share
    monkeypatch.setattr(audit, "_by_class", {})
    with pytest.raises(FoldError, match=r"audit failed on \S+ at position \d+"):
        core.projections.rebuild(processes=2)
    assert snapshot(core) == live and core.projections.positions() == positions
    with psycopg.connect(PG_URL) as conn:
        assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE %s",
                            (f"{pg_schema}__rebuild%",)).fetchone() == (0,)


def test_a_rebuild_staged_in_parallel_processes_equals_the_live_read_models(
        core, clock, pg_schema) -> None:
    history(core, clock)
    core.projections.catch_up()
    live = snapshot(core)
    before = _indexes_and_triggers(pg_schema)
    assert core.projections.rebuild(processes=3) > 0
    assert snapshot(core) == live
    assert _indexes_and_triggers(pg_schema) == before
    assert all(s["lag_events"] == 0 for s in core.projections.status())


def test_a_group_staged_apart_that_fails_fails_the_rebuild_and_changes_nothing(
        core, clock, pg_schema, monkeypatch) -> None:
    """A process of its own is told to stage a projection the catalogue lacks (as if its code
    had changed under it): it fails, and the live read models stay as they were."""
    history(core, clock)
    core.projections.catch_up()
    live = snapshot(core)
    stranger = SimpleNamespace(name="no-such-read-model")
    monkeypatch.setattr("projections.staged_rebuild._groups",
                        lambda projections, count: [list(projections), [stranger]])
    with pytest.raises(Exception, match="no-such-read-model"):
        core.projections.rebuild(processes=2)
    assert snapshot(core) == live
    with psycopg.connect(PG_URL) as conn:
        assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s",
                            (f"{pg_schema}__rebuild",)).fetchone() == (0,)
