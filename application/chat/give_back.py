"""A paid message with no reply is given back: the compensating events return the fan's tokens to
the lots that paid, reverse the creator's held share and the platform's, and mark the charge
settled, all in one save. Shared by both modes (stateless), and by the sweeper that settles the
turns a crashed or abandoned process left behind, paid or included."""

from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from application.ports import PendingMessageCharges
from application.subscriptions.service import Subscriptions
from domain import ids
from domain.aggregates.earnings_hold import EarningsHold
from domain.aggregates.message_allowance import MessageAllowance
from domain.aggregates.message_charge import NO_REPLY, MessageCharge
from domain.aggregates.wallet import LotArchivedError, Wallet
from domain.chat_thread import PENDING, ChatThread

ATTEMPTS = 8
NO_REPLY_IN_TIME = "no_reply_in_time"


def give_back_plan(ledger: Ledger, charge_id: UUID, at: datetime) -> list[Any]:
    """The charge's compensating changes, read fresh (nothing if it is settled): to save."""
    charge = ledger.get_or_none(charge_id)
    if not isinstance(charge, MessageCharge) or charge.settled:
        return []
    wallet: Wallet = ledger.get_snapshotted(ids.wallet_id(charge.fan_id))
    try:
        tokens = wallet.return_spend(charge.ref_id, NO_REPLY, at, charge.standing_tokens)
    except LotArchivedError:  # a message as old as the archive window: plan in detail
        wallet = ledger.get_in_detail(wallet.id)
        tokens = wallet.return_spend(charge.ref_id, NO_REPLY, at, charge.standing_tokens)
    hold: EarningsHold = ledger.repository.get(ids.hold_id(charge.kind, charge.id))
    creator_tokens = hold.reverse_source(tokens, NO_REPLY, at) if tokens else 0
    charge.give_back(tokens, creator_tokens, at)
    return [wallet, hold, charge]


def give_back(ledger: Ledger, charge_id: UUID, at: datetime) -> bool:
    """Settle the charge as not delivered; False if it was settled already."""
    return bool(ledger.save_planned(  # the fan spent, or a reversal ran, meanwhile: plan again
        lambda: give_back_plan(ledger, charge_id, at), ATTEMPTS,
        "could not give the message back; it will be retried"))


class StaleTurns:
    """Turns that never ended (the process died, the client vanished before the reply was
    recorded) are failed and given back once they are older than any reply can take: a paid
    message's tokens, or an included message's use of this period's allowance."""

    def __init__(self, ledger: Ledger, pending: PendingMessageCharges,
                 subscriptions: Subscriptions, clock: Clock, older_than: timedelta) -> None:
        self._ledger = ledger
        self._pending = pending
        self._subscriptions = subscriptions
        self._clock = clock
        self._older_than = older_than

    def settle(self, limit: int = 500) -> int:
        now = self._clock()
        settled = 0
        cutoff = (now - self._older_than).isoformat()
        for charge_id in self._pending.pending_message_charges(cutoff, limit):
            settled += bool(self._ledger.save_planned(
                partial(self._plan, UUID(charge_id), now), ATTEMPTS))
        for thread_id, message_id in self._pending.pending_included_turns(cutoff, limit):
            settled += bool(self._ledger.save_planned(
                partial(self._plan_included, UUID(thread_id), message_id, now), ATTEMPTS))
        return settled

    def _plan(self, charge_id: UUID, now: datetime) -> list[Any]:
        """The give-back, and the thread's record that its turn failed, read fresh."""
        changed = give_back_plan(self._ledger, charge_id, now)
        if not changed:
            return []
        charge = changed[-1]
        thread = self._ledger.get_snapshotted_or_none(UUID(charge.thread_id)) \
            if charge.thread_id else None
        if thread is not None:
            entry = next((m for m in thread.messages if m["charge_id"] == str(charge_id)), None)
            if entry is not None and entry["status"] == PENDING:
                thread.fail(entry["message_id"], NO_REPLY_IN_TIME, now)
                changed.append(thread)
        return changed

    def _plan_included(self, thread_id: UUID, message_id: str, now: datetime) -> list[Any]:
        """The thread's record that the turn failed, and the message's use given back to the
        allowance it came from; an allowance whose period has ended since has nothing to give
        (the fan has this period's in full)."""
        thread = self._ledger.get_snapshotted_or_none(thread_id)
        if not isinstance(thread, ChatThread):
            return []
        entry = thread.message(message_id)
        if entry is None or entry["status"] != PENDING:
            return []
        thread.fail(message_id, NO_REPLY_IN_TIME, now)
        period_start = self._subscriptions.access(thread.fan_id, thread.persona_id).period_start
        allowance = self._ledger.get_or_none(ids.message_allowance_id(
            thread.fan_id, thread.persona_id, period_start.isoformat())) if period_start else None
        if isinstance(allowance, MessageAllowance) and message_id in allowance.used:
            allowance.give_back(message_id, now)
            return [thread, allowance]
        return [thread]
