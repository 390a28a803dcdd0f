"""A chat thread read from its latest snapshot is the thread its events make, whatever happened
in it and however its events were saved, on both engines; and a long thread is read from its
snapshot, not from its first event."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import adapters.eventstore.ledger as ledger_module
from application.bootstrap import build_core
from application.settings import Settings
from domain import chat_thread
from domain.aggregates.companion_thread import CompanionThread

AT = datetime(2026, 1, 1, 12, tzinfo=UTC)

steps = st.lists(st.one_of(
    st.tuples(st.just("send"), st.booleans()),  # paid or included
    st.tuples(st.just("deliver"), st.lists(st.sampled_from(["t1", "t2", "t3"]), max_size=2)),
    st.tuples(st.just("fail"), st.just(None)),
    st.tuples(st.just("remember"), st.sampled_from(["name", "mood", "place"])),
    st.tuples(st.just("save"), st.just(None)),
), max_size=60)


def state(thread: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(thread).items() if k not in ("_pending_events",
                                                                "_modified_on")}


def play(ledger: Any, history: list[tuple[str, Any]]) -> CompanionThread:
    thread = CompanionThread(fan_id=f"fan-{uuid.uuid4().hex[:8]}", persona_id="p-1")
    pending: list[str] = []
    for n, (step, arg) in enumerate(history):
        if step == "send":
            thread.send(f"m{n}", f"Message {n}.", "tokens" if arg else "included",
                        5 if arg else 0, f"c{n}" if arg else None, AT)
            pending.append(f"m{n}")
        elif step == "deliver" and pending:
            thread.deliver(pending.pop(0), "A reply.", False, [], arg, AT)
        elif step == "fail" and pending:
            thread.fail(pending.pop(), "no_reply_in_time", AT)
        elif step == "remember":
            thread.remember({arg: f"noted at {n}"}, AT)
        elif step == "save":
            ledger.save(thread)
            thread = ledger.get_snapshotted(thread.id)  # carry on from what a reader gets
    ledger.save(thread)
    return thread


@pytest.fixture
def every_three(monkeypatch):
    """Snapshots every 3 events, and a window of 4 messages and 2 tips: both cross often."""
    monkeypatch.setattr(ledger_module, "SNAPSHOT_EVERY", 3)
    monkeypatch.setattr(chat_thread, "WINDOW_MESSAGES", 4)
    monkeypatch.setattr(chat_thread, "WINDOW_TIPS", 2)


@given(history=steps)
def test_a_thread_from_its_snapshot_is_the_thread_its_events_make(core, every_three,
                                                                     history) -> None:
    thread = play(core.ledger, history)
    taken = list(core.ledger.snapshot_store.get(thread.id))
    assert bool(taken) == (thread.version >= 3)  # every save past a multiple of 3 takes one
    assert state(core.ledger.get_snapshotted(thread.id)) == state(
        core.ledger.repository.get(thread.id))


def test_snapshots_on_sqlite_too(tmp_path, clock, every_three) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/lyra.sqlite", environment="test",
                        run_projections=False)
    core = build_core(settings, clock=clock)
    try:
        thread = play(core.ledger, [("send", True), ("deliver", ["t1"]), ("send", False),
                                    ("save", None), ("remember", "name"), ("fail", None)] * 4)
        assert list(core.ledger.snapshot_store.get(thread.id))
        assert state(core.ledger.get_snapshotted(thread.id)) == state(
            core.ledger.repository.get(thread.id))
    finally:
        core.close()


def test_a_long_thread_is_read_from_its_snapshot_and_keeps_its_latest_messages(core) -> None:
    thread = CompanionThread(fan_id="fan-1", persona_id="p-1")
    thread.send("first", "Still waiting.", "included", 0, None, AT)
    for n in range(260):
        thread.send(f"m{n}", f"Message {n}.", "included", 0, None, AT)
        thread.deliver(f"m{n}", "A reply.", False, [], [f"tip-{n}"], AT)
    core.ledger.save(thread)  # 522 events in one save: one snapshot, at the last
    [snapshot] = core.ledger.snapshot_store.get(thread.id)
    assert snapshot.originator_version == thread.version == 522
    thread.send("late", "One more.", "included", 0, None, AT)
    core.ledger.save(thread)  # no multiple of 100 crossed: no snapshot
    assert len(list(core.ledger.snapshot_store.get(thread.id))) == 1
    read = core.ledger.events.get(thread.id, gt=snapshot.originator_version)
    assert [e.originator_version for e in read] == [523]
    again = core.ledger.get_snapshotted(thread.id)
    # The window: the latest 200 messages, and the one still waiting however old it is.
    assert len(again.messages) == chat_thread.WINDOW_MESSAGES
    assert [m["message_id"] for m in again.messages[:2]] == ["first", "m62"]
    assert again.message("late")["status"] == "pending" and again.message("m61") is None
    assert list(again.acknowledged_tips) == [f"tip-{n}" for n in range(260)]
    assert state(again) == state(core.ledger.repository.get(thread.id))


def test_a_snapshot_that_cannot_be_written_loses_no_message(core, every_three,
                                                            monkeypatch) -> None:
    def broken(_stored) -> None:
        raise OSError("the snapshot table is unreachable")

    monkeypatch.setattr(core.ledger.snapshot_store.recorder, "insert_events", broken)
    thread = play(core.ledger, [("send", True), ("deliver", []), ("send", False)] * 3)
    assert list(core.ledger.snapshot_store.get(thread.id)) == []
    assert state(core.ledger.get_snapshotted(thread.id)) == state(thread)
    assert len(core.ledger.repository.get(thread.id).messages) == 4  # the window of 4
