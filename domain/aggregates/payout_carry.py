"""Why a payout run paid a creator nothing, kept in the ledger.

A run that carries a creator's earnings to the next run (below the minimum, no Connect account,
payouts disabled, not in good standing, a debt larger than the earnings) records it here, one per
creator per run, with what there was and what was owed at that moment. Statements and auditors
answer "why wasn't I paid?" from it months later, not from a run's report nobody kept.
"""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids


class PayoutCarry(Aggregate):
    @staticmethod
    def create_id(creator_id: str, run_key: str, **_: object) -> UUID:
        return ids.payout_carry_id(creator_id, run_key)

    class Carried(Aggregate.Created):
        creator_id: str
        run_key: str
        reason: str
        available_tokens: int  # as the run saw them (due holds released first)
        available_minor: int
        owed_tokens: int  # outstanding negative adjustments
        owed_minor: int
        would_pay_minor: int  # what the rule would have paid, had the creator been payable
        minimum_minor: int
        at: datetime

    @event(Carried)
    def __init__(self, creator_id: str, run_key: str, reason: str, available_tokens: int,
                 available_minor: int, owed_tokens: int, owed_minor: int, would_pay_minor: int,
                 minimum_minor: int, at: datetime) -> None:
        self.creator_id = creator_id
        self.run_key = run_key
        self.reason = reason
        self.available_tokens, self.available_minor = available_tokens, available_minor
        self.owed_tokens, self.owed_minor = owed_tokens, owed_minor
        self.would_pay_minor = would_pay_minor
        self.minimum_minor = minimum_minor
        self.at = at
