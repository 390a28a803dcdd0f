"""Fee rates and the periods money rules run on. The rate in force is copied into each event, so
replays never read this; an archiving of lots is an event too."""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class FeeSchedule:
    tip_creator_bps: int = 7_000
    subscription_creator_bps: int = 8_000
    ppv_creator_bps: int = 8_000
    message_creator_bps: int = 8_000
    hold_period: timedelta = timedelta(days=14)
    # After this, a spent lot can no longer be refunded or disputed (Stripe's dispute window is
    # 120 days) and its spends are archived from the wallet's state (see domain.aggregates.wallet).
    lot_archive_after: timedelta = timedelta(days=180)

    def __post_init__(self) -> None:
        for name in ("tip_creator_bps", "subscription_creator_bps", "ppv_creator_bps",
                     "message_creator_bps"):
            value = getattr(self, name)
            if not 0 <= value <= 10_000:
                raise ValueError(f"{name} must be within 0..10000, got {value}")
