"""The ledger's MessagePack transcoder gives back what the JSON one did, in fewer bytes, and
still reads what JSON wrote."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from enum import IntEnum, StrEnum
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)
from hypothesis import given
from hypothesis import strategies as st

from adapters.eventstore.field_names import FIELD_CODES, FIELD_NAMES
from adapters.eventstore.msgpack_transcoder import UUID_FIELD, MsgpackTranscoder
from adapters.eventstore.wallet_codec import wallet_transcodings
from domain.aggregates.wallet import Lot, ReversalRecord


def registered(transcoder: JSONTranscoder) -> Any:
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), *wallet_transcodings()):
        transcoder.register(transcoding)
    return transcoder


JSON = registered(JSONTranscoder())
PACK = registered(MsgpackTranscoder())

moments = st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), None]))
leaves = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63 - 1), st.text(),
                   st.floats(allow_nan=False), st.uuids(), moments)
values = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner),
    st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=20)


@given(st.dictionaries(st.text(max_size=12), values, max_size=8))
def test_a_state_reads_back_as_json_gave_it_back(state: dict[str, Any]) -> None:
    assert PACK.decode(PACK.encode(state)) == JSON.decode(JSON.encode(state))


@given(st.dictionaries(st.text(max_size=12), values, max_size=8))
def test_states_written_as_json_still_read(state: dict[str, Any]) -> None:
    assert PACK.decode(JSON.encode(state)) == JSON.decode(JSON.encode(state))


def test_moments_keep_their_zone_and_ids_their_type() -> None:
    at = datetime(2026, 3, 3, 12, 0, 0, 123456, tzinfo=UTC)
    paris = datetime(2026, 3, 3, 13, tzinfo=timezone(timedelta(hours=1)))
    naive = datetime(2026, 3, 3, 12)
    back = PACK.decode(PACK.encode({"at": at, "paris": paris, "naive": naive, "id": UUID(int=7),
                                    "ids": [UUID(int=8)], "keys": {1: "one"}}))
    assert back == {"at": at, "paris": paris, "naive": naive, "id": UUID(int=7),
                    "ids": [UUID(int=8)], "keys": {"1": "one"}}
    assert back["at"].tzinfo is UTC and back["paris"].utcoffset() == timedelta(hours=1)
    assert back["naive"].tzinfo is None


def test_enums_are_written_as_their_values() -> None:
    class Kind(StrEnum):
        TIP = "tip"

    class Share(IntEnum):
        CREATOR = 7000

    back = PACK.decode(PACK.encode({"kind": Kind.TIP, "bps": Share.CREATOR}))
    assert back == {"kind": "tip", "bps": 7000}
    assert type(back["kind"]) is str and type(back["bps"]) is int


def test_registered_objects_round_trip_and_others_are_refused() -> None:
    lot = Lot(purchase_id="p", credited_tokens=500, remaining_tokens=10,
              credited_at=datetime(2026, 1, 1, tzinfo=UTC), packed="tip:1,spend,490,0",
              spends=None, reversals=[ReversalRecord("refund", 3, [[0, "tip:1", "spend", 2]])])
    assert PACK.decode(PACK.encode({"lots": {"p": lot}})) == {"lots": {"p": lot}}
    with pytest.raises(TranscodingNotRegisteredError):
        PACK.encode({"what": object()})


def test_a_tip_hold_takes_half_the_bytes() -> None:
    held = {"timestamp": datetime.now(UTC), "originator_topic":
            "domain.aggregates.earnings_hold:EarningsHold", "source_kind": "tip",
            "source_id": uuid4(), "creator_id": "creator-1", "amount_tokens": 2,
            "source_amount_tokens": 3, "earned_at": datetime.now(UTC),
            "release_at": datetime.now(UTC), "amount_minor": 0, "source_amount_minor": 0}
    assert len(PACK.encode(held)) * 2 <= len(JSON.encode(held)) + 16


event_states = st.dictionaries(st.sampled_from(FIELD_NAMES), values, max_size=12)


@given(event_states)
def test_an_events_state_is_stored_by_position_and_reads_back(state: dict[str, Any]) -> None:
    stored = PACK.encode(state)
    shape, *fields = msgspec.msgpack.decode(stored, ext_hook=lambda code, data: None)
    assert [ord(code) for code in shape] == [
        FIELD_CODES[name] + (UUID_FIELD if type(value) is UUID else 0)
        for name, value in state.items()]
    assert len(fields) == len(state)
    assert PACK.decode(stored) == JSON.decode(JSON.encode(state))
    assert list(PACK.decode(stored)) == list(state)  # the fields in their order


@given(event_states)
def test_a_new_reader_learns_a_shape_then_reads_it_typed(state: dict[str, Any]) -> None:
    writer, reader = registered(MsgpackTranscoder()), registered(MsgpackTranscoder())
    stored = writer.encode(state)
    learned = reader.decode(stored)  # a shape this reader has not seen: read untyped
    assert reader.decode(stored) == learned == JSON.decode(JSON.encode(state))


def test_states_stored_as_maps_of_codes_still_read() -> None:
    """What was written before states were positional: a map of field codes (or names)."""
    at = datetime(2026, 3, 3, 12, tzinfo=UTC)
    stored = msgspec.msgpack.encode({FIELD_CODES["amount_tokens"]: 5, FIELD_CODES["at"]: at,
                                     "a_field_not_listed": [1, 2]})
    assert PACK.decode(stored) == {"amount_tokens": 5, "at": at, "a_field_not_listed": [1, 2]}


def test_a_field_not_listed_keeps_the_state_a_map() -> None:
    stored = PACK.encode({"amount_tokens": 5, "a_field_not_listed": "x"})
    assert type(msgspec.msgpack.decode(stored)) is dict
    assert PACK.decode(stored) == {"amount_tokens": 5, "a_field_not_listed": "x"}


def test_shapes_learned_by_many_threads_at_once_all_read() -> None:
    reader = registered(MsgpackTranscoder())
    states = [{name: n for name in FIELD_NAMES[n:n + 3]} for n in range(60)]
    stored = [PACK.encode(state) for state in states]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            assert list(pool.map(reader.decode, stored)) == states


def test_a_state_is_a_mapping() -> None:
    with pytest.raises(TypeError):
        PACK.encode([1, 2])


def test_an_id_field_is_stored_as_its_16_bytes_and_read_back_as_an_id() -> None:
    wallet_id, nested = uuid4(), uuid4()
    state = {"source_id": wallet_id, "purchase_ids": [nested], "amount_tokens": 5}
    stored = PACK.encode(state)
    shape, source_id, _, _ = msgspec.msgpack.decode(stored, ext_hook=lambda code, data: None)
    assert ord(shape[0]) == FIELD_CODES["source_id"] + UUID_FIELD and source_id == wallet_id.bytes
    for reader in (registered(MsgpackTranscoder()), PACK):  # learned untyped, then typed
        for back in (reader.decode(stored), reader.decode(stored)):
            assert back == state and type(back["source_id"]) is UUID


def test_positional_states_with_ids_as_extensions_still_read() -> None:
    """What was written before an id field was marked: the id as MessagePack extension 1."""
    wallet_id = uuid4()
    stored = msgspec.msgpack.encode([chr(FIELD_CODES["source_id"]) + chr(FIELD_CODES["reason"]),
                                     msgspec.msgpack.Ext(1, wallet_id.bytes), "tip"])
    reader = registered(MsgpackTranscoder())
    for _ in range(2):
        assert reader.decode(stored) == {"source_id": wallet_id, "reason": "tip"}


@given(event_states)
def test_a_learned_shape_is_decoded_typed_whatever_its_codes(state: dict[str, Any]) -> None:
    """Codes past 127 (and ids' marks) make a tag that is not ASCII: it must still be matched
    by the typed decoder, not read untyped every time (the slow path gives the same values)."""
    reader = registered(MsgpackTranscoder())
    stored = reader.encode(state)
    reader.decode(stored)
    typed = msgspec.structs.asdict(reader._positional.decode(stored))
    assert typed == reader.decode(stored)
