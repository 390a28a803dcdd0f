"""Natural keys map to aggregate ids with uuid5, so a second creation is a version conflict, not a copy."""

from functools import lru_cache
from uuid import UUID, uuid5

_ROOT = UUID("6f1c2a4e-3b1d-4c55-9a0e-5d3f0b7e8a21")
WALLET = uuid5(_ROOT, "wallet")
PURCHASE = uuid5(_ROOT, "token-purchase")
TIP = uuid5(_ROOT, "tip")
HOLD = uuid5(_ROOT, "earnings-hold")
CREATOR = uuid5(_ROOT, "creator")
STRIPE_EVENT = uuid5(_ROOT, "stripe-event")
DECLARATION = uuid5(_ROOT, "declaration")
STRIKES = uuid5(_ROOT, "strike-record")
TAGS = uuid5(_ROOT, "vocabularies")
PERSONAS = uuid5(_ROOT, "creator-personas")
UNLOCK = uuid5(_ROOT, "ppv-unlock")
MESSAGE_CHARGE = uuid5(_ROOT, "message-charge")


@lru_cache(maxsize=65_536)
def wallet_id(fan_id: str) -> UUID:
    return uuid5(WALLET, fan_id)


def purchase_id(checkout_session_id: str) -> UUID:
    return uuid5(PURCHASE, checkout_session_id)


def tip_id_for_key(fan_id: str, idempotency_key: str) -> UUID:
    return uuid5(TIP, f"{fan_id}\x1f{idempotency_key}")


@lru_cache(maxsize=65_536)
def hold_id(source_kind: str, source_id: UUID) -> UUID:
    return uuid5(HOLD, f"{source_kind}:{source_id}")


@lru_cache(maxsize=65_536)
def creator_id(user_id: str) -> UUID:
    return uuid5(CREATOR, user_id)


def stripe_event_id(event_id: str) -> UUID:
    return uuid5(STRIPE_EVENT, event_id)



def strike_record_id(creator_user_id: str) -> UUID:
    return uuid5(STRIKES, creator_user_id)


def creator_personas_id(creator_user_id: str) -> UUID:
    return uuid5(PERSONAS, creator_user_id)


def unlock_id(fan_id: str, offer_id: str, generation: int = 1) -> UUID:
    """One standing unlock per fan and offer: a second is a version conflict, never a second
    charge. A refund or dispute that revokes one lets the fan buy it again, as the next
    generation, so the ids form a chain that ends at the unlock standing now."""
    if generation == 1:
        return uuid5(UNLOCK, f"{fan_id}\x1f{offer_id}")
    return uuid5(UNLOCK, f"{fan_id}\x1f{offer_id}\x1f{generation}")


def message_charge_id(fan_id: str, message_key: str) -> UUID:
    """A paid message is charged once per message, however often the chat retries it."""
    return uuid5(MESSAGE_CHARGE, f"{fan_id}\x1f{message_key}")


SUBSCRIPTION = uuid5(_ROOT, "subscription")
INVOICE = uuid5(_ROOT, "subscription-invoice")
INVOICE_PAYMENT = uuid5(_ROOT, "invoice-payment")


def subscription_id(fan_id: str, persona_id: str) -> UUID:
    """One subscription per fan and persona, across its terms: a second is never a copy."""
    return uuid5(SUBSCRIPTION, f"{fan_id}\x1f{persona_id}")


def invoice_payment_id(payment_intent_id: str) -> UUID:
    """An invoice's card payment, by Stripe's payment intent (domain.aggregates.invoice_payment)."""
    return uuid5(INVOICE_PAYMENT, payment_intent_id)


def invoice_id(stripe_invoice_id: str) -> UUID:
    """Each Stripe invoice is paid, refunded and disputed on one stream."""
    return uuid5(INVOICE, stripe_invoice_id)


PAYOUT = uuid5(_ROOT, "payout")


def payout_id(creator_id: str, run_key: str) -> UUID:
    """One payout per creator per run: rerunning a run finds it instead of paying twice."""
    return uuid5(PAYOUT, f"{creator_id}\x1f{run_key}")


CHAT = uuid5(_ROOT, "chat")


def chat_settings_id(persona_id: str) -> UUID:
    return uuid5(CHAT, f"settings\x1f{persona_id}")


def companion_personality_id(persona_id: str) -> UUID:
    return uuid5(CHAT, f"companion-personality\x1f{persona_id}")


def chat_thread_id(mode: str, fan_id: str, persona_id: str) -> UUID:
    """One thread per mode, fan and persona: each mode keeps its own stream."""
    return uuid5(CHAT, f"thread\x1f{mode}\x1f{fan_id}\x1f{persona_id}")


def message_allowance_id(fan_id: str, persona_id: str, period_start: str) -> UUID:
    """A subscriber's included messages for one billing period, shared by both modes."""
    return uuid5(CHAT, f"allowance\x1f{fan_id}\x1f{persona_id}\x1f{period_start}")


def age_verification_id(fan_id: str) -> UUID:
    return uuid5(CHAT, f"age\x1f{fan_id}")


PAYOUT_CARRY = uuid5(_ROOT, "payout-carry")


def payout_carry_id(creator_id: str, run_key: str) -> UUID:
    """One record per creator per run of why nothing was paid: a rerun finds it."""
    return uuid5(PAYOUT_CARRY, f"{creator_id}\x1f{run_key}")


LEDGER_CHECKPOINTS = uuid5(_ROOT, "ledger-checkpoints")
