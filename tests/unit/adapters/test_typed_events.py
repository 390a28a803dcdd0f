"""Stored states decode into typed structures that read as the library's events did; what no
structure knows takes the library's path, counted and named."""

import logging
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from adapters.eventstore.field_names import FIELD_CODES
from adapters.eventstore.msgpack_transcoder import MsgpackTranscoder
from adapters.eventstore.topics import register_short_topics
from adapters.eventstore.typed_events import TypedEvents, event_class
from domain.aggregates.tip import Tip
from domain.aggregates.wallet import Wallet

register_short_topics()
PACK = MsgpackTranscoder()
SENT, FROZEN = "lyra:Tip.Sent", "lyra:Wallet.Frozen"


def reader() -> tuple[TypedEvents, list[tuple[str, Any]]]:
    slow: list[tuple[str, Any]] = []

    def slow_path(topic: str, originator_id: Any, version: int, state: bytes) -> Any:
        slow.append((topic, originator_id))
        return {"slow": PACK.decode(state)}

    return TypedEvents(PACK.ext_hook, slow_path), slow


def sent(**changes: Any) -> dict[str, Any]:
    return {"timestamp": datetime(2026, 3, 1, 12, tzinfo=UTC), "fan_id": "fan-1",
            "creator_id": "creator-1", "amount_tokens": 250, "creator_tokens": 175,
            "platform_tokens": 75, **changes}


@given(amount=st.integers(1, 10**12), fan=st.text(max_size=20))
def test_a_positional_state_reads_as_its_fields_with_the_stream_and_class(amount: int,
                                                                          fan: str) -> None:
    typed, slow = reader()
    stream = uuid4()
    state = sent(amount_tokens=amount, fan_id=fan)
    event = typed.decode(SENT, stream, 3, PACK.encode(state))
    assert event_class(event) is Tip.Sent and not slow
    assert {name: getattr(event, name) for name in state} == PACK.decode(PACK.encode(state))
    assert (event.originator_id, event.originator_version) == (stream, 3)


def test_each_shape_of_a_topic_is_learned_and_kept_apart_from_other_topics() -> None:
    typed, slow = reader()
    short = {"timestamp": datetime(2026, 3, 1, tzinfo=UTC), "reason": "spam",
             "at": datetime(2026, 3, 1, tzinfo=UTC)}
    first = typed.decode(FROZEN, uuid4(), 1, PACK.encode(short))
    longer = typed.decode(FROZEN, uuid4(), 2, PACK.encode({**short, "actor": "adm-1"}))
    tip = typed.decode(SENT, uuid4(), 1, PACK.encode(sent()))
    again = typed.decode(FROZEN, uuid4(), 3, PACK.encode(short))
    assert [event_class(e) for e in (first, longer, tip, again)] == [
        Wallet.Frozen, Wallet.Frozen, Tip.Sent, Wallet.Frozen]
    assert type(again) is type(first) and longer.actor == "adm-1" and not slow


def test_an_id_field_is_a_uuid() -> None:
    typed, _ = reader()
    purchase = uuid4()
    event = typed.decode(SENT, uuid4(), 1, PACK.encode(sent(purchase_id=purchase)))
    assert event.purchase_id == purchase and type(event.purchase_id) is type(purchase)


def test_a_state_no_structure_knows_takes_the_slow_path_counted_and_named_once(caplog) -> None:
    typed, slow = reader()
    as_map = msgspec.msgpack.encode({FIELD_CODES["amount_tokens"]: 7})
    as_json = b'{"amount_tokens": 9}'
    with caplog.at_level(logging.WARNING, logger="adapters.eventstore.typed_events"):
        events = [typed.decode(SENT, uuid4(), 1, state) for state in (as_map, as_json, as_map)]
        typed.decode(SENT, uuid4(), 1, PACK.encode(sent()))  # positional: typed
    assert [e["slow"]["amount_tokens"] for e in events] == [7, 9, 7]
    assert typed.slow_paths == {SENT: 3} and len(slow) == 3
    assert [r.getMessage() for r in caplog.records if SENT in r.getMessage()] == [
        f"events of {SENT} are decoded by the library's mapper (a state no typed structure "
        "knows: written as a map or JSON, or to upcast)"]
