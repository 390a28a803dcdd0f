"""One chat turn, whatever the mode: check the fan's message, price it, charge it, then stream the
persona's checked reply and record it, or give the charge back.

Stateless about conversations (threads live in the ledger) and parameterised by a mode's policy:
its thread stream, prompt builder, price, gate and reply rules. Each mode's package builds its
own service on it; neither knows the other.

Money first, model after: the charge (an included message, or a paid one through the one spend
path and its group commit) is saved before the model is called, and nothing is held while the
model writes. A turn that ends without a delivered reply is given back by compensating events;
one whose process died is given back by the sweeper (`give_back.StaleTurns`).

Safety, three layers: a message the rules block costs nothing and never reaches the model; one
they send to review reaches it with a note added to that turn's prompt, and is flagged (sampled
into the moderation queue); the model rates every message in the request that writes the reply
(application/safety/model_gate.py), and a rating of a minor or of non-consent at the gate ends
the turn with a refusal and gives the message back. A reply the rules block is replaced; one
they send to review is delivered and flagged.
"""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError

from adapters.eventstore.ledger import ConcurrencyExhaustedError, Ledger
from application.chat import memory_notes
from application.chat.checked_relay import CheckedReply
from application.chat.give_back import give_back, give_back_plan
from application.chat.modes import enabled_modes
from application.chat.pricing import INCLUDED, TOKENS, NextMessage, next_message
from application.chat.reply_rules import TIP_PRESSURE, Rule, broken
from application.clock import Clock
from application.errors import IdempotencyConflictError
from application.personas import Personas
from application.ports import ChatMessage, ChatModel, ModelProviderError, ThreadTips
from application.safety import model_gate
from application.safety.checks import refusal
from application.safety.screen import Screen
from application.safety.verdict import BLOCK, MODEL, REVIEW
from application.sellers import as_uuid, live_persona
from application.spending.commands import charge_message
from application.spending.kinds import PriceChangedError, message_price_tokens
from application.spending.service import Spending
from application.subscriptions.service import Subscriptions
from domain import ids
from domain.aggregates.companion_personality import CompanionPersonality
from domain.aggregates.creator import Creator
from domain.aggregates.message_allowance import AllowanceUsedUpError, MessageAllowance
from domain.aggregates.message_charge import MessageCharge
from domain.aggregates.persona import Persona
from domain.chat_thread import DELIVERED, FAILED, WINDOW_MESSAGES, ChatThread
from domain.errors import DomainError, InvalidAmountError

MAX_MESSAGE_CHARS = 2_000
ATTEMPTS = 10


def _pause(attempt: int) -> None:
    """Back off, with jitter, before writing a thread another request just wrote."""
    if attempt:
        time.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 7)))


class ChatUnavailableError(DomainError):
    code = "chat_unavailable"


class OwnPersonaChatError(DomainError):
    code = "own_persona"


@dataclass(frozen=True)
class Scene:
    """What a mode's prompt builder is given."""

    persona_name: str
    persona: dict[str, Any]  # the reviewed profile's persona fields
    companion: dict[str, Any] | None  # the companion personality, if configured
    memory: dict[str, Any]
    tips_tokens: list[int]  # tips to acknowledge once, in this reply


class ModePolicy(Protocol):
    mode: str
    thread_type: type[ChatThread]
    redirection: str  # what a reply that broke a rule is replaced with
    reply_rules: tuple[Rule, ...]

    def admit(self, fan_id: str) -> None:
        """Refuse a fan who may not use this mode."""

    def system_prompt(self, scene: Scene) -> str: ...


@dataclass
class Turn:
    fan_id: str
    persona_id: str
    thread_id: UUID
    message_id: str
    price: NextMessage
    charge_id: str | None
    scene: Scene
    replayed: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""
    tip_ids: list[str] = field(default_factory=list)  # acknowledged by this reply
    screen: Screen | None = None  # the rules as they stood when the message was checked
    review: list[dict[str, Any]] = field(default_factory=list)  # the message's review findings


@dataclass(frozen=True)
class _Context:
    persona: Persona
    companion: CompanionPersonality | None
    price_tokens: int


