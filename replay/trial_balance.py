"""The trial balance now (from the live read models) or as of a past moment (replayed)."""

from collections.abc import Callable
from datetime import datetime

from adapters.eventstore.ledger import Ledger
from projections.earnings import EarningsProjection
from projections.payouts import PayoutsProjection
from projections.purchases import PurchasesProjection
from projections.runner import ProjectionRunner
from projections.spends import SpendsProjection
from projections.subscriptions import SubscriptionsProjection
from projections.trial_balance import TrialBalance, trial_balance
from projections.wallets import WalletsProjection
from replay.as_of import replay_as_of


def trial_balance_now(runner: ProjectionRunner) -> TrialBalance:
    """Caught up first, so what was recorded before the call is in it."""
    runner.catch_up()
    return trial_balance(runner.db)


def trial_balance_as_of(ledger: Ledger, moment: datetime,
                        advance: Callable[[int], None] | None = None) -> TrialBalance:
    """Only the read models it reads are replayed, up to the moment."""
    sources = [WalletsProjection(), SpendsProjection(), EarningsProjection(),
               PurchasesProjection(), SubscriptionsProjection(), PayoutsProjection()]
    snapshot = replay_as_of(ledger, moment, sources, advance)
    return trial_balance(snapshot.db)
