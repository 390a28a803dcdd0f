"""One creator's (or fan's) money history as an archive an auditor verifies alone
(tools/lyra_verify.py).

The archive holds every event that touched the creator's money: their holds' streams, the spends
and subscription invoices that earned them (and the token purchases that funded those spends,
whose refunds and disputes reverse them), and the payouts that took from them. Each event is
stored exactly as the chain hashed it, with the chain's hash before it and its inclusion proof
in a signed checkpoint; beside them the checkpoint, the public key, the field-name table that
decodes the stored states, and the statement and payout rebuild as LYRA computes them. A
manifest names every file's SHA-256.

Cost grows with the creator's history: their streams are read by id, and proofs come from the
stored tree's tiles (application/audit_pack/checkpoints.py).
"""

import base64
import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.application import project_aggregate

from adapters.eventstore.bulk import select_streams_with_positions
from adapters.eventstore.field_names import FIELD_NAMES
from adapters.eventstore.ledger import Ledger
from application.audit_pack.checkpoints import Checkpoints
from application.errors import UnknownWalletError
from domain import ids
from domain.aggregates.earnings_hold import MINOR, EarningsHold
from domain.aggregates.wallet import Wallet
from domain.errors import DomainError, UnknownCreatorError

FORMAT = "lyra-audit-export/1"
WALLET_FIGURES = ("balance_tokens", "credited_tokens", "spent_tokens", "reversed_tokens",
                  "spends_reversed_tokens", "debt_tokens")
HOLD_FIGURES = ("amount", "held", "available", "in_payout", "paid", "reversed", "clawback",
                "clawback_in_payout", "clawback_recovered", "credit")


class BeforeFirstEventError(DomainError):
    code = "before_first_event"


@dataclass(frozen=True)
class AuditArchive:
    data: bytes
    summary: dict[str, Any]