class Conversation:
    def __init__(self, policy: ModePolicy, ledger: Ledger, spending: Spending,
                 subscriptions: Subscriptions, personas: Personas, model: ChatModel,
                 tips: ThreadTips, clock: Clock, max_reply_tokens: int = 400,
                 history_limit: int = 20, reply_deadline_s: float = 90.0,
                 monotonic: Callable[[], float] = time.monotonic, gate_confidence: float = 0.6,
                 review_sample: float = 1.0) -> None:
        self.policy = policy
        self._ledger = ledger
        self._spending = spending
        self._subscriptions = subscriptions
        self._personas = personas
        self._model = model
        self._tips = tips
        self._clock = clock
        self._max_reply_tokens = max_reply_tokens
        self._history_limit = history_limit
        self._deadline_s = reply_deadline_s
        self._monotonic = monotonic
        self._gate_confidence = gate_confidence
        self._review_sample = review_sample

    # -- reading -----------------------------------------------------------------------------

    def quote(self, fan_id: str, persona_id: str) -> NextMessage:
        context = self._context(fan_id, persona_id)
        return self._quote(fan_id, persona_id, context)

    def thread(self, fan_id: str, persona_id: str) -> ChatThread | None:
        return self._ledger.get_snapshotted_or_none(self._thread_id(fan_id, persona_id))

    # -- a turn ------------------------------------------------------------------------------

    def begin(self, fan_id: str, persona_id: str, text: str, message_key: str | None,
              expected_cost_tokens: int) -> Turn:
        """Check and charge the message; the reply is streamed by `reply`. A message key seen
        before returns that turn as it stands (never a second charge)."""
        text = (text or "").strip()
        if not 1 <= len(text) <= MAX_MESSAGE_CHARS:
            raise InvalidAmountError(f"a message is 1 to {MAX_MESSAGE_CHARS} characters")
        context = self._context(fan_id, persona_id)
        thread_id = self._thread_id(fan_id, persona_id)
        message_id = message_key or uuid4().hex
        fresh = self._ledger.get_snapshotted_or_none(thread_id)
        known = fresh.message(message_id) if fresh is not None else None
        if fresh is not None and known is not None:
            if known["text"] != text:
                raise IdempotencyConflictError(
                    "this message key was already used for another message")
            return self._turn(fan_id, persona_id, fresh, message_id, context, replayed=True)
        screen = self._personas.screen()
        verdict = screen.check({"message": text})
        if verdict.blocked:  # costs nothing, and the model never sees it
            raise refusal(verdict)
        review = [f.as_dict() for f in verdict.for_review]
        for attempt in range(ATTEMPTS):
            _pause(attempt)
            if attempt:
                fresh = None  # a failed save left it changed: read it again
            price = self._quote(fan_id, persona_id, context)
            if expected_cost_tokens != price.price_tokens:
                raise PriceChangedError(
                    f"the next message costs {price.price_tokens} tokens "
                    f"({'included' if price.paid_by == INCLUDED else 'paid'})")
            try:
                if price.paid_by == INCLUDED:
                    thread = self._send_included(fan_id, persona_id, thread_id, message_id, text,
                                                 price, fresh, review)
                else:
                    thread = self._send_paid(fan_id, persona_id, thread_id, message_id, text,
                                             price, fresh, review)
            except (IntegrityError, AllowanceUsedUpError):
                continue  # another message took the last included one, or wrote the thread
            return self._turn(fan_id, persona_id, thread, message_id, context,
                              period_start=price.period_start, screen=screen, review=review)
        raise ConcurrencyExhaustedError("too many messages at once: send it again")

    def reply(self, turn: Turn) -> Iterator[tuple[str, dict[str, Any]]]:
        """Server-sent events: `delta` pieces of checked text, then `replaced` (a reply that
        broke a rule, replaced), then `done`; or `error` with what was given back."""
        settled = False
        try:
            if turn.replayed:
                yield from self._replay(turn)
                settled = True
                return
            check = self._check(turn)
            messages = [ChatMessage(role, content) for entry in turn.history
                        for role, content in (("user", entry["text"]),
                                              ("assistant", entry["reply"]))]
            messages.append(ChatMessage("user", turn.text))
            started = self._monotonic()
            ratings: list[model_gate.Rating] = []
            try:
                for piece in check.relay(self._stream(turn, messages, ratings.append)):
                    yield "delta", {"text": piece}
                    if self._monotonic() - started > self._deadline_s:
                        raise ModelProviderError("the model took too long")
            except ModelProviderError as error:
                settled = True
                yield "error", self._fail(turn, "model_provider_error", str(error))
                return
            except model_gate.RefusedByModelError as refused:
                settled = True
                yield "error", self._refuse(turn, refused)
                return
            reply = self.policy.redirection if check.replaced else check.released.strip()
            if not reply:
                settled = True
                yield "error", self._fail(turn, "empty_reply", "the model gave no reply")
                return
            if check.replaced:
                yield "replaced", {"text": reply, "rules": check.violations}
            self._deliver(turn, reply, check, self._flags(turn, reply, ratings))
            settled = True
            yield "done", self._summary(turn, reply, check.replaced)
        finally:
            if not settled:  # the client left mid-reply, or something broke: nothing delivered
                self._fail(turn, "not_delivered", "the reply was not delivered")

    # -- steps -------------------------------------------------------------------------------

    def _stream(self, turn: Turn, messages: list[ChatMessage],
                on_rating: Callable[[model_gate.Rating], None]) -> Iterator[str]:
        """The model's reply; a provider is asked to rate the message first (the rating line
        taken off here), and told when the rules sent the message to review."""
        system = self.policy.system_prompt(turn.scene)
        if turn.review:
            system += model_gate.REVIEW_NOTE.format(
                categories=", ".join(sorted({f["category"] for f in turn.review})))
        if not getattr(self._model, "rates_messages", False):
            return self._model.stream(system, messages, self._max_reply_tokens)
        return model_gate.rated(
            self._model.stream(system + model_gate.INSTRUCTION, messages, self._max_reply_tokens),
            self._gate_confidence, on_rating)

    def _sampled(self) -> bool:
        return random.random() < self._review_sample

    def _flags(self, turn: Turn, reply: str, ratings: list[model_gate.Rating]
               ) -> list[tuple[str, str, list[dict[str, Any]]]]:
        """(side, outcome, findings) to record with the reply: what the rules sent to review in
        it, and a rating that could not be read (the rules' outcome stood)."""
        flags: list[tuple[str, str, list[dict[str, Any]]]] = []
        screen = turn.screen or self._personas.screen()
        found = [f.as_dict() for f in screen.check({"reply": reply}).for_review]
        if found:
            flags.append(("reply", REVIEW, found))
        for rating in ratings:
            if rating.status != "given":
                flags.append(("message", "unrated", [{
                    "outcome": "pass", "category": "", "rule": f"model:{rating.status}",
                    "span": rating.reason, "language": "", "layer": MODEL, "field": "message"}]))
        return flags

    def _context(self, fan_id: str, persona_id: str) -> _Context:
        loaded = self._ledger.get_many([as_uuid(persona_id), ids.chat_settings_id(persona_id),
                                        ids.companion_personality_id(persona_id)])
        persona = live_persona(loaded, persona_id)
        creator = self._ledger.get_or_none(ids.creator_id(persona.creator_user_id))
        if not isinstance(creator, Creator) or not creator.can_receive_money:
            raise ChatUnavailableError("this persona is not chatting right now")
        if persona.creator_user_id == fan_id:
            raise OwnPersonaChatError("you cannot chat with your own persona as a fan")
        enabled, _ = enabled_modes(persona, loaded.get(ids.chat_settings_id(persona_id)))
        if self.policy.mode not in enabled:
            raise ChatUnavailableError(f"this persona does not offer {self.policy.mode} chat")
        self.policy.admit(fan_id)
        companion = loaded.get(ids.companion_personality_id(persona_id))
        return _Context(persona, companion,
                        message_price_tokens(persona, companion, self.policy.mode))

    def _quote(self, fan_id: str, persona_id: str, context: _Context) -> NextMessage:
        access = self._subscriptions.access(fan_id, persona_id)
        period = access.period_start.isoformat() if access.subscribed and access.period_start \
            else None
        allowance = self._ledger.get_or_none(
            ids.message_allowance_id(fan_id, persona_id, period)) if period else None
        return next_message(access.included_messages, period, allowance, context.price_tokens)

    def _thread_id(self, fan_id: str, persona_id: str) -> UUID:
        return self.policy.thread_type.create_id(fan_id=fan_id, persona_id=persona_id)

    def _open_thread(self, fan_id: str, persona_id: str, thread_id: UUID,
                     fresh: ChatThread | None = None) -> ChatThread:
        thread = fresh if fresh is not None else self._ledger.get_snapshotted_or_none(thread_id)
        return thread if thread is not None else self.policy.thread_type(
            fan_id=fan_id, persona_id=persona_id)

    def _send_included(self, fan_id: str, persona_id: str, thread_id: UUID, message_id: str,
                       text: str, price: NextMessage, fresh: ChatThread | None,
                       review: list[dict[str, Any]]) -> ChatThread:
        now = self._clock()
        assert price.period_start is not None
        allowance = self._ledger.get_or_none(
            ids.message_allowance_id(fan_id, persona_id, price.period_start)) or \
            MessageAllowance.open(fan_id, persona_id, price.period_start,
                                  price.included_per_period)
        allowance.use(message_id, now)
        thread = self._open_thread(fan_id, persona_id, thread_id, fresh)
        thread.send(message_id, text, INCLUDED, 0, None, now)
        self._flag_message(thread, message_id, review, now)
        self._remember(thread, text, now)
        self._ledger.save(allowance, thread)
        return thread

    def _send_paid(self, fan_id: str, persona_id: str, thread_id: UUID, message_id: str,
                   text: str, price: NextMessage, fresh: ChatThread | None,
                   review: list[dict[str, Any]]) -> ChatThread:
        spent = self._spending.send(charge_message(
            fan_id, persona_id, str(thread_id), f"{self.policy.mode}:{message_id}",
            price.price_tokens, chat_mode=self.policy.mode))
        charge_id = str(spent.spend_id)
        for attempt in range(ATTEMPTS):
            _pause(attempt)
            now = self._clock()
            thread = self._open_thread(fan_id, persona_id, thread_id,
                                       fresh if attempt == 0 else None)
            if thread.message(message_id) is not None:
                return thread
            thread.send(message_id, text, TOKENS, price.price_tokens, charge_id, now)
            self._flag_message(thread, message_id, review, now)
            self._remember(thread, text, now)
            try:
                self._ledger.save(thread)
                return thread
            except IntegrityError:
                continue
        give_back(self._ledger, UUID(charge_id), self._clock())
        raise ConcurrencyExhaustedError("too many messages at once: nothing was charged")

    def _flag_message(self, thread: ChatThread, message_id: str, review: list[dict[str, Any]],
                      at: datetime) -> None:
        if review:
            thread.flag(message_id, "message", REVIEW, review, self._sampled(), at)

    @staticmethod
    def _remember(thread: ChatThread, text: str, at: datetime) -> None:
        notes = memory_notes.notes_from(text, thread.memory)
        if notes:
            thread.remember(notes, at)

    def _turn(self, fan_id: str, persona_id: str, thread: ChatThread, message_id: str,
              context: _Context, replayed: bool = False, period_start: str | None = None,
              screen: Screen | None = None, review: list[dict[str, Any]] | None = None) -> Turn:
        entry = thread.message(message_id)
        assert entry is not None
        # Once the thread keeps only its latest messages, tips since the oldest of them: older
        # ones were thanked (or their moment has passed), and reading them all would grow with
        # the conversation.
        since = thread.messages[0]["sent_at"].isoformat() \
            if len(thread.messages) >= WINDOW_MESSAGES else None
        tips = [] if replayed else [  # a replayed turn answers from the record: no prompt
            (tip_id, tokens) for tip_id, tokens in
            self._tips.tips_in_thread(fan_id, str(thread.id), since)
            if tip_id not in thread.acknowledged_tips]
        if tips:  # a tip thanked elsewhere (its own acknowledgement) is done
            loaded = self._ledger.get_many([UUID(tip_id) for tip_id, _ in tips])
            tips = [(tip_id, tokens) for tip_id, tokens in tips
                    if not getattr(loaded.get(UUID(tip_id)), "is_acknowledged", True)]
        live = context.persona.live
        assert live is not None
        companion = context.companion.config if context.companion is not None else None
        scene = Scene(persona_name=live["name"], persona=live["persona"], companion=companion,
                      memory=dict(thread.memory), tips_tokens=[t for _, t in tips])
        price = NextMessage(entry["paid_by"], entry["price_tokens"], context.price_tokens, 0, 0,
                            period_start)
        return Turn(fan_id, persona_id, thread.id, message_id, price, entry["charge_id"], scene,
                    replayed, thread.history(self._history_limit), entry["text"],
                    [tip_id for tip_id, _ in tips], screen, review or [])

    def _check(self, turn: Turn) -> CheckedReply:
        screen = turn.screen or self._personas.screen()
        rules = self.policy.reply_rules + ((TIP_PRESSURE,) if turn.scene.tips_tokens else ())

        def violations(text: str) -> list[str]:  # what every rule layer blocks, in any language
            categories = sorted({f.category for f in screen.check({"reply": text}).findings
                                 if f.outcome == BLOCK})
            return broken(text, rules) + [f"blocked:{c}" for c in categories]
        return CheckedReply(violations)

    def _deliver(self, turn: Turn, reply: str, check: CheckedReply,
                 flags: list[tuple[str, str, list[dict[str, Any]]]] | None = None) -> None:
        """The reply, the charge marked delivered, the tips it thanks and what the checks
        flagged in it, in one save."""
        tips = [UUID(t) for t in turn.tip_ids]
        charge_ids = [UUID(turn.charge_id)] if turn.charge_id is not None else []

        def plan() -> list[Any]:  # read fresh on each attempt
            now = self._clock()
            thread: ChatThread = self._ledger.get_snapshotted(turn.thread_id)
            loaded = self._ledger.get_many([*charge_ids, *tips])
            entry = thread.message(turn.message_id)
            if entry is None or entry["status"] != "pending":
                return []  # a concurrent retry of the same message recorded it first
            thread.deliver(turn.message_id, reply, check.replaced, check.violations,
                           [t for t in turn.tip_ids if t not in thread.acknowledged_tips], now)
            sampled = self._sampled()
            for side, outcome, findings in flags or []:
                thread.flag(turn.message_id, side, outcome, findings, sampled, now)
            changed: list[Any] = [thread]
            for tip_id in tips:
                tip = loaded.get(tip_id)
                if tip is not None and not tip.is_acknowledged:  # thanked once, here
                    tip.acknowledge(reply, now)
                    changed.append(tip)
            for charge_id in charge_ids:
                charge: MessageCharge = loaded[charge_id]
                if not charge.returned:  # else the sweeper gave it back first: the reply is free
                    charge.deliver(now)
                    changed.append(charge)
            return changed

        self._ledger.save_planned(plan, ATTEMPTS, "the reply could not be recorded")

    def _refuse(self, turn: Turn, refused: model_gate.RefusedByModelError) -> dict[str, Any]:
        """The model rated the message a minor or non-consent at the gate: no reply, the message
        given back, and why recorded (always queued for moderation)."""
        finding = {"outcome": "block", "category": ",".join(refused.categories),
                   "rule": "model:gate", "span": str(refused.rating.scores), "language": "",
                   "layer": MODEL, "field": "message"}
        failed = self._fail(turn, "message_refused",
                            "this message breaks the platform's rules and was not answered",
                            flag=("message", "refused", [finding]))
        return {**failed, "categories": refused.categories}

    def _fail(self, turn: Turn, code: str, message: str,
              flag: tuple[str, str, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
        """Record the failure (and what the model's gate found) and give back what the message
        cost, in one save."""
        def plan() -> list[Any]:  # read fresh on each attempt: a conflict means someone wrote
            now = self._clock()
            thread: ChatThread = self._ledger.get_snapshotted(turn.thread_id)
            entry = thread.message(turn.message_id)
            if entry is None or entry["status"] != "pending":
                return []
            thread.fail(turn.message_id, code, now)
            if flag is not None:
                thread.flag(turn.message_id, *flag, True, now)
            if turn.charge_id is not None:
                return [thread, *give_back_plan(self._ledger, UUID(turn.charge_id), now)]
            assert turn.price.period_start is not None
            allowance: MessageAllowance = self._ledger.repository.get(ids.message_allowance_id(
                turn.fan_id, turn.persona_id, turn.price.period_start))
            allowance.give_back(turn.message_id, now)
            return [thread, allowance]

        self._ledger.save_planned(plan, ATTEMPTS, "the failure could not be recorded")
        return {"code": code, "message": message, "message_id": turn.message_id,
                "given_back": {"paid_by": turn.price.paid_by,
                               "tokens": turn.price.price_tokens}}

    def _replay(self, turn: Turn) -> Iterator[tuple[str, dict[str, Any]]]:
        thread: ChatThread = self._ledger.get_snapshotted(turn.thread_id)
        entry = thread.message(turn.message_id)
        assert entry is not None
        if entry["status"] == DELIVERED:
            yield "delta", {"text": entry["reply"]}
            yield "done", self._summary(turn, entry["reply"], entry["replaced"], replayed=True)
        elif entry["status"] == FAILED:
            yield "error", {"code": entry.get("failure", "failed"),
                            "message": "this message got no reply and was given back",
                            "message_id": turn.message_id}
        else:
            yield "error", {"code": "reply_in_progress",
                            "message": "this message is still being answered",
                            "message_id": turn.message_id}

    def _summary(self, turn: Turn, reply: str, replaced: bool,
                 replayed: bool = False) -> dict[str, Any]:
        return {"message_id": turn.message_id, "thread_id": str(turn.thread_id),
                "mode": self.policy.mode, "reply": reply, "replaced": replaced,
                "paid_by": turn.price.paid_by, "cost_tokens": turn.price.price_tokens,
                "charge_id": turn.charge_id, "replayed": replayed}
