"""How a wallet's lots are stored in its snapshots: compact lists, not one object per spend.

A wallet's state is dataclasses (lots, the spends each funds, its reversals); the library's JSON
transcoder needs a transcoding for each. Spends are rows `[ref_id, kind, tokens, gone_tokens]`,
so a snapshot costs about what its numbers do.
"""

from typing import Any

from eventsourcing.persistence import Transcoding

from domain.aggregates.wallet import Consumption, Lot, ReversalRecord


class LotAsList(Transcoding):
    type = Lot
    name = "wallet_lot"

    def encode(self, obj: Lot) -> Any:
        return [obj.purchase_id, obj.credited_tokens, obj.remaining_tokens, obj.credited_at,
                obj.reversed_tokens,
                [[c.ref_id, c.kind, c.tokens, c.gone_tokens] for c in obj.consumptions],
                [[r.reason, r.free_tokens, r.spends] for r in obj.reversals],
                obj.last_spent_at, obj.archived]

    def decode(self, data: Any) -> Lot:
        (purchase_id, credited, remaining, credited_at, reversed_tokens, consumptions,
         reversals, last_spent_at, archived) = data
        return Lot(purchase_id=purchase_id, credited_tokens=credited, remaining_tokens=remaining,
                   credited_at=credited_at, reversed_tokens=reversed_tokens,
                   consumptions=[Consumption(*row) for row in consumptions],
                   reversals=[ReversalRecord(reason, free, spends)
                              for reason, free, spends in reversals],
                   last_spent_at=last_spent_at, archived=archived)


WALLET_TRANSCODINGS = (LotAsList(),)
