"""A tip's acknowledgement: the real Anthropic SDK against a loopback fake, checked, stored once."""

import pytest

from adapters.llm.anthropic_model import AnthropicChatModel
from adapters.llm.offline import OfflineChatModel
from application.chat.tip_rules import SAFE_FALLBACK
from application.ports import ChatMessage, ModelProviderError
from application.spending.commands import send_tip
from application.tip_acknowledgements import TipAcknowledgements, UnknownTipError
from tests.fakes.servers import FakeAnthropic
from tests.helpers import fund


@pytest.fixture
def anthropic_api():
    fake = FakeAnthropic()
    with fake.running() as base:
        yield fake, base


def sent_tip(core, chat_mode: str | None = "companion") -> str:
    core.creators.register("creator-1", "Luna", "adm")
    fund(core, "fan-1")
    return str(core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1",
                                         amount_tokens=250, chat_mode=chat_mode)).spend_id)


def test_the_sdk_sends_the_mode_prompt_and_the_reply_is_kept_once(core, clock, anthropic_api) -> None:
    fake, base = anthropic_api
    acks = TipAcknowledgements(core.ledger, AnthropicChatModel("sk-test", "test-model", base),
                               clock)
    tip_id = sent_tip(core)
    assert acks.acknowledge("fan-1", tip_id) == "Thank you, that's lovely of you."
    fake.next_text = "something else"
    assert acks.acknowledge("fan-1", tip_id) == "Thank you, that's lovely of you."
    assert len(fake.requests) == 1
    sent = fake.requests[0]
    assert sent["path"] == "/v1/messages" and sent["api_key"] == "sk-test"
    assert "Do not ask for more tips" in sent["body"]["system"]
    assert "Never claim to be human" in sent["body"]["system"]
    assert "Luna" in sent["body"]["system"] and sent["body"]["model"] == "test-model"


@pytest.mark.parametrize("reply", [
    "Thanks! Another tip would make me so happy.",
    "Thank you, I'll send you something special in return.",
    "Thanks, I missed you so much.",
    "x" * 400,
])
def test_a_reply_breaking_the_rules_is_replaced(core, clock, anthropic_api, reply) -> None:
    fake, base = anthropic_api
    fake.next_text = reply
    acks = TipAcknowledgements(core.ledger, AnthropicChatModel("sk-test", "m", base), clock)
    assert acks.acknowledge("fan-1", sent_tip(core)) == SAFE_FALLBACK


def test_intimate_mode_uses_its_own_prompt(core, clock, anthropic_api) -> None:
    fake, base = anthropic_api
    acks = TipAcknowledgements(core.ledger, AnthropicChatModel("sk-test", "m", base), clock)
    acks.acknowledge("fan-1", sent_tip(core, chat_mode="intimate"))
    assert "age-verified adult" in fake.requests[0]["body"]["system"]


def test_provider_errors_surface_and_record_nothing(core, clock, anthropic_api) -> None:
    fake, base = anthropic_api
    fake.status = 400
    acks = TipAcknowledgements(core.ledger, AnthropicChatModel("sk-test", "m", base), clock)
    tip_id = sent_tip(core)
    head = core.ledger.max_position()
    with pytest.raises(ModelProviderError):
        acks.acknowledge("fan-1", tip_id)
    assert core.ledger.max_position() == head


def test_only_the_tipping_fan_gets_it_and_offline_works(core, clock) -> None:
    acks = TipAcknowledgements(core.ledger, OfflineChatModel(), clock)
    tip_id = sent_tip(core)
    with pytest.raises(UnknownTipError):
        acks.acknowledge("fan-2", tip_id)
    with pytest.raises(UnknownTipError):
        acks.acknowledge("fan-1", "not-a-uuid")
    text = acks.acknowledge("fan-1", tip_id)
    assert text and text == acks.acknowledge("fan-1", tip_id)
    assert OfflineChatModel().reply("x", [ChatMessage("user", "hi")], 50)
