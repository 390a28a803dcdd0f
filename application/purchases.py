"""Token packs: open a Stripe Checkout session, then follow Stripe's webhooks to the wallet.

Arrival order does not matter (see TokenPurchase); handling each event once is StripeEvents' job.
"""

import contextlib
from datetime import datetime, timedelta
from typing import Any

from eventsourcing.persistence import IntegrityError

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from application.ports import CheckoutSession, PaymentGateway, PurchaseIndex
from application.reversals import give_back_revoked_unlocks, reinstate_spends, reverse_spends
from application.stripe_charges import (
    DISPUTE_CLOSED,
    DISPUTE_OPENED,
    DISPUTE_STILL_OPEN,
    REFUND,
    ChargeChange,
    charge_change,
)
from domain import ids
from domain.aggregates.token_purchase import TokenPurchase
from domain.aggregates.wallet import LotArchivedError, Wallet
from domain.catalogue import CURRENCY, find_pack
from domain.errors import UnknownPackError

PACK_KIND = "token_pack"


class TokenPurchases:
    def __init__(self, ledger: Ledger, gateway: PaymentGateway, index: PurchaseIndex,
                 clock: Clock, public_url: str, dispute_fee_minor: int = 2_000,
                 lot_archive_after: timedelta = timedelta(days=180)) -> None:
        self._ledger = ledger
        self._lot_archive_after = lot_archive_after
        self._dispute_fee_minor = dispute_fee_minor
        self._gateway = gateway
        self._index = index
        self._clock = clock
        self._public_url = public_url.rstrip("/")

    # -- checkout ---------------------------------------------------------------------------

    def start_checkout(self, fan_id: str, pack_sku: str, idempotency_key: str) -> CheckoutSession:
        pack = find_pack(pack_sku)
        if pack is None:
            raise UnknownPackError(f"no token pack {pack_sku!r}")
        session = self._gateway.create_checkout_session(
            pack=pack, fan_id=fan_id, idempotency_key=idempotency_key,
            success_url=f"{self._public_url}/wallet?checkout=success",
            cancel_url=f"{self._public_url}/wallet?checkout=cancelled")
        if self._ledger.get_or_none(ids.purchase_id(session.id)) is None:
            purchase = TokenPurchase(checkout_session_id=session.id, fan_id=fan_id,
                                     pack_sku=pack.sku, tokens=pack.tokens,
                                     price_minor=pack.price_minor, currency=CURRENCY,
                                     at=self._clock())
            with contextlib.suppress(IntegrityError):  # else recorded by a concurrent retry
                self._ledger.save(purchase)
        return session

    # -- webhooks ---------------------------------------------------------------------------

    def plan_stripe_event(self, event: dict[str, Any]) -> tuple[str, list[Any]] | None:
        """Effects of a payment event on purchases, wallets and earnings; None if not ours."""
        kind = event["type"]
        obj = _obj(event)
        now = self._clock()
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            return self._on_session_paid(obj, now)
        if kind in ("checkout.session.expired", "checkout.session.async_payment_failed"):
            purchase = self._ledger.get_or_none(ids.purchase_id(obj["id"]))
            if purchase is None:
                return "unmatched", []
            purchase.fail(kind.rsplit(".", 1)[-1], now)
            return "failed", [purchase]
        if kind == "payment_intent.payment_failed":
            purchase = self._purchase_for_payment_intent(obj["id"])
            if purchase is None:
                return "unmatched", []
            error = obj.get("last_payment_error") or {}
            purchase.fail(error.get("message") or error.get("code") or "payment_failed", now)
            return "failed", [purchase]
        change = charge_change(event, self._dispute_fee_minor)
        if change is not None:
            try:
                return self._on_charge_change(change, now)
            except LotArchivedError:  # an archived lot funds a spend it reaches: plan again,
                return self._on_charge_change(change, now, in_detail=True)  # the wallet in detail
        return None

    def _on_charge_change(self, change: ChargeChange, now: datetime,
                          in_detail: bool = False) -> tuple[str, list[Any]] | None:
        """A refund or dispute (opened, closed won or lost, or an inquiry closed as a warning):
        each changes the purchase's target once, in whatever order Stripe delivers them. None
        when the charge did not pay for a pack (it may have paid a subscription invoice)."""
        if change.invoice_id:
            return None
        purchase = self._purchase_for_payment_intent(change.payment_intent_id)
        if purchase is None:
            return None
        if change.kind == REFUND:
            if change.amount_minor > purchase.price_minor:
                return "refund_exceeds_payment", []  # flagged for finance; applies nothing
            purchase.record_refund(change.amount_minor, now)
            return "refunded", [purchase, *self._apply_reversal(purchase, now,
                                                                in_detail=in_detail)]
        if change.amount_minor > purchase.price_minor:
            return "dispute_exceeds_payment", []  # flagged for finance; applies nothing
        first = purchase.dispute_status is None
        if change.kind == DISPUTE_OPENED:
            if not purchase.record_dispute(change.dispute_id, change.amount_minor, now):
                return "dispute_already_recorded", []
            outcome = "disputed"
        elif change.kind == DISPUTE_STILL_OPEN:
            return "dispute_still_open", []
        else:
            assert change.kind == DISPUTE_CLOSED
            if not purchase.record_dispute_closed(change.dispute_id, change.won,
                                                  change.fee_minor, now):
                return "dispute_already_closed", []
            outcome = "dispute_won" if change.won else "dispute_lost"
        return outcome, [purchase, *self._apply_reversal(purchase, now, freeze=first,
                                                         in_detail=in_detail)]

    def _on_session_paid(self, session: dict[str, Any],
                         now: datetime) -> tuple[str, list[Any]] | None:
        metadata = session.get("metadata") or {}
        if metadata.get("lyra_kind") != PACK_KIND:
            return None  # another kind of checkout (a subscription): not a pack's
        if session.get("payment_status") not in ("paid", "no_payment_required"):
            return "awaiting_payment", []
        purchase = self._ledger.get_or_none(ids.purchase_id(session["id"]))
        if purchase is None:  # the start was never recorded: rebuild it from Stripe's copy
            purchase = _purchase_from_metadata(session["id"], metadata, now)
            if purchase is None:
                return "unmatched", []
        amount_total = session.get("amount_total")
        if amount_total is not None and int(amount_total) != purchase.price_minor:
            return "amount_mismatch", []
        if not purchase.complete(session.get("payment_intent"), purchase.price_minor, now):
            return "already_completed", []
        wallet = self._ledger.get_snapshotted_or_none(ids.wallet_id(purchase.fan_id))
        if wallet is None:
            wallet = Wallet(fan_id=purchase.fan_id)
        wallet.credit(str(purchase.id), purchase.tokens, now)
        effects = self._apply_reversal(purchase, now, freeze=purchase.dispute_status is not None,
                                       wallet=wallet)
        return "credited", [purchase, wallet, *effects]

    def _apply_reversal(self, purchase: TokenPurchase, now: datetime, freeze: bool = False,
                        wallet: Wallet | None = None, in_detail: bool = False) -> list[Any]:
        """Bring the wallet to what refunds and disputes ask for, once the tokens are in it:
        take back what they add, give back what a won dispute drops.

        The wallet is loaded compact unless the purchase's lot may need the spends of archived
        lots (needs_detail) or `in_detail` says a first plan met one anyway (LotArchivedError):
        a spend this purchase revoked, re-sourced long ago, can also be paid by an archived lot.

        A dispute freezes the wallet for spending, once, when it is first recorded; staff clear
        it (a won dispute does not). Returns what changed, the wallet included unless the caller
        passed it in.
        """
        delta = purchase.pending_reversal_tokens
        freeze = freeze and purchase.is_completed
        if delta == 0 and not freeze and purchase.reversal_applied_tokens == 0:
            return []  # nothing to move, and nothing of this purchase's revokes an unlock
        loaded = wallet is None
        wallet = wallet or self._ledger.get_snapshotted_or_none(ids.wallet_id(purchase.fan_id))
        if wallet is None:
            return []
        if loaded and (in_detail or delta and wallet.needs_detail(str(purchase.id), now,
                                                                  self._lot_archive_after)):
            wallet = self._ledger.get_in_detail(wallet.id)  # the slow path: an old lot
        if freeze:
            wallet.freeze(f"dispute on purchase {purchase.checkout_session_id}", now)
        changed: list[Any] = []
        reason = "dispute_won" if delta < 0 else "dispute" if purchase.disputed else "refund"
        if delta > 0:
            plan = wallet.reverse_purchase(str(purchase.id), delta, reason, now)
            purchase.apply_reversal(delta, now)
            changed = reverse_spends(self._ledger, plan, reason, now)
        elif delta < 0:
            reinstated = wallet.reinstate_purchase(str(purchase.id), -delta, reason, now)
            purchase.apply_reinstatement(-delta, now)
            changed = reinstate_spends(self._ledger, reinstated, reason, now)
        changed += give_back_revoked_unlocks(self._ledger, wallet, purchase, changed, reason, now)
        if not changed and delta == 0 and not freeze:
            return []
        return [wallet, *changed] if loaded else changed

    def _purchase_for_payment_intent(self, payment_intent_id: str | None) -> TokenPurchase | None:
        if not payment_intent_id:
            return None
        session_id = self._index.session_for_payment_intent(payment_intent_id)
        if session_id is None:
            info = self._gateway.find_checkout_session(payment_intent_id)
            if info is None or (info.metadata or {}).get("lyra_kind") != PACK_KIND:
                return None
            session_id = info.id
            found = self._ledger.get_or_none(ids.purchase_id(session_id))
            return found or _purchase_from_metadata(session_id, info.metadata, self._clock())
        return self._ledger.get_or_none(ids.purchase_id(session_id))


def _obj(event: dict[str, Any]) -> dict[str, Any]:
    return event.get("data", {}).get("object", {}) or {}


def _purchase_from_metadata(session_id: str, metadata: dict[str, str],
                            now: datetime) -> TokenPurchase | None:
    pack = find_pack(metadata.get("pack_sku", ""))
    if pack is None or not metadata.get("fan_id"):
        return None
    return TokenPurchase(checkout_session_id=session_id, fan_id=metadata["fan_id"],
                         pack_sku=pack.sku, tokens=pack.tokens, price_minor=pack.price_minor,
                         currency=CURRENCY, at=now)
