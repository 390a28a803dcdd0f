"""Staff actions on a fan's wallet: clearing the freeze a dispute put on it, with a reason."""

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from application.errors import UnknownWalletError
from domain import ids
from domain.aggregates.wallet import Wallet


class WalletAdministration:
    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    def unfreeze(self, fan_id: str, actor: str, reason: str) -> Wallet:
        """Idempotent: a wallet that is not frozen is returned unchanged, nothing recorded."""
        found: list[Wallet] = []

        def plan() -> list[Wallet]:  # a concurrent tip or webhook wrote it: read it again
            wallet: Wallet | None = self._ledger.get_snapshotted_or_none(ids.wallet_id(fan_id))
            if wallet is None:
                raise UnknownWalletError(f"fan {fan_id} has no wallet")
            found[:] = [wallet]
            return [wallet] if wallet.unfreeze(actor, reason, self._clock()) else []

        self._ledger.save_planned(plan, conflict="the wallet kept changing; try again")
        return found[0]
