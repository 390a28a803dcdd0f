"""What each kind of spend checks and buys. The batch writer is the same for all of them.

A kind names the aggregates it reads (in two rounds: an unlock learns its creator from its
offer), fixes the terms (who earns, how much, at which rate) or refuses with a domain error,
builds the thing bought, and decides what a second request for the same spend gets.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from application.errors import IdempotencyConflictError
from application.sellers import Loaded, as_uuid, live_persona, receiving_creator
from application.spending.commands import Spend
from domain import ids
from domain.aggregates.companion_personality import CompanionPersonality
from domain.aggregates.message_charge import MessageCharge
from domain.aggregates.persona import Persona
from domain.aggregates.ppv_offer import PpvOffer
from domain.aggregates.tip import CHAT_MODES, Tip
from domain.aggregates.token_spend import TokenSpend
from domain.aggregates.unlock import Unlock, standing_unlock_id
from domain.aggregates.wallet import Wallet
from domain.card_payment import DISPUTE_OPEN
from domain.catalogue import TIP_MAX_TOKENS, TIP_MIN_TOKENS
from domain.errors import (
    DomainError,
    InvalidAmountError,
    SelfTipError,
    UnknownCreatorError,
)
from domain.fees import FeeSchedule


class UnknownOfferError(DomainError):
    code = "unknown_offer"


class AlreadyUnlockedError(DomainError):
    code = "already_unlocked"


class UnlockRevokedError(DomainError):
    code = "unlock_revoked"


class PriceChangedError(DomainError):
    code = "price_changed"


@dataclass(frozen=True)
class Terms:
    creator_id: str
    amount_tokens: int
    creator_bps: int
    persona_id: str = ""


Seen = Callable[[UUID], Any]  # what the batch knows of an aggregate: planned, loaded, or None


class SpendKind(Protocol):
    name: str

    def validate(self, command: Spend) -> None:
        """Pure checks of the request itself, before it is queued."""

    def reads(self, command: Spend, loaded: Loaded) -> list[UUID]:
        """Aggregates to load; called again with what was loaded until it asks for nothing new."""

    def resolve(self, command: Spend, seen: Seen) -> Spend:
        """The command with the id its spend has now: the thing bought may have moved on since
        the command was made (a revoked unlock is bought again under the next id)."""

    def terms(self, command: Spend, loaded: Loaded, fees: FeeSchedule) -> Terms:
        """Who earns what, or a refusal."""

    def buy(self, command: Spend, terms: Terms, lots_used: list[list[Any]],
            at: datetime) -> TokenSpend:
        """The new aggregate for the thing bought, with the command's spend id."""

    def repeat(self, prior: Any, command: Spend) -> None:
        """The same spend asked for again: return to replay it, or raise to refuse."""


def _positive_whole(amount: object) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidAmountError("amount_tokens must be a positive whole number of tokens")


class TipKind:
    name = "tip"

    def validate(self, command: Spend) -> None:
        _positive_whole(command.amount_tokens)
        if not TIP_MIN_TOKENS <= command.amount_tokens <= TIP_MAX_TOKENS:
            raise InvalidAmountError(
                f"amount_tokens must be between {TIP_MIN_TOKENS} and {TIP_MAX_TOKENS}")
        if not command.target_id:
            raise UnknownCreatorError("creator_id is required")
        if command.target_id == command.fan_id:
            raise SelfTipError("you cannot tip yourself")
        if command.chat_mode is not None and command.chat_mode not in CHAT_MODES:
            raise InvalidAmountError(f"chat_mode must be one of {', '.join(CHAT_MODES)}")

    def reads(self, command: Spend, loaded: Loaded) -> list[UUID]:
        return [ids.creator_id(command.target_id)]

    def resolve(self, command: Spend, seen: Seen) -> Spend:
        return command

    def terms(self, command: Spend, loaded: Loaded, fees: FeeSchedule) -> Terms:
        receiving_creator(loaded, command.target_id)
        return Terms(command.target_id, command.amount_tokens, fees.tip_creator_bps)

    def buy(self, command: Spend, terms: Terms, lots_used: list[list[Any]],
            at: datetime) -> TokenSpend:
        return Tip.send(tip_id=command.spend_id, fan_id=command.fan_id,
                        creator_id=terms.creator_id, amount_tokens=terms.amount_tokens,
                        creator_bps=terms.creator_bps, lots_used=lots_used,
                        thread_id=command.thread_id, chat_mode=command.chat_mode, sent_at=at)

    def repeat(self, prior: Tip, command: Spend) -> None:
        same = (prior.fan_id, prior.creator_id, prior.amount_tokens, prior.thread_id,
                prior.chat_mode) == (command.fan_id, command.target_id, command.amount_tokens,
                                     command.thread_id, command.chat_mode)
        if not same:
            raise IdempotencyConflictError(
                "this Idempotency-Key was already used for a different tip")


