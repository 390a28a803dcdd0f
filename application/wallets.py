"""Staff actions on a fan's wallet: clearing the freeze a dispute put on it, with a reason."""

from eventsourcing.persistence import IntegrityError

from application.clock import Clock
from application.errors import ConcurrencyExhaustedError, UnknownWalletError
from application.ledger import Ledger
from domain import ids
from domain.aggregates.wallet import Wallet


class WalletAdministration:
    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    def unfreeze(self, fan_id: str, actor: str, reason: str) -> Wallet:
        """Idempotent: a wallet that is not frozen is returned unchanged, nothing recorded."""
        for _ in range(5):  # a concurrent tip or webhook wrote the wallet: read it again
            wallet: Wallet | None = self._ledger.get_or_none(ids.wallet_id(fan_id))
            if wallet is None:
                raise UnknownWalletError(f"fan {fan_id} has no wallet")
            if not wallet.unfreeze(actor, reason, self._clock()):
                return wallet
            try:
                self._ledger.save(wallet)
            except IntegrityError:
                continue
            return wallet
        raise ConcurrencyExhaustedError("the wallet kept changing; try again")
