"""The persona's one brief acknowledgement of a tip, written by the model, checked, recorded once."""

from uuid import UUID

from eventsourcing.persistence import IntegrityError

from adapters.eventstore.ledger import Ledger
from application.chat.companion import tip_prompt as companion
from application.chat.intimate import tip_prompt as intimate
from application.chat.tip_rules import safe_acknowledgement
from application.clock import Clock
from application.ports import ChatMessage, ChatModel
from domain import ids
from domain.aggregates.tip import Tip
from domain.errors import DomainError

MAX_TOKENS = 120


class UnknownTipError(DomainError):
    code = "unknown_tip"


class TipAcknowledgements:
    def __init__(self, ledger: Ledger, model: ChatModel, clock: Clock) -> None:
        self._ledger = ledger
        self._model = model
        self._clock = clock

    def acknowledge(self, fan_id: str, tip_id: str) -> str:
        tip = self._tip(fan_id, tip_id)
        if tip.is_acknowledged:
            return str(tip.acknowledgement)
        creator = self._ledger.get_or_none(ids.creator_id(tip.creator_id))
        name = creator.display_name if creator else "the persona"
        build = intimate if tip.chat_mode == "intimate" else companion
        text = self._model.reply(
            build.tip_acknowledgement_prompt(name, tip.amount_tokens),
            [ChatMessage("user", f"(sent a tip of {tip.amount_tokens} tokens)")], MAX_TOKENS)
        tip.acknowledge(safe_acknowledgement(text), self._clock())
        try:
            self._ledger.save(tip)
        except IntegrityError:  # acknowledged by a concurrent request: that one stands
            return str(self._tip(fan_id, tip_id).acknowledgement)
        return str(tip.acknowledgement)

    def _tip(self, fan_id: str, tip_id: str) -> Tip:
        try:
            tip = self._ledger.get_or_none(UUID(tip_id))
        except ValueError:
            tip = None
        if not isinstance(tip, Tip) or tip.fan_id != fan_id:
            raise UnknownTipError(f"no tip {tip_id} of yours")
        return tip
