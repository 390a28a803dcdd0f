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