class UnlockKind:
    name = "unlock"

    def validate(self, command: Spend) -> None:
        _positive_whole(command.amount_tokens)

    def reads(self, command: Spend, loaded: Loaded) -> list[UUID]:
        offer = loaded.get(as_uuid(command.target_id))
        wanted = [as_uuid(command.target_id), self.resolve(command, loaded.get).spend_id]
        if isinstance(offer, PpvOffer):
            wanted += [ids.creator_id(offer.creator_id), as_uuid(offer.persona_id)]
        return wanted + [as_uuid(p) for p in self._reversing_purchases(command, loaded.get)]

    @staticmethod
    def _reversing_purchases(command: Spend, seen: Seen) -> list[str]:
        """The purchases whose reversals revoked the fan's earlier unlocks of the offer."""
        wallet = seen(ids.wallet_id(command.fan_id))
        if not isinstance(wallet, Wallet):
            return []
        purchases: list[str] = []
        generation = 1
        while isinstance(prior := seen(ids.unlock_id(command.fan_id, command.target_id,
                                                     generation)), Unlock):
            if not prior.is_entitled:
                purchases += wallet.purchases_reversing(prior.ref_id)
            generation += 1
        return purchases

    def resolve(self, command: Spend, seen: Seen) -> Spend:
        """Past every revoked unlock of the offer to the one standing, or the next to buy;
        unless a revoked one is this very request retried, which is answered as before."""
        def past(unlock_id: UUID) -> Any:
            found = seen(unlock_id)
            retried = (isinstance(found, Unlock) and command.idempotency_key is not None
                       and found.idempotency_key == command.idempotency_key)
            return None if retried else found
        return replace(command, spend_id=standing_unlock_id(command.fan_id, command.target_id,
                                                            past))

    def terms(self, command: Spend, loaded: Loaded, fees: FeeSchedule) -> Terms:
        offer = loaded.get(as_uuid(command.target_id))
        if not isinstance(offer, PpvOffer) or offer.withdrawn:
            raise UnknownOfferError(f"no pay-per-view offer {command.target_id} on sale")
        if offer.creator_id == command.fan_id:
            raise SelfTipError("you cannot buy your own offer")
        live_persona(loaded, offer.persona_id)
        receiving_creator(loaded, offer.creator_id)
        if command.amount_tokens != offer.price_tokens:
            raise PriceChangedError(f"the offer costs {offer.price_tokens} tokens")
        if any(getattr(loaded.get(as_uuid(p)), "dispute_status", None) == DISPUTE_OPEN
               for p in self._reversing_purchases(command, loaded.get)):
            raise UnlockRevokedError("a dispute revoked this unlock; it can be bought again once "
                                     "the dispute closes (won, it comes back by itself)")
        return Terms(offer.creator_id, offer.price_tokens, fees.ppv_creator_bps, offer.persona_id)

    def buy(self, command: Spend, terms: Terms, lots_used: list[list[Any]],
            at: datetime) -> TokenSpend:
        return Unlock.purchase(unlock_id=command.spend_id, fan_id=command.fan_id,
                               creator_id=terms.creator_id,
                               offer_id=command.target_id, persona_id=terms.persona_id,
                               price_tokens=terms.amount_tokens, creator_bps=terms.creator_bps,
                               lots_used=lots_used, idempotency_key=command.idempotency_key,
                               at=at)

    def repeat(self, prior: Unlock, command: Spend) -> None:
        if command.idempotency_key and prior.idempotency_key == command.idempotency_key:
            return  # the same request retried: answer as before
        raise AlreadyUnlockedError("you have already unlocked this offer")


def message_price_tokens(persona: Persona, companion: CompanionPersonality | None,
                         chat_mode: str | None) -> int:
    """A companion-mode message costs what the companion personality says, if it says; any
    other costs the persona's extra-message price."""
    if chat_mode == "companion" and companion is not None and companion.config is not None:
        return int(companion.config["message_price_tokens"])
    assert persona.live is not None
    return int(persona.live["monetization"]["extra_message_tokens"])


class MessageKind:
    """A chat message beyond what a subscription includes, at its mode's message price."""

    name = "message"

    def validate(self, command: Spend) -> None:
        _positive_whole(command.amount_tokens)
        if not command.thread_id:
            raise InvalidAmountError("a paid message belongs to a chat thread")

    def reads(self, command: Spend, loaded: Loaded) -> list[UUID]:
        persona = loaded.get(as_uuid(command.target_id))
        wanted = [as_uuid(command.target_id)]
        if isinstance(persona, Persona):
            wanted.append(ids.creator_id(persona.creator_user_id))
        if command.chat_mode == "companion":
            wanted.append(ids.companion_personality_id(command.target_id))
        return wanted

    def resolve(self, command: Spend, seen: Seen) -> Spend:
        return command

    def terms(self, command: Spend, loaded: Loaded, fees: FeeSchedule) -> Terms:
        persona = live_persona(loaded, command.target_id)
        if persona.creator_user_id == command.fan_id:
            raise SelfTipError("you cannot pay for messages to your own persona")
        receiving_creator(loaded, persona.creator_user_id)
        companion = loaded.get(ids.companion_personality_id(command.target_id))
        price = message_price_tokens(persona, companion, command.chat_mode)
        if command.amount_tokens != price:
            raise PriceChangedError(f"a message to this persona costs {price} tokens")
        return Terms(persona.creator_user_id, price, fees.message_creator_bps, command.target_id)

    def buy(self, command: Spend, terms: Terms, lots_used: list[list[Any]],
            at: datetime) -> TokenSpend:
        assert command.thread_id is not None
        return MessageCharge.charge(charge_id=command.spend_id, fan_id=command.fan_id,
                                    creator_id=terms.creator_id, persona_id=terms.persona_id,
                                    thread_id=command.thread_id, price_tokens=terms.amount_tokens,
                                    creator_bps=terms.creator_bps, lots_used=lots_used, at=at)

    def repeat(self, prior: MessageCharge, command: Spend) -> None:
        """The chat retried the same message: it was charged once, and that stands."""
        if (prior.persona_id, prior.thread_id, prior.amount_tokens) != (
                command.target_id, command.thread_id, command.amount_tokens):
            raise IdempotencyConflictError("this message key was already charged for another message")


KINDS: dict[str, SpendKind] = {kind.name: kind for kind in (TipKind(), UnlockKind(), MessageKind())}
