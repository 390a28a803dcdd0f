"""A fan's monthly subscription to one persona, paid in pence through Stripe Billing.

One stream per fan and persona, across terms: subscribing again after a subscription ended (or
after abandoning its checkout) starts a new term on the same stream, so "subscribed twice" is a
question this aggregate answers, not a race between two rows.

A term's life: pending (checkout opened) → active → past due (a renewal failed; access kept for
a grace period) → active again when an invoice is paid; canceling (ends at the period's end,
access until then) and ended. Stripe delivers events twice and out of order, so every transition
is idempotent, belongs to the current term's Stripe subscription or is ignored, and a change of
the cancellation flag older than the last one recorded changes nothing.

The money is not here: each paid invoice is a SubscriptionInvoice with its own earning; this
stream only records which periods are paid for, which is what access follows.
"""

from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.errors import DomainError

PENDING = "pending"
ACTIVE = "active"
PAST_DUE = "past_due"
CANCELING = "canceling"
ENDED = "ended"
LIVE = (ACTIVE, PAST_DUE, CANCELING)


class AlreadySubscribedError(DomainError):
    code = "already_subscribed"


class NotSubscribedError(DomainError):
    code = "not_subscribed"


class Subscription(Aggregate):
    @staticmethod
    def create_id(fan_id: str, persona_id: str, **_: object) -> UUID:
        return ids.subscription_id(fan_id, persona_id)

    class Requested(Aggregate.Created):
        fan_id: str
        persona_id: str
        creator_id: str
        price_minor: int
        currency: str
        included_messages: int
        checkout_session_id: str
        at: datetime

    @event(Requested)
    def __init__(self, fan_id: str, persona_id: str, creator_id: str, price_minor: int,
                 currency: str, included_messages: int, checkout_session_id: str,
                 at: datetime) -> None:
        self.fan_id = fan_id
        self.persona_id = persona_id
        self.creator_id = creator_id
        self.currency = currency
        self.term = 0
        self.invoice_ids: set[str] = set()
        self._start_term(checkout_session_id, price_minor, included_messages)

    def _start_term(self, checkout_session_id: str, price_minor: int,
                    included_messages: int) -> None:
        self.term += 1
        self.checkout_session_id = checkout_session_id
        self.price_minor = price_minor
        self.included_messages = included_messages
        self.status = PENDING
        self.stripe_subscription_id: str | None = None
        self.started_at: datetime | None = None
        self.period_start: datetime | None = None
        self.paid_through: datetime | None = None
        self.past_due_since: datetime | None = None
        self.cancel_at: datetime | None = None
        self.cancellation_as_of: datetime | None = None
        self.ended_at: datetime | None = None

    # -- questions --------------------------------------------------------------------------

    def has_access(self, now: datetime, grace: timedelta) -> bool:
        """Paid-for time, plus the grace period after a failed renewal (or a late renewal)."""
        if self.status == PAST_DUE and self.past_due_since is not None:
            return now < self.past_due_since + grace
        if self.status in (ACTIVE, CANCELING) and self.paid_through is not None:
            return now < self.paid_through + grace
        return False

    def belongs_to_term(self, stripe_subscription_id: str | None) -> bool:
        return stripe_subscription_id is not None and \
            stripe_subscription_id == self.stripe_subscription_id

    # -- commands ---------------------------------------------------------------------------

    def request_again(self, checkout_session_id: str, price_minor: int, included_messages: int,
                      at: datetime) -> bool:
        """A new term, or the same pending checkout again; True when something was recorded."""
        if self.status in LIVE:
            raise AlreadySubscribedError("you are already subscribed to this persona")
        if self.status == PENDING and checkout_session_id == self.checkout_session_id:
            return False
        self._term_requested(checkout_session_id=checkout_session_id, price_minor=price_minor,
                             included_messages=included_messages, at=at)
        return True

    def activate(self, stripe_subscription_id: str, at: datetime) -> bool:
        """Checkout completed (or the term's first invoice named its subscription).

        Whichever Stripe subscription of a pending term is paid first is the term's, even from a
        checkout the fan opened earlier and left: they pay for it, so it gives access. Any other
        is an orphan the caller reports (see is_orphan)."""
        if self.status != PENDING or self.stripe_subscription_id is not None:
            return False
        self._activated(stripe_subscription_id=stripe_subscription_id, at=at)
        return True

    def is_orphan(self, stripe_subscription_id: str) -> bool:
        """A Stripe subscription this stream does not follow: billed by Stripe, giving no access
        (a second checkout paid, or an earlier term's late invoice)."""
        return self.stripe_subscription_id not in (None, stripe_subscription_id) or \
            (self.status == ENDED and not self.belongs_to_term(stripe_subscription_id))

    def record_period_paid(self, stripe_invoice_id: str, stripe_subscription_id: str,
                           period_start: datetime, period_end: datetime, at: datetime) -> bool:
        """A paid invoice extends access if it is of the current term; each invoice once."""
        if stripe_invoice_id in self.invoice_ids:
            return False
        self._adopt(stripe_subscription_id, at)
        self._period_paid(stripe_invoice_id=stripe_invoice_id,
                          stripe_subscription_id=stripe_subscription_id,
                          period_start=period_start, period_end=period_end, at=at)
        return True

    def record_payment_failed(self, stripe_invoice_id: str, stripe_subscription_id: str,
                              at: datetime) -> bool:
        """A renewal failed: past due, unless that invoice was paid after all."""
        adopted = self._adopt(stripe_subscription_id, at)
        if stripe_invoice_id in self.invoice_ids or not self.belongs_to_term(stripe_subscription_id) \
                or self.status not in (ACTIVE, CANCELING):
            return adopted
        self._payment_failed(stripe_invoice_id=stripe_invoice_id, at=at)
        return True

    def set_cancel_at_period_end(self, stripe_subscription_id: str, cancel: bool,
                                 cancel_at: datetime | None, as_of: datetime,
                                 at: datetime) -> bool:
        """Stripe's cancel_at_period_end flag as of a moment; an older report changes nothing.
        Recorded even after the end, so the last word is the same in any arrival order."""
        adopted = self._adopt(stripe_subscription_id, at)
        if not self.belongs_to_term(stripe_subscription_id) or (
                self.cancellation_as_of is not None and as_of < self.cancellation_as_of) or \
                cancel == (self.cancel_at is not None):
            return adopted
        if cancel:
            self._cancellation_scheduled(cancel_at=cancel_at or self.paid_through or at,
                                         as_of=as_of, at=at)
        else:
            self._cancellation_withdrawn(as_of=as_of, at=at)
        return True

    def end(self, stripe_subscription_id: str, reason: str, at: datetime) -> bool:
        adopted = self._adopt(stripe_subscription_id, at)
        if not self.belongs_to_term(stripe_subscription_id) or self.status == ENDED:
            return adopted
        self._ended(reason=reason, at=at)
        return True

    def _adopt(self, stripe_subscription_id: str, at: datetime) -> bool:
        """Stripe may tell us about a term's subscription (an invoice, an update, its end) before
        the checkout's completion arrives: the first one named is the term's."""
        return self.activate(stripe_subscription_id, at)

    # -- events -----------------------------------------------------------------------------

    class TermRequested(Aggregate.Event):
        checkout_session_id: str
        price_minor: int
        included_messages: int
        at: datetime

    @event(TermRequested)
    def _term_requested(self, checkout_session_id: str, price_minor: int,
                        included_messages: int, at: datetime) -> None:
        self._start_term(checkout_session_id, price_minor, included_messages)

    class Activated(Aggregate.Event):
        stripe_subscription_id: str
        at: datetime

    @event(Activated)
    def _activated(self, stripe_subscription_id: str, at: datetime) -> None:
        self.stripe_subscription_id = stripe_subscription_id
        self.started_at = at
        self.status = ACTIVE

    class PeriodPaid(Aggregate.Event):
        stripe_invoice_id: str
        stripe_subscription_id: str
        period_start: datetime
        period_end: datetime
        at: datetime

    @event(PeriodPaid)
    def _period_paid(self, stripe_invoice_id: str, stripe_subscription_id: str,
                     period_start: datetime, period_end: datetime, at: datetime) -> None:
        self.invoice_ids.add(stripe_invoice_id)
        if stripe_subscription_id != self.stripe_subscription_id:
            return  # an orphan's or an earlier term's invoice: its money stands, access does not
        if self.paid_through is None or period_end > self.paid_through:
            self.paid_through = period_end
            self.period_start = period_start
        if self.status == PAST_DUE:
            self.status = CANCELING if self.cancel_at is not None else ACTIVE
            self.past_due_since = None

    class PaymentFailed(Aggregate.Event):
        stripe_invoice_id: str
        at: datetime

    @event(PaymentFailed)
    def _payment_failed(self, stripe_invoice_id: str, at: datetime) -> None:
        self.status = PAST_DUE
        self.past_due_since = at

    class CancellationScheduled(Aggregate.Event):
        cancel_at: datetime
        as_of: datetime
        at: datetime

    @event(CancellationScheduled)
    def _cancellation_scheduled(self, cancel_at: datetime, as_of: datetime,
                                at: datetime) -> None:
        self.cancel_at = cancel_at
        self.cancellation_as_of = as_of
        if self.status == ACTIVE:
            self.status = CANCELING

    class CancellationWithdrawn(Aggregate.Event):
        as_of: datetime
        at: datetime

    @event(CancellationWithdrawn)
    def _cancellation_withdrawn(self, as_of: datetime, at: datetime) -> None:
        self.cancel_at = None
        self.cancellation_as_of = as_of
        if self.status == CANCELING:
            self.status = ACTIVE

    class Ended(Aggregate.Event):
        reason: str
        at: datetime

    @event(Ended)
    def _ended(self, reason: str, at: datetime) -> None:
        self.status = ENDED
        self.ended_at = at
