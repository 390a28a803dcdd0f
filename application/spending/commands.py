"""What a fan asks to spend on, and what they get back. Ids are fixed when a command is made, so
every retry of it is the same spend: from the Idempotency-Key, or from the thing's natural key."""

from dataclasses import dataclass, field
from uuid import UUID, uuid4

from domain import ids


@dataclass(frozen=True)
class Spend:
    kind: str  # "tip", "unlock" or "message"
    fan_id: str
    target_id: str  # the creator tipped, the offer unlocked, the persona messaged
    amount_tokens: int  # what the fan agreed to pay (an unlock or a message checks it)
    spend_id: UUID = field(default_factory=uuid4)
    keyed: bool = False  # a random id cannot exist yet, so only a keyed one is looked up
    idempotency_key: str | None = None
    thread_id: str | None = None
    chat_mode: str | None = None


def send_tip(fan_id: str, creator_id: str, amount_tokens: int, idempotency_key: str | None = None,
             thread_id: str | None = None, chat_mode: str | None = None) -> Spend:
    if idempotency_key:
        return Spend("tip", fan_id, creator_id, amount_tokens,
                     ids.tip_id_for_key(fan_id, idempotency_key), True, idempotency_key,
                     thread_id, chat_mode)
    return Spend("tip", fan_id, creator_id, amount_tokens, thread_id=thread_id,
                 chat_mode=chat_mode)


def unlock_offer(fan_id: str, offer_id: str, price_tokens: int,
                 idempotency_key: str | None = None) -> Spend:
    return Spend("unlock", fan_id, offer_id, price_tokens, ids.unlock_id(fan_id, offer_id), True,
                 idempotency_key)


def charge_message(fan_id: str, persona_id: str, thread_id: str, message_key: str,
                   price_tokens: int, chat_mode: str | None = None) -> Spend:
    return Spend("message", fan_id, persona_id, price_tokens,
                 ids.message_charge_id(fan_id, message_key), True, message_key, thread_id,
                 chat_mode)


@dataclass(frozen=True)
class Spent:
    spend_id: UUID
    kind: str
    amount_tokens: int
    creator_tokens: int
    platform_tokens: int
    new_balance_tokens: int
    position: int
    replayed: bool = False
