"""What a refund or a dispute of a card payment takes back, whatever the payment bought.

A token pack and a subscription invoice are both card payments Stripe may refund (in part, more
than once) or dispute (opened, then won or lost). Stripe delivers these out of order, so each
payment keeps a *target* (how much of it must stand reversed) that only depends on what has been
recorded, never on the order it arrived in.
"""

DISPUTE_OPEN = "open"
DISPUTE_WON = "won"
DISPUTE_LOST = "lost"


def is_disputed(dispute_status: str | None) -> bool:
    """A dispute that takes (or took) the whole payment back: open or lost."""
    return dispute_status in (DISPUTE_OPEN, DISPUTE_LOST)


def reversal_target_minor(amount_minor: int, refunded_minor: int,
                          dispute_status: str | None) -> int:
    """The pence of the payment that must stand reversed: all of it while a dispute is open or
    lost, else what was refunded."""
    return amount_minor if is_disputed(dispute_status) else min(refunded_minor, amount_minor)


class RefundsAndDisputes:
    """What a card payment records of Stripe's refunds and disputes: the same rules for a token
    pack and a subscription invoice, each of which keeps its own events (their stored topics are
    the aggregates' own). Mixed into both; state is set in each one's creation event."""

    refunded_minor: int
    dispute_id: str | None
    dispute_status: str | None
    dispute_fee_minor: int

    def refund_news(self, refunded_minor_total: int, paid_minor: int) -> int | None:
        """Stripe reports the cumulative refunded amount: the new total (never above what was
        paid), or None when it is no increase, so no news."""
        if refunded_minor_total <= self.refunded_minor:
            return None
        return min(refunded_minor_total, paid_minor)

    @property
    def dispute_may_open(self) -> bool:
        """Only the first open counts: a repeat, or an open arriving after its close, is not."""
        return self.dispute_status is None

    def dispute_outcome(self, won: bool, fee_minor: int) -> tuple[str, int] | None:
        """(outcome, fee) to record, or None when an outcome stands already (the first one
        stands). Lost, Stripe's fee is the platform's cost; won, there is none."""
        if self.dispute_status in (DISPUTE_WON, DISPUTE_LOST):
            return None
        return (DISPUTE_WON, 0) if won else (DISPUTE_LOST, max(0, fee_minor))

    def _dispute_opened_state(self, dispute_id: str) -> None:
        self.dispute_id = dispute_id
        self.dispute_status = DISPUTE_OPEN

    def _dispute_closed_state(self, dispute_id: str, outcome: str, fee_minor: int) -> None:
        self.dispute_id = self.dispute_id or dispute_id
        self.dispute_status = outcome
        self.dispute_fee_minor = fee_minor
