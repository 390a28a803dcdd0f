"""How a wallet's lots are stored in its snapshots: a lot's spends packed in one string.

A wallet's state is dataclasses (lots, the spends each funds, its reversals); the library's JSON
transcoder needs a transcoding for each. A lot's spends are one string
(`domain.aggregates.wallet.pack_consumptions`), left packed when a snapshot is read: reading a
wallet decodes the spends of the lot it spends from, not of every lot still in the dispute
window, and writing a snapshot reuses what it read.
"""

from typing import Any

from eventsourcing.persistence import Transcoding

from domain.aggregates.wallet import Lot, ReversalRecord


class LotAsList(Transcoding):
    type = Lot
    name = "wallet_lot"

    def encode(self, obj: Lot) -> Any:
        return [obj.purchase_id, obj.credited_tokens, obj.remaining_tokens, obj.credited_at,
                obj.reversed_tokens, obj.packed_consumptions(),
                [[r.reason, r.free_tokens, r.spends] for r in obj.reversals],
                obj.last_spent_at, obj.archived]

    def decode(self, data: Any) -> Lot:
        (purchase_id, credited, remaining, credited_at, reversed_tokens, packed,
         reversals, last_spent_at, archived) = data
        return Lot(purchase_id=purchase_id, credited_tokens=credited, remaining_tokens=remaining,
                   credited_at=credited_at, reversed_tokens=reversed_tokens, spends=None,
                   packed=packed,
                   reversals=[ReversalRecord(reason, free, spends)
                              for reason, free, spends in reversals],
                   last_spent_at=last_spent_at, archived=archived)


WALLET_TRANSCODINGS = (LotAsList(),)
