"""Every read model the ledger projects, in one list: what the live runner, a rebuild and an
as-of replay all project."""

from projections.audit import AuditProjection
from projections.chat_messages import ChatMessagesProjection
from projections.content import ContentProjection
from projections.creators import CreatorsProjection
from projections.earnings import EarningsProjection
from projections.finance_flags import FinanceFlagsProjection
from projections.fold import Fold
from projections.moderation import ModerationProjection
from projections.payouts import PayoutsProjection
from projections.personas import PersonasProjection
from projections.ppv import PpvOffersProjection
from projections.purchases import PurchasesProjection
from projections.spends import SpendsProjection
from projections.subscriptions import SubscriptionsProjection
from projections.wallets import WalletsProjection


def all_projections() -> list[Fold]:
    return [WalletsProjection(), EarningsProjection(), PurchasesProjection(), SpendsProjection(),
            FinanceFlagsProjection(), CreatorsProjection(), ModerationProjection(),
            PersonasProjection(), PpvOffersProjection(), SubscriptionsProjection(),
            ContentProjection(), PayoutsProjection(), ChatMessagesProjection(), AuditProjection()]
