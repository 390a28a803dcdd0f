"""The ledger's signed checkpoints, in the ledger itself: one stream, a checkpoint an event.

A checkpoint commits to everything recorded up to a position: the root of the Merkle tree over
the chain's entries (adapters/eventstore/merkle.py) and the chain's head hash there, signed with
the platform's Ed25519 key. Each one extends the one before it (a larger tree whose consistency
with the earlier root anyone can check), so the sequence never goes back and never changes.
"""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.errors import InvalidTransitionError

SIGNED_FORMAT = "lyra-checkpoint/v1"


def signed_text(tree_size: int, root_hash: str, chain_head_hash: str, signed_at: str) -> bytes:
    """What the signature covers, as plain lines (the standalone verifier builds the same)."""
    return f"{SIGNED_FORMAT}\n{tree_size}\n{root_hash}\n{chain_head_hash}\n{signed_at}\n".encode()


class LedgerCheckpoints(Aggregate):
    @staticmethod
    def create_id(**_: object) -> UUID:
        return ids.LEDGER_CHECKPOINTS

    class Opened(Aggregate.Created):
        at: datetime

    @event(Opened)
    def __init__(self, at: datetime) -> None:
        self.opened_at = at
        self.sequence = 0
        self.tree_size = 0
        self.root_hash = ""

    class CheckpointSigned(Aggregate.Event):
        sequence: int
        tree_size: int  # the ledger's positions 1..tree_size, gaps included
        root_hash: str  # hex
        chain_head_hash: str  # hex: the chain's entry at its last event up to tree_size
        signed_at: datetime
        key_id: str  # hex of the first 8 bytes of sha256(public key)
        signature: str  # hex, Ed25519 over signed_text(...)

    def sign(self, tree_size: int, root_hash: str, chain_head_hash: str, signed_at: datetime,
             key_id: str, signature: str) -> None:
        if tree_size <= self.tree_size:
            raise InvalidTransitionError(
                f"a checkpoint extends the last one (of {self.tree_size} positions)")
        self._signed(sequence=self.sequence + 1, tree_size=tree_size, root_hash=root_hash,
                     chain_head_hash=chain_head_hash, signed_at=signed_at, key_id=key_id,
                     signature=signature)

    @event(CheckpointSigned)
    def _signed(self, sequence: int, tree_size: int, root_hash: str, chain_head_hash: str,
                signed_at: datetime, key_id: str, signature: str) -> None:
        self.sequence, self.tree_size, self.root_hash = sequence, tree_size, root_hash
