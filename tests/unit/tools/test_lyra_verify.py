"""The standalone verifier's own readers agree with the ledger's: its MessagePack decoder with
msgspec (and the ledger's transcoder), its tree hashing with adapters/eventstore/merkle.py."""

import hashlib
from datetime import UTC, datetime, timedelta
from uuid import UUID

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from adapters.eventstore.field_names import FIELD_NAMES
from adapters.eventstore.hash_chain import chain_hash as ledger_chain_hash
from adapters.eventstore.merkle import inclusion_path, leaf_hash, root_of
from adapters.eventstore.msgpack_transcoder import MsgpackTranscoder
from tools.lyra_verify import chain_hash, decode_state, root_from_inclusion, unpack

plain = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text(max_size=300)
    | st.floats(allow_nan=False) | st.binary(max_size=300),
    lambda inner: st.lists(inner, max_size=20) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=20),
    max_leaves=40)


@given(plain)
def test_messagepack_reads_as_msgspec_writes(value: object) -> None:
    assert unpack(msgspec.msgpack.encode(value)) == value


moments = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2400, 1, 1),
                       timezones=st.just(UTC))


@given(moments, st.uuids(), st.integers(0, 10**12), st.text(max_size=40))
def test_a_stored_state_reads_as_the_ledger_wrote_it(moment: datetime, source_id: UUID,
                                                     amount: int, reason: str) -> None:
    state = MsgpackTranscoder().encode({"timestamp": moment, "source_id": source_id,
                                        "amount_tokens": amount, "reason": reason,
                                        "forgiven_in_payouts": {"p-1": 3}})
    assert decode_state(state, list(FIELD_NAMES)) == {
        "timestamp": moment.isoformat(), "source_id": str(source_id), "amount_tokens": amount,
        "reason": reason, "forgiven_in_payouts": {"p-1": 3}}


def test_timestamps_in_every_width() -> None:
    for moment in (datetime(2026, 1, 1, tzinfo=UTC),  # whole seconds: 4 bytes
                   datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=UTC),  # 8 bytes
                   datetime(1969, 1, 1, tzinfo=UTC) + timedelta(microseconds=5)):  # 12 bytes
        assert unpack(msgspec.msgpack.encode(moment)) == moment.isoformat()


@given(st.binary(max_size=40), st.integers(1, 2**40), st.uuids(), st.integers(1, 10**6),
       st.text(max_size=30), st.binary(max_size=200))
def test_chain_hash_is_the_ledgers(previous: bytes, position: int, stream: UUID, version: int,
                                   topic: str, state: bytes) -> None:
    assert chain_hash(previous, position, stream, version, topic, state) == \
        ledger_chain_hash(previous, position, stream, version, topic, state)


@given(st.data())
def test_inclusion_is_the_ledgers(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, 600))
    index = data.draw(st.integers(0, size - 1))
    leaves = [leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(size)]
    path = inclusion_path(index, size, lambda lo, hi: root_of(leaves[lo:hi]))
    assert root_from_inclusion(index, size, leaves[index], path) == root_of(leaves)


def test_the_verifier_stands_alone() -> None:
    """One file an auditor can take away: the standard library and `cryptography`, nothing of
    LYRA's."""
    import ast
    import sys
    from pathlib import Path

    source = Path(__file__).parents[3] / "tools" / "lyra_verify.py"
    modules = {alias.name.split(".")[0] for node in ast.walk(ast.parse(source.read_text()))
               if isinstance(node, ast.Import) for alias in node.names} | {
        node.module.split(".")[0] for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module}
    assert modules - set(sys.stdlib_module_names) == {"cryptography"}
