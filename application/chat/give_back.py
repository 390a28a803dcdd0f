"""A paid message with no reply is given back: the compensating events return the fan's tokens to
the lots that paid, reverse the creator's held share and the platform's, and mark the charge
settled, all in one save. Shared by both modes (stateless), and by the sweeper that settles
charges a crashed or abandoned turn left behind."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.clock import Clock
from application.errors import ConcurrencyExhaustedError
from application.ledger import Ledger
from application.ports import PendingMessageCharges
from domain import ids
from domain.aggregates.earnings_hold import EarningsHold
from domain.aggregates.message_charge import NO_REPLY, MessageCharge
from domain.aggregates.wallet import Wallet

ATTEMPTS = 8


def _planned(ledger: Ledger, charge_id: UUID, at: datetime) -> list[Any]:
    charge = ledger.get_or_none(charge_id)
    if not isinstance(charge, MessageCharge) or charge.settled:
        return []
    wallet: Wallet = ledger.repository.get(ids.wallet_id(charge.fan_id))
    tokens = wallet.return_spend(charge.ref_id, NO_REPLY, at)
    hold: EarningsHold = ledger.repository.get(ids.hold_id(charge.kind, charge.id))
    creator_tokens = hold.reverse_source(tokens, NO_REPLY, at) if tokens else 0
    charge.give_back(tokens, creator_tokens, at)
    return [wallet, hold, charge]


def give_back(ledger: Ledger, charge_id: UUID, at: datetime, *also: Any) -> bool:
    """Settle the charge as not delivered (saving `also` with it); False if it was settled."""
    for _ in range(ATTEMPTS):
        changed = _planned(ledger, charge_id, at)
        if not changed:
            return False
        try:
            ledger.save(*changed, *also)
            return True
        except IntegrityError:  # the fan spent, or a reversal ran, meanwhile: plan again
            continue
    raise ConcurrencyExhaustedError("could not give the message back; it will be retried")


class StaleTurns:
    """Charges whose turn never ended (the process died, the client vanished before the reply
    was recorded) are given back once they are older than any reply can take."""

    def __init__(self, ledger: Ledger, pending: PendingMessageCharges, clock: Clock,
                 older_than: timedelta) -> None:
        self._ledger = ledger
        self._pending = pending
        self._clock = clock
        self._older_than = older_than

    def settle(self, limit: int = 500) -> int:
        now = self._clock()
        settled = 0
        cutoff = (now - self._older_than).isoformat()
        for charge_id in self._pending.pending_message_charges(cutoff, limit):
            charge = self._ledger.get_or_none(UUID(charge_id))
            if not isinstance(charge, MessageCharge) or charge.settled:
                continue
            also = []
            thread = self._ledger.get_or_none(UUID(charge.thread_id)) if charge.thread_id else None
            if thread is not None:
                entry = next((m for m in thread.messages if m["charge_id"] == charge_id), None)
                if entry is not None and entry["status"] == "pending":
                    thread.fail(entry["message_id"], "no_reply_in_time", now)
                    also.append(thread)
            settled += give_back(self._ledger, UUID(charge_id), now, *also)
        return settled
