"""The one spend path on PostgreSQL: tips, unlocks and paid messages race on one wallet, repeat,
and are traced by refunds alike."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from application.spending.commands import charge_message, send_tip, unlock_offer
from domain import ids
from domain.errors import DomainError, InsufficientFundsError
from replay.trial_balance import trial_balance_now
from tests.helpers import charge_refunded, fund, published_persona


def test_a_paid_message_is_charged_once_80_20_at_the_persona_s_price(core) -> None:
    persona_id = published_persona(core)
    fund(core, "fan-1", "pack_500")
    first = core.spending.send(charge_message("fan-1", str(persona_id), "thread-1", "msg-1", 100))
    assert (first.creator_tokens, first.platform_tokens, first.new_balance_tokens) == (80, 20, 400)
    again = core.spending.send(charge_message("fan-1", str(persona_id), "thread-1", "msg-1", 100))
    assert again.replayed and again.spend_id == first.spend_id and again.new_balance_tokens == 400
    with pytest.raises(DomainError) as refused:
        core.spending.send(charge_message("fan-1", str(persona_id), "thread-1", "msg-2", 50))
    assert refused.value.code == "price_changed"
    with pytest.raises(DomainError) as reused:
        core.spending.send(charge_message("fan-1", str(persona_id), "thread-2", "msg-1", 100))
    assert reused.value.code == "idempotency_key_reused"
    hold = core.ledger.repository.get(ids.hold_id("message", first.spend_id))
    assert hold.amount_tokens == 80 and hold.source_kind == "message"


def test_a_refund_traces_tips_unlocks_and_messages_alike(core) -> None:
    persona_id = published_persona(core)
    offer = core.ppv.create_offer("creator-1", persona_id, "Extras", 200)
    payment = fund(core, "fan-1", "pack_500")
    core.spending.send(send_tip("fan-1", "creator-1", 100))
    unlock = core.spending.send(unlock_offer("fan-1", str(offer.id), 200))
    message = core.spending.send(charge_message("fan-1", str(persona_id), "t-1", "m-1", 100))
    assert core.stripe_events.handle(charge_refunded(payment, 499, 499)) == "refunded"
    wallet = core.ledger.repository.get(ids.wallet_id("fan-1"))
    assert (wallet.balance_tokens, wallet.spends_reversed_tokens) == (0, 400)
    assert not core.ledger.repository.get(unlock.spend_id).is_entitled
    charge = core.ledger.repository.get(message.spend_id)
    assert (charge.reversed_creator_tokens, charge.reversed_platform_tokens) == (80, 20)
    core.projections.catch_up()
    earnings = core.queries.earnings("creator-1")
    assert (earnings["held_tokens"], earnings["reversed_tokens"]) == (0, 70 + 160 + 80)


def test_an_unlock_a_partial_refund_revoked_gives_the_fan_back_what_still_stands(core) -> None:
    """A fifth of the pack refunded takes 101 of the unlock's 500 tokens: the unlock is revoked,
    so the other 399 buy nothing any more and go back to the fan, the creator's share of all 500
    is reversed, and buying the offer again costs its price once."""
    persona_id = published_persona(core)
    offer = core.ppv.create_offer("creator-1", persona_id, "Extras", 500)
    payment = fund(core, "fan-1", "pack_500")
    unlock = core.spending.send(unlock_offer("fan-1", str(offer.id), 500))
    assert core.stripe_events.handle(charge_refunded(payment, 499, 100)) == "refunded"
    revoked = core.ledger.repository.get(unlock.spend_id)
    assert (revoked.reversed_source_tokens, revoked.standing_tokens) == (500, 0)
    assert (revoked.reversed_creator_tokens, revoked.reversed_platform_tokens) == (400, 100)
    wallet = core.ledger.repository.get(ids.wallet_id("fan-1"))
    assert wallet.balance_tokens == 399  # 500 bought, 101 refunded
    hold = core.ledger.repository.get(ids.hold_id("unlock", unlock.spend_id))
    assert (hold.held_tokens, hold.reversed_tokens) == (0, 400)
    # A second refund of the same pack reaches the returned tokens first, not the unlock again.
    assert core.stripe_events.handle(charge_refunded(payment, 499, 200)) == "refunded"
    assert core.ledger.repository.get(ids.wallet_id("fan-1")).balance_tokens == 299  # 201 now
    fund(core, "fan-1", "pack_500")
    again = core.spending.send(unlock_offer("fan-1", str(offer.id), 500))
    assert again.spend_id != unlock.spend_id and again.new_balance_tokens == 299
    core.projections.catch_up()
    assert trial_balance_now(core.projections).balanced
    earnings = core.queries.earnings("creator-1")
    assert (earnings["held_tokens"], earnings["reversed_tokens"]) == (400, 400)


@pytest.mark.parametrize("window_ms", [0, 3])
def test_concurrent_unlocks_and_tips_from_one_wallet_never_overspend(make_core,
                                                                      window_ms: float) -> None:
    cores = [make_core(group_commit_window_ms=window_ms) for _ in range(3)]
    core = cores[0]
    persona_id = published_persona(core)
    offers = [core.ppv.create_offer("creator-1", persona_id, f"Set {n}", 100) for n in range(3)]
    fund(core, "fan-1", "pack_1200")  # 1,200 tokens; far more is asked for
    barrier = threading.Barrier(12)

    def attempt(i: int) -> str:
        writer = cores[i % len(cores)]
        if i < 12:
            barrier.wait()
        command = (unlock_offer("fan-1", str(offers[i % len(offers)].id), 100) if i % 2
                   else send_tip("fan-1", "creator-1", 100))
        try:
            writer.spending.send(command)
            return command.kind
        except InsufficientFundsError:
            return "refused"
        except DomainError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(attempt, range(60)))
    wallet = core.ledger.repository.get(ids.wallet_id("fan-1"))
    assert results.count("unlock") + results.count("tip") == 12  # 1,200 tokens, 100 each
    assert results.count("unlock") <= len(offers)  # each offer once, whoever raced for it
    assert set(results) <= {"tip", "unlock", "refused", "already_unlocked"}
    assert wallet.balance_tokens == 0 and wallet.spent_tokens == 1_200
    for offer in offers:
        unlock = core.ledger.get_or_none(ids.unlock_id("fan-1", str(offer.id)))
        assert unlock is None or unlock.version == 1
