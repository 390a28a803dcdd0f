"""How a wallet's lots are stored in its snapshots: a lot's spends packed, in content-hashed chunks.

A wallet's state is dataclasses (lots, the spends each funds, its reversals); the library's JSON
transcoder needs a transcoding for each. A lot's spends are one string
(`domain.aggregates.wallet.pack_consumptions`), left packed when a snapshot is read: reading a
wallet decodes the spends of the lot it spends from, not of every lot still in the dispute window.

Written inside a snapshot being taken (`spend_chunks.CURRENT` set), a lot's packed spends go out
as chunks of `CHUNK_ROWS` rows named by hash (`spend_chunks.SpendChunkStore` stores each once);
only the last, still-growing part of a lot that has tokens left stays inline. Snapshots written
before chunks (the packed string inline) still read as they were.
"""

from typing import Any

from eventsourcing.persistence import Transcoding

from adapters.eventstore.spend_chunks import CHUNK_ROWS, CURRENT, SpendChunkStore, chunk_hash
from domain.aggregates.wallet import Lot, ReversalRecord


class MissingChunkError(LookupError):
    """A snapshot names a chunk that is gone: the snapshot is unreadable, the events are not."""


class LotAsList(Transcoding):
    type = Lot
    name = "wallet_lot"

    def __init__(self, store: SpendChunkStore | None = None) -> None:
        self.store = store

    def encode(self, obj: Lot) -> Any:
        return [obj.purchase_id, obj.credited_tokens, obj.remaining_tokens, obj.credited_at,
                obj.reversed_tokens, self._spends(obj),
                [[r.reason, r.free_tokens, r.spends] for r in obj.reversals],
                obj.last_spent_at, obj.archived]

    def _spends(self, lot: Lot) -> str | list[Any]:
        """The packed string, or [chunk names, inline tail] inside a snapshot being taken.
        Chunks the lot was read with and has not needed since are named again, unread."""
        context = CURRENT.get()
        if context is None:
            return lot.packed_consumptions()
        names = list(lot.sealed) if lot.spends is None else []
        unsealed = lot.unsealed_packed() if lot.spends is None else lot.packed_consumptions()
        rows = unsealed.split(";") if unsealed else []
        sealed = len(rows) if lot.remaining_tokens == 0 else len(rows) - len(rows) % CHUNK_ROWS
        for start in range(0, sealed, CHUNK_ROWS):
            text = ";".join(rows[start:start + CHUNK_ROWS])
            key = chunk_hash(context.owner, text)
            context.written[key] = text
            names.append(key)
        if not names:
            return unsealed
        return [names, ";".join(rows[sealed:])]

    def decode(self, data: Any) -> Lot:
        """A lot whose spends were written in chunks keeps their names and reads them on first
        need (a tip only appends)."""
        (purchase_id, credited, remaining, credited_at, reversed_tokens, spends,
         reversals, last_spent_at, archived) = data
        lot = Lot(purchase_id=purchase_id, credited_tokens=credited, remaining_tokens=remaining,
                  credited_at=credited_at, reversed_tokens=reversed_tokens, spends=None,
                  packed=spends if isinstance(spends, str) else spends[1],
                  reversals=[ReversalRecord(reason, free, spends)
                             for reason, free, spends in reversals],
                  last_spent_at=last_spent_at, archived=archived)
        if not isinstance(spends, str):
            lot.sealed, lot.read_sealed = list(spends[0]), self._read
        return lot

    def _read(self, names: list[str]) -> str:
        fetched = self.store.fetch(names) if self.store is not None else {}
        try:
            return ";".join(fetched[name] for name in names)
        except KeyError as gone:
            raise MissingChunkError(f"spend chunk {gone} is not stored") from None


def wallet_transcodings(store: SpendChunkStore | None = None) -> tuple[Transcoding, ...]:
    """The transcodings a wallet snapshot needs, reading chunks from this store."""
    return (LotAsList(store),)
