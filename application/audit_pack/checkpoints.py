"""Signed checkpoints: the ledger commits, now and then, to everything it has recorded.

Taking one extends the stored Merkle tree to the ledger's head, signs its root with the chain's
head hash, and records the signature in the ledger's checkpoint stream. Nothing new since the
last checkpoint (but the checkpoint's own events): nothing is taken. Two hosts taking one at
once: the second save conflicts on the stream's version and returns the first's.
"""

import base64
import contextlib
from collections.abc import Callable
from functools import cached_property
from typing import Any

from eventsourcing.persistence import IntegrityError

from adapters.eventstore.ledger import Ledger
from adapters.eventstore.merkle import roots_from_consistency
from application.clock import Clock
from application.ports import CheckpointSigner
from domain import ids
from domain.aggregates.ledger_checkpoints import LedgerCheckpoints, signed_text
from domain.errors import DomainError


class CheckpointNotFoundError(DomainError):
    code = "checkpoint_not_found"


class LedgerRewrittenError(DomainError):
    code = "ledger_rewritten"


class BadCheckpointRangeError(DomainError):
    code = "invalid_checkpoint_range"


def as_dict(event: Any) -> dict[str, Any]:
    return {"sequence": event.sequence, "tree_size": event.tree_size,
            "root_hash": event.root_hash, "chain_head_hash": event.chain_head_hash,
            "signed_at": event.signed_at.isoformat(), "key_id": event.key_id,
            "signature": event.signature}


class Checkpoints:
    def __init__(self, ledger: Ledger, signer: Callable[[], CheckpointSigner],
                 clock: Clock) -> None:
        self.ledger = ledger
        self._make_signer = signer
        self.clock = clock

    @cached_property
    def signer(self) -> CheckpointSigner:
        """Made on first use: a process that never signs never reads (or makes) the key."""
        return self._make_signer()

    def public_key(self) -> dict[str, str]:
        return {"algorithm": "Ed25519", "key_id": self.signer.key_id,
                "public_key": base64.b64encode(self.signer.public_key).decode()}

    def take(self) -> dict[str, Any]:
        """A checkpoint of the ledger up to its head (or the last one, if nothing is new)."""
        head = self.ledger.max_position()
        stream = self.ledger.get_snapshotted_or_none(ids.LEDGER_CHECKPOINTS)
        if stream is not None and stream.sequence and not self._new_since(stream.tree_size,
                                                                          head):
            return self.latest()
        if head == 0:
            raise CheckpointNotFoundError("the ledger is empty: nothing to commit to")
        merkle = self.ledger.merkle
        merkle.extend(head)
        view = merkle.view(head)
        root = view.root().hex()
        if stream is not None and stream.sequence:
            self._extends(stream.tree_size, stream.root_hash, view)
        chain_head = merkle.chain_head(head).hex()
        now = self.clock()
        signature = self.signer.sign(signed_text(head, root, chain_head, now.isoformat())).hex()
        stream = stream or LedgerCheckpoints(at=now)
        stream.sign(tree_size=head, root_hash=root, chain_head_hash=chain_head, signed_at=now,
                    key_id=self.signer.key_id, signature=signature)
        with contextlib.suppress(IntegrityError):  # another host signed first: theirs stands
            self.ledger.save(stream)
        return self.latest()

    @staticmethod
    def _extends(size: int, root_hash: str, view: Any) -> None:
        """Never sign a tree that does not extend the last signed one: the ledger's past changed
        under it (a restore from the wrong backup, a row altered), and someone must look."""
        signed = bytes.fromhex(root_hash)
        proven = roots_from_consistency(size, view.size, signed, view.consistency(size))
        if proven != (signed, view.root()):
            raise LedgerRewrittenError(
                f"the ledger's first {size} positions no longer hash to the last checkpoint's "
                "root: refusing to sign (run `lyra ledger verify`)")

    def _new_since(self, tree_size: int, head: int) -> bool:
        """Whether anything but the checkpoint stream's own events came after tree_size."""
        if head <= tree_size:
            return False
        if head - tree_size > 2:  # a checkpoint records at most two events (opened, signed)
            return True
        after = self.ledger.events_at(list(range(tree_size + 1, head + 1)))
        return any(event.originator_id != ids.LEDGER_CHECKPOINTS for event in after.values())

    def _signed(self, limit: int | None = None,
                lte_version: int | None = None) -> list[dict[str, Any]]:
        events = self.ledger.events.get(ids.LEDGER_CHECKPOINTS, desc=True, limit=limit,
                                        lte=lte_version)
        return [as_dict(e) for e in events if isinstance(e, LedgerCheckpoints.CheckpointSigned)]

    def latest(self) -> dict[str, Any]:
        found = self._signed(limit=1)
        if not found:
            raise CheckpointNotFoundError("no checkpoint has been signed yet")
        return found[0]

    def all(self) -> list[dict[str, Any]]:
        """Every checkpoint, oldest first (about 24 a day: a plain list stays small)."""
        return self._signed()[::-1]

    def page(self, before_sequence: int | None, limit: int) -> list[dict[str, Any]]:
        """Newest first; a checkpoint's event is its stream's version sequence + 1."""
        return self._signed(limit=limit, lte_version=before_sequence)

    def consistency(self, first: int, second: int) -> dict[str, Any]:
        """Proof that the tree of `second` positions extends that of `first`."""
        latest = self.latest()
        if not 0 < first <= second <= latest["tree_size"]:
            raise BadCheckpointRangeError(
                f"sizes must satisfy 0 < first <= second <= {latest['tree_size']} "
                "(the latest checkpoint's)")
        view = self.ledger.merkle.view(second)
        path = view.consistency(first)
        first_root = self.ledger.merkle.view(first).root()
        self._extends(first, first_root.hex(), view)
        return {"first": first, "second": second, "first_root": first_root.hex(),
                "second_root": view.root().hex(), "path": [p.hex() for p in path]}

    def inclusion(self, positions: list[int], size: int) -> dict[int, list[str]]:
        """Each position's inclusion proof in the tree of `size` positions."""
        view = self.ledger.merkle.view(size)
        view.prefetch(p - 1 for p in positions)
        return {p: [h.hex() for h in view.inclusion(p - 1)] for p in positions}
