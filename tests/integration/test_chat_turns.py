"""Chat turns on PostgreSQL with the offline model (the default on a fresh machine): a turn the
client abandons, or that a crash left open, is given back, and the ledger still balances."""

from uuid import UUID

from domain import ids
from replay.trial_balance import trial_balance_now
from tests.helpers import fund
from tests.integration.test_spending import published_persona


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
