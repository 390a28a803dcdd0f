"""The ledger's MessagePack transcoder gives back what the JSON one did, in fewer bytes, and
still reads what JSON wrote."""

from datetime import UTC, datetime, timedelta, timezone
from enum import IntEnum, StrEnum
from typing import Any
from uuid import UUID, uuid4

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

from adapters.eventstore.msgpack_transcoder import MsgpackTranscoder
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
