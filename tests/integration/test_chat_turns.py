"""Chat turns on PostgreSQL with the offline model (the default on a fresh machine): a turn the
client abandons, or that a crash left open, is given back, and the ledger still balances."""

from uuid import UUID

from domain import ids
from replay.trial_balance import trial_balance_now
from tests.helpers import fund
from tests.integration.test_spending import published_persona
from tests.integration.test_subscription_billing import checkout_completed, invoice


def wallet_balance(core, fan_id: str) -> int:
    return core.ledger.repository.get(ids.wallet_id(fan_id)).balance_tokens


def test_the_offline_model_chats_with_no_key(core) -> None:
    persona_id = str(published_persona(core))
    fund(core, "fan-1")
    chat = core.companion_chat.conversation
    turn = chat.begin("fan-1", persona_id, "Hello! How are you?", None, 100)
    events = list(chat.reply(turn))
    assert [name for name, _ in events][-1] == "done"
    assert events[-1][1]["reply"] and events[-1][1]["cost_tokens"] == 100
    assert wallet_balance(core, "fan-1") == 400


def test_a_client_that_leaves_mid_reply_gets_the_message_back(core) -> None:
    persona_id = str(published_persona(core))
    fund(core, "fan-1")
    chat = core.companion_chat.conversation
    reply = chat.reply(chat.begin("fan-1", persona_id, "Tell me a story.", None, 100))
    assert next(reply)[0] == "delta"
    reply.close()  # the connection dropped
    assert wallet_balance(core, "fan-1") == 500
    thread = chat.thread("fan-1", persona_id)
    assert thread.messages[-1]["status"] == "failed"
    core.projections.catch_up()
    assert trial_balance_now(core.projections).balanced


def test_a_turn_a_crash_left_open_is_given_back_by_the_sweeper_once(core, clock) -> None:
    persona_id = str(published_persona(core))
    fund(core, "fan-1")
    chat = core.companion_chat.conversation
    turn = chat.begin("fan-1", persona_id, "Are you there?", None, 100)  # then the process died
    assert wallet_balance(core, "fan-1") == 400
    core.projections.catch_up()
    assert core.stale_turns.settle() == 0  # too recent: a reply may still be on its way
    clock.advance(minutes=11)
    assert core.stale_turns.settle() == 1
    assert wallet_balance(core, "fan-1") == 500
    hold = core.ledger.repository.get(ids.hold_id("message", UUID(turn.charge_id)))
    assert (hold.reversed_tokens, hold.held_tokens) == (80, 0)
    core.projections.catch_up()
    assert core.stale_turns.settle() == 0
    assert chat.thread("fan-1", persona_id).message(turn.message_id)["status"] == "failed"
    assert trial_balance_now(core.projections).balanced


def subscribed(core, fan_id: str, persona_id: str) -> None:
    session = core.subscriptions.subscribe(fan_id, persona_id, f"{fan_id}:sub")
    core.stripe_events.handle(checkout_completed(session.id, "sub_1", fan_id, persona_id))
    assert core.stripe_events.handle(invoice("invoice.paid", "in_1", "sub_1", fan_id,
                                             persona_id, 0)) == "period_paid"


def test_an_included_turn_a_crash_left_open_is_given_back_to_the_allowance_once(
        core, clock) -> None:
    persona_id = str(published_persona(core))
    subscribed(core, "fan-1", persona_id)
    chat = core.companion_chat.conversation
    included = chat.quote("fan-1", persona_id).included_remaining
    assert included > 0
    turn = chat.begin("fan-1", persona_id, "Are you there?", None, 0)  # then the process died
    assert turn.charge_id is None
    assert chat.quote("fan-1", persona_id).included_remaining == included - 1
    core.projections.catch_up()
    assert core.stale_turns.settle() == 0  # too recent: a reply may still be on its way
    clock.advance(minutes=11)
    assert core.stale_turns.settle() == 1
    assert chat.quote("fan-1", persona_id).included_remaining == included
    assert chat.thread("fan-1", persona_id).message(turn.message_id)["status"] == "failed"
    core.projections.catch_up()
    assert core.stale_turns.settle() == 0
    # A delivered included message is never swept.
    answered = chat.begin("fan-1", persona_id, "Hello again.", None, 0)
    assert [name for name, _ in chat.reply(answered)][-1] == "done"
    clock.advance(minutes=11)
    core.projections.catch_up()
    assert core.stale_turns.settle() == 0
    assert chat.quote("fan-1", persona_id).included_remaining == included - 1


def test_an_included_turn_left_open_into_the_next_period_is_failed_and_takes_nothing(
        core, clock) -> None:
    persona_id = str(published_persona(core))
    subscribed(core, "fan-1", persona_id)
    chat = core.companion_chat.conversation
    turn = chat.begin("fan-1", persona_id, "Are you there?", None, 0)
    clock.advance(days=30)
    assert core.stripe_events.handle(invoice("invoice.paid", "in_2", "sub_1", "fan-1",
                                             persona_id, 1)) == "period_paid"
    fresh = chat.quote("fan-1", persona_id).included_remaining
    core.projections.catch_up()
    assert core.stale_turns.settle() == 1
    assert chat.thread("fan-1", persona_id).message(turn.message_id)["status"] == "failed"
    assert chat.quote("fan-1", persona_id).included_remaining == fresh
