"""The ledger's Merkle tree, as Certificate Transparency defines it (RFC 6962, RFC 9162 §2.1).

Leaf i stands for ledger position i + 1: the hash of that position's chain entry (which commits
to the event and to everything before it), or of nothing where the position holds no event (a
sequence gap). A root over the first n leaves commits to the whole ledger up to position n; an
inclusion proof shows one position's entry under a root in log n hashes, and a consistency proof
shows that a later root extends an earlier one, so a checkpoint can never be rewritten unseen.

Pure functions over a `subtree(lo, hi)` callback that hashes leaves [lo, hi): where the hashes
come from (stored tiles, the chain table) is `merkle_store.py`'s business. The standalone
verifier (tools/lyra_verify.py) carries its own copy of the two `root_from_*` functions.
"""

import hashlib
from collections.abc import Callable

Subtree = Callable[[int, int], bytes]


def leaf_hash(chain_hash: bytes) -> bytes:
    """A position's leaf: its chain entry, or b"" for a position with no event."""
    return hashlib.sha256(b"\x00" + chain_hash).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def split(size: int) -> int:
    """The largest power of two smaller than size (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def root_of(leaves: list[bytes]) -> bytes:
    """The root over leaf hashes held in memory."""
    if not leaves:
        return EMPTY_ROOT
    level = leaves
    # Pairing left to right, an odd node carried up, is the same tree as RFC 6962's split.
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_path(index: int, size: int, subtree: Subtree) -> list[bytes]:
    """RFC 6962 PATH(index, D[0:size]), deepest sibling first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split(hi - lo)
        if index < lo + k:
            path.append(subtree(lo + k, hi))
            hi = lo + k
        else:
            path.append(subtree(lo, lo + k))
            lo += k
    return path[::-1]


def consistency_path(first: int, second: int, subtree: Subtree) -> list[bytes]:
    """RFC 6962 PROOF(first, D[0:second]): that the tree of `second` leaves extends the tree of
    `first`."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from {first} to {second}")
    path: list[bytes] = []

    def sub(lo: int, hi: int, m: int, whole: bool) -> None:
        if m == hi:
            if not whole:
                path.append(subtree(lo, hi))
            return
        k = split(hi - lo)
        if m <= lo + k:
            sub(lo, lo + k, m, whole)
            path.append(subtree(lo + k, hi))
        else:
            sub(lo + k, hi, m, False)
            path.append(subtree(lo, lo + k))

    sub(0, second, first, True)
    return path


def root_from_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root the path leads to, or None if it cannot be a path there."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def roots_from_consistency(first: int, second: int, first_root: bytes,
                           path: list[bytes]) -> tuple[bytes, bytes] | None:
    """RFC 9162 §2.1.4.2: the (first, second) roots the proof leads to, or None."""
    if not 0 < first <= second:
        return None
    if first == second:
        return (first_root, first_root) if not path else None
    if first & (first - 1) == 0:  # a power of two: the first tree is a whole subtree
        path = [first_root, *path]
    if not path:
        return None
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return (fr, sr) if sn == 0 else None
