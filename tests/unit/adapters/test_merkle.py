"""The Merkle tree against RFC 6962's definition, over every shape a ledger can have."""

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from adapters.eventstore.merkle import (
    EMPTY_ROOT,
    consistency_path,
    inclusion_path,
    leaf_hash,
    node_hash,
    root_from_inclusion,
    root_of,
    roots_from_consistency,
    split,
)


def leaves(n: int) -> list[bytes]:
    return [leaf_hash(hashlib.sha256(str(i).encode()).digest() if i % 7 else b"")
            for i in range(n)]


def mth(items: list[bytes]) -> bytes:
    """RFC 6962 §2.1, word for word."""
    if len(items) == 1:
        return items[0]
    k = split(len(items))
    return node_hash(mth(items[:k]), mth(items[k:]))


def subtree_of(items: list[bytes]):  # type: ignore[no-untyped-def]
    return lambda lo, hi: mth(items[lo:hi])


def test_known_values() -> None:
    assert root_of([]) == EMPTY_ROOT
    a, b, c = leaves(3)
    assert root_of([a]) == a
    assert root_of([a, b, c]) == node_hash(node_hash(a, b), c)


@given(st.integers(1, 300))
def test_root_is_rfc_6962s(n: int) -> None:
    assert root_of(leaves(n)) == mth(leaves(n))


@given(st.data())
def test_every_inclusion_proof_leads_to_the_root(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 300))
    index = data.draw(st.integers(0, n - 1))
    items = leaves(n)
    path = inclusion_path(index, n, subtree_of(items))
    assert len(path) <= (n - 1).bit_length()
    assert root_from_inclusion(index, n, items[index], path) == mth(items)
    # Another leaf, another index, a hash altered or dropped: not the root.
    other = leaf_hash(b"forged")
    assert root_from_inclusion(index, n, other, path) != mth(items)
    if n > 1:
        assert root_from_inclusion((index + 1) % n, n, items[index], path) != mth(items)
        altered = [*path]
        altered[0] = bytes(32)
        assert root_from_inclusion(index, n, items[index], altered) != mth(items)
        assert root_from_inclusion(index, n, items[index], path[:-1]) != mth(items)


@given(st.data())
def test_consistency_proofs_tie_a_tree_to_its_extension(data: st.DataObject) -> None:
    second = data.draw(st.integers(1, 300))
    first = data.draw(st.integers(1, second))
    items = leaves(second)
    path = consistency_path(first, second, subtree_of(items))
    assert roots_from_consistency(first, second, mth(items[:first]), path) == \
        (mth(items[:first]), mth(items))
    if first < second:  # a rewritten earlier tree is not extended by the later one
        rewritten = [*items[:first - 1], leaf_hash(b"rewritten")]
        got = roots_from_consistency(first, second, mth(rewritten), path)
        assert got is None or got != (mth(rewritten), mth(items))