class AuditExports:
    def __init__(self, ledger: Ledger, checkpoints: Checkpoints,
                 hold_ids: Callable[[str], list[str]],
                 payout_rebuild: Callable[[str, str, str], dict[str, Any]]) -> None:
        self.ledger = ledger
        self.checkpoints = checkpoints
        self.hold_ids = hold_ids
        self.payout_rebuild = payout_rebuild

    def creator(self, creator_id: str, until: datetime | None = None) -> AuditArchive:
        creator = self.ledger.get_or_none(ids.creator_id(creator_id))
        if creator is None:
            raise UnknownCreatorError(f"no creator {creator_id!r}")
        _not_before(until, creator.created_on, "the creator's")
        decoded = self._rows([UUID(h) for h in self.hold_ids(creator_id)], until)

        def statement(rows: list[tuple[tuple[Any, ...], Any]],
                      checkpoint: dict[str, Any]) -> dict[str, bytes]:
            moment = (until or checkpoint_time(checkpoint)).isoformat()
            return {"statement.json": _json(self._statement(creator_id, rows, until)),
                    "payout_rebuild.json": _json(self.payout_rebuild(
                        creator.created_on.isoformat(), moment, creator_id))}

        return self._archive({"kind": "creator", "id": creator_id}, decoded, until, statement)

    def fan(self, fan_id: str, until: datetime | None = None) -> AuditArchive:
        """A fan's wallet, the purchases that credited it and the spends it paid for."""
        wallet = self.ledger.get_snapshotted_or_none(ids.wallet_id(fan_id))
        if wallet is None:
            raise UnknownWalletError(f"no wallet for fan {fan_id!r}")
        _not_before(until, wallet.created_on, "the wallet's")
        read = self._read([wallet.id], until)
        purchases = {UUID(e.purchase_id) for e in read.values() if hasattr(e, "purchase_id")}
        spends = {UUID(e.ref_id.split(":", 1)[1]) for e in read.values()
                  if isinstance(e, Wallet.TokensSpent)}
        decoded = {**read, **self._read(sorted(purchases | spends), until)}

        def statement(rows: list[tuple[tuple[Any, ...], Any]],
                      checkpoint: dict[str, Any]) -> dict[str, bytes]:
            events = [event for row, event in rows if row[1] == wallet.id]
            folded: Any = project_aggregate(None, events)
            return {"statement.json": _json({
                "fan_id": fan_id, "until": until.isoformat() if until else None,
                **{name: getattr(folded, name) for name in WALLET_FIGURES}})}

        return self._archive({"kind": "fan", "id": fan_id}, decoded, until, statement)

    def _archive(self, subject: dict[str, str], decoded: dict[tuple[Any, ...], Any],
                 until: datetime | None,
                 statement: Callable[[list[tuple[tuple[Any, ...], Any]], dict[str, Any]],
                                     dict[str, bytes]]) -> AuditArchive:
        """The events with their proofs in a checkpoint that covers them, the subject's
        statement, and a signed manifest."""
        checkpoint = self.checkpoints.take()
        size = checkpoint["tree_size"]
        rows = [row for row in sorted(decoded) if row[0] <= size]  # later: the next export's
        positions = [row[0] for row in rows]
        proofs = self.checkpoints.inclusion(positions, size)
        previous = self._previous_chain_hashes(positions)
        events = [{"position": p, "stream": str(stream), "version": version, "topic": topic,
                   "state": base64.b64encode(state).decode(),
                   "previous_chain_hash": previous[p].hex(), "proof": proofs[p]}
                  for p, stream, version, topic, state in rows]
        files = {
            "events.jsonl": b"".join(orjson.dumps(e) + b"\n" for e in events),
            "checkpoint.json": _json(checkpoint),
            "public_key.json": _json(self.checkpoints.public_key()),
            "field_names.json": _json(list(FIELD_NAMES)),
            **statement([(row, decoded[row]) for row in rows], checkpoint),
        }
        manifest = {"format": FORMAT, "subject": subject,
                    "until": until.isoformat() if until else None, "events": len(events),
                    "checkpoint_sequence": checkpoint["sequence"],
                    "files": {name: hashlib.sha256(data).hexdigest()
                              for name, data in files.items()}}
        manifest_text = _json(manifest)
        signature = self.checkpoints.signer.sign(manifest_text)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in {"manifest.json": manifest_text,
                               "manifest.sig": base64.b64encode(signature) + b"\n",
                               **files}.items():
                archive.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), text,
                                 compress_type=zipfile.ZIP_DEFLATED)
        data = buffer.getvalue()
        return AuditArchive(data, {"subject": subject, "events": len(events),
                                   "bytes": len(data), "checkpoint": checkpoint})

    def _rows(self, holds: list[UUID], until: datetime | None
              ) -> dict[tuple[int, UUID, int, str, bytes], Any]:
        """The holds' streams, then the streams they name: sources, payouts, and the purchases
        whose lots funded the sources."""
        read = self._read(holds, until)
        sources: set[UUID] = set()
        payouts: set[UUID] = set()
        for event in read.values():
            if isinstance(event, EarningsHold.Held):
                sources.add(event.source_id)
            payout_ref = getattr(event, "payout_ref", None)
            if payout_ref:
                payouts.add(UUID(payout_ref))
        named = self._read(sorted(sources | payouts), until)
        lots = {UUID(str(lot)) for event in named.values()
                for lot, *_ in (getattr(event, "lots_used", None) or [])}
        funded = self._read(sorted(lots - sources), until)
        return {**read, **named, **funded}

    def _read(self, streams: list[UUID], until: datetime | None
              ) -> dict[tuple[int, UUID, int, str, bytes], Any]:
        rows = select_streams_with_positions(self.ledger.recorder, self.ledger.db.kind,
                                             self.ledger.db.schema, self.ledger.events_table,
                                             list(streams))
        decoded = {row: self.ledger.decode_row(row[3], row[1], row[2], row[4]) for row in rows}
        return {row: event for row, event in decoded.items()
                if until is None or event.timestamp <= until}

    def _previous_chain_hashes(self, positions: list[int]) -> dict[int, bytes]:
        """The chain's entry before each position (the chain of the event before it, whatever
        stream that was): what the event's own entry is chained to."""
        merkle = self.ledger.merkle
        before = merkle.chain_entries(p - 1 for p in positions)
        return {p: before[p - 1] if p - 1 in before else merkle.chain_head(p - 1)
                for p in positions}

    def _statement(self, creator_id: str, rows: list[tuple[tuple[Any, ...], Any]],
                   until: datetime | None) -> dict[str, Any]:
        """Each hold and payout as LYRA's aggregates fold them, and the totals by unit."""
        streams: dict[UUID, list[Any]] = {}
        for row, event in rows:
            streams.setdefault(row[1], []).append(event)
        holds, payouts = [], []
        totals = {unit: dict.fromkeys(HOLD_FIGURES, 0) for unit in ("tokens", "minor")}
        for stream, events in streams.items():
            first = type(events[0]).__qualname__
            if first == "EarningsHold.Held":
                hold: Any = project_aggregate(None, events)
                unit = "minor" if hold.unit == MINOR else "tokens"
                figures = {name: getattr(hold, name) for name in HOLD_FIGURES}
                for name, value in figures.items():
                    totals[unit][name] += value
                holds.append({"hold_id": str(stream), "source_kind": hold.source_kind,
                              "source_id": str(hold.source_id), "unit": unit,
                              "status": hold.status, **figures})
            elif first == "Payout.Created":
                payout: Any = project_aggregate(None, events)
                payouts.append({"payout_id": str(stream), "run_key": payout.run_key,
                                "status": payout.status, "amount_minor": payout.amount_minor})
        return {"creator_id": creator_id, "until": until.isoformat() if until else None,
                "totals": totals, "holds": sorted(holds, key=lambda h: h["hold_id"]),
                "payouts": sorted(payouts, key=lambda p: p["payout_id"]),
                "paid_minor": sum(p["amount_minor"] for p in payouts if p["status"] == "paid")}


def _not_before(until: datetime | None, first: datetime, whose: str) -> None:
    if until is not None and until < first:
        raise BeforeFirstEventError(f"{until.isoformat()} is before {whose} first event "
                                    f"({first.isoformat()})")


def checkpoint_time(checkpoint: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(checkpoint["signed_at"])


def _json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
