"""Signed checkpoints on the real PostgreSQL ledger: the tree over the chain, proofs, extension."""

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from adapters.eventstore.merkle import leaf_hash, root_from_inclusion, root_of
from application.bootstrap import Core
from application.spending.commands import send_tip
from domain.aggregates.ledger_checkpoints import signed_text
from tests.conftest import CoreFactory
from tests.helpers import fund


def tip(core: Core, fan: str, creator: str, amount: int) -> None:
    core.spending.send(send_tip(fan, creator, amount))


def creators(core: Core, *names: str) -> None:
    for name in names:
        core.creators.register(name, name, "admin")


def test_a_checkpoint_commits_to_every_position_and_is_signed(core: Core) -> None:
    creators(core, "creator-1")
    fund(core, "fan-1")
    for _ in range(3):
        tip(core, "fan-1", "creator-1", 5)
    head = core.ledger.max_position()
    checkpoint = core.checkpoints.take()
    assert checkpoint["sequence"] == 1 and checkpoint["tree_size"] == head
    leaves = core.ledger.merkle.leaves(0, head)
    assert checkpoint["root_hash"] == root_of(leaves).hex()
    key = core.checkpoints.public_key()
    Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"])).verify(
        bytes.fromhex(checkpoint["signature"]),
        signed_text(head, checkpoint["root_hash"], checkpoint["chain_head_hash"],
                    checkpoint["signed_at"]))
    # Nothing new but its own events: the same checkpoint.
    assert core.checkpoints.take() == checkpoint
    proofs = core.checkpoints.inclusion(list(range(1, head + 1)), head)
    for position, path in proofs.items():
        root = root_from_inclusion(position - 1, head, leaves[position - 1],
                                   [bytes.fromhex(h) for h in path])
        assert root is not None and root.hex() == checkpoint["root_hash"]


def test_tiles_are_stored_and_later_checkpoints_extend_earlier_ones(core: Core) -> None:
    creators(core, "creator-0", "creator-1", "creator-2")
    fund(core, "fan-1", "pack_2600")
    sizes = []
    for round_ in range(3):
        for _ in range(120):  # three events a tip: several tiles of 256 per round
            tip(core, "fan-1", f"creator-{round_}", 1)
        sizes.append(core.checkpoints.take()["tree_size"])
    head = sizes[-1]
    assert core.ledger.merkle.view(head).root() == root_of(core.ledger.merkle.leaves(0, head))
    listed = core.checkpoints.all()
    assert [c["tree_size"] for c in listed] == sizes
    proof = core.checkpoints.consistency(sizes[0], sizes[2])
    assert proof["first_root"] == listed[0]["root_hash"]
    assert proof["second_root"] == listed[2]["root_hash"]
    assert leaf_hash(b"")  # a gap's leaf is defined


def test_two_processes_taking_one_at_once_record_one(make_core: CoreFactory) -> None:
    first, second = make_core(), make_core()
    fund(first, "fan-1")
    a = first.checkpoints.take()
    b = second.checkpoints.take()
    assert a == b


def test_a_rewritten_past_is_never_signed(core: Core) -> None:
    """A restored or altered ledger whose first positions no longer hash to the last root."""
    import psycopg
    import pytest
    from psycopg import sql

    from application.audit_pack.checkpoints import LedgerRewrittenError

    creators(core, "creator-1")
    fund(core, "fan-1")
    tip(core, "fan-1", "creator-1", 5)
    core.checkpoints.take()
    tip(core, "fan-1", "creator-1", 5)
    db = core.ledger.db
    with psycopg.connect(db.conninfo, autocommit=True) as conn:  # the chain, bypassing triggers
        conn.execute("SET session_replication_role = replica")
        conn.execute(sql.SQL("UPDATE {}.ledger_chain SET hash = %s WHERE notification_id = 1")
                     .format(sql.Identifier(db.schema)), (bytes(32),))
    with pytest.raises(LedgerRewrittenError):
        core.checkpoints.take()
