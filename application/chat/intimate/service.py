"""Intimate chat: age-verified fans only; its policy on the shared conversation engine."""

from adapters.eventstore.ledger import Ledger
from application.chat.conversation import Scene
from application.chat.intimate.prompt import system_prompt
from application.chat.reply_rules import HUMAN_CLAIM, MEET_UP, Rule
from domain import ids
from domain.aggregates.age_verification import AgeVerification
from domain.aggregates.intimate_thread import IntimateThread
from domain.chat_thread import ChatThread
from domain.errors import DomainError

REDIRECTION = "Let's take this somewhere else. What would you like to talk about instead?"


class AgeVerificationRequiredError(DomainError):
    code = "age_verification_required"


class IntimatePolicy:
    mode: str = "intimate"
    thread_type: type[ChatThread] = IntimateThread
    redirection: str = REDIRECTION
    # and the blocked categories, which the engine checks in both modes
    reply_rules: tuple[Rule, ...] = (HUMAN_CLAIM, MEET_UP)

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    def admit(self, fan_id: str) -> None:
        verification = self._ledger.get_or_none(ids.age_verification_id(fan_id))
        if not isinstance(verification, AgeVerification) or verification.status != "verified":
            raise AgeVerificationRequiredError(
                "intimate chat needs a verified age: start one at POST /api/age-verification")

    def system_prompt(self, scene: Scene) -> str:
        return system_prompt(scene)
